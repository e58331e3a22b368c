// Semantic events (docs/design.md 5, docs/semantics.md 12) on hand-built worlds, run
// through BOTH implementations: the per-PTE reference and the batched one get
// identical copies of the same built world and the same event plan. Every
// expected end state is derived by hand from docs/semantics.md; where the two
// legitimately differ (sections 9, 10.4, 10.5) both sides are spelled out.
//
// Batches are observed through w.clear_log as "mM:pP+N" (mm M, first folio
// page P, N slots); see batched_test.cc.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "batched/rmap.h"
#include "mm/tlb.h"
#include "reference/rmap.h"
#include "scenario/scenario.h"
#include "scenario/world_builder.h"
#include "tests/test_util.h"

using namespace uf;
using namespace uf::test;

namespace
{

// How many events of `kind` fired in w.
int fired(const world &w, event_kind kind)
{
        int n = 0;
        for (int i = 0; i < w.nr_fired; i++)
                n += w.fired[i].kind == kind;
        return n;
}

void add_event(scenario &s, event_kind kind, int page)
{
        s.events[s.nr_events++] = event{kind, static_cast<uint16_t>(page)};
}

// Both implementations on copies of one built world. `flush` runs the
// deferred TLB flush vmscan runs before freeing; tests that look at the
// moment before it pass false and flush themselves.
struct both {
        scenario s;
        world before, ref, bat;
        bool ref_ret = false, bat_ret = false;

