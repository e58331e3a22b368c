// Layer-1 invariants (fuzz/invariants): the per-PTE reference's end states
// pass them, and every class fires when exactly the thing it guards is broken
// in an otherwise clean end state.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <utility>

#include "mm/tlb.h"
#include "oracle/invariants.h"
#include "oracle/program.h"
#include "reference/rmap.h"
#include "scenario/scenario.h"
#include "scenario/world_builder.h"
#include "scenario/world_view.h"

using namespace uf;

namespace
{

constexpr unsigned long VMA_START = 0x200000; // PMD 1 of mm 0
constexpr unsigned long FOLIO_ADDR = 0x204000;

uint64_t bit(invariant c)
{
        return uint64_t{1} << static_cast<int>(c);
}

std::string describe(const invariant_report &r)
{
        std::string s;
        for (int i = 0; i < static_cast<int>(invariant::NR_INVARIANTS); i++)
                if (r.bits & (uint64_t{1} << i)) {
                        s += invariant_name(static_cast<invariant>(i));
                        s += ' ';
                }
        if (!r.ok()) {
                s += "| first ";
                s += invariant_name(r.first);
                s += ": ";
                s += r.detail;
        }
        return s;
}

// One VMA of mm 0 over [VMA_START, VMA_START + pages), page 0 of the folio at
// FOLIO_ADDR; slots of the folio's pages filled with `kind` and `bits`.
scenario one_vma(folio_type type, int order, slot_kind kind, uint8_t bits, unsigned long pages = 64)
{
        scenario s;
        s.type = type;
        s.order = static_cast<uint8_t>(order);
        s.nr_vmas = 1;
        s.vmas[0].start = VMA_START;
        s.vmas[0].end = VMA_START + pages * PAGE_SIZE;
        s.vmas[0].folio_addr = FOLIO_ADDR;
        for (int i = 0; i < (1 << order); i++)
                s.vmas[0].slot[i] = slot_spec{kind, bits};
        return s;
}

unsigned long page_addr(int page)
{
        return FOLIO_ADDR + static_cast<unsigned long>(page) * PAGE_SIZE;
}

// A world before and after the reference's try_to_unmap() + flush.
struct run {
        scenario s;
        world before, after;
        bool ret = false;

        explicit run(const scenario &sc) : s(sc)
        {
                int clamps = sanitize(s);
                EXPECT_EQ(clamps, 0) << "hand-built scenario needed sanitizing";
                build_world(s, before, program().rules);
                after = before;
                ret = reference::try_to_unmap(&after.folio, s.ttu);
                try_to_unmap_flush(after);
        }

        invariant_report check() const { return check_invariants(before, after, s.ttu, ret); }