        explicit both(const scenario &sc, bool flush = true) : s(sc)
        {
                EXPECT_EQ(build_checked(s, before), 0) << "hand-built scenario needed sanitizing";
                ref = before;
                bat = before;
                ref_ret = reference::try_to_unmap(&ref.folio, s.ttu);
                bat_ret = batched::try_to_unmap(&bat.folio, s.ttu);
                if (flush) {
                        try_to_unmap_flush(ref);
                        try_to_unmap_flush(bat);
                }
        }
};

pte_t at(const world &w, int page, int mm = 0)
{
        return slot(w, mm, page_addr(page));
}
long rss(const world &w, int counter, int mm = 0)
{
        return w.mms[mm].rss_stat[counter];
}

#define EXPECT_NO_VIOLATIONS(b)                                                                    \
        do {                                                                                       \
                EXPECT_EQ((b).ref.violations, 0u) << "reference: " << (b).ref.violation_detail;    \
                EXPECT_EQ((b).bat.violations, 0u) << "batched: " << (b).bat.violation_detail;      \
        } while (0)

// Slots [first, last) of mm 0 are none / present with `bits`.
void expect_none(const world &w, int first, int last, const char *who)
{
        for (int i = first; i < last; i++)
                EXPECT_PTE(at(w, i), none_pte()) << who << " page " << i;
}
void expect_present(const world &w, int first, int last, uint8_t bits, const char *who)
{
        for (int i = first; i < last; i++)
                EXPECT_PTE(at(w, i), folio_pte(i, bits)) << who << " page " << i;
}
void expect_mapcount(const world &w, int first, int last, int n, const char *who)
{
        for (int i = first; i < last; i++)
                EXPECT_EQ(w.folio.mapcount[i], n) << who << " page " << i;
}

// ---------------------------------------------------------------------
// gup_pin(p): GUP-fast takes a pin just before p's slot is cleared.
// ---------------------------------------------------------------------

// Order 0 lazyfree: the pin brings GUP_PIN_COUNTING_BIAS references
// (try_grab_folio()), ref 1026 != 1 + 1 -> restore, abort. The pin is a
// reference, not a redirty: swapbacked stays clear; the pin's refs stay.
// GUP-fast pins an anonymous page only if it is exclusive (gup_must_unshare()).
TEST(EventGupPin, Order0LazyfreeRestored)
{
        scenario s = lazyfree(0);
        s.pae = page_bits({1});
        s.ttu = reclaim_ttu(0);
        add_event(s, event_kind::gup_pin, 0);
        both b(s);

        EXPECT_NO_VIOLATIONS(b);
        for (const world *w : {&b.ref, &b.bat}) {
                const char *who = w == &b.ref ? "reference" : "batched";
                EXPECT_EQ(fired(*w, event_kind::gup_pin), 1) << who;
                EXPECT_PTE(at(*w, 0), folio_pte(0, PTE_YOUNG)) << who;
                EXPECT_FALSE(w->folio.swapbacked) << who;
                EXPECT_EQ(w->folio.refcount, 1026) << who; // 1 isolation + 1 mapping + 1024 pin
                EXPECT_TRUE(folio_maybe_dma_pinned(&w->folio)) << who;
                EXPECT_EQ(rss(*w, MM_ANONPAGES), 1) << who; // nothing discarded
                EXPECT_EQ(w->folio.mapcount[0], 1) << who;
        }
        EXPECT_FALSE(b.ref_ret);
        EXPECT_FALSE(b.bat_ret);
}

// gup_pin(5) in an order-4 lazyfree folio. Reference: pages 0-4 pass the
// check one by one and are discarded, page 5's check sees the pin (section 10.5).
// Batched: one batch of 16, the pin lands during the clear, the single check
// fails and all 16 are restored.
TEST(EventGupPin, MidFolioPerPteVsWholeBatch)
{
        scenario s = lazyfree(4);
        s.pae = first_pages(16);
        s.ttu = reclaim_ttu(4);
        add_event(s, event_kind::gup_pin, 5);
        both b(s);

        EXPECT_NO_VIOLATIONS(b);
        EXPECT_EQ(fired(b.ref, event_kind::gup_pin), 1);
        EXPECT_EQ(fired(b.bat, event_kind::gup_pin), 1);

        // Reference.
        EXPECT_EQ(batches(b.ref), "m0:p0+1 m0:p1+1 m0:p2+1 m0:p3+1 m0:p4+1 m0:p5+1");
        expect_none(b.ref, 0, 5, "reference");
        expect_present(b.ref, 5, 16, PTE_YOUNG, "reference");
        EXPECT_FALSE(b.ref_ret);
        EXPECT_EQ(rss(b.ref, MM_ANONPAGES), 11); // 16 - 5
        EXPECT_EQ(b.ref.folio.refcount, 13);     // 1 + 16 - 5 + 1 pin
        expect_mapcount(b.ref, 0, 5, 0, "reference");
        expect_mapcount(b.ref, 5, 16, 1, "reference");
        EXPECT_TRUE(b.ref.folio.partially_mapped); // per-PTE removal queues it (section 10.1)

        // Batched.
        EXPECT_EQ(batches(b.bat), "m0:p0+16");
        expect_present(b.bat, 0, 16, PTE_YOUNG, "batched");
        EXPECT_FALSE(b.bat_ret);
        EXPECT_EQ(rss(b.bat, MM_ANONPAGES), 16); // nothing discarded
        EXPECT_EQ(b.bat.folio.refcount, 18);     // 1 + 16 + 1 pin
        expect_mapcount(b.bat, 0, 16, 1, "batched");
        EXPECT_FALSE(b.bat.folio.partially_mapped);

        for (const world *w : {&b.ref, &b.bat}) {
                EXPECT_FALSE(w->folio.swapbacked);
                EXPECT_TRUE(folio_maybe_dma_pinned(&w->folio));
        }
}

// An exclusive swap-backed anon page pinned during the clear:
// folio_try_share_anon_rmap_pte() fails (-EBUSY), the swap count raised by
// dup is put back, the pte restored; PAE stays set.
TEST(EventGupPin, ExclusiveSwapbackedPageStaysMapped)
{
        scenario s = anon_swapcache(0);
        s.pae = page_bits({1});
        s.ttu = reclaim_ttu(0);
        add_event(s, event_kind::gup_pin, 0);
        both b(s);

        EXPECT_NO_VIOLATIONS(b);
        for (const world *w : {&b.ref, &b.bat}) {
                const char *who = w == &b.ref ? "reference" : "batched";
                EXPECT_EQ(fired(*w, event_kind::gup_pin), 1) << who;
                EXPECT_PTE(at(*w, 0), folio_pte(0, PTE_YOUNG)) << who;
                EXPECT_EQ(w->swap_count[0], 0) << who; // +1 by dup, -1 by put
                EXPECT_TRUE(w->folio.anon_exclusive.test(0)) << who;
                EXPECT_EQ(w->folio.refcount, 1027)
                    << who; // 1 + 1 swap cache + 1 mapping + 1024 pin
                EXPECT_EQ(rss(*w, MM_ANONPAGES), 1) << who;
                EXPECT_EQ(rss(*w, MM_SWAPENTS), 0) << who;
        }
        EXPECT_FALSE(b.ref_ret);
        EXPECT_FALSE(b.bat_ret);
}

// A shared (non-exclusive) swap-backed page is converted despite the pin:
// only exclusive pages go through the try-share pin check. GUP-fast can pin
// only the exclusive page 1 (gup_must_unshare()); shared page 0 still swaps
// out, page 1 fails to share and stays.
TEST(EventGupPin, SharedSwapbackedPageStillSwapsOut)
{
        scenario s = anon_swapcache(1);
        s.pae = page_bits({0, 1});
        s.ttu = reclaim_ttu(1);
        add_event(s, event_kind::gup_pin, 1);
        both b(s);

        EXPECT_NO_VIOLATIONS(b);
        for (const world *w : {&b.ref, &b.bat}) {
                const char *who = w == &b.ref ? "reference" : "batched";
                EXPECT_EQ(fired(*w, event_kind::gup_pin), 1) << who;
                EXPECT_PTE(at(*w, 0), folio_swap_pte(0, 0)) << who;
                EXPECT_PTE(at(*w, 1), folio_pte(1, PTE_YOUNG)) << who;
                EXPECT_EQ(w->swap_count[0], 1) << who;
                EXPECT_EQ(w->swap_count[1], 0) << who;
                // 1 + 2 swap cache + 2 mappings + 1 pin (large folio) - 1
                EXPECT_EQ(w->folio.refcount, 5) << who;
                EXPECT_EQ(rss(*w, MM_ANONPAGES), 1) << who;
                EXPECT_EQ(rss(*w, MM_SWAPENTS), 1) << who;
        }
        EXPECT_FALSE(b.ref_ret);
        EXPECT_FALSE(b.bat_ret);
}

// PMD-mapped lazyfree, gup_pin(5). Batched (section 8): no split; the pin lands at
// pmdp_huge_clear_flush(), ref 3 != 1 + 1 -> set_pmd_at() restores the huge
// PMD. Reference: splits (pre-K1 path), discards pages 0-4 per PTE, aborts
// at 5.
TEST(EventGupPin, PmdLazyfreeBatchedRestoresPmdReferenceSplits)
{
        scenario s;
        s.type = folio_type::lazyfree;
        s.order = HPAGE_PMD_ORDER;
        s.ttu = reclaim_ttu(HPAGE_PMD_ORDER);
        vma_spec &v = add_vma(s, 0, 0x200000, 0x400000, 0x200000);
        v.pmd = true;
        fill_slots(v, 0, 512, slot_kind::present, PTE_YOUNG);
        s.pae = first_pages(512); // GUP-fast pins exclusive anon pages only
        add_event(s, event_kind::gup_pin, 5);
        both b(s);

        EXPECT_NO_VIOLATIONS(b);
        EXPECT_EQ(fired(b.ref, event_kind::gup_pin), 1);
        EXPECT_EQ(fired(b.bat, event_kind::gup_pin), 1);

        // Batched.
        EXPECT_EQ(b.bat.mms[0].pmd[1].kind, pmd_kind::huge);
        EXPECT_PTE(b.bat.mms[0].pmd[1].huge, folio_pte(0, PTE_YOUNG));
        EXPECT_EQ(b.bat.nr_clears, 0);
        EXPECT_FALSE(b.bat_ret);
        EXPECT_FALSE(b.bat.folio.swapbacked);
        EXPECT_EQ(rss(b.bat, MM_ANONPAGES), 512);
        EXPECT_EQ(b.bat.folio.refcount, 3); // 1 + 1 PMD mapping + 1 pin
        EXPECT_EQ(b.bat.folio.entire_mapcount, 1);

        // Reference.
        EXPECT_EQ(b.ref.mms[0].pmd[1].kind, pmd_kind::table);
        expect_none(b.ref, 0, 5, "reference");
        expect_present(b.ref, 5, 512, PTE_YOUNG, "reference");
        EXPECT_FALSE(b.ref_ret);
        EXPECT_FALSE(b.ref.folio.swapbacked);
        EXPECT_EQ(rss(b.ref, MM_ANONPAGES), 507); // 512 - 5
        // 1 + 1 PMD ref; split: +511 (512 PTE refs); -5 discards; +1 pin.
        EXPECT_EQ(b.ref.folio.refcount, 509);
        EXPECT_EQ(b.ref.folio.entire_mapcount, 0);
        EXPECT_EQ(b.ref.folio.large_mapcount, 507);
}

// ---------------------------------------------------------------------
// hw_dirty(p) / hw_young(p): hardware sets the bit just before the clear.
// ---------------------------------------------------------------------

// Lazyfree order 2, hw_dirty(2): a redirty abort with swapbacked in both.
// Reference discards 0-1 and restores page 2 (dirty); batched restores all 4
// with the OR-ed dirty bit (sections 10.4, 10.6).
TEST(EventHwDirty, LazyfreeRedirtyAbortSetsSwapbacked)
{
        // The CPU dirties only a writable entry, which an anon page has only
        // when exclusive.
        scenario s = lazyfree(2, PTE_YOUNG | PTE_WRITE);
        s.pae = page_bits({1, 1, 1, 1});
        s.ttu = reclaim_ttu(2);
        add_event(s, event_kind::hw_dirty, 2);
        both b(s);

        EXPECT_NO_VIOLATIONS(b);
        // Reference.
        expect_none(b.ref, 0, 2, "reference");
        EXPECT_PTE(at(b.ref, 2), folio_pte(2, PTE_YOUNG | PTE_WRITE | PTE_DIRTY));
        EXPECT_PTE(at(b.ref, 3), folio_pte(3, PTE_YOUNG | PTE_WRITE));
        EXPECT_EQ(rss(b.ref, MM_ANONPAGES), 2); // 4 - 2
        EXPECT_EQ(b.ref.folio.refcount, 3);     // 1 + 4 - 2
        // Batched.
        EXPECT_EQ(batches(b.bat), "m0:p0+4");
        expect_present(b.bat, 0, 4, PTE_YOUNG | PTE_WRITE | PTE_DIRTY, "batched");
        EXPECT_EQ(rss(b.bat, MM_ANONPAGES), 4);
        EXPECT_EQ(b.bat.folio.refcount, 5); // 1 + 4

        for (const world *w : {&b.ref, &b.bat}) {
                const char *who = w == &b.ref ? "reference" : "batched";
                EXPECT_EQ(fired(*w, event_kind::hw_dirty), 1) << who;
                EXPECT_TRUE(w->folio.swapbacked) << who;
                EXPECT_TRUE(w->folio.dirty) << who;
        }
        EXPECT_FALSE(b.ref_ret);
        EXPECT_FALSE(b.bat_ret);
}

// File folio, hw_dirty(1): the dirty bit is propagated to the folio; the
// mapping still goes (page cache keeps the data).
TEST(EventHwDirty, FileFolioEndsDirty)
{
        scenario s = file_folio(2, PTE_YOUNG | PTE_WRITE);
        s.ttu = reclaim_ttu(2);
        add_event(s, event_kind::hw_dirty, 1);
        both b(s);

        EXPECT_NO_VIOLATIONS(b);
        for (const world *w : {&b.ref, &b.bat}) {
                const char *who = w == &b.ref ? "reference" : "batched";
                EXPECT_EQ(fired(*w, event_kind::hw_dirty), 1) << who;
                expect_none(*w, 0, 4, who);
                EXPECT_TRUE(w->folio.dirty) << who;
                EXPECT_EQ(rss(*w, MM_FILEPAGES), 0) << who; // 4 - 4
                EXPECT_EQ(w->folio.refcount, 5) << who;     // 1 + 4 page cache
        }
        EXPECT_TRUE(b.ref_ret);
        EXPECT_TRUE(b.bat_ret);
}

// PMD-mapped lazyfree, hw_dirty(0). Batched: the clean PMD passes the first
// dirty test, hardware dirties it during pmdp_huge_clear_flush(), the second
// test sees it -> swapbacked, set_pmd_at(dirty). Reference: split, page 0
// redirtied at its clear -> restored dirty, swapbacked.
TEST(EventHwDirty, PmdLazyfreeRedirty)
{
        scenario s;
        s.type = folio_type::lazyfree;
        s.order = HPAGE_PMD_ORDER;
        s.ttu = reclaim_ttu(HPAGE_PMD_ORDER);
        vma_spec &v = add_vma(s, 0, 0x200000, 0x400000, 0x200000);
        v.pmd = true;
        fill_slots(v, 0, 512, slot_kind::present, PTE_YOUNG | PTE_WRITE);
        s.pae = first_pages(512);
        add_event(s, event_kind::hw_dirty, 0);
        both b(s);

        EXPECT_NO_VIOLATIONS(b);
        // Batched.
        EXPECT_EQ(b.bat.mms[0].pmd[1].kind, pmd_kind::huge);
        EXPECT_PTE(b.bat.mms[0].pmd[1].huge, folio_pte(0, PTE_YOUNG | PTE_WRITE | PTE_DIRTY));
        EXPECT_EQ(rss(b.bat, MM_ANONPAGES), 512);
        EXPECT_EQ(b.bat.folio.refcount, 2); // 1 + 1 PMD mapping
        EXPECT_EQ(b.bat.folio.entire_mapcount, 1);
        // Reference.
        EXPECT_EQ(b.ref.mms[0].pmd[1].kind, pmd_kind::table);
        EXPECT_PTE(at(b.ref, 0), folio_pte(0, PTE_YOUNG | PTE_WRITE | PTE_DIRTY));
        expect_present(b.ref, 1, 512, PTE_YOUNG | PTE_WRITE, "reference");
        EXPECT_EQ(rss(b.ref, MM_ANONPAGES), 512);
        EXPECT_EQ(b.ref.folio.refcount, 513); // 1 + 512 PTE mappings after the split
        EXPECT_EQ(b.ref.folio.large_mapcount, 512);

        for (const world *w : {&b.ref, &b.bat}) {
                const char *who = w == &b.ref ? "reference" : "batched";
                EXPECT_EQ(fired(*w, event_kind::hw_dirty), 1) << who;
                EXPECT_TRUE(w->folio.swapbacked) << who;
                EXPECT_TRUE(w->folio.dirty) << who;
        }
        EXPECT_FALSE(b.ref_ret);
        EXPECT_FALSE(b.bat_ret);
}

// hw_young(0) on a lazyfree folio that aborts on an extra reference: the
// restored slot 0 is young in both; batched OR-s young onto all 4 (section 6.2).
TEST(EventHwYoung, RestoredSlotsAreYoung)
{
        scenario s = lazyfree(2, 0);
        s.extra_refs = 1;
        s.ttu = reclaim_ttu(2);
        add_event(s, event_kind::hw_young, 0);
        both b(s);

        EXPECT_NO_VIOLATIONS(b);
        // Reference: page 0's check fails (6 != 1 + 4), only slot 0 restored.
        EXPECT_PTE(at(b.ref, 0), folio_pte(0, PTE_YOUNG));
        expect_present(b.ref, 1, 4, 0, "reference");
        // Batched: the whole batch restored with the OR-ed young.
        expect_present(b.bat, 0, 4, PTE_YOUNG, "batched");

        for (const world *w : {&b.ref, &b.bat}) {
                const char *who = w == &b.ref ? "reference" : "batched";
                EXPECT_EQ(fired(*w, event_kind::hw_young), 1) << who;
                EXPECT_FALSE(w->folio.swapbacked) << who;
                EXPECT_FALSE(w->folio.dirty) << who;
                EXPECT_EQ(rss(*w, MM_ANONPAGES), 4) << who;
                EXPECT_EQ(w->folio.refcount, 6) << who; // 1 + 1 extra + 4 mappings
        }
        EXPECT_FALSE(b.ref_ret);
        EXPECT_FALSE(b.bat_ret);
}

// hw_young(2) with the same early abort: the reference never clears page 2,
// so the event cannot fire; the batched clear reaches it.
TEST(EventHwYoung, OnlyFiresWhereTheSlotIsCleared)
{
        scenario s = lazyfree(2, 0);
        s.extra_refs = 1;
        s.ttu = reclaim_ttu(2);
        add_event(s, event_kind::hw_young, 2);
        both b(s);

        EXPECT_NO_VIOLATIONS(b);
        EXPECT_EQ(b.ref.nr_fired, 0);
        expect_present(b.ref, 0, 4, 0, "reference");
        EXPECT_EQ(fired(b.bat, event_kind::hw_young), 1);
        expect_present(b.bat, 0, 4, PTE_YOUNG, "batched");
        EXPECT_FALSE(b.ref_ret);
        EXPECT_FALSE(b.bat_ret);
}

// ---------------------------------------------------------------------
// spec_ref(p) / gup_redirty(p): at the lazyfree check after p's clear.
// ---------------------------------------------------------------------

// spec_ref(1), lazyfree order 2: a speculative folio_try_get() at the first
// refcount read after page 1's slot was cleared -> abort WITHOUT swapbacked
// (B7). Reference: page 0's check precedes page 1's clear, so page 0 is
// discarded; page 1's check sees 5 != 1 + 3.
TEST(EventSpecRef, LazyfreeAbortKeepsSwapbackedClear)
{
        scenario s = lazyfree(2);
        s.ttu = reclaim_ttu(2);
        add_event(s, event_kind::spec_ref, 1);
        both b(s);

        EXPECT_NO_VIOLATIONS(b);
        // Reference.
        EXPECT_PTE(at(b.ref, 0), none_pte());
        expect_present(b.ref, 1, 4, PTE_YOUNG, "reference");
        EXPECT_EQ(rss(b.ref, MM_ANONPAGES), 3); // 4 - 1
        EXPECT_EQ(b.ref.folio.refcount, 5);     // 1 + 4 - 1 + 1 speculative
        // Batched.
        expect_present(b.bat, 0, 4, PTE_YOUNG, "batched");
        EXPECT_EQ(rss(b.bat, MM_ANONPAGES), 4);
        EXPECT_EQ(b.bat.folio.refcount, 6); // 1 + 4 + 1 speculative

        for (const world *w : {&b.ref, &b.bat}) {
                const char *who = w == &b.ref ? "reference" : "batched";
                EXPECT_EQ(fired(*w, event_kind::spec_ref), 1) << who;
                EXPECT_FALSE(w->folio.swapbacked) << who;
                EXPECT_FALSE(w->folio.dirty) << who;
        }
        EXPECT_FALSE(b.ref_ret);
        EXPECT_FALSE(b.bat_ret);
}

// spec_ref on a file folio: the lazyfree refcount read never happens, so the
// event never fires and the unmap completes.
TEST(EventSpecRef, NeverFiresForFileFolio)
{
        scenario s = file_folio(2);
        s.ttu = reclaim_ttu(2);
        add_event(s, event_kind::spec_ref, 0);
        both b(s);

        EXPECT_NO_VIOLATIONS(b);
        for (const world *w : {&b.ref, &b.bat}) {
                const char *who = w == &b.ref ? "reference" : "batched";
                EXPECT_EQ(w->nr_fired, 0) << who;
                expect_none(*w, 0, 4, who);
                EXPECT_EQ(w->folio.refcount, 5) << who; // 1 + 4 page cache
                EXPECT_EQ(rss(*w, MM_FILEPAGES), 0) << who;
        }
        EXPECT_TRUE(b.ref_ret);
        EXPECT_TRUE(b.bat_ret);
}

// gup_redirty(2): a GUP user dirties the folio through the reference it
// holds (extra_refs), seen at the dirty test after page 2's clear -> redirty
// abort WITH swapbacked (B8): the dirty test decides before the refcount one.
// The ptes themselves are clean, so the restored slots are not dirty.
TEST(EventGupRedirty, LazyfreeAbortSetsSwapbacked)
{
        scenario s = lazyfree(2);
        s.extra_refs = 1;
        s.ttu = reclaim_ttu(2);
        add_event(s, event_kind::gup_redirty, 2);
        both b(s);

        EXPECT_NO_VIOLATIONS(b);
        // Reference: page 0's check sees the extra reference and stops the
        // walk before page 2 is cleared, so the redirty never fires there.
        expect_present(b.ref, 0, 4, PTE_YOUNG, "reference");
        EXPECT_EQ(fired(b.ref, event_kind::gup_redirty), 0);
        EXPECT_FALSE(b.ref.folio.swapbacked);
        EXPECT_FALSE(b.ref.folio.dirty);
        // Batched: the batch of 4 clears page 2 before its one check.
        expect_present(b.bat, 0, 4, PTE_YOUNG, "batched");
        EXPECT_EQ(fired(b.bat, event_kind::gup_redirty), 1);
        EXPECT_TRUE(b.bat.folio.swapbacked);
        EXPECT_TRUE(b.bat.folio.dirty);
        for (const world *w : {&b.ref, &b.bat}) {
                EXPECT_EQ(rss(*w, MM_ANONPAGES), 4);
                EXPECT_EQ(w->folio.refcount, 6); // 1 + 4 + 1 extra
        }
        EXPECT_FALSE(b.ref_ret);
        EXPECT_FALSE(b.bat_ret);
}

// VM_DROPPABLE ignores dirtiness, but the redirtier holds a reference: the
// refcount test still keeps the folio, and it never becomes swapbacked.
TEST(EventGupRedirty, DroppableKeptByTheGupReference)
{
        scenario s = one_vma(folio_type::lazyfree, 2, slot_kind::present, PTE_YOUNG, VM_DROPPABLE);
        s.extra_refs = 1;
        s.ttu = reclaim_ttu(2);
        add_event(s, event_kind::gup_redirty, 0);
        both b(s);

        EXPECT_NO_VIOLATIONS(b);
        for (const world *w : {&b.ref, &b.bat}) {
                const char *who = w == &b.ref ? "reference" : "batched";
                EXPECT_EQ(fired(*w, event_kind::gup_redirty), 1) << who;
                expect_present(*w, 0, 4, PTE_YOUNG, who);
                EXPECT_TRUE(w->folio.dirty) << who;
                EXPECT_FALSE(w->folio.swapbacked) << who;
                EXPECT_EQ(rss(*w, MM_ANONPAGES), 4) << who;
                EXPECT_EQ(w->folio.refcount, 6) << who; // 1 + 4 + 1 extra
        }
        EXPECT_FALSE(b.ref_ret);
        EXPECT_FALSE(b.bat_ret);
}

// No GUP user holds a reference: nobody can dirty the folio behind the page
// tables' back, so gup_redirty never fires and the clean folio is discarded.
TEST(EventGupRedirty, NeedsAGupReference)
{
        scenario s = lazyfree(2);
        s.ttu = reclaim_ttu(2);
        add_event(s, event_kind::gup_redirty, 0);
        both b(s);

        EXPECT_NO_VIOLATIONS(b);
        for (const world *w : {&b.ref, &b.bat}) {
                const char *who = w == &b.ref ? "reference" : "batched";
                EXPECT_EQ(w->nr_fired, 0) << who;
                expect_none(*w, 0, 4, who);
                EXPECT_FALSE(w->folio.dirty) << who;
        }
        EXPECT_TRUE(b.ref_ret);
        EXPECT_TRUE(b.bat_ret);
}

// ---------------------------------------------------------------------
// stale_tlb_write(p): via a dirty cached TLB entry, before its flush.
// ---------------------------------------------------------------------

// A dirty file slot with TTU_BATCH_FLUSH: the flush is deferred, so nothing
// fires during try_to_unmap(); the write lands when try_to_unmap_flush()
// drops the still-cached dirty entry. The folio is dirty from the pte.
TEST(EventStaleTlbWrite, FiresForDirtySlotAtDeferredFlush)
{
        scenario s = file_folio(2);
        s.vmas[0].slot[1].bits |= PTE_WRITE | PTE_DIRTY;
        s.ttu = reclaim_ttu(2); // TTU_BATCH_FLUSH | TTU_SYNC
        add_event(s, event_kind::stale_tlb_write, 1);
        both b(s, /*flush=*/false);

        EXPECT_NO_VIOLATIONS(b);
        EXPECT_EQ(b.ref.nr_fired, 0); // still pending
        EXPECT_EQ(b.bat.nr_fired, 0);
        EXPECT_TRUE(b.ref.tlb_ubc_writable); // a dirty entry was batched
        EXPECT_TRUE(b.bat.tlb_ubc_writable);
        try_to_unmap_flush(b.ref);
        try_to_unmap_flush(b.bat);

        for (const world *w : {&b.ref, &b.bat}) {
                const char *who = w == &b.ref ? "reference" : "batched";
                EXPECT_EQ(fired(*w, event_kind::stale_tlb_write), 1) << who;
                EXPECT_TRUE(w->stale_written.test(1)) << who;
                EXPECT_EQ(w->stale_written.count(), 1u) << who;
                EXPECT_TRUE(w->folio.dirty) << who;
                expect_none(*w, 0, 4, who);
        }
        EXPECT_TRUE(b.ref_ret);
        EXPECT_TRUE(b.bat_ret);
}

// A read-only dirty slot's cached entry cannot be written through either.
TEST(EventStaleTlbWrite, NeverFiresForReadOnlyDirtySlot)
{
        scenario s = file_folio(2);
        s.vmas[0].slot[1].bits |= PTE_DIRTY;
        s.ttu = reclaim_ttu(2);
        add_event(s, event_kind::stale_tlb_write, 1);
        both b(s);

        EXPECT_NO_VIOLATIONS(b);
        for (const world *w : {&b.ref, &b.bat}) {
                EXPECT_EQ(w->nr_fired, 0);
                EXPECT_TRUE(w->stale_written.none());
                EXPECT_TRUE(w->folio.dirty); // from the dirty pte
        }
}

// A clean slot's cached entry cannot be written through (a clean->dirty
// transition on a cleared pte traps, section 6.4): the event never fires.
TEST(EventStaleTlbWrite, NeverFiresForCleanSlot)
{
        scenario s = file_folio(2);
        s.ttu = reclaim_ttu(2);
        add_event(s, event_kind::stale_tlb_write, 2);
        both b(s);

        EXPECT_NO_VIOLATIONS(b);
        for (const world *w : {&b.ref, &b.bat}) {
                const char *who = w == &b.ref ? "reference" : "batched";
                EXPECT_EQ(w->nr_fired, 0) << who;
                EXPECT_TRUE(w->stale_written.none()) << who;
                EXPECT_FALSE(w->folio.dirty) << who;
        }
        EXPECT_TRUE(b.ref_ret);
        EXPECT_TRUE(b.bat_ret);
}

// hw_dirty(1) dirties both the pte and its cached TLB entry just before the
// clear, so a stale write through that entry is then possible.
TEST(EventStaleTlbWrite, FiresAfterHardwareDirtiedTheEntry)
{
        scenario s = file_folio(2, PTE_YOUNG | PTE_WRITE);
        s.ttu = reclaim_ttu(2);
        add_event(s, event_kind::hw_dirty, 1);
        add_event(s, event_kind::stale_tlb_write, 1);
        both b(s);

        EXPECT_NO_VIOLATIONS(b);
        for (const world *w : {&b.ref, &b.bat}) {
                const char *who = w == &b.ref ? "reference" : "batched";
                EXPECT_EQ(fired(*w, event_kind::hw_dirty), 1) << who;
                EXPECT_EQ(fired(*w, event_kind::stale_tlb_write), 1) << who;
                EXPECT_TRUE(w->stale_written.test(1)) << who;
                EXPECT_TRUE(w->folio.dirty) << who;
        }
}

// ---------------------------------------------------------------------
// dup_swap_fail(p): raising page p's swap count fails (-ENOMEM).
// ---------------------------------------------------------------------

// PAE {1,1,0,0}, dup_swap_fail(3) inside the second sub-batch. Reference
// converts pages 0-2 and restores 3; batched converts the first sub-batch
// (0-1), rolls back page 2's count and restores 2-3 (section 9: the batched prefix
// is sub-batch aligned and no longer than the per-PTE one).
TEST(EventDupSwapFail, InSecondSubBatch)
{
        scenario s = anon_swapcache(2);
        s.pae = page_bits({1, 1, 0, 0});
        s.ttu = reclaim_ttu(2);
        add_event(s, event_kind::dup_swap_fail, 3);
        both b(s);

        EXPECT_NO_VIOLATIONS(b);
        EXPECT_EQ(fired(b.ref, event_kind::dup_swap_fail), 1);
        EXPECT_EQ(fired(b.bat, event_kind::dup_swap_fail), 1);

        // Reference.
        EXPECT_EQ(batches(b.ref), "m0:p0+1 m0:p1+1 m0:p2+1 m0:p3+1");
        EXPECT_PTE(at(b.ref, 0), folio_swap_pte(0, PTE_SWP_EXCLUSIVE));
        EXPECT_PTE(at(b.ref, 1), folio_swap_pte(1, PTE_SWP_EXCLUSIVE));
        EXPECT_PTE(at(b.ref, 2), folio_swap_pte(2, 0));
        EXPECT_PTE(at(b.ref, 3), folio_pte(3, PTE_YOUNG));
        EXPECT_EQ(b.ref.swap_count[0], 1);
        EXPECT_EQ(b.ref.swap_count[1], 1);
        EXPECT_EQ(b.ref.swap_count[2], 1);
        EXPECT_EQ(b.ref.swap_count[3], 0);
        EXPECT_EQ(rss(b.ref, MM_ANONPAGES), 1); // 4 - 3
        EXPECT_EQ(rss(b.ref, MM_SWAPENTS), 3);  // 0 + 3
        EXPECT_EQ(b.ref.folio.refcount, 6);     // 1 + 4 swap cache + 4 mappings - 3
        expect_mapcount(b.ref, 0, 3, 0, "reference");
        expect_mapcount(b.ref, 3, 4, 1, "reference");
        EXPECT_FALSE(b.ref_ret);

        // Batched.
        EXPECT_EQ(batches(b.bat), "m0:p0+4");
        EXPECT_PTE(at(b.bat, 0), folio_swap_pte(0, PTE_SWP_EXCLUSIVE));
        EXPECT_PTE(at(b.bat, 1), folio_swap_pte(1, PTE_SWP_EXCLUSIVE));
        EXPECT_PTE(at(b.bat, 2), folio_pte(2, PTE_YOUNG));
        EXPECT_PTE(at(b.bat, 3), folio_pte(3, PTE_YOUNG));
        EXPECT_EQ(b.bat.swap_count[0], 1);
        EXPECT_EQ(b.bat.swap_count[1], 1);
        EXPECT_EQ(b.bat.swap_count[2], 0); // raised, then rolled back
        EXPECT_EQ(b.bat.swap_count[3], 0);
        EXPECT_EQ(rss(b.bat, MM_ANONPAGES), 2); // 4 - 2
        EXPECT_EQ(rss(b.bat, MM_SWAPENTS), 2);  // 0 + 2
        EXPECT_EQ(b.bat.folio.refcount, 7);     // 1 + 4 + 4 - 2
        expect_mapcount(b.bat, 0, 2, 0, "batched");
        expect_mapcount(b.bat, 2, 4, 1, "batched");
        EXPECT_FALSE(b.bat_ret);

        // Pages 0-1 were exclusive and got shared; 2-3 never were.
        EXPECT_TRUE(b.ref.folio.anon_exclusive.none());
        EXPECT_TRUE(b.bat.folio.anon_exclusive.none());
}

// dup_swap_fail(1) inside the FIRST sub-batch: the per-PTE reference keeps
// page 0 converted; the batched all-or-nothing dup rolls page 0 back and the
// whole batch is restored (an empty, sub-batch-aligned prefix).
TEST(EventDupSwapFail, InFirstSubBatch)
{
        scenario s = anon_swapcache(2);
        s.pae = page_bits({1, 1, 0, 0});
        s.ttu = reclaim_ttu(2);
        add_event(s, event_kind::dup_swap_fail, 1);
        both b(s);

        EXPECT_NO_VIOLATIONS(b);
        // Reference.
        EXPECT_PTE(at(b.ref, 0), folio_swap_pte(0, PTE_SWP_EXCLUSIVE));
        expect_present(b.ref, 1, 4, PTE_YOUNG, "reference");
        EXPECT_EQ(b.ref.swap_count[0], 1);
        for (int i = 1; i < 4; i++)
                EXPECT_EQ(b.ref.swap_count[i], 0) << "reference page " << i;
        EXPECT_EQ(rss(b.ref, MM_ANONPAGES), 3); // 4 - 1
        EXPECT_EQ(rss(b.ref, MM_SWAPENTS), 1);
        EXPECT_EQ(b.ref.folio.refcount, 8); // 1 + 4 + 4 - 1
        EXPECT_EQ(b.ref.folio.anon_exclusive, page_bits({0, 1, 0, 0}));
        // Batched.
        expect_present(b.bat, 0, 4, PTE_YOUNG, "batched");
        for (int i = 0; i < 4; i++)
                EXPECT_EQ(b.bat.swap_count[i], 0) << "batched page " << i;
        EXPECT_EQ(rss(b.bat, MM_ANONPAGES), 4);
        EXPECT_EQ(rss(b.bat, MM_SWAPENTS), 0);
        EXPECT_EQ(b.bat.folio.refcount, 9); // 1 + 4 + 4
        EXPECT_EQ(b.bat.folio.anon_exclusive, page_bits({1, 1, 0, 0}));

        EXPECT_FALSE(b.ref_ret);
        EXPECT_FALSE(b.bat_ret);
}

// dup_swap_fail(0): both restore everything and raise no count.
TEST(EventDupSwapFail, OnFirstPageNothingConverted)
{
        scenario s = anon_swapcache(2);
        s.pae = page_bits({1, 1, 0, 0});
        s.ttu = reclaim_ttu(2);
        add_event(s, event_kind::dup_swap_fail, 0);
        both b(s);

        EXPECT_NO_VIOLATIONS(b);
        for (const world *w : {&b.ref, &b.bat}) {
                const char *who = w == &b.ref ? "reference" : "batched";
                EXPECT_EQ(fired(*w, event_kind::dup_swap_fail), 1) << who;
                expect_present(*w, 0, 4, PTE_YOUNG, who);
                for (int i = 0; i < 4; i++)
                        EXPECT_EQ(w->swap_count[i], 0) << who << " page " << i;
                EXPECT_EQ(rss(*w, MM_ANONPAGES), 4) << who;
                EXPECT_EQ(rss(*w, MM_SWAPENTS), 0) << who;
                EXPECT_EQ(w->folio.refcount, 9) << who; // 1 + 4 + 4
                EXPECT_EQ(w->folio.anon_exclusive, page_bits({1, 1, 0, 0})) << who;
                expect_mapcount(*w, 0, 4, 1, who);
        }
        EXPECT_FALSE(b.ref_ret);
        EXPECT_FALSE(b.bat_ret);
}

// ---------------------------------------------------------------------
// arch_unmap_fail(p): sparc64 ADI arch_unmap_one() fails.
// ---------------------------------------------------------------------

// Both are per-PTE in ARCH_SPARC_ADI mode: page 0 converts, page 1's dup is
// undone by folio_put_swap() and its pte restored.
TEST(EventArchUnmapFail, SparcPerPteRestoreUndoesSwapCount)
{
        scenario s = anon_swapcache(2);
        s.arch = ARCH_SPARC_ADI;
        s.ttu = reclaim_ttu(2);
        add_event(s, event_kind::arch_unmap_fail, 1);
        both b(s);

        EXPECT_NO_VIOLATIONS(b);
        for (const world *w : {&b.ref, &b.bat}) {
                const char *who = w == &b.ref ? "reference" : "batched";
                EXPECT_EQ(fired(*w, event_kind::arch_unmap_fail), 1) << who;
                EXPECT_EQ(batches(*w), "m0:p0+1 m0:p1+1") << who; // per PTE, stops at 1
                EXPECT_PTE(at(*w, 0), folio_swap_pte(0, 0)) << who;
                expect_present(*w, 1, 4, PTE_YOUNG, who);
                EXPECT_EQ(w->swap_count[0], 1) << who;
                EXPECT_EQ(w->swap_count[1], 0) << who;      // +1 by dup, -1 by put
                EXPECT_EQ(rss(*w, MM_ANONPAGES), 3) << who; // 4 - 1
                EXPECT_EQ(rss(*w, MM_SWAPENTS), 1) << who;
                EXPECT_EQ(w->folio.refcount, 8) << who; // 1 + 4 swap cache + 4 - 1
                EXPECT_EQ(w->folio.mapcount[0], 0) << who;
                expect_mapcount(*w, 1, 4, 1, who);
        }
        EXPECT_FALSE(b.ref_ret);
        EXPECT_FALSE(b.bat_ret);
}

// arch_unmap_fail in generic mode: arch_unmap_one() always succeeds there,
// the event never fires and the folio swaps out.
TEST(EventArchUnmapFail, NeverFiresOnGenericArch)
{
        scenario s = anon_swapcache(2);
        s.ttu = reclaim_ttu(2);
        add_event(s, event_kind::arch_unmap_fail, 1);
        both b(s);

        EXPECT_NO_VIOLATIONS(b);
        for (const world *w : {&b.ref, &b.bat}) {
                const char *who = w == &b.ref ? "reference" : "batched";
                EXPECT_EQ(w->nr_fired, 0) << who;
                for (int i = 0; i < 4; i++)
                        EXPECT_PTE(at(*w, i), folio_swap_pte(i, 0)) << who << " page " << i;
                EXPECT_EQ(rss(*w, MM_SWAPENTS), 4) << who;
                EXPECT_EQ(w->folio.refcount, 5) << who; // 1 + 4 swap cache
        }
        EXPECT_TRUE(b.ref_ret);
        EXPECT_TRUE(b.bat_ret);
}

} // namespace