        // The after world's slot of folio page p in VMA 0 (mm 0).
        pte_t &slot(int page, world *w = nullptr)
        {
                world &x = w ? *w : after;
                int t = x.mms[0].pmd[page_addr(page) >> PMD_SHIFT].table;
                return x.tables[t][pte_index(page_addr(page))];
        }
        tlb_entry &tlb(int page, world *w = nullptr)
        {
                world &x = w ? *w : after;
                int t = x.mms[0].pmd[page_addr(page) >> PMD_SHIFT].table;
                return x.tlb[t][pte_index(page_addr(page))];
        }
        void fire(event_kind kind, int page, int vma = 0)
        {
                after.fired[after.nr_fired++] =
                    fired_event{kind, static_cast<uint16_t>(page), 0, static_cast<uint8_t>(vma)};
        }
};

#define EXPECT_CLEAN(r)                                                                            \
        do {                                                                                       \
                invariant_report rep_ = (r).check();                                               \
                EXPECT_TRUE(rep_.ok()) << describe(rep_);                                          \
        } while (0)

// The class fires, and (only = true) nothing else does.
void expect_class(const invariant_report &r, invariant c, bool only = true)
{
        EXPECT_TRUE(r.has(c)) << "expected " << invariant_name(c) << ", got " << describe(r);
        if (only) {
                EXPECT_EQ(r.bits, bit(c)) << describe(r);
                EXPECT_EQ(r.first, c) << describe(r);
        }
}

// ---- the clean end states the breakage tests start from ----

// Lazyfree order 4, clean: every page discarded.
scenario lazyfree_discard()
{
        scenario s = one_vma(folio_type::lazyfree, 4, slot_kind::present, PTE_YOUNG);
        s.ttu = TTU_BATCH_FLUSH | TTU_SYNC;
        return s;
}

// File order 2 in a uffd-wp VMA: pages 0 and 1 write-protected (1 dirty),
// page 2 plain, page 3's slot already a marker.
scenario file_uffd()
{
        scenario s = one_vma(folio_type::file, 2, slot_kind::present, PTE_YOUNG);
        s.vmas[0].flags = VM_UFFD_WP;
        s.vmas[0].slot[0].bits |= PTE_UFFD_WP;
        s.vmas[0].slot[1].bits |= PTE_UFFD_WP | PTE_DIRTY;
        s.vmas[0].slot[3] = slot_spec{slot_kind::marker, PTE_UFFD_WP};
        s.ttu = TTU_BATCH_FLUSH;
        return s;
}

// Anon in the swap cache, order 2, PAE {1,1,0,0}, in a VMA registered for
// uffd-wp (page 2's pte carries the bit): every page swapped out.
scenario anon_swapout()
{
        scenario s = one_vma(folio_type::anon, 2, slot_kind::present, PTE_YOUNG);
        s.vmas[0].flags = VM_UFFD_WP;
        s.pae = 0b0011;
        s.vmas[0].slot[0].bits |= PTE_WRITE | PTE_DIRTY;
        s.vmas[0].slot[1].bits |= PTE_SOFT_DIRTY;
        s.vmas[0].slot[2].bits |= PTE_UFFD_WP;
        s.ttu = TTU_BATCH_FLUSH | TTU_SYNC;
        return s;
}

// File order 2 in a VM_LOCKED VMA: nothing moves.
scenario file_locked()
{
        scenario s = one_vma(folio_type::file, 2, slot_kind::present, PTE_YOUNG);
        s.vmas[0].flags = VM_LOCKED;
        s.ttu = TTU_BATCH_FLUSH;
        return s;
}

// Lazyfree order 2 with an extra reference: slot 0 is cleared, the refcount
// check fails, slot 0 is restored; every slot ends present.
scenario lazyfree_abort()
{
        scenario s = one_vma(folio_type::lazyfree, 2, slot_kind::present, PTE_YOUNG);
        s.extra_refs = 1;
        s.pae = 0b0010;
        s.vmas[0].slot[1].bits |= PTE_WRITE;
        s.vmas[0].slot[2].bits |= PTE_DIRTY;
        s.vmas[0].slot[3].bits |= PTE_SOFT_DIRTY;
        return s;
}

// ---- clean runs of the reference ----

TEST(InvariantsClean, LazyfreeOrder4Discard)
{
        run r(lazyfree_discard());
        EXPECT_TRUE(r.ret);
        EXPECT_FALSE(folio_mapped(&r.after.folio));
        EXPECT_EQ(r.after.mms[0].rss_stat[MM_ANONPAGES], 0);
        EXPECT_CLEAN(r);
}

TEST(InvariantsClean, FileOrder2UffdWpMarkers)
{
        run r(file_uffd());
        EXPECT_TRUE(r.ret);
        EXPECT_TRUE(is_pte_marker(r.slot(0)));
        EXPECT_TRUE(is_pte_marker(r.slot(1)));
        EXPECT_TRUE(pte_none(r.slot(2)));
        EXPECT_TRUE(is_pte_marker(r.slot(3)));
        EXPECT_TRUE(r.after.folio.dirty);
        EXPECT_CLEAN(r);
}

TEST(InvariantsClean, AnonSwapcacheOrder2SwapOut)
{
        run r(anon_swapout());
        EXPECT_TRUE(r.ret);
        for (int p = 0; p < 4; p++) {
                ASSERT_TRUE(is_swap_pte(r.slot(p))) << p;
                EXPECT_EQ(swp_offset_pte(r.slot(p)), FOLIO_SWAP + p);
                EXPECT_EQ(pte_swp_exclusive(r.slot(p)), p < 2);
                EXPECT_EQ(r.after.swap_count[p], 1);
        }
        EXPECT_TRUE(r.after.folio.anon_exclusive.none());
        EXPECT_CLEAN(r);
}

TEST(InvariantsClean, VmLockedKeepsEverything)
{
        run r(file_locked());
        EXPECT_FALSE(r.ret);
        EXPECT_TRUE(folio_mapped(&r.after.folio));
        EXPECT_CLEAN(r);
}

TEST(InvariantsClean, VmLockedIgnoredUnmaps)
{
        scenario s = file_locked();
        s.ttu |= TTU_IGNORE_MLOCK;
        run r(s);
        EXPECT_TRUE(r.ret);
        EXPECT_CLEAN(r);
}

TEST(InvariantsClean, HwpoisonEntry)
{
        // memory_failure(): a small anon folio outside the swap cache, its
        // page poisoned, memory failure's flags.
        scenario s = one_vma(folio_type::anon_nocache, 0, slot_kind::present, PTE_YOUNG);
        s.hwpoison.set(0);
        s.ttu = TTU_HWPOISON | TTU_IGNORE_MLOCK | TTU_SYNC;
        run r(s);
        EXPECT_EQ(r.slot(0).kind, pte_kind::hwpoison);
        EXPECT_CLEAN(r);
}

TEST(InvariantsClean, LazyfreeAbortRestores)
{
        run r(lazyfree_abort());
        EXPECT_FALSE(r.ret);
        EXPECT_CLEAN(r);
}

TEST(InvariantsClean, LazyfreeRedirtiedMidFolio)
{
        // Per-PTE: slots 0-2 discarded, slot 3 dirty -> restored, swapbacked.
        scenario s = lazyfree_discard();
        s.vmas[0].slot[3].bits |= PTE_DIRTY;
        run r(s);
        EXPECT_FALSE(r.ret);
        EXPECT_TRUE(r.after.folio.swapbacked);
        EXPECT_CLEAN(r);
}

TEST(InvariantsClean, LazyfreeDroppableDirtyDiscards)
{
        scenario s = lazyfree_discard();
        s.vmas[0].flags = VM_DROPPABLE;
        s.folio_flags = FOLIO_DIRTY;
        for (int p = 0; p < 16; p++)
                s.vmas[0].slot[p].bits |= PTE_DIRTY;
        run r(s);
        EXPECT_TRUE(r.ret);
        EXPECT_CLEAN(r);
}

TEST(InvariantsClean, LazyfreePmdMappedSplit)
{
        scenario s;
        s.type = folio_type::lazyfree;
        s.order = HPAGE_PMD_ORDER;
        s.nr_vmas = 1;
        s.vmas[0].start = PMD_SIZE;
        s.vmas[0].end = 3 * PMD_SIZE;
        s.vmas[0].folio_addr = PMD_SIZE;
        s.vmas[0].pmd = true;
        for (int i = 0; i < MAX_FOLIO_PAGES; i++)
                s.vmas[0].slot[i] = slot_spec{slot_kind::present, PTE_YOUNG};
        s.ttu = TTU_SPLIT_HUGE_PMD | TTU_BATCH_FLUSH | TTU_SYNC;
        run r(s);
        EXPECT_TRUE(r.ret);
        EXPECT_CLEAN(r);
}

// The reachable settings of the events: GUP-fast pins exclusive anon pages
// only, the CPU dirties writable ptes only, and a redirtying GUP user holds a
// reference.
scenario lazyfree_exclusive()
{
        scenario s = lazyfree_discard();
        for (int p = 0; p < 16; p++)
                s.pae.set(p);
        return s;
}

scenario lazyfree_writable(int page)
{
        scenario s = lazyfree_exclusive();
        s.vmas[0].slot[page].bits |= PTE_WRITE;
        return s;
}

scenario lazyfree_gup_ref()
{
        scenario s = lazyfree_discard();
        s.extra_refs = 1;
        return s;
}

// A CPU can write through a stale translation only of a writable dirty pte.
scenario file_dirty_writable(int page)
{
        scenario s = one_vma(folio_type::file, 2, slot_kind::present, PTE_YOUNG);
        s.vmas[0].slot[page].bits |= PTE_WRITE | PTE_DIRTY;
        s.ttu = TTU_BATCH_FLUSH;
        return s;
}

scenario file_writable(int page)
{
        scenario s = file_uffd();
        s.vmas[0].slot[page].bits |= PTE_WRITE;
        return s;
}

TEST(InvariantsClean, EventsKeepInvariants)
{
        struct {
                scenario s;
                event_kind kind;
                int page;
        } cases[] = {
            {lazyfree_exclusive(), event_kind::gup_pin, 3},
            {lazyfree_discard(), event_kind::spec_ref, 5},
            {lazyfree_writable(7), event_kind::hw_dirty, 7},
            {lazyfree_gup_ref(), event_kind::gup_redirty, 0},
            {anon_swapout(), event_kind::dup_swap_fail, 2},
            {anon_swapout(), event_kind::gup_pin, 1},
            {file_dirty_writable(1), event_kind::stale_tlb_write, 1},
            {file_writable(2), event_kind::hw_dirty, 2},
        };
        for (auto &c : cases) {
                c.s.nr_events = 1;
                c.s.events[0] = event{c.kind, static_cast<uint16_t>(c.page)};
                run r(c.s);
                EXPECT_EQ(r.after.nr_fired, 1) << event_name(c.kind);
                invariant_report rep = r.check();
                EXPECT_TRUE(rep.ok()) << event_name(c.kind) << ": " << describe(rep);
        }
}

TEST(InvariantsClean, ForkSharedAnonAndDevice)
{
        // Two mms share pages 0-2 of an order-2 anon folio; page 3 is mapped
        // only in mm 1, by a device-exclusive entry (its one, exclusive
        // mapping: make_device_exclusive()).
        scenario s = anon_swapout();
        s.pae.reset();
        s.vmas[0].slot[0].bits &= ~PTE_WRITE;
        s.nr_mms = 2;
        s.nr_vmas = 2;
        s.vmas[1] = s.vmas[0];
        s.vmas[1].mm = 1;
        s.vmas[0].slot[3] = slot_spec{};
        s.vmas[1].slot[3] = slot_spec{slot_kind::device_exclusive, PTE_SOFT_DIRTY};
        s.pae.set(3);
        run r(s);
        EXPECT_TRUE(r.ret);
        EXPECT_EQ(r.after.swap_count[0], 2);
        EXPECT_CLEAN(r);
}

TEST(InvariantsClean, DirtySlotOfAnotherMappingStaysMapped)
{
        // VMA 0 (mm 0) maps page 1 clean; VMA 1 (mm 1) maps page 0 clean and
        // page 1 dirty. Both start at the folio's page 0 (equal vm_pgoff), so
        // the walk takes VMA 0 first. VMA 0 discards page 1; in VMA 1 spec_ref
        // aborts at page 0, so the dirty slot of page 1 is never reached: its
        // data stays mapped, the folio is not freed, nothing is lost.
        scenario s = one_vma(folio_type::lazyfree, 1, slot_kind::present, PTE_YOUNG);
        s.nr_mms = 2;
        s.nr_vmas = 2;
        s.vmas[1] = s.vmas[0];
        s.vmas[1].mm = 1;
        s.vmas[1].slot[1].bits |= PTE_DIRTY;
        s.vmas[0].end = page_addr(2);
        s.vmas[0].slot[0] = slot_spec{};
        s.nr_events = 1;
        s.events[0] = event{event_kind::spec_ref, 0};
        run r(s);
        EXPECT_FALSE(r.ret);
        EXPECT_TRUE(pte_none(slot_at(r.after, 0, page_addr(1))));
        EXPECT_TRUE(pte_dirty(slot_at(r.after, 1, page_addr(1))));
        EXPECT_FALSE(r.after.folio.swapbacked);
        EXPECT_CLEAN(r);
}

TEST(InvariantsClean, GupRedirtyAfterAnEarlierDiscard)
{
        // VMA 0 (mm 0) discards its exclusive page 0 while the folio is clean
        // and unreferenced; in VMA 1 (mm 1, walked second: equal vm_pgoff),
        // GUP-fast pins page 1 as its pte is cleared, and the pinning user
        // then redirties the folio: page 1 is restored, the folio made
        // swap-backed, and page 0's earlier discard lost nothing.
        scenario s = one_vma(folio_type::lazyfree, 1, slot_kind::present, PTE_YOUNG);
        s.nr_mms = 2;
        s.nr_vmas = 2;
        s.vmas[1] = s.vmas[0];
        s.vmas[1].mm = 1;
        s.vmas[0].slot[1] = slot_spec{};
        s.vmas[1].slot[0] = slot_spec{};
        s.pae = 0b11;
        s.nr_events = 2;
        s.events[0] = event{event_kind::gup_pin, 1};
        s.events[1] = event{event_kind::gup_redirty, 1};
        run r(s);
        EXPECT_FALSE(r.ret);
        ASSERT_EQ(r.after.nr_fired, 2);
        EXPECT_EQ(r.after.fired[1].vma, 1);
        EXPECT_TRUE(pte_none(slot_at(r.after, 0, page_addr(0))));
        EXPECT_TRUE(pte_present(slot_at(r.after, 1, page_addr(1))));
        EXPECT_TRUE(r.after.folio.swapbacked);
        EXPECT_CLEAN(r);
}

// A deterministic sweep of random scenarios: the per-PTE reference must pass
// every invariant. This guards the checker against false positives.
uint64_t next(uint64_t &x)
{
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        return x;
}

scenario random_scenario(uint64_t &x)
{
        static const int orders[] = {0, 1, 2, 2, 3, 4, 4, 9};
        scenario s;
        s.type = static_cast<folio_type>(next(x) % static_cast<int>(folio_type::NR_FOLIO_TYPES));
        s.order = static_cast<uint8_t>(orders[next(x) % 8]);
        s.folio_flags = static_cast<uint8_t>(next(x) % 8);
        s.extra_refs = static_cast<uint8_t>(next(x) % 4 == 0 ? 1 : 0);
        s.ttu = static_cast<unsigned int>(next(x)) & TTU_ALL_FLAGS;
        s.nr_mms = static_cast<uint8_t>(1 + next(x) % 2);
        s.nr_vmas = static_cast<uint8_t>(1 + next(x) % 3);
        int nr = 1 << s.order;
        for (int i = 0; i < nr; i++) {
                if (next(x) % 2)
                        s.pae.set(i);
                if (next(x) % 16 == 0)
                        s.hwpoison.set(i);
        }
        for (int v = 0; v < s.nr_vmas; v++) {
                vma_spec &vs = s.vmas[v];
                vs.mm = static_cast<uint8_t>(next(x) % s.nr_mms);
                unsigned long base = (next(x) % 3) * PMD_SIZE;
                vs.folio_addr = base + (next(x) % 4 == 0 ? 0 : (next(x) % 480) * PAGE_SIZE);
                vs.start = vs.folio_addr - std::min(vs.folio_addr, (next(x) % 8) * PAGE_SIZE);
                vs.end = vs.folio_addr +
                         (static_cast<unsigned long>(nr) - next(x) % 3) * PAGE_SIZE +
                         (next(x) % 4) * PAGE_SIZE;
                vs.flags = static_cast<uint8_t>(next(x) % 3 == 0 ? next(x) % 8 : 0);
                vs.pmd = s.order == 9 && next(x) % 2;
                if (vs.pmd) {
                        vs.folio_addr &= PMD_MASK;
                        vs.start = vs.folio_addr;
                        vs.end = vs.folio_addr + PMD_SIZE;
                }
                uint64_t mode = next(x) % 4;
                for (int i = 0; i < nr; i++) {
                        uint64_t k = mode == 0 ? next(x) % 7 : (next(x) % 8 ? 1 : next(x) % 7);
                        vs.slot[i].kind = static_cast<slot_kind>(k);
                        uint64_t bits = mode == 1     ? uint64_t{PTE_YOUNG}
                                        : next(x) % 4 ? next(x) & 0x3d
                                                      : next(x);
                        vs.slot[i].bits = static_cast<uint8_t>(bits);
                }
        }
        s.nr_events = static_cast<uint8_t>(next(x) % 3);
        for (int e = 0; e < s.nr_events; e++)
                s.events[e] = event{static_cast<event_kind>(next(x) % 8),
                                    static_cast<uint16_t>(next(x) % nr)};
        if (next(x) % 8 == 0)
                s.arch = ARCH_SPARC_ADI;
        sanitize(s);
        return s;
}

TEST(InvariantsClean, RandomSweepOfReference)
{
        uint64_t x = 0x9e3779b97f4a7c15ULL;
        int failures = 0;
        world before, after;
        for (int i = 0; i < 3000; i++) {
                scenario s = random_scenario(x);
                build_world(s, before, program().rules);
                after = before;
                bool ret = reference::try_to_unmap(&after.folio, s.ttu);
                try_to_unmap_flush(after);
                invariant_report rep = check_invariants(before, after, s.ttu, ret);
                if (!rep.ok() && failures++ < 5)
                        ADD_FAILURE() << "scenario " << i << ": " << describe(rep);
        }
        EXPECT_EQ(failures, 0);
}

// ---- world view ----

TEST(WorldView, SlotAtTablesAndHugePmds)
{
        scenario s = one_vma(folio_type::file, 2, slot_kind::present, PTE_DIRTY | PTE_WRITE);
        s.vmas[0].slot[2] = slot_spec{slot_kind::foreign, 0};
        s.vmas[0].slot[3] = slot_spec{slot_kind::present, PTE_WRITE};
        ASSERT_EQ(sanitize(s), 0);
        world w;
        build_world(s, w, program().rules);
        bool huge = true;
        pte_t pte = slot_at(w, 0, page_addr(1), &huge);
        EXPECT_FALSE(huge);
        EXPECT_TRUE(pte_present(pte));
        EXPECT_EQ(pte_pfn(pte), FOLIO_PFN + 1);
        EXPECT_EQ(folio_page_of(w, pte), 1);
        EXPECT_EQ(folio_page_of(w, slot_at(w, 0, page_addr(2))), -1);
        EXPECT_EQ(folio_page_of(w, slot_at(w, 0, page_addr(3))), 3);
        EXPECT_TRUE(pte_none(slot_at(w, 0, page_addr(4))));
        EXPECT_TRUE(pte_none(slot_at(w, 1, page_addr(1))));
        EXPECT_TRUE(pte_none(slot_at(w, 0, TASK_SIZE)));
        EXPECT_TRUE(pte_none(slot_at(w, 0, 0)));
        EXPECT_EQ(folio_page_of(w, swp_entry_to_pte(swp_entry_t{FOLIO_SWAP})), -1);
        ASSERT_NE(tlb_at(w, 0, page_addr(0)), nullptr);
        EXPECT_TRUE(tlb_at(w, 0, page_addr(0))->dirty);

        scenario h;
        h.type = folio_type::lazyfree;
        h.order = HPAGE_PMD_ORDER;
        h.nr_vmas = 1;
        h.vmas[0].start = PMD_SIZE;
        h.vmas[0].end = 2 * PMD_SIZE;
        h.vmas[0].folio_addr = PMD_SIZE;
        h.vmas[0].pmd = true;
        for (int i = 0; i < MAX_FOLIO_PAGES; i++)
                h.vmas[0].slot[i] = slot_spec{slot_kind::present, PTE_WRITE | PTE_DIRTY};
        h.ttu = TTU_SPLIT_HUGE_PMD;
        h.pae.set();
        ASSERT_EQ(sanitize(h), 0);
        build_world(h, w, program().rules);
        pte = slot_at(w, 0, PMD_SIZE + 37 * PAGE_SIZE, &huge);
        EXPECT_TRUE(huge);
        EXPECT_EQ(pte, pfn_pte(FOLIO_PFN + 37, PTE_WRITE | PTE_DIRTY));
        EXPECT_EQ(folio_page_of(w, pte), 37);
        EXPECT_EQ(tlb_at(w, 0, PMD_SIZE), nullptr);
}

TEST(WorldView, ForEachVmaSlotVisitsEveryPage)
{
        scenario s = one_vma(folio_type::anon, 2, slot_kind::present, 0, 16);
        s.nr_mms = 2;
        s.nr_vmas = 2;
        s.vmas[1] = s.vmas[0];
        s.vmas[1].mm = 1;
        s.vmas[1].end = VMA_START + 8 * PAGE_SIZE;
        ASSERT_EQ(sanitize(s), 0);
        world w;
        build_world(s, w, program().rules);
        int slots[2] = {}, mapped[2] = {};
        for_each_vma_slot(w, [&](int v, unsigned long addr, pte_t pte) {
                slots[v]++;
                mapped[v] += folio_page_of(w, pte) >= 0;
                EXPECT_GE(addr, w.vmas[v].vm_start);
                EXPECT_LT(addr, w.vmas[v].vm_end);
        });
        EXPECT_EQ(slots[0], 16);
        EXPECT_EQ(slots[1], 8);
        EXPECT_EQ(mapped[0], 4);
        EXPECT_EQ(mapped[1], 4);
}

TEST(Invariants, NamesAreDistinctAndStable)
{
        for (int i = 0; i < static_cast<int>(invariant::NR_INVARIANTS); i++) {
                EXPECT_STRNE(invariant_name(static_cast<invariant>(i)), "unknown") << i;
                for (int j = 0; j < i; j++)
                        EXPECT_STRNE(invariant_name(static_cast<invariant>(i)),
                                     invariant_name(static_cast<invariant>(j)));
        }
        EXPECT_STREQ(invariant_name(invariant::table_bounds), "table_bounds");
        EXPECT_STREQ(invariant_name(invariant::zero_nr), "zero_nr");
        EXPECT_STREQ(invariant_name(invariant::mapcount), "mapcount");
        EXPECT_STREQ(invariant_name(invariant::pinned_exclusive_unmapped),
                     "pinned_exclusive_unmapped");
}

// ---- substrate violations, mapped 1:1 ----

class SubstrateViolation : public ::testing::TestWithParam<int>
{
};

TEST_P(SubstrateViolation, MapsToItsClass)
{
        run r(lazyfree_discard());
        int v = GetParam();
        r.after.report(static_cast<mm_violation>(v), "synthetic %d", v);
        invariant_report rep = r.check();
        expect_class(rep, static_cast<invariant>(v));
        EXPECT_STREQ(invariant_name(static_cast<invariant>(v)),
                     mm_violation_name(static_cast<mm_violation>(v)));
        EXPECT_EQ(std::string(rep.detail), "synthetic " + std::to_string(v));
}

INSTANTIATE_TEST_SUITE_P(AllBits, SubstrateViolation,
                         ::testing::Range(0, static_cast<int>(mm_violation::NR_MM_VIOLATIONS)),
                         [](const ::testing::TestParamInfo<int> &param) {
                                 return std::string(
                                     mm_violation_name(static_cast<mm_violation>(param.param)));
                         });

// ---- one breakage per class ----

TEST(InvariantBreak, Mapcount)
{
        run r(lazyfree_discard());
        r.after.folio.mapcount[5] = 1;
        invariant_report rep = r.check();
        expect_class(rep, invariant::mapcount);
        EXPECT_STREQ(rep.detail, "page 5: mapcount 1, 0 slot(s) map it");
}

TEST(InvariantBreak, MapcountEntire)
{
        run r(lazyfree_discard());
        r.after.folio.entire_mapcount = 1;
        expect_class(r.check(), invariant::mapcount);
}

TEST(InvariantBreak, MapcountLarge)
{
        run r(lazyfree_abort());
        r.after.folio.large_mapcount++;
        expect_class(r.check(), invariant::mapcount);
}

TEST(InvariantBreak, Refcount)
{
        run r(lazyfree_discard());
        r.after.folio.refcount++;
        expect_class(r.check(), invariant::refcount);
}

TEST(InvariantBreak, RssCounter)
{
        run r(lazyfree_discard());
        r.after.mms[0].rss_stat[MM_ANONPAGES]++;
        invariant_report rep = r.check();
        expect_class(rep, invariant::rss_counter);
        EXPECT_STREQ(rep.detail, "mm 0 MM_ANONPAGES moved by -15, its folio mappings by -16");
}

TEST(InvariantBreak, RssCounterSwapEntries)
{
        run r(anon_swapout());
        r.after.mms[0].rss_stat[MM_SWAPENTS]--;
        expect_class(r.check(), invariant::rss_counter);
}

TEST(InvariantBreak, SwapCount)
{
        run r(anon_swapout());
        r.after.swap_count[2]++;
        expect_class(r.check(), invariant::swap_count);
}

TEST(InvariantBreak, SwapOffset)
{
        run r(anon_swapout());
        // Page 1's slot names page 2's swap slot; the counts follow the ptes.
        r.slot(1).val = static_cast<uint32_t>(FOLIO_SWAP + 2);
        r.after.swap_count[1]--;
        r.after.swap_count[2]++;
        expect_class(r.check(), invariant::swap_offset);
}

TEST(InvariantBreak, SwapExclusive)
{
        run r(anon_swapout());
        r.slot(0).bits &= ~PTE_SWP_EXCLUSIVE;
        expect_class(r.check(), invariant::swap_exclusive);
}

TEST(InvariantBreak, SwapExclusiveGained)
{
        run r(anon_swapout());
        r.slot(3) = pte_swp_mkexclusive(r.slot(3));
        expect_class(r.check(), invariant::swap_exclusive);
}

TEST(InvariantBreak, PaeStale)
{
        run r(anon_swapout());
        r.after.folio.anon_exclusive.set(0);
        expect_class(r.check(), invariant::pae_stale);
}

TEST(InvariantBreak, PtePfnAppears)
{
        // A translation to another folio's page where the VMA had nothing
        // inside the folio's span (outside it, a write is the cursor's
        // notifier_range report, not an end-state finding).
        scenario s = lazyfree_abort();
        s.vmas[0].slot[3] = slot_spec{};
        run r(s);
        r.slot(3) = pfn_pte(FOREIGN_PFN, PTE_YOUNG);
        expect_class(r.check(), invariant::pte_pfn);
}

TEST(InvariantBreak, PtePfnSwapped)
{
        run r(lazyfree_abort());
        std::swap(r.slot(0).val, r.slot(3).val);
        std::swap(r.tlb(0).pfn, r.tlb(3).pfn);
        expect_class(r.check(), invariant::pte_pfn);
}

TEST(InvariantBreak, PtePfnHwpoisonWithoutFlag)
{
        run r(lazyfree_discard());
        r.slot(4) = make_hwpoison_entry(FOLIO_PFN + 4);
        expect_class(r.check(), invariant::pte_pfn);
}

TEST(InvariantBreak, WriteUpgrade)
{
        run r(lazyfree_abort());
        r.slot(3).bits |= PTE_WRITE; // page 3: read-only before, not exclusive
        expect_class(r.check(), invariant::write_upgrade);
}

TEST(InvariantBreak, WriteUpgradeAnonNotExclusive)
{
        run r(lazyfree_abort());
        r.after.folio.anon_exclusive.reset(1); // page 1 stays writable
        expect_class(r.check(), invariant::write_upgrade);
}

TEST(InvariantBreak, PteBitsSoftDirty)
{
        run r(lazyfree_abort());
        r.slot(3).bits &= ~PTE_SOFT_DIRTY;
        expect_class(r.check(), invariant::pte_bits);
}

TEST(InvariantBreak, PteBitsWriteDropped)
{
        run r(lazyfree_abort());
        r.slot(1).bits &= ~PTE_WRITE;
        expect_class(r.check(), invariant::pte_bits);
}

TEST(InvariantBreak, PteBitsDirtyYoungGainedIsFine)
{
        run r(lazyfree_abort());
        r.slot(0).bits |= PTE_DIRTY | PTE_YOUNG;
        r.after.folio.dirty = true; // what folio_mark_dirty would have done
        r.after.folio.swapbacked = true;
        invariant_report rep = r.check();
        EXPECT_FALSE(rep.has(invariant::pte_bits)) << describe(rep);
}

TEST(InvariantBreak, DirtyLost)
{
        run r(lazyfree_abort());
        ASSERT_FALSE(r.after.folio.dirty);
        r.slot(2).bits &= ~PTE_DIRTY;
        expect_class(r.check(), invariant::dirty_lost);
}

TEST(InvariantBreak, UffdWpLostMarkerDropped)
{
        run r(file_uffd());
        r.slot(0) = pte_t{};
        invariant_report rep = r.check();
        expect_class(rep, invariant::uffd_wp_lost);
}

TEST(InvariantBreak, UffdWpLostSwapBit)
{
        run r(anon_swapout());
        r.slot(2).bits &= ~PTE_UFFD_WP;
        expect_class(r.check(), invariant::uffd_wp_lost);
}

TEST(InvariantBreak, UffdWpMarkerAnon)
{
        run r(lazyfree_discard());
        r.slot(0) = make_pte_marker_uffd_wp();
        expect_class(r.check(), invariant::uffd_wp_marker_anon);
}

TEST(InvariantBreak, SoftDirtyLost)
{
        run r(anon_swapout());
        r.slot(1).bits &= ~PTE_SOFT_DIRTY;
        expect_class(r.check(), invariant::soft_dirty_lost);
}

TEST(InvariantBreak, WalkResult)
{
        run r(lazyfree_discard());
        r.ret = false;
        expect_class(r.check(), invariant::walk_result);
}

TEST(InvariantBreak, WalkResultStillMapped)
{
        run r(lazyfree_abort());
        r.ret = true;
        expect_class(r.check(), invariant::walk_result);
}

TEST(InvariantBreak, TlbStale)
{
        run r(lazyfree_discard());
        r.tlb(6) = tlb_entry{1, 1, 0, static_cast<uint32_t>(FOLIO_PFN + 6)};
        invariant_report rep = r.check();
        expect_class(rep, invariant::tlb_stale);
}

TEST(InvariantBreak, TlbStaleInUnlinkedTable)
{
        run r(lazyfree_discard());
        // A table no PMD points to still has a cached translation.
        int t = r.after.alloc_table(0, 3);
        ASSERT_GE(t, 0);
        r.after.tlb[t][7] = tlb_entry{1, 0, 0, static_cast<uint32_t>(FOLIO_PFN + 1)};
        invariant_report rep = r.check();
        expect_class(rep, invariant::tlb_stale);
        EXPECT_NE(std::strstr(rep.detail, "table unlinked"), nullptr) << rep.detail;
}

TEST(InvariantBreak, MlockedUnmapped)
{
        run r(file_locked());
        // Page 0 unmapped consistently, as if the VM_LOCKED rule were ignored.
        r.slot(0) = pte_t{};
        r.tlb(0) = tlb_entry{};
        r.after.folio.mapcount[0]--;
        r.after.folio.large_mapcount--;
        r.after.folio.refcount--;
        r.after.mms[0].rss_stat[MM_FILEPAGES]--;
        expect_class(r.check(), invariant::mlocked_unmapped);
}

TEST(InvariantBreak, MlockedBitsChanged)
{
        run r(file_locked());
        r.slot(2).bits &= ~PTE_YOUNG; // losing young is a change too
        expect_class(r.check(), invariant::mlocked_unmapped);
}

TEST(InvariantBreak, LazyfreeDirtyDiscardSlotDirty)
{
        run r(lazyfree_discard());
        r.slot(3, &r.before).bits |= PTE_DIRTY; // the implementation ignored it
        r.tlb(3, &r.before).dirty = 1;
        expect_class(r.check(), invariant::lazyfree_dirty_discard);
}

TEST(InvariantBreak, LazyfreeDirtyDiscardFolioDirty)
{
        run r(lazyfree_discard());
        r.before.folio.dirty = true;
        expect_class(r.check(), invariant::lazyfree_dirty_discard);
}

TEST(InvariantBreak, LazyfreeDirtyDiscardHwDirty)
{
        run r(lazyfree_discard());
        r.fire(event_kind::hw_dirty, 9);
        expect_class(r.check(), invariant::lazyfree_dirty_discard);
}

TEST(InvariantBreak, LazyfreeDirtyDiscardGupRedirty)
{
        run r(lazyfree_discard());
        r.fire(event_kind::gup_redirty, 0);
        expect_class(r.check(), invariant::lazyfree_dirty_discard);
}

TEST(InvariantBreak, LazyfreeDirtyDiscardStaleWrite)
{
        run r(lazyfree_discard());
        // A dirty TLB entry (the pte itself clean) and a write through it.
        r.tlb(5, &r.before).dirty = 1;
        r.after.stale_written.set(5);
        r.fire(event_kind::stale_tlb_write, 5);
        expect_class(r.check(), invariant::lazyfree_dirty_discard);
}

TEST(InvariantBreak, LazyfreeStaleWriteThroughDroppableIsFine)
{
        scenario s = lazyfree_discard();
        s.vmas[0].flags = VM_DROPPABLE;
        run r(s);
        r.after.stale_written.set(5);
        r.fire(event_kind::stale_tlb_write, 5);
        invariant_report rep = r.check();
        EXPECT_FALSE(rep.has(invariant::lazyfree_dirty_discard)) << describe(rep);
}

TEST(InvariantBreak, LazyfreeRefDiscardExtraRefs)
{
        run r(lazyfree_discard());
        r.before.unowned_refs = 2;
        expect_class(r.check(), invariant::lazyfree_ref_discard);
}

TEST(InvariantBreak, LazyfreeRefDiscardSpecRef)
{
        run r(lazyfree_discard());
        r.fire(event_kind::spec_ref, 4);
        expect_class(r.check(), invariant::lazyfree_ref_discard);
}

TEST(InvariantBreak, LazyfreeRefDiscardGupPin)
{
        run r(lazyfree_discard());
        r.fire(event_kind::gup_pin, 11);
        expect_class(r.check(), invariant::lazyfree_ref_discard);
}

TEST(InvariantBreak, LazyfreeCleanSwapbacked)
{
        run r(lazyfree_discard());
        r.after.folio.swapbacked = true;
        expect_class(r.check(), invariant::lazyfree_clean_swapbacked);
}

TEST(InvariantBreak, FolioDirtyUnjustified)
{
        run r(lazyfree_discard());
        r.after.folio.dirty = true;
        expect_class(r.check(), invariant::folio_dirty_unjustified);
}

TEST(InvariantBreak, FileDirtyLost)
{
        run r(file_uffd());
        ASSERT_TRUE(r.after.folio.dirty);
        r.after.folio.dirty = false;
        expect_class(r.check(), invariant::file_dirty_lost);
}

TEST(InvariantBreak, FileDirtyLostHwDirty)
{
        scenario s = file_uffd();
        s.vmas[0].slot[1].bits &= ~PTE_DIRTY;
        run r(s);
        ASSERT_FALSE(r.after.folio.dirty);
        r.fire(event_kind::hw_dirty, 2);
        expect_class(r.check(), invariant::file_dirty_lost);
}

TEST(InvariantBreak, PinnedExclusiveUnmapped)
{
        run r(anon_swapout());
        r.before.folio.pincount = 1; // maybe pinned (a large folio's _pincount)
        expect_class(r.check(), invariant::pinned_exclusive_unmapped);
}

TEST(InvariantBreak, PinnedExclusiveUnmappedGupPin)
{
        run r(anon_swapout());
        r.fire(event_kind::gup_pin, 1);
        expect_class(r.check(), invariant::pinned_exclusive_unmapped);
}

TEST(InvariantBreak, ForeignSlot)
{
        scenario s = lazyfree_discard();
        s.vmas[0].slot[15] = slot_spec{slot_kind::foreign, PTE_YOUNG};
        run r(s);
        EXPECT_CLEAN(r);
        ASSERT_TRUE(pte_present(r.slot(15)));
        r.slot(15) = pte_t{};
        r.tlb(15) = tlb_entry{};
        expect_class(r.check(), invariant::foreign_slot);
}

TEST(InvariantBreak, UffdWpMarkerSpurious)
{
        run r(file_uffd());
        r.slot(2) = make_pte_marker_uffd_wp(); // page 2 had no uffd-wp bit
        expect_class(r.check(), invariant::uffd_wp_marker_spurious);
}

TEST(InvariantBreak, FirstIsTheFirstFound)
{
        run r(lazyfree_discard());
        r.after.folio.refcount++;
        r.ret = false;
        invariant_report rep = r.check();
        EXPECT_EQ(rep.bits, bit(invariant::refcount) | bit(invariant::walk_result));
        EXPECT_EQ(rep.first, invariant::refcount);
        EXPECT_NE(std::strstr(rep.detail, "refcount 2"), nullptr) << rep.detail;
}

} // namespace
