// Hand-written end states for every row of the try_to_unmap_one() branch table
// (docs/semantics.md 4.1), run through the per-PTE reference.
//
// Every expected value below is computed by hand from the kernel semantics
// (its section 1 state, 2 callers, 4 algorithm and branch table, 6 PTE primitives,
// 7 rmap removal, 8 PMD) and from the world builder's derivation rules:
//
//   refcount = 1 (isolation) + (swapcache or pagecache ? nr : 0) + extra_refs
//              + one per PTE mapping (present or device entry)
//              + one per PMD mapping
//   rss[mm_counter(folio)] = number of pages mapped by that mm (512 for a PMD)
//   swap_count[p] = number of swap ptes referencing the folio's slot p (a
//              freshly allocated swap-cache slot starts at 0, section 1.5)
//
// Never from the implementation's own output. Each test asserts the return
// value, every slot of the VMA, all four rss counters (and on_mmlist) of
// every mm, the refcount, each page's mapcount, the entire/large mapcount,
// every swap count, the folio flags, PageAnonExclusive and PageHWPoison, and
// that the substrate saw no violation.
#include <gtest/gtest.h>

#include <ostream>
#include <vector>

#include "mm/pgtable.h"
#include "mm/tlb.h"
#include "mm/world.h"
#include "reference/rmap.h"
#include "scenario/scenario.h"
#include "tests/test_util.h"

namespace uf
{
// gtest prints pte_t through this (found by ADL).
void PrintTo(const pte_t &pte, std::ostream *os)
{
        static const char *const kinds[] = {"none",   "present", "swap",    "marker",
                                            "devexc", "devpriv", "hwpoison"};
        int k = static_cast<int>(pte.kind);
        *os << (k < 7 ? kinds[k] : "?") << "{val=0x" << std::hex << pte.val << " bits=0x"
            << static_cast<int>(pte.bits) << std::dec << "}";
}
} // namespace uf

using namespace uf;
using namespace uf::test;

namespace
{

// ---- expectations ----

// The whole folio state a test expects. Every field is compared.
struct folio_expect {
        int refcount = 0;
        std::vector<int> mapcount; // per page, exactly folio_nr_pages entries
        int entire_mapcount = 0;
        bool anon = false;
        bool swapbacked = false;
        bool swapcache = false;
        bool dirty = false;
        bool mlocked = false;
        int mlock_count = 0;
        // Queued for deferred split as partially mapped (section 7): on_deferred_split,
        // PG_partially_mapped and one split_deferred event.
        bool deferred_split = false;
        bool maybe_dma_pinned = false;
        std::bitset<MAX_FOLIO_PAGES> pae;      // PageAnonExclusive after the run
        std::bitset<MAX_FOLIO_PAGES> hwpoison; // PageHWPoison (never changed by unmap)
        std::vector<int> swap_count;           // per page; empty means all 0
};

std::vector<int> repeat(int n, int v)
{
        return std::vector<int>(static_cast<size_t>(n), v);
}

void expect_folio(const world &w, const folio_expect &e)
{
        const folio &f = w.folio;
        const int nr = static_cast<int>(folio_nr_pages(&f));
        EXPECT_EQ(f.refcount, e.refcount) << "folio refcount";
        ASSERT_EQ(static_cast<int>(e.mapcount.size()), nr) << "test bug: mapcount vector size";
        int ptes = 0;
        for (int i = 0; i < nr; i++) {
                EXPECT_EQ(f.mapcount[i], e.mapcount[i]) << "mapcount of page " << i;
                ptes += e.mapcount[i];
        }
        EXPECT_EQ(f.entire_mapcount, e.entire_mapcount) << "entire (PMD) mapcount";
        // folio_mapcount(): every PTE mapping plus one per PMD mapping (section 1.1).
        EXPECT_EQ(f.large_mapcount, ptes + e.entire_mapcount) << "folio_mapcount";
        EXPECT_EQ(folio_mapped(&f), ptes + e.entire_mapcount > 0) << "folio_mapped";
        EXPECT_EQ(f.anon, e.anon) << "PageAnon";
        EXPECT_EQ(f.swapbacked, e.swapbacked) << "PG_swapbacked";
        EXPECT_EQ(f.swapcache, e.swapcache) << "PG_swapcache";
        EXPECT_EQ(f.dirty, e.dirty) << "PG_dirty";
        EXPECT_EQ(f.mlocked, e.mlocked) << "PG_mlocked";
        EXPECT_EQ(f.mlock_count, e.mlock_count) << "mlock_count";
        EXPECT_EQ(f.on_deferred_split, e.deferred_split) << "on deferred split queue";
        EXPECT_EQ(f.partially_mapped, e.deferred_split) << "PG_partially_mapped";
        EXPECT_EQ(f.split_deferred, e.deferred_split ? 1 : 0) << "split_deferred events";
        EXPECT_EQ(folio_maybe_dma_pinned(&f), e.maybe_dma_pinned) << "folio_maybe_dma_pinned";
        EXPECT_FALSE(f.device_private);
        for (int i = 0; i < MAX_FOLIO_PAGES; i++) {
                EXPECT_EQ(f.anon_exclusive.test(i), e.pae.test(i)) << "PageAnonExclusive " << i;
                EXPECT_EQ(f.hwpoison.test(i), e.hwpoison.test(i)) << "PageHWPoison " << i;
                int sc = i < static_cast<int>(e.swap_count.size()) ? e.swap_count[i] : 0;
                EXPECT_EQ(w.swap_count[i], sc) << "swap count of the folio's slot " << i;
        }
}

// All four rss counters and on_mmlist of one mm.
void expect_mm(const world &w, int mm, long file, long anon, long swapents, long shmem,
               bool on_mmlist)
{
        const mm_struct &m = w.mms[mm];
        EXPECT_EQ(m.rss_stat[MM_FILEPAGES], file) << "mm " << mm << " MM_FILEPAGES";
        EXPECT_EQ(m.rss_stat[MM_ANONPAGES], anon) << "mm " << mm << " MM_ANONPAGES";
        EXPECT_EQ(m.rss_stat[MM_SWAPENTS], swapents) << "mm " << mm << " MM_SWAPENTS";
        EXPECT_EQ(m.rss_stat[MM_SHMEMPAGES], shmem) << "mm " << mm << " MM_SHMEMPAGES";
        EXPECT_EQ(m.on_mmlist, on_mmlist) << "mm " << mm << " on mmlist";
}

// mms the scenario does not use stay untouched.
void expect_unused_mms(const world &w, int first_unused)
{
        for (int m = first_unused; m < MAX_MMS; m++)
                expect_mm(w, m, 0, 0, 0, 0, false);
}

// Every slot of [start, end) in mm: folio page p's slot must equal
// expected[p]; every other slot must be none (nobody writes there).
void expect_slots(const world &w, int mm, unsigned long start, unsigned long end,
                  unsigned long folio_addr, const std::vector<pte_t> &expected)
{
        unsigned long folio_end = folio_addr + expected.size() * PAGE_SIZE;
        for (unsigned long addr = start; addr < end; addr += PAGE_SIZE) {
                pte_t want = none_pte();
                if (addr >= folio_addr && addr < folio_end)
                        want = expected[(addr - folio_addr) / PAGE_SIZE];
                EXPECT_EQ(slot(w, mm, addr), want) << "mm " << mm << " slot 0x" << std::hex << addr;
        }
}

// Slots of the default VMA (mm 0).
void expect_default_slots(const world &w, const std::vector<pte_t> &expected)
{
        expect_slots(w, 0, DEFAULT_VMA_START, DEFAULT_VMA_END, DEFAULT_FOLIO_ADDR, expected);
}

std::vector<pte_t> all_none(int nr)
{
        return std::vector<pte_t>(static_cast<size_t>(nr), none_pte());
}

// Present entries of pages [0, nr) with the same bits.
std::vector<pte_t> all_present(int nr, uint8_t bits)
{
        std::vector<pte_t> v;
        for (int i = 0; i < nr; i++)
                v.push_back(folio_pte(i, bits));
        return v;
}

// ---- running ----

struct result {
        bool ret = false;
        bool flush_pending = false;  // tlb_ubc.flush_required before try_to_unmap_flush()
        bool flush_writable = false; // tlb_ubc.writable before try_to_unmap_flush()
};

result unmap(world &w, unsigned int ttu)
{
        result r;
        r.ret = reference::try_to_unmap(&w.folio, ttu);
        r.flush_pending = w.tlb_ubc_flush_required;
        r.flush_writable = w.tlb_ubc_writable;
        try_to_unmap_flush(w);
        // try_to_unmap_flush() empties the batch (section 6.4).
        EXPECT_FALSE(w.tlb_ubc_flush_required);
        EXPECT_FALSE(w.tlb_ubc_writable);
        return r;
}

void expect_no_violation(const world &w)
{
        EXPECT_EQ(w.violations, 0u) << w.violation_detail;
}

// Memory failure's flags (hwpoison_user_mappings()): no deferred flush.
constexpr unsigned int HWPOISON_TTU = TTU_HWPOISON | TTU_IGNORE_MLOCK | TTU_SYNC;

// =====================================================================
// Row: hwpoison — PageHWPoison(subpage) && TTU_HWPOISON
// =====================================================================

// File order 0, its page poisoned (memory_failure() unmaps small folios
// only: it splits a large one first). The slot becomes a hwpoison entry:
// "remove 1, put 1".
TEST(RefHwpoison, FilePoisonedPageGetsEntry)
{
        scenario s = file_folio(0, PTE_YOUNG);
        s.hwpoison = page_bits({1});
        s.ttu = HWPOISON_TTU;
        world w;
        ASSERT_EQ(build_checked(s, w), 0);
        // 1 isolation + 1 page cache + 1 pte.
        ASSERT_EQ(w.folio.refcount, 3);

        result r = unmap(w, s.ttu);

        EXPECT_TRUE(r.ret); // no abort path taken
        // Without TTU_BATCH_FLUSH every clear is flushed at once (section 4 D).
        EXPECT_FALSE(r.flush_pending);
        expect_default_slots(w, {folio_hwpoison_pte(0)});
        // mm_counter(file) = MM_FILEPAGES: -1 for the poisoned page.
        expect_mm(w, 0, 0, 0, 0, 0, false);
        expect_unused_mms(w, 1);
        folio_expect e;
        e.refcount = 3 - 1; // one put; the cache ref stays
        e.mapcount = repeat(1, 0);
        e.hwpoison = page_bits({1}); // PageHWPoison is not unmap's to clear
        // File folios are never queued for deferred split (section 7).
        expect_folio(w, e);
        expect_no_violation(w);
}

// Anon swap-cache order 0, its page poisoned and exclusive: memory failure
// keeps a swap-cache folio there and unmaps without TTU_HWPOISON
// (unmap_poisoned_folio()), so the page takes the swap branch like any other.
TEST(RefHwpoison, SwapCacheFolioUnmapsToSwap)
{
        scenario s = anon_swapcache(0, PTE_WRITE | PTE_DIRTY | PTE_YOUNG);
        s.pae = page_bits({1});
        s.hwpoison = page_bits({1});
        s.ttu = TTU_IGNORE_MLOCK | TTU_SYNC;
        world w;
        ASSERT_EQ(build_checked(s, w), 0);
        // 1 isolation + 1 swap cache + 1 pte.
        ASSERT_EQ(w.folio.refcount, 3);

        result r = unmap(w, s.ttu);

        EXPECT_TRUE(r.ret);
        // A swap pte for slot FOLIO_SWAP+0, exclusive because PAE was 1.
        expect_default_slots(w, {folio_swap_pte(0, PTE_SWP_EXCLUSIVE)});
        // MM_ANONPAGES 1 - 1, MM_SWAPENTS +1; the swap branch puts the mm on
        // the mmlist.
        expect_mm(w, 0, 0, 0, 1, 0, true);
        expect_unused_mms(w, 1);
        folio_expect e;
        e.refcount = 3 - 1;
        e.mapcount = repeat(1, 0);
        e.anon = e.swapbacked = e.swapcache = true;
        e.dirty = true; // the pte was dirty: folio_mark_dirty()
        e.pae = page_bits({0});
        e.hwpoison = page_bits({1});
        e.swap_count = {1};
        expect_folio(w, e);
        expect_no_violation(w);
}

// A poisoned page without TTU_HWPOISON (reclaim) is not special: the lazyfree
// discard applies.
TEST(RefHwpoison, WithoutTtuHwpoisonPageIsHandledNormally)
{
        scenario s = lazyfree(0, PTE_YOUNG);
        s.hwpoison = page_bits({1});
        s.ttu = reclaim_ttu(0);
        world w;
        ASSERT_EQ(build_checked(s, w), 0);
        ASSERT_EQ(w.folio.refcount, 2); // isolation + 1 pte

        result r = unmap(w, s.ttu);

        EXPECT_TRUE(r.ret);
        EXPECT_TRUE(r.flush_pending);   // deferred flush of an accessible pte
        EXPECT_FALSE(r.flush_writable); // it was clean
        expect_default_slots(w, {none_pte()});
        expect_mm(w, 0, 0, 0, 0, 0, false); // MM_ANONPAGES 1 - 1
        expect_unused_mms(w, 1);
        folio_expect e;
        e.refcount = 1; // only the isolation reference remains
        e.mapcount = {0};
        e.anon = true;
        e.hwpoison = page_bits({1});
        expect_folio(w, e);
        expect_no_violation(w);
}

// The hwpoison branch precedes the lazyfree test: a dirty poisoned page of a
// lazyfree folio gets its hwpoison entry, the folio is marked dirty at (D)
// but never made swap-backed.
TEST(RefHwpoison, DirtyLazyfreePageNotRedirtied)
{
        scenario s = lazyfree(0, PTE_WRITE | PTE_DIRTY | PTE_YOUNG);
        s.pae = page_bits({1});
        s.hwpoison = page_bits({1});
        s.ttu = HWPOISON_TTU;
        world w;
        ASSERT_EQ(build_checked(s, w), 0);

        result r = unmap(w, s.ttu);

        EXPECT_TRUE(r.ret);
        expect_default_slots(w, {folio_hwpoison_pte(0)});
        expect_mm(w, 0, 0, 1 - 1, 0, 0, false); // mm_counter(anon)
        expect_unused_mms(w, 1);
        folio_expect e;
        e.refcount = 1;
        e.mapcount = {0};
        e.anon = true;
        e.dirty = true;
        e.swapbacked = false;
        e.pae = page_bits({1});
        e.hwpoison = page_bits({1});
        expect_folio(w, e);
        expect_no_violation(w);
}

// uffd-wp file VMA: (E) installs the marker on the cleared slot, then the
// hwpoison branch's set_pte_at() replaces it with the hwpoison entry.
TEST(RefHwpoison, HwpoisonEntryReplacesUffdMarker)
{
        scenario s = file_folio(0, PTE_UFFD_WP | PTE_YOUNG);
        s.vmas[0].flags = VM_UFFD_WP;
        s.hwpoison = page_bits({1});
        s.ttu = HWPOISON_TTU;
        world w;
        ASSERT_EQ(build_checked(s, w), 0);
        ASSERT_EQ(w.folio.refcount, 3); // isolation + page cache + 1 pte

        result r = unmap(w, s.ttu);

        EXPECT_TRUE(r.ret);
        expect_default_slots(w, {folio_hwpoison_pte(0)});
        expect_mm(w, 0, 1 - 1, 0, 0, 0, false);
        expect_unused_mms(w, 1);
        folio_expect e;
        e.refcount = 2;
        e.mapcount = {0};
        e.hwpoison = page_bits({1});
        expect_folio(w, e);
        expect_no_violation(w);
}

// =====================================================================
// Row: guest-unused — present && pte_unused && !userfaultfd_armed
// =====================================================================

// Swap-backed anon in the swap cache: the unused page is dropped without a
// swap entry; nothing swap-related moves.
TEST(RefGuestUnused, AnonPageDroppedWithoutSwapEntry)
{
        scenario s = anon_swapcache(0, PTE_WRITE | PTE_UNUSED | PTE_YOUNG);
        s.arch = ARCH_S390; // pte_unused() is s390's
        s.pae = page_bits({1});
        s.ttu = reclaim_ttu(0);
        world w;
        ASSERT_EQ(build_checked(s, w), 0);
        ASSERT_EQ(w.folio.refcount, 3); // isolation + swap cache + 1 pte

        result r = unmap(w, s.ttu);

        EXPECT_TRUE(r.ret);
        expect_default_slots(w, {none_pte()});
        // mm_counter(anon) = MM_ANONPAGES -1; no MM_SWAPENTS, no mmlist.
        expect_mm(w, 0, 0, 0, 0, 0, false);
        expect_unused_mms(w, 1);
        folio_expect e;
        e.refcount = 2; // remove 1, put 1; the swap cache ref stays
        e.mapcount = {0};
        e.anon = e.swapbacked = e.swapcache = true;
        e.pae = page_bits({1}); // no try_share on this branch
        e.swap_count = {0};     // no folio_dup_swap()
        expect_folio(w, e);
        expect_no_violation(w);
}

// The unused branch precedes the lazyfree test: a dirty unused pte of a
// lazyfree folio is dropped even though the folio becomes dirty (its dirty
// bit was OR-ed into the folio at (D) before (F)).
TEST(RefGuestUnused, DirtyLazyfreePageStillDropped)
{
        scenario s = lazyfree(0, PTE_UNUSED | PTE_DIRTY | PTE_YOUNG);
        s.arch = ARCH_S390;
        s.ttu = reclaim_ttu(0);
        world w;
        ASSERT_EQ(build_checked(s, w), 0);
        ASSERT_EQ(w.folio.refcount, 2);

        result r = unmap(w, s.ttu);

        EXPECT_TRUE(r.ret);
        EXPECT_TRUE(r.flush_pending);
        EXPECT_TRUE(r.flush_writable); // the cleared pte was dirty (section 6.4)
        expect_default_slots(w, {none_pte()});
        expect_mm(w, 0, 0, 0, 0, 0, false);
        expect_unused_mms(w, 1);
        folio_expect e;
        e.refcount = 1;
        e.mapcount = {0};
        e.anon = true;
        e.dirty = true;       // folio_mark_dirty() from the pte
        e.swapbacked = false; // the lazyfree redirty path was never reached
        expect_folio(w, e);
        expect_no_violation(w);
}

// With the VMA registered for userfaultfd (userfaultfd_armed(): any mode; s390
// has MISSING only) the unused branch is skipped and the anon swap branch runs
// instead.
TEST(RefGuestUnused, UffdArmedVmaSkipsBranch)
{
        scenario s = anon_swapcache(0, PTE_WRITE | PTE_UNUSED | PTE_YOUNG);
        s.arch = ARCH_S390;
        s.vmas[0].flags = VM_UFFD_MISSING;
        s.pae = page_bits({1});
        s.ttu = reclaim_ttu(0);
        world w;
        ASSERT_EQ(build_checked(s, w), 0);
        ASSERT_EQ(w.folio.refcount, 3);

        result r = unmap(w, s.ttu);

        EXPECT_TRUE(r.ret);
        // Swap pte of slot FOLIO_SWAP+0, exclusive (PAE was 1).
        expect_default_slots(w, {folio_swap_pte(0, PTE_SWP_EXCLUSIVE)});
        expect_mm(w, 0, 0, 0, 1, 0, true); // ANON 1-1, SWAPENTS 0+1, mmlist
        expect_unused_mms(w, 1);
        folio_expect e;
        e.refcount = 2;
        e.mapcount = {0};
        e.anon = e.swapbacked = e.swapcache = true;
        e.pae = page_bits({0}); // shared by folio_try_share_anon_rmap_pte()
        e.swap_count = {1};
        expect_folio(w, e);
        expect_no_violation(w);
}

// =====================================================================
// Row: anon state bug — anon && swapbacked != swapcache (K5: restore)
// =====================================================================

TEST(RefAnonStateBug, OrderZeroRestoredNothingAccounted)
{
        scenario s =
            one_vma(folio_type::anon_nocache, 0, slot_kind::present, PTE_WRITE | PTE_YOUNG);
        s.pae = page_bits({1});
        s.ttu = reclaim_ttu(0);
        world w;
        ASSERT_EQ(build_checked(s, w), 0);
        // Not in the swap cache and anon: 1 isolation + 1 pte.
        ASSERT_EQ(w.folio.refcount, 2);

        result r = unmap(w, s.ttu);

        EXPECT_FALSE(r.ret); // walk_abort
        // K5: the cleared pte is put back with its exact value.
        expect_default_slots(w, {folio_pte(0, PTE_WRITE | PTE_YOUNG)});
        expect_mm(w, 0, 0, 1, 0, 0, false); // nothing accounted
        expect_unused_mms(w, 1);
        folio_expect e;
        e.refcount = 2;
        e.mapcount = {1};
        e.anon = true;
        e.swapbacked = true;
        e.swapcache = false;
        e.pae = page_bits({1});
        e.swap_count = {0};
        expect_folio(w, e);
        expect_no_violation(w);
}

// Order 2: the very first page aborts the walk, so pages 1..3 are never
// cleared and nothing at all changes.
TEST(RefAnonStateBug, LargeFolioStopsAtFirstPage)
{
        scenario s =
            one_vma(folio_type::anon_nocache, 2, slot_kind::present, PTE_WRITE | PTE_SOFT_DIRTY);
        s.pae = page_bits({1, 1, 1, 1});
        s.ttu = reclaim_ttu(2);
        world w;
        ASSERT_EQ(build_checked(s, w), 0);
        ASSERT_EQ(w.folio.refcount, 5); // isolation + 4 ptes

        result r = unmap(w, s.ttu);

        EXPECT_FALSE(r.ret);
        expect_default_slots(w, all_present(4, PTE_WRITE | PTE_SOFT_DIRTY));
        expect_mm(w, 0, 0, 4, 0, 0, false);
        expect_unused_mms(w, 1);
        folio_expect e;
        e.refcount = 5;
        e.mapcount = repeat(4, 1);
        e.anon = e.swapbacked = true;
        e.pae = page_bits({1, 1, 1, 1});
        expect_folio(w, e);
        expect_no_violation(w);
}

// =====================================================================
// Row: lazyfree redirtied — !swapbacked && folio dirty && !VM_DROPPABLE
// =====================================================================

TEST(RefLazyfreeRedirtied, OrderZeroDirtyPteRestoredAndSwapbacked)
{
        scenario s = lazyfree(0, PTE_WRITE | PTE_DIRTY | PTE_YOUNG);
        s.pae = page_bits({1}); // written after MADV_FREE: exclusive and writable
        s.ttu = reclaim_ttu(0);
        world w;
        ASSERT_EQ(build_checked(s, w), 0);
        ASSERT_EQ(w.folio.refcount, 2);

        result r = unmap(w, s.ttu);

        EXPECT_FALSE(r.ret);
        EXPECT_TRUE(r.flush_writable); // the cleared pte was dirty
        // set_ptes(pteval, 1): the exact cleared value comes back.
        expect_default_slots(w, {folio_pte(0, PTE_WRITE | PTE_DIRTY | PTE_YOUNG)});
        expect_mm(w, 0, 0, 1, 0, 0, false);
        expect_unused_mms(w, 1);
        folio_expect e;
        e.refcount = 2;
        e.mapcount = {1};
        e.anon = true;
        e.dirty = true;      // folio_mark_dirty() from the pte
        e.swapbacked = true; // folio_set_swapbacked(): reclaim must swap it
        e.pae = page_bits({1});
        expect_folio(w, e);
        expect_no_violation(w);
}

// Order 4, slot 3 of 16 dirty (section 10.6): the per-PTE reference discards pages
// 0..2 (each passes ref == 1 + mapcount and the folio is still clean), then
// clears page 3, marks the folio dirty, restores page 3 and aborts; 4..15 are
// never touched.
TEST(RefLazyfreeRedirtied, OrderFourSlotThreeDirtyDiscardsPrefix)
{
        scenario s = lazyfree(4, PTE_YOUNG);
        s.vmas[0].slot[3].bits = PTE_DIRTY | PTE_YOUNG;
        s.ttu = reclaim_ttu(4);
        world w;
        ASSERT_EQ(build_checked(s, w), 0);
        ASSERT_EQ(w.folio.refcount, 17); // isolation + 16 ptes
        ASSERT_EQ(w.mms[0].rss_stat[MM_ANONPAGES], 16);

        result r = unmap(w, s.ttu);

        EXPECT_FALSE(r.ret);
        EXPECT_TRUE(r.flush_writable); // page 3's cleared pte was dirty
        std::vector<pte_t> want = all_present(16, PTE_YOUNG);
        want[0] = want[1] = want[2] = none_pte();
        want[3] = folio_pte(3, PTE_DIRTY | PTE_YOUNG); // restored exactly
        expect_default_slots(w, want);
        expect_mm(w, 0, 0, 16 - 3, 0, 0, false); // three discards
        expect_unused_mms(w, 1);
        folio_expect e;
        e.refcount = 17 - 3; // three puts
        e.mapcount = repeat(16, 1);
        e.mapcount[0] = e.mapcount[1] = e.mapcount[2] = 0;
        e.anon = true;
        e.dirty = true;
        e.swapbacked = true;
        // After page 0's removal pages 1..15 are still mapped: large anon folio
        // partially mapped -> deferred split (sections 7, 10.1).
        e.deferred_split = true;
        expect_folio(w, e);
        expect_no_violation(w);
}

// The folio itself is dirty (a GUP user dirtied it), all ptes clean: the test
// at (F) reads folio_test_dirty(), so page 0 is restored and the walk stops.
TEST(RefLazyfreeRedirtied, DirtyFolioCleanPtesAbortsAtFirstPage)
{
        scenario s = lazyfree(2, PTE_YOUNG);
        s.folio_flags = FOLIO_DIRTY;
        s.ttu = reclaim_ttu(2);
        world w;
        ASSERT_EQ(build_checked(s, w), 0);
        ASSERT_EQ(w.folio.refcount, 5);

        result r = unmap(w, s.ttu);

        EXPECT_FALSE(r.ret);
        EXPECT_FALSE(r.flush_writable);
        expect_default_slots(w, all_present(4, PTE_YOUNG));
        expect_mm(w, 0, 0, 4, 0, 0, false);
        expect_unused_mms(w, 1);
        folio_expect e;
        e.refcount = 5;
        e.mapcount = repeat(4, 1);
        e.anon = true;
        e.dirty = true;
        e.swapbacked = true;
        expect_folio(w, e);
        expect_no_violation(w);
}

// =====================================================================
// Row: lazyfree extra ref — ref_count != 1 + mapcount
// =====================================================================

TEST(RefLazyfreeExtraRef, OrderZeroRestoredSwapbackedUnchanged)
{
        scenario s = lazyfree(0, PTE_YOUNG);
        s.extra_refs = 1;
        s.ttu = reclaim_ttu(0);
        world w;
        ASSERT_EQ(build_checked(s, w), 0);
        ASSERT_EQ(w.folio.refcount, 3); // isolation + extra + 1 pte

        result r = unmap(w, s.ttu);

        EXPECT_FALSE(r.ret);
        // 3 != 1 + 1: restore, abort.
        expect_default_slots(w, {folio_pte(0, PTE_YOUNG)});
        expect_mm(w, 0, 0, 1, 0, 0, false);
        expect_unused_mms(w, 1);
        folio_expect e;
        e.refcount = 3;
        e.mapcount = {1};
        e.anon = true;
        e.swapbacked = false; // K1+ (faeb2831b517): an extra ref is not a redirty
        e.dirty = false;
        expect_folio(w, e);
        expect_no_violation(w);
}

TEST(RefLazyfreeExtraRef, OrderTwoAbortsBeforeDiscardingAnything)
{
        scenario s = lazyfree(2, PTE_YOUNG);
        s.extra_refs = 1;
        s.ttu = reclaim_ttu(2);
        world w;
        ASSERT_EQ(build_checked(s, w), 0);
        ASSERT_EQ(w.folio.refcount, 6); // isolation + extra + 4 ptes

        result r = unmap(w, s.ttu);

        EXPECT_FALSE(r.ret);
        // Page 0: ref 6 != 1 + mapcount 4 (read before removal): restore.
        expect_default_slots(w, all_present(4, PTE_YOUNG));
        expect_mm(w, 0, 0, 4, 0, 0, false);
        expect_unused_mms(w, 1);
        folio_expect e;
        e.refcount = 6;
        e.mapcount = repeat(4, 1);
        e.anon = true;
        expect_folio(w, e);
        expect_no_violation(w);
}

// =====================================================================
// Row: lazyfree discard — clean (or DROPPABLE) and refs ok
// =====================================================================

TEST(RefLazyfreeDiscard, OrderZero)
{
        scenario s = lazyfree(0, PTE_YOUNG);
        s.ttu = reclaim_ttu(0);
        world w;
        ASSERT_EQ(build_checked(s, w), 0);

        result r = unmap(w, s.ttu);

        EXPECT_TRUE(r.ret);
        EXPECT_TRUE(r.flush_pending);
        EXPECT_FALSE(r.flush_writable);
        expect_default_slots(w, {none_pte()});
        expect_mm(w, 0, 0, 0, 0, 0, false); // MM_ANONPAGES 1 - 1
        expect_unused_mms(w, 1);
        folio_expect e;
        e.refcount = 1;
        e.mapcount = {0};
        e.anon = true;
        expect_folio(w, e);
        expect_no_violation(w);
}

TEST(RefLazyfreeDiscard, OrderFourFullyMapped)
{
        scenario s = lazyfree(4, PTE_YOUNG);
        s.ttu = reclaim_ttu(4);
        world w;
        ASSERT_EQ(build_checked(s, w), 0);
        ASSERT_EQ(w.folio.refcount, 17);

        result r = unmap(w, s.ttu);

        EXPECT_TRUE(r.ret);
        EXPECT_TRUE(r.flush_pending);
        EXPECT_FALSE(r.flush_writable);
        expect_default_slots(w, all_none(16));
        expect_mm(w, 0, 0, 16 - 16, 0, 0, false);
        expect_unused_mms(w, 1);
        folio_expect e;
        e.refcount = 1; // 17 - 16 puts: only the isolation reference
        e.mapcount = repeat(16, 0);
        e.anon = true;
        // Per PTE, page 0's removal left 15 pages mapped (sections 7, 10.1).
        e.deferred_split = true;
        expect_folio(w, e);
        expect_no_violation(w);
}

// The folio split over two VMAs of one mm (e.g. by mprotect of half): the
// rmap walk visits both; each discards the pages it maps.
TEST(RefLazyfreeDiscard, TwoVmasOfOneMmBothDiscarded)
{
        scenario s;
        s.type = folio_type::lazyfree;
        s.order = 2;
        // VMA 0 maps pages 0..1, VMA 1 (split off, e.g. by mprotect) pages 2..3.
        vma_spec &a = add_vma(s, 0, 0x200000, 0x202000, 0x200000);
        vma_spec &b = add_vma(s, 0, 0x202000, 0x240000, 0x200000);
        fill_slots(a, 0, 2, slot_kind::present, PTE_YOUNG);
        fill_slots(b, 2, 4, slot_kind::present, PTE_YOUNG);
        s.ttu = reclaim_ttu(2);
        world w;
        ASSERT_EQ(build_checked(s, w), 0);
        ASSERT_EQ(w.folio.refcount, 5);

        result r = unmap(w, s.ttu);

        EXPECT_TRUE(r.ret);
        expect_slots(w, 0, 0x200000, 0x240000, 0x200000, all_none(4));
        expect_mm(w, 0, 0, 0, 0, 0, false);
        expect_unused_mms(w, 1);
        folio_expect e;
        e.refcount = 1;
        e.mapcount = repeat(4, 0);
        e.anon = true;
        e.deferred_split = true; // page 0 unmapped while 1..3 mapped
        expect_folio(w, e);
        EXPECT_EQ(w.nr_notifier, 2); // one invalidate range per VMA visited
        expect_no_violation(w);
}

// A protnone (NUMA hinting) entry cannot be cached by the TLB: it is
// discarded like any other, but no deferred flush is queued (section 6.4).
TEST(RefLazyfreeDiscard, ProtnoneQueuesNoFlush)
{
        scenario s = lazyfree(0, PTE_PROTNONE);
        s.ttu = reclaim_ttu(0);
        world w;
        ASSERT_EQ(build_checked(s, w), 0);

        result r = unmap(w, s.ttu);

        EXPECT_TRUE(r.ret);
        EXPECT_FALSE(r.flush_pending);
        EXPECT_FALSE(r.flush_writable);
        expect_default_slots(w, {none_pte()});
        expect_mm(w, 0, 0, 0, 0, 0, false);
        expect_unused_mms(w, 1);
        folio_expect e;
        e.refcount = 1;
        e.mapcount = {0};
        e.anon = true;
        expect_folio(w, e);
        expect_no_violation(w);
}

// The VMA starts in the middle of the folio: only pages 2..3 are mapped (at
// 0x202000, 0x203000); the walk begins at vm_start and never touches the
// addresses where pages 0..1 would be.
TEST(RefLazyfreeDiscard, VmaCoversTailOfFolio)
{
        scenario s;
        s.type = folio_type::lazyfree;
        s.order = 2;
        vma_spec &v = add_vma(s, 0, 0x202000, 0x240000, 0x200000);
        fill_slots(v, 2, 4, slot_kind::present, PTE_YOUNG);
        s.ttu = reclaim_ttu(2);
        world w;
        ASSERT_EQ(build_checked(s, w), 0);
        ASSERT_EQ(w.folio.refcount, 3); // isolation + 2 ptes

        result r = unmap(w, s.ttu);

        EXPECT_TRUE(r.ret);
        expect_slots(w, 0, 0x200000, 0x240000, 0x200000, all_none(4));
        expect_mm(w, 0, 0, 2 - 2, 0, 0, false);
        expect_unused_mms(w, 1);
        folio_expect e;
        e.refcount = 1;
        e.mapcount = repeat(4, 0);
        e.anon = true;
        e.deferred_split = true; // page 2 unmapped while page 3 still mapped
        expect_folio(w, e);
        expect_no_violation(w);
}

// =====================================================================
// Row: VM_DROPPABLE — dirtiness ignored, swapbacked never set
// =====================================================================

TEST(RefDroppable, DirtyLazyfreeDiscarded)
{
        scenario s = lazyfree(0, PTE_WRITE | PTE_DIRTY | PTE_YOUNG);
        s.vmas[0].flags = VM_DROPPABLE;
        s.pae = page_bits({1});
        s.ttu = reclaim_ttu(0);
        world w;
        ASSERT_EQ(build_checked(s, w), 0);

        result r = unmap(w, s.ttu);

        EXPECT_TRUE(r.ret);
        EXPECT_TRUE(r.flush_writable);
        expect_default_slots(w, {none_pte()});
        expect_mm(w, 0, 0, 0, 0, 0, false);
        expect_unused_mms(w, 1);
        folio_expect e;
        e.refcount = 1;
        e.mapcount = {0};
        e.anon = true;
        e.dirty = true;         // still marked dirty at (D)
        e.swapbacked = false;   // but never made swap-backed
        e.pae = page_bits({1}); // discard does not share the page
        expect_folio(w, e);
        expect_no_violation(w);
}

TEST(RefDroppable, OrderTwoDirtyFolioDiscarded)
{
        scenario s = lazyfree(2, PTE_YOUNG);
        s.vmas[0].flags = VM_DROPPABLE;
        s.vmas[0].slot[1].bits = PTE_DIRTY | PTE_YOUNG;
        s.folio_flags = FOLIO_DIRTY;
        s.ttu = reclaim_ttu(2);
        world w;
        ASSERT_EQ(build_checked(s, w), 0);

        result r = unmap(w, s.ttu);

        EXPECT_TRUE(r.ret);
        expect_default_slots(w, all_none(4));
        expect_mm(w, 0, 0, 0, 0, 0, false);
        expect_unused_mms(w, 1);
        folio_expect e;
        e.refcount = 1;
        e.mapcount = repeat(4, 0);
        e.anon = true;
        e.dirty = true;
        e.deferred_split = true;
        expect_folio(w, e);
        expect_no_violation(w);
}

TEST(RefDroppable, ExtraRefRestoredSwapbackedUnchanged)
{
        scenario s = lazyfree(0, PTE_DIRTY | PTE_YOUNG);
        s.vmas[0].flags = VM_DROPPABLE;
        s.extra_refs = 1;
        s.ttu = reclaim_ttu(0);
        world w;
        ASSERT_EQ(build_checked(s, w), 0);
        ASSERT_EQ(w.folio.refcount, 3);

        result r = unmap(w, s.ttu);

        EXPECT_FALSE(r.ret);
        expect_default_slots(w, {folio_pte(0, PTE_DIRTY | PTE_YOUNG)});
        expect_mm(w, 0, 0, 1, 0, 0, false);
        expect_unused_mms(w, 1);
        folio_expect e;
        e.refcount = 3;
        e.mapcount = {1};
        e.anon = true;
        e.dirty = true;
        e.swapbacked = false;
        expect_folio(w, e);
        expect_no_violation(w);
}

// =====================================================================
// Row: swap dup fail — folio_dup_swap() < 0
// =====================================================================

// Order 2, PAE {1,0,1,1}; raising the count of page 2's slot fails. Pages 0
// and 1 are converted, page 2 is restored, page 3 is never reached.
TEST(RefSwapDupFail, OrderTwoFailsAtPageTwo)
{
        scenario s = anon_swapcache(2, PTE_YOUNG);
        s.pae = page_bits({1, 0, 1, 1});
        s.vmas[0].slot[0].bits = PTE_WRITE | PTE_YOUNG;
        s.vmas[0].slot[1].bits = PTE_SOFT_DIRTY | PTE_YOUNG;
        s.vmas[0].slot[2].bits = PTE_WRITE | PTE_DIRTY | PTE_YOUNG;
        s.vmas[0].slot[3].bits = PTE_WRITE | PTE_YOUNG;
        s.events[0] = event{event_kind::dup_swap_fail, 2};
        s.nr_events = 1;
        s.ttu = reclaim_ttu(2);
        world w;
        ASSERT_EQ(build_checked(s, w), 0);
        ASSERT_EQ(w.folio.refcount, 9); // isolation + 4 swap cache + 4 ptes

        result r = unmap(w, s.ttu);

        EXPECT_FALSE(r.ret);
        ASSERT_EQ(w.nr_fired, 1);
        EXPECT_EQ(w.fired[0].kind, event_kind::dup_swap_fail);
        EXPECT_EQ(w.fired[0].page, 2);
        expect_default_slots(w, {folio_swap_pte(0, PTE_SWP_EXCLUSIVE),
                                 folio_swap_pte(1, PTE_SOFT_DIRTY),
                                 folio_pte(2, PTE_WRITE | PTE_DIRTY | PTE_YOUNG),
                                 folio_pte(3, PTE_WRITE | PTE_YOUNG)});
        expect_mm(w, 0, 0, 4 - 2, 0 + 2, 0, true);
        expect_unused_mms(w, 1);
        folio_expect e;
        e.refcount = 9 - 2;
        e.mapcount = {0, 0, 1, 1};
        e.anon = e.swapbacked = e.swapcache = true;
        e.dirty = true; // page 2's dirty bit was OR-ed in before the failure
        e.deferred_split = true;
        e.pae = page_bits({0, 0, 1, 1}); // page 0 shared; page 2 never got that far
        e.swap_count = {1, 1, 0, 0};
        expect_folio(w, e);
        expect_no_violation(w);
}

TEST(RefSwapDupFail, OrderZeroNothingChangesNotOnMmlist)
{
        scenario s = anon_swapcache(0, PTE_WRITE | PTE_YOUNG);
        s.pae = page_bits({1});
        s.events[0] = event{event_kind::dup_swap_fail, 0};
        s.nr_events = 1;
        s.ttu = reclaim_ttu(0);
        world w;
        ASSERT_EQ(build_checked(s, w), 0);

        result r = unmap(w, s.ttu);

        EXPECT_FALSE(r.ret);
        EXPECT_EQ(w.nr_fired, 1);
        expect_default_slots(w, {folio_pte(0, PTE_WRITE | PTE_YOUNG)});
        expect_mm(w, 0, 0, 1, 0, 0, false); // mmlist only after a conversion
        expect_unused_mms(w, 1);
        folio_expect e;
        e.refcount = 3;
        e.mapcount = {1};
        e.anon = e.swapbacked = e.swapcache = true;
        e.pae = page_bits({1});
        e.swap_count = {0};
        expect_folio(w, e);
        expect_no_violation(w);
}

// =====================================================================
// Row: arch_unmap_one fail — sparc64 ADI
// =====================================================================

TEST(RefArchUnmapFail, SparcAdiRestoresAndUndoesSwapCount)
{
        scenario s = anon_swapcache(1, PTE_YOUNG);
        s.arch = ARCH_SPARC_ADI;
        s.events[0] = event{event_kind::arch_unmap_fail, 1};
        s.nr_events = 1;
        s.ttu = reclaim_ttu(1);
        world w;
        ASSERT_EQ(build_checked(s, w), 0);
        ASSERT_EQ(w.folio.refcount, 5); // isolation + 2 swap cache + 2 ptes

        result r = unmap(w, s.ttu);

        EXPECT_FALSE(r.ret);
        EXPECT_EQ(w.nr_fired, 1);
        // Page 0 converted (not exclusive), page 1: dup +1, arch fails,
        // folio_put_swap -1, restored.
        expect_default_slots(w, {folio_swap_pte(0, 0), folio_pte(1, PTE_YOUNG)});
        expect_mm(w, 0, 0, 1, 1, 0, true);
        expect_unused_mms(w, 1);
        folio_expect e;
        e.refcount = 4;
        e.mapcount = {0, 1};
        e.anon = e.swapbacked = e.swapcache = true;
        e.deferred_split = true;
        e.swap_count = {1, 0}; // page 1 back to its initial 0
        expect_folio(w, e);
        expect_no_violation(w);
}

// On an arch without __HAVE_ARCH_UNMAP_ONE arch_unmap_one() is 0: the event
// can never fire and the page is converted.
TEST(RefArchUnmapFail, GenericArchNeverFails)
{
        scenario s = anon_swapcache(0, PTE_YOUNG);
        s.events[0] = event{event_kind::arch_unmap_fail, 0};
        s.nr_events = 1;
        s.ttu = reclaim_ttu(0);
        world w;
        ASSERT_EQ(build_checked(s, w), 0);

        result r = unmap(w, s.ttu);

        EXPECT_TRUE(r.ret);
        EXPECT_EQ(w.nr_fired, 0);
        expect_default_slots(w, {folio_swap_pte(0, 0)});
        expect_mm(w, 0, 0, 0, 1, 0, true);
        expect_unused_mms(w, 1);
        folio_expect e;
        e.refcount = 2;
        e.mapcount = {0};
        e.anon = e.swapbacked = e.swapcache = true;
        e.swap_count = {1};
        expect_folio(w, e);
        expect_no_violation(w);
}

// =====================================================================
// Row: share fail — anon_exclusive && folio_maybe_dma_pinned
// =====================================================================

// Pinned folio (a large folio's pin holds one reference and _pincount 1,
// try_grab_folio()). Pages 0 and 1 are not exclusive, so no share is
// attempted and they convert; page 2 is exclusive: dup +1, try_share -EBUSY,
// put -1, restore, abort.
TEST(RefShareFail, PinnedExclusivePageRestored)
{
        scenario s = anon_swapcache(2, PTE_YOUNG);
        s.pae = page_bits({0, 0, 1, 0});
        s.vmas[0].slot[2].bits = PTE_WRITE | PTE_YOUNG;
        s.folio_flags = FOLIO_PINNED;
        s.ttu = reclaim_ttu(2);
        world w;
        ASSERT_EQ(build_checked(s, w), 0);
        ASSERT_EQ(w.folio.refcount, 10); // 1 + 4 swap cache + 1 pin + 4 ptes

        result r = unmap(w, s.ttu);

        EXPECT_FALSE(r.ret);
        expect_default_slots(w, {folio_swap_pte(0, 0), folio_swap_pte(1, 0),
                                 folio_pte(2, PTE_WRITE | PTE_YOUNG), folio_pte(3, PTE_YOUNG)});
        expect_mm(w, 0, 0, 2, 2, 0, true);
        expect_unused_mms(w, 1);
        folio_expect e;
        e.refcount = 10 - 2;
        e.mapcount = {0, 0, 1, 1};
        e.anon = e.swapbacked = e.swapcache = true;
        e.maybe_dma_pinned = true;
        e.deferred_split = true;
        e.pae = page_bits({0, 0, 1, 0}); // PAE stays 1 on the pinned page
        e.swap_count = {1, 1, 0, 0};     // page 2's count undone
        expect_folio(w, e);
        expect_no_violation(w);
}

// A pin only matters for exclusive pages: with none exclusive, all convert.
TEST(RefShareFail, PinnedWithoutExclusivePagesConverts)
{
        scenario s = anon_swapcache(1, PTE_YOUNG);
        s.folio_flags = FOLIO_PINNED;
        s.ttu = reclaim_ttu(1);
        world w;
        ASSERT_EQ(build_checked(s, w), 0);
        ASSERT_EQ(w.folio.refcount, 6);

        result r = unmap(w, s.ttu);

        EXPECT_TRUE(r.ret);
        expect_default_slots(w, {folio_swap_pte(0, 0), folio_swap_pte(1, 0)});
        expect_mm(w, 0, 0, 0, 2, 0, true);
        expect_unused_mms(w, 1);
        folio_expect e;
        e.refcount = 4;
        e.mapcount = {0, 0};
        e.anon = e.swapbacked = e.swapcache = true;
        e.maybe_dma_pinned = true;
        e.deferred_split = true;
        e.swap_count = {1, 1};
        expect_folio(w, e);
        expect_no_violation(w);
}

// =====================================================================
// Row: swap ok
// =====================================================================

// Order 2, PAE {1,1,0,0}; soft-dirty and uffd-wp vary per page and must be
// copied into each swap pte; exclusive = the page's PAE before unmap.
TEST(RefSwapOk, OrderTwoSwapPtesCarryBits)
{
        scenario s = anon_swapcache(2, PTE_YOUNG);
        s.vmas[0].flags = VM_UFFD_WP; // the uffd-wp bits need a registered VMA
        s.pae = page_bits({1, 1, 0, 0});
        s.vmas[0].slot[0].bits = PTE_WRITE | PTE_DIRTY | PTE_SOFT_DIRTY;
        s.vmas[0].slot[1].bits = PTE_UFFD_WP | PTE_YOUNG;
        s.vmas[0].slot[2].bits = PTE_SOFT_DIRTY | PTE_UFFD_WP;
        s.vmas[0].slot[3].bits = PTE_YOUNG;
        s.ttu = reclaim_ttu(2);
        world w;
        ASSERT_EQ(build_checked(s, w), 0);
        ASSERT_EQ(w.folio.refcount, 9);

        result r = unmap(w, s.ttu);

        EXPECT_TRUE(r.ret);
        EXPECT_TRUE(r.flush_pending);
        EXPECT_TRUE(r.flush_writable); // page 0 was dirty
        expect_default_slots(w, {folio_swap_pte(0, PTE_SWP_EXCLUSIVE | PTE_SOFT_DIRTY),
                                 folio_swap_pte(1, PTE_SWP_EXCLUSIVE | PTE_UFFD_WP),
                                 folio_swap_pte(2, PTE_SOFT_DIRTY | PTE_UFFD_WP),
                                 folio_swap_pte(3, 0)});
        expect_mm(w, 0, 0, 4 - 4, 0 + 4, 0, true);
        expect_unused_mms(w, 1);
        folio_expect e;
        e.refcount = 9 - 4; // the swap cache's 4 refs and the isolation ref stay
        e.mapcount = repeat(4, 0);
        e.anon = e.swapbacked = e.swapcache = true;
        e.dirty = true;
        e.deferred_split = true;
        e.pae = page_bits({0, 0, 0, 0}); // cleared on every converted page
        e.swap_count = {1, 1, 1, 1};
        expect_folio(w, e);
        expect_no_violation(w);
}

// A device-exclusive entry of a swap-backed folio converts too; its swap pte
// takes soft-dirty from the device entry (section 4 F; make_device_exclusive() keeps
// soft-dirty only: the entry is made from a writable pte, never uffd-wp).
TEST(RefSwapOk, DeviceExclusiveEntryConverts)
{
        scenario s = anon_swapcache(1, PTE_WRITE | PTE_YOUNG);
        s.pae = page_bits({1, 1});
        s.vmas[0].slot[1] = slot_spec{slot_kind::device_exclusive, PTE_SOFT_DIRTY};
        s.ttu = reclaim_ttu(1);
        world w;
        ASSERT_EQ(build_checked(s, w), 0);
        ASSERT_EQ(w.folio.refcount, 5); // the device entry counts as a mapping

        result r = unmap(w, s.ttu);

        EXPECT_TRUE(r.ret);
        expect_default_slots(w, {folio_swap_pte(0, PTE_SWP_EXCLUSIVE),
                                 folio_swap_pte(1, PTE_SWP_EXCLUSIVE | PTE_SOFT_DIRTY)});
        expect_mm(w, 0, 0, 0, 2, 0, true);
        expect_unused_mms(w, 1);
        folio_expect e;
        e.refcount = 3;
        e.mapcount = {0, 0};
        e.anon = e.swapbacked = e.swapcache = true;
        e.deferred_split = true;
        e.swap_count = {1, 1};
        expect_folio(w, e);
        expect_no_violation(w);
}

// =====================================================================
// Row: file / shmem
// =====================================================================

TEST(RefFile, CleanOrderTwoUnmapped)
{
        scenario s = file_folio(2, PTE_YOUNG);
        s.ttu = reclaim_ttu(2);
        world w;
        ASSERT_EQ(build_checked(s, w), 0);
        ASSERT_EQ(w.folio.refcount, 9); // 1 + 4 page cache + 4 ptes
        ASSERT_EQ(w.mms[0].rss_stat[MM_FILEPAGES], 4);

        result r = unmap(w, s.ttu);

        EXPECT_TRUE(r.ret);
        EXPECT_FALSE(r.flush_writable);
        expect_default_slots(w, all_none(4));
        expect_mm(w, 0, 4 - 4, 0, 0, 0, false);
        expect_unused_mms(w, 1);
        folio_expect e;
        e.refcount = 5;
        e.mapcount = repeat(4, 0);
        e.dirty = false;
        e.deferred_split = false; // file folios are never queued
        expect_folio(w, e);
        expect_no_violation(w);
}

TEST(RefFile, DirtyPteMakesFolioDirty)
{
        scenario s = file_folio(2, PTE_YOUNG);
        s.vmas[0].slot[2].bits = PTE_WRITE | PTE_DIRTY | PTE_YOUNG;
        s.ttu = reclaim_ttu(2);
        world w;
        ASSERT_EQ(build_checked(s, w), 0);

        result r = unmap(w, s.ttu);

        EXPECT_TRUE(r.ret);
        EXPECT_TRUE(r.flush_writable); // the dirty entry may still be written via the TLB
        expect_default_slots(w, all_none(4));
        expect_mm(w, 0, 0, 0, 0, 0, false);
        expect_unused_mms(w, 1);
        folio_expect e;
        e.refcount = 5;
        e.mapcount = repeat(4, 0);
        e.dirty = true;
        expect_folio(w, e);
        expect_no_violation(w);
}

TEST(RefShmem, OrderTwoCountsShmemPages)
{
        scenario s = shmem_folio(2, PTE_YOUNG);
        s.vmas[0].slot[0].bits = PTE_WRITE | PTE_DIRTY;
        s.ttu = reclaim_ttu(2);
        world w;
        ASSERT_EQ(build_checked(s, w), 0);
        ASSERT_EQ(w.folio.refcount, 9);
        ASSERT_EQ(w.mms[0].rss_stat[MM_SHMEMPAGES], 4);

        result r = unmap(w, s.ttu);

        EXPECT_TRUE(r.ret);
        expect_default_slots(w, all_none(4));
        // mm_counter_file(shmem) = MM_SHMEMPAGES (swapbacked page cache).
        expect_mm(w, 0, 0, 0, 0, 4 - 4, false);
        expect_unused_mms(w, 1);
        folio_expect e;
        e.refcount = 5;
        e.mapcount = repeat(4, 0);
        e.swapbacked = true;
        e.swapcache = false;
        e.dirty = true;
        expect_folio(w, e);
        expect_no_violation(w);
}

// uffd-wp file VMA, every pte write-protected: PTE_MARKER_UFFD_WP on every slot.
TEST(RefFile, UffdWpVmaGetsMarkerOnEverySlot)
{
        scenario s = file_folio(2, PTE_UFFD_WP | PTE_YOUNG);
        s.vmas[0].flags = VM_UFFD_WP;
        s.ttu = reclaim_ttu(2);
        world w;
        ASSERT_EQ(build_checked(s, w), 0);

        result r = unmap(w, s.ttu);

        EXPECT_TRUE(r.ret);
        expect_default_slots(
            w, {uffd_wp_marker(), uffd_wp_marker(), uffd_wp_marker(), uffd_wp_marker()});
        expect_mm(w, 0, 0, 0, 0, 0, false); // a marker is not a mapping
        expect_unused_mms(w, 1);
        folio_expect e;
        e.refcount = 5;
        e.mapcount = repeat(4, 0);
        expect_folio(w, e);
        expect_no_violation(w);
}

TEST(RefShmem, UffdWpMarkersOnlyWhereWriteProtected)
{
        scenario s = shmem_folio(2, PTE_YOUNG);
        s.vmas[0].flags = VM_UFFD_WP;
        s.vmas[0].slot[0].bits = PTE_UFFD_WP | PTE_YOUNG;
        s.vmas[0].slot[2].bits = PTE_UFFD_WP;
        s.ttu = reclaim_ttu(2);
        world w;
        ASSERT_EQ(build_checked(s, w), 0);

        result r = unmap(w, s.ttu);

        EXPECT_TRUE(r.ret);
        expect_default_slots(w, {uffd_wp_marker(), none_pte(), uffd_wp_marker(), none_pte()});
        expect_mm(w, 0, 0, 0, 0, 0, false);
        expect_unused_mms(w, 1);
        folio_expect e;
        e.refcount = 5;
        e.mapcount = repeat(4, 0);
        e.swapbacked = true;
        expect_folio(w, e);
        expect_no_violation(w);
}

// uffd-wp bits in a VMA that is not registered cannot be written (they go
// with the registration: uffd_wp_range()), but the marker rule must hold for
// them anyway: pte_install_uffd_wp_if_needed() asks userfaultfd_wp(vma). The
// bits are set in the built world directly.
TEST(RefFile, UffdBitsWithoutRegistrationNoMarker)
{
        scenario s = file_folio(1, PTE_YOUNG);
        s.ttu = reclaim_ttu(1);
        world w;
        ASSERT_EQ(build_checked(s, w), 0);
        for (int p = 0; p < 2; p++)
                w.tables[w.mms[0].pmd[page_addr(p) >> PMD_SHIFT].table][pte_index(page_addr(p))]
                    .bits |= PTE_UFFD_WP;

        result r = unmap(w, s.ttu);

        EXPECT_TRUE(r.ret);
        expect_default_slots(w, all_none(2));
        expect_mm(w, 0, 0, 0, 0, 0, false);
        expect_unused_mms(w, 1);
        folio_expect e;
        e.refcount = 1 + 2; // isolation + page cache
        e.mapcount = repeat(2, 0);
        expect_folio(w, e);
        expect_no_violation(w);
}

// An anonymous VMA never gets markers from this path (section 6.3): the lazyfree
// discard drops the wp bit with the page.
TEST(RefLazyfreeDiscard, AnonUffdWpVmaGetsNoMarkers)
{
        scenario s = lazyfree(2, PTE_UFFD_WP | PTE_YOUNG);
        s.vmas[0].flags = VM_UFFD_WP;
        s.ttu = reclaim_ttu(2);
        world w;
        ASSERT_EQ(build_checked(s, w), 0);

        result r = unmap(w, s.ttu);

        EXPECT_TRUE(r.ret);
        expect_default_slots(w, all_none(4));
        expect_mm(w, 0, 0, 0, 0, 0, false);
        expect_unused_mms(w, 1);
        folio_expect e;
        e.refcount = 1;
        e.mapcount = repeat(4, 0);
        e.anon = true;
        e.deferred_split = true;
        expect_folio(w, e);
        expect_no_violation(w);
}

// =====================================================================
// Row: mlock — VM_LOCKED without TTU_IGNORE_MLOCK (K2c)
// =====================================================================

TEST(RefMlock, SmallFolioMlockedNothingUnmapped)
{
        scenario s = lazyfree(0, PTE_YOUNG);
        s.vmas[0].flags = VM_LOCKED;
        s.ttu = reclaim_ttu(0);
        world w;
        ASSERT_EQ(build_checked(s, w), 0);

        result r = unmap(w, s.ttu);

        EXPECT_FALSE(r.ret);
        EXPECT_FALSE(r.flush_pending); // nothing was cleared
        EXPECT_EQ(w.nr_clears, 0);
        expect_default_slots(w, {folio_pte(0, PTE_YOUNG)});
        expect_mm(w, 0, 0, 1, 0, 0, false);
        expect_unused_mms(w, 1);
        folio_expect e;
        e.refcount = 2;
        e.mapcount = {1};
        e.anon = true;
        e.mlocked = true; // mlock_vma_folio()
        e.mlock_count = 1;
        expect_folio(w, e);
        expect_no_violation(w);
}

// All 16 ptes counted inside one table: ptes == nr_pages -> mlock.
TEST(RefMlock, FullyMappedLargeFolioInOneTableMlocked)
{
        scenario s = lazyfree(4, PTE_YOUNG);
        s.vmas[0].flags = VM_LOCKED;
        s.ttu = reclaim_ttu(4);
        world w;
        ASSERT_EQ(build_checked(s, w), 0);

        result r = unmap(w, s.ttu);

        EXPECT_FALSE(r.ret);
        EXPECT_EQ(w.nr_clears, 0);
        expect_default_slots(w, all_present(16, PTE_YOUNG));
        expect_mm(w, 0, 0, 16, 0, 0, false);
        expect_unused_mms(w, 1);
        folio_expect e;
        e.refcount = 17;
        e.mapcount = repeat(16, 1);
        e.anon = true;
        e.mlocked = true;
        e.mlock_count = 1;
        expect_folio(w, e);
        expect_no_violation(w);
}

// Pages 0..7 in PMD 1's table, 8..15 in PMD 2's: the walk sets
// PVMW_PGTABLE_CROSSED and the folio is not mlocked.
TEST(RefMlock, FolioStraddlingPmdNotMlocked)
{
        constexpr unsigned long start = 0x3c0000, end = 0x440000, folio_addr = 0x3f8000;
        scenario s;
        s.type = folio_type::lazyfree;
        s.order = 4;
        vma_spec &v = add_vma(s, 0, start, end, folio_addr, VM_LOCKED);
        fill_slots(v, 0, 16, slot_kind::present, PTE_YOUNG);
        s.ttu = reclaim_ttu(4);
        world w;
        ASSERT_EQ(build_checked(s, w), 0);
        ASSERT_EQ(folio_addr + 8 * PAGE_SIZE, 0x400000UL); // page 8 starts PMD 2

        result r = unmap(w, s.ttu);

        EXPECT_FALSE(r.ret);
        EXPECT_EQ(w.nr_clears, 0);
        expect_slots(w, 0, start, end, folio_addr, all_present(16, PTE_YOUNG));
        expect_mm(w, 0, 0, 16, 0, 0, false);
        expect_unused_mms(w, 1);
        folio_expect e;
        e.refcount = 17;
        e.mapcount = repeat(16, 1);
        e.anon = true;
        e.mlocked = false;
        e.mlock_count = 0;
        expect_folio(w, e);
        expect_no_violation(w);
}

// Slot 5 none: only 15 ptes are counted, never nr_pages: not mlocked.
TEST(RefMlock, PartiallyMappedLargeFolioNotMlocked)
{
        scenario s = lazyfree(4, PTE_YOUNG);
        s.vmas[0].flags = VM_LOCKED;
        s.vmas[0].slot[5] = slot_spec{};
        s.ttu = reclaim_ttu(4);
        world w;
        ASSERT_EQ(build_checked(s, w), 0);
        ASSERT_EQ(w.folio.refcount, 16); // isolation + 15 ptes

        result r = unmap(w, s.ttu);

        EXPECT_FALSE(r.ret); // every VM_LOCKED iteration sets ret = false
        std::vector<pte_t> want = all_present(16, PTE_YOUNG);
        want[5] = none_pte();
        expect_default_slots(w, want);
        expect_mm(w, 0, 0, 15, 0, 0, false);
        expect_unused_mms(w, 1);
        folio_expect e;
        e.refcount = 16;
        e.mapcount = repeat(16, 1);
        e.mapcount[5] = 0;
        e.anon = true;
        expect_folio(w, e);
        expect_no_violation(w);
}

// TTU_IGNORE_MLOCK: the page is unmapped and folio_remove_rmap_pte() munlocks
// it (VM_LOCKED VMA), clearing PG_mlocked.
TEST(RefMlock, IgnoreMlockUnmapsAndMunlocks)
{
        scenario s = lazyfree(0, PTE_YOUNG);
        s.vmas[0].flags = VM_LOCKED;
        s.folio_flags = FOLIO_MLOCKED;
        s.ttu = reclaim_ttu(0) | TTU_IGNORE_MLOCK;
        world w;
        ASSERT_EQ(build_checked(s, w), 0);
        ASSERT_TRUE(w.folio.mlocked);

        result r = unmap(w, s.ttu);

        EXPECT_TRUE(r.ret);
        expect_default_slots(w, {none_pte()});
        expect_mm(w, 0, 0, 0, 0, 0, false);
        expect_unused_mms(w, 1);
        folio_expect e;
        e.refcount = 1;
        e.mapcount = {0};
        e.anon = true;
        e.mlocked = false;
        // The folio is isolated (off the LRU), so __munlock_folio() just clears
        // PG_mlocked; the count is meaningless afterwards and the substrate
        // models it as 0 (mlock_count is excluded from differential
        // comparison, section 10.7).
        e.mlock_count = 0;
        expect_folio(w, e);
        expect_no_violation(w);
}

TEST(RefMlock, IgnoreMlockFileFolioUnmapsAndMunlocks)
{
        scenario s = file_folio(2, PTE_YOUNG);
        s.vmas[0].flags = VM_LOCKED;
        s.folio_flags = FOLIO_MLOCKED;
        s.ttu = reclaim_ttu(2) | TTU_IGNORE_MLOCK;
        world w;
        ASSERT_EQ(build_checked(s, w), 0);

        result r = unmap(w, s.ttu);

        EXPECT_TRUE(r.ret);
        expect_default_slots(w, all_none(4));
        expect_mm(w, 0, 0, 0, 0, 0, false);
        expect_unused_mms(w, 1);
        folio_expect e;
        e.refcount = 5;
        e.mapcount = repeat(4, 0);
        e.mlocked = false;
        e.mlock_count = 0;
        expect_folio(w, e);
        expect_no_violation(w);
}

// A folio split over two VMAs of one mm; the second is VM_LOCKED. VMA 0
// discards pages 0..1. In VMA 1 only 2 of the folio's 4 ptes are counted, so
// it is not mlocked, and the walk returns false.
TEST(RefMlock, SecondVmaLockedPartialFolioNotMlocked)
{
        scenario s;
        s.type = folio_type::lazyfree;
        s.order = 2;
        vma_spec &a = add_vma(s, 0, 0x200000, 0x202000, 0x200000);
        vma_spec &b = add_vma(s, 0, 0x202000, 0x240000, 0x200000, VM_LOCKED);
        fill_slots(a, 0, 2, slot_kind::present, PTE_YOUNG);
        fill_slots(b, 2, 4, slot_kind::present, PTE_YOUNG);
        s.ttu = reclaim_ttu(2);
        world w;
        ASSERT_EQ(build_checked(s, w), 0);

        result r = unmap(w, s.ttu);

        EXPECT_FALSE(r.ret);
        expect_slots(w, 0, 0x200000, 0x240000, 0x200000,
                     {none_pte(), none_pte(), folio_pte(2, PTE_YOUNG), folio_pte(3, PTE_YOUNG)});
        expect_mm(w, 0, 0, 4 - 2, 0, 0, false);
        expect_unused_mms(w, 1);
        folio_expect e;
        e.refcount = 5 - 2;
        e.mapcount = {0, 0, 1, 1};
        e.anon = true;
        e.deferred_split = true;
        e.mlocked = false;
        expect_folio(w, e);
        expect_no_violation(w);
}

// A PMD-mapped folio in a VM_LOCKED VMA: the walk returns the PMD (no pte),
// it counts as one, no table was crossed: mlocked, and the PMD stays whole
// (the mlock check precedes the split).
TEST(RefMlock, PmdMappedFolioMlockedNotSplit)
{
        scenario s;
        s.type = folio_type::lazyfree;
        s.order = 9;
        vma_spec &v = add_vma(s, 0, 0x200000, 0x400000, 0x200000, VM_LOCKED);
        v.pmd = true;
        fill_slots(v, 0, 512, slot_kind::present, PTE_YOUNG);
        s.ttu = reclaim_ttu(9);
        world w;
        ASSERT_EQ(build_checked(s, w), 0);

        result r = unmap(w, s.ttu);

        EXPECT_FALSE(r.ret);
        EXPECT_EQ(w.mms[0].pmd[1].kind, pmd_kind::huge);
        expect_slots(w, 0, 0x200000, 0x400000, 0x200000, all_present(512, PTE_YOUNG));
        expect_mm(w, 0, 0, 512, 0, 0, false);
        expect_unused_mms(w, 1);
        folio_expect e;
        e.refcount = 2;              // isolation + the PMD mapping
        e.mapcount = repeat(512, 0); // no PTE mappings
        e.entire_mapcount = 1;
        e.anon = true;
        e.mlocked = true;
        e.mlock_count = 1;
        expect_folio(w, e);
        expect_no_violation(w);
}

// =====================================================================
// Device entries inside a lazyfree folio (CVE-2026-63950 shape, section 4 note)
// =====================================================================

// Slots 0..14 present, 15 device-exclusive, VM_DROPPABLE. Every page is
// discarded one at a time (nr_pages = 1 throughout); the device entry takes
// the pte_clear() path and then the same lazyfree test.
TEST(RefDeviceEntry, DeviceExclusiveInDroppableLazyfreeDiscarded)
{
        scenario s = lazyfree(4, PTE_YOUNG);
        s.vmas[0].flags = VM_DROPPABLE;
        s.vmas[0].slot[15] = slot_spec{slot_kind::device_exclusive, 0};
        s.pae = page_bits({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
        s.ttu = reclaim_ttu(4);
        world w;
        ASSERT_EQ(build_checked(s, w), 0);
        ASSERT_EQ(w.folio.refcount, 17); // the device entry holds a ref too
        ASSERT_EQ(w.mms[0].rss_stat[MM_ANONPAGES], 16);

        result r = unmap(w, s.ttu);

        EXPECT_TRUE(r.ret);
        expect_default_slots(w, all_none(16));
        expect_mm(w, 0, 0, 16 - 16, 0, 0, false);
        expect_unused_mms(w, 1);
        folio_expect e;
        e.refcount = 1;
        e.mapcount = repeat(16, 0); // never negative: no underflow violation
        e.anon = true;
        e.deferred_split = true;
        e.pae = s.pae; // a discard leaves PageAnonExclusive alone
        expect_folio(w, e);
        expect_no_violation(w);
}

// No device-private slot: a device-private entry maps a ZONE_DEVICE page,
// which reclaim never sees (sanitize() makes the slot device-exclusive in an
// anon folio, with the page exclusive).
TEST(RefDeviceEntry, DevicePrivateSlotIsSanitizedToDeviceExclusive)
{
        scenario s = lazyfree(4, PTE_YOUNG);
        s.vmas[0].flags = VM_DROPPABLE;
        s.vmas[0].slot[15] = slot_spec{slot_kind::device_private, PTE_SOFT_DIRTY};
        EXPECT_EQ(sanitize(s), 2); // the kind, and page 15's PageAnonExclusive
        EXPECT_EQ(s.vmas[0].slot[15], (slot_spec{slot_kind::device_exclusive, PTE_SOFT_DIRTY}));
        EXPECT_TRUE(s.pae.test(15));
}

// A device entry in the middle of a clean lazyfree folio, no VM_DROPPABLE.
TEST(RefDeviceEntry, DeviceExclusiveMidFolioDiscarded)
{
        scenario s = lazyfree(4, PTE_YOUNG);
        s.vmas[0].slot[7] = slot_spec{slot_kind::device_exclusive, 0};
        s.pae = page_bits({0, 0, 0, 0, 0, 0, 0, 1});
        s.ttu = reclaim_ttu(4);
        world w;
        ASSERT_EQ(build_checked(s, w), 0);

        result r = unmap(w, s.ttu);

        EXPECT_TRUE(r.ret);
        expect_default_slots(w, all_none(16));
        expect_mm(w, 0, 0, 0, 0, 0, false);
        expect_unused_mms(w, 1);
        folio_expect e;
        e.refcount = 1;
        e.mapcount = repeat(16, 0);
        e.anon = true;
        e.deferred_split = true;
        e.pae = s.pae;
        expect_folio(w, e);
        expect_no_violation(w);
}

// =====================================================================
// PMD-mapped order-9 folio (TTU_SPLIT_HUGE_PMD)
// =====================================================================

// The per-PTE reference takes the pre-K1 path for every PMD mapping (see
// reference/rmap.cc): split_huge_pmd_locked() turns the one PMD mapping into
// 512 PTE mappings (refcount +511, mapcount 1 each, entire 0), then each pte
// is discarded. NOTE: this is a deliberate design choice of the reference,
// not K1+ kernel behaviour: since v6.11 a clean lazyfree PMD is discarded
// whole by unmap_huge_pmd_locked() (section 8), leaving the PMD none and never
// queueing a deferred split. Slots (none), counters and refcount agree
// either way; the PMD kind and deferred split are the reference's.
TEST(RefPmd, LazyfreeSplitAndDiscarded)
{
        scenario s;
        s.type = folio_type::lazyfree;
        s.order = 9;
        vma_spec &v = add_vma(s, 0, 0x200000, 0x400000, 0x200000);
        v.pmd = true;
        fill_slots(v, 0, 512, slot_kind::present, PTE_YOUNG);
        s.ttu = reclaim_ttu(9); // includes TTU_SPLIT_HUGE_PMD
        world w;
        ASSERT_EQ(build_checked(s, w), 0);
        ASSERT_EQ(w.folio.refcount, 2); // isolation + 1 PMD mapping
        ASSERT_EQ(w.folio.entire_mapcount, 1);
        ASSERT_EQ(w.mms[0].rss_stat[MM_ANONPAGES], 512);

        result r = unmap(w, s.ttu);

        EXPECT_TRUE(r.ret);
        EXPECT_EQ(w.mms[0].pmd[1].kind, pmd_kind::table); // it was split
        expect_slots(w, 0, 0x200000, 0x400000, 0x200000, all_none(512));
        expect_mm(w, 0, 0, 512 - 512, 0, 0, false);
        expect_unused_mms(w, 1);
        folio_expect e;
        e.refcount = 1; // 2 + 511 (split) - 512 (puts)
        e.mapcount = repeat(512, 0);
        e.entire_mapcount = 0;
        e.anon = true;
        // After the split the folio is PTE-mapped; page 0's removal leaves
        // 511 mapped with no entire mapping: deferred split (section 7).
        e.deferred_split = true;
        expect_folio(w, e);
        expect_no_violation(w);
}

TEST(RefPmd, FileSplitAndUnmapped)
{
        scenario s;
        s.type = folio_type::file;
        s.order = 9;
        vma_spec &v = add_vma(s, 0, 0x200000, 0x400000, 0x200000);
        v.pmd = true;
        fill_slots(v, 0, 512, slot_kind::present, PTE_YOUNG);
        s.ttu = reclaim_ttu(9);
        world w;
        ASSERT_EQ(build_checked(s, w), 0);
        ASSERT_EQ(w.folio.refcount, 514); // 1 + 512 page cache + 1 PMD
        ASSERT_EQ(w.mms[0].rss_stat[MM_FILEPAGES], 512);

        result r = unmap(w, s.ttu);

        EXPECT_TRUE(r.ret);
        expect_slots(w, 0, 0x200000, 0x400000, 0x200000, all_none(512));
        expect_mm(w, 0, 512 - 512, 0, 0, 0, false);
        expect_unused_mms(w, 1);
        folio_expect e;
        e.refcount = 513; // 514 + 511 (split) - 512 (puts): isolation + cache
        e.mapcount = repeat(512, 0);
        expect_folio(w, e);
        expect_no_violation(w);
}

// Dirty lazyfree PMD: split (K0, v6.11-v6.14 behaviour, as the reference
// models it), then page 0's dirty pte redirties the folio: page 0 restored,
// swapbacked, abort. (K1+, section 8, would set swapbacked without splitting: PMD
// still huge, refcount 2, entire mapcount 1. Slots read the same.)
TEST(RefPmd, DirtyLazyfreeSplitThenRedirtyAbort)
{
        scenario s;
        s.type = folio_type::lazyfree;
        s.order = 9;
        vma_spec &v = add_vma(s, 0, 0x200000, 0x400000, 0x200000);
        v.pmd = true;
        fill_slots(v, 0, 512, slot_kind::present, PTE_DIRTY | PTE_YOUNG);
        s.ttu = reclaim_ttu(9);
        world w;
        ASSERT_EQ(build_checked(s, w), 0);

        result r = unmap(w, s.ttu);

        EXPECT_FALSE(r.ret);
        // Every slot reads present, dirty (the split copies the PMD's bits,
        // page 0's exact value is restored).
        expect_slots(w, 0, 0x200000, 0x400000, 0x200000, all_present(512, PTE_DIRTY | PTE_YOUNG));
        expect_mm(w, 0, 0, 512, 0, 0, false);
        expect_unused_mms(w, 1);
        folio_expect e;
        e.refcount = 2 + 511; // split only, nothing discarded
        e.mapcount = repeat(512, 1);
        e.entire_mapcount = 0;
        e.anon = true;
        e.dirty = true;
        e.swapbacked = true;
        expect_folio(w, e);
        expect_no_violation(w);
}

// Swap-backed anon PMD mapping, exclusive: the split hands the head page's
// PageAnonExclusive to all 512 subpages (RMAP_EXCLUSIVE), then each pte takes
// the swap branch: 512 exclusive swap ptes, one swap count each.
TEST(RefPmd, SwapbackedAnonSplitToSwapEntries)
{
        scenario s;
        s.type = folio_type::anon;
        s.order = 9;
        vma_spec &v = add_vma(s, 0, 0x200000, 0x400000, 0x200000);
        v.pmd = true;
        fill_slots(v, 0, 512, slot_kind::present, PTE_WRITE | PTE_DIRTY | PTE_YOUNG);
        for (int i = 0; i < 512; i++)
                s.pae.set(i);
        s.ttu = reclaim_ttu(9);
        world w;
        ASSERT_EQ(build_checked(s, w), 0);
        ASSERT_EQ(w.folio.refcount, 514); // 1 + 512 swap cache + 1 PMD

        result r = unmap(w, s.ttu);

        EXPECT_TRUE(r.ret);
        std::vector<pte_t> want;
        for (int i = 0; i < 512; i++)
                want.push_back(folio_swap_pte(i, PTE_SWP_EXCLUSIVE));
        expect_slots(w, 0, 0x200000, 0x400000, 0x200000, want);
        expect_mm(w, 0, 0, 512 - 512, 0 + 512, 0, true);
        expect_unused_mms(w, 1);
        folio_expect e;
        e.refcount = 514 + 511 - 512; // isolation + swap cache
        e.mapcount = repeat(512, 0);
        e.anon = e.swapbacked = e.swapcache = true;
        e.dirty = true;
        e.deferred_split = true;
        e.swap_count = repeat(512, 1);
        // PAE cleared on every page by folio_try_share_anon_rmap_pte().
        expect_folio(w, e);
        expect_no_violation(w);
}

// =====================================================================
// Multi-mm / multi-VMA
// =====================================================================

// A lazyfree order-2 folio shared by fork: mapped read-only in mm 0 and mm 1,
// mapcount 2 per page, PAE 0. Each page in each mm passes
// ref == 1 + mapcount because every mapping holds a reference.
TEST(RefMultiMm, ForkSharedLazyfreeDiscardedInBoth)
{
        scenario s;
        s.type = folio_type::lazyfree;
        s.order = 2;
        vma_spec &a = add_vma(s, 0, DEFAULT_VMA_START, DEFAULT_VMA_END, DEFAULT_FOLIO_ADDR);
        vma_spec &b = add_vma(s, 1, DEFAULT_VMA_START, DEFAULT_VMA_END, DEFAULT_FOLIO_ADDR);
        fill_slots(a, 0, 4, slot_kind::present, PTE_YOUNG);
        fill_slots(b, 0, 4, slot_kind::present, PTE_YOUNG);
        s.ttu = reclaim_ttu(2);
        world w;
        ASSERT_EQ(build_checked(s, w), 0);
        ASSERT_EQ(w.folio.refcount, 9); // isolation + 8 ptes
        ASSERT_EQ(w.folio.mapcount[0], 2);

        result r = unmap(w, s.ttu);

        EXPECT_TRUE(r.ret);
        for (int mm = 0; mm < 2; mm++) {
                expect_slots(w, mm, DEFAULT_VMA_START, DEFAULT_VMA_END, DEFAULT_FOLIO_ADDR,
                             all_none(4));
                expect_mm(w, mm, 0, 4 - 4, 0, 0, false);
        }
        expect_unused_mms(w, 2);
        folio_expect e;
        e.refcount = 1;
        e.mapcount = repeat(4, 0);
        e.anon = true;
        // In mm 0 no page loses its last mapping (2 -> 1); in mm 1 page 0
        // does while 1..3 stay mapped: queued then (section 7).
        e.deferred_split = true;
        expect_folio(w, e);
        EXPECT_EQ(w.nr_notifier, 2);
        expect_no_violation(w);
}

// The same, but page 2 is dirty in mm 0: the walk aborts in VMA 0 after
// discarding pages 0..1 there, and VMA 1 is never visited.
TEST(RefMultiMm, AbortInFirstVmaNeverTouchesSecond)
{
        scenario s;
        s.type = folio_type::lazyfree;
        s.order = 2;
        vma_spec &a = add_vma(s, 0, DEFAULT_VMA_START, DEFAULT_VMA_END, DEFAULT_FOLIO_ADDR);
        vma_spec &b = add_vma(s, 1, DEFAULT_VMA_START, DEFAULT_VMA_END, DEFAULT_FOLIO_ADDR);
        fill_slots(a, 0, 4, slot_kind::present, PTE_YOUNG);
        fill_slots(b, 0, 4, slot_kind::present, PTE_YOUNG);
        a.slot[2].bits = PTE_DIRTY | PTE_YOUNG;
        s.ttu = reclaim_ttu(2);
        world w;
        ASSERT_EQ(build_checked(s, w), 0);

        result r = unmap(w, s.ttu);

        EXPECT_FALSE(r.ret);
        expect_slots(
            w, 0, DEFAULT_VMA_START, DEFAULT_VMA_END, DEFAULT_FOLIO_ADDR,
            {none_pte(), none_pte(), folio_pte(2, PTE_DIRTY | PTE_YOUNG), folio_pte(3, PTE_YOUNG)});
        expect_slots(w, 1, DEFAULT_VMA_START, DEFAULT_VMA_END, DEFAULT_FOLIO_ADDR,
                     all_present(4, PTE_YOUNG));
        expect_mm(w, 0, 0, 4 - 2, 0, 0, false);
        expect_mm(w, 1, 0, 4, 0, 0, false);
        expect_unused_mms(w, 2);
        folio_expect e;
        e.refcount = 9 - 2;
        e.mapcount = {1, 1, 2, 2};
        e.anon = true;
        e.dirty = true;
        e.swapbacked = true;
        e.deferred_split = false; // no page lost its last mapping
        expect_folio(w, e);
        EXPECT_EQ(w.nr_notifier, 1); // only VMA 0 was visited
        expect_no_violation(w);
}

// A swap-cache order-0 page shared by fork: both mms get a non-exclusive swap
// pte for the same slot, whose count becomes 2; both go on the mmlist.
TEST(RefMultiMm, ForkSharedSwapEntryCountedTwice)
{
        scenario s;
        s.type = folio_type::anon;
        s.order = 0;
        vma_spec &a = add_vma(s, 0, DEFAULT_VMA_START, DEFAULT_VMA_END, DEFAULT_FOLIO_ADDR);
        vma_spec &b = add_vma(s, 1, DEFAULT_VMA_START, DEFAULT_VMA_END, DEFAULT_FOLIO_ADDR);
        a.slot[0] = slot_spec{slot_kind::present, PTE_YOUNG | PTE_SOFT_DIRTY};
        b.slot[0] = slot_spec{slot_kind::present, PTE_YOUNG};
        s.ttu = reclaim_ttu(0);
        world w;
        ASSERT_EQ(build_checked(s, w), 0);
        ASSERT_EQ(w.folio.refcount, 4); // isolation + swap cache + 2 ptes

        result r = unmap(w, s.ttu);

        EXPECT_TRUE(r.ret);
        expect_slots(w, 0, DEFAULT_VMA_START, DEFAULT_VMA_END, DEFAULT_FOLIO_ADDR,
                     {folio_swap_pte(0, PTE_SOFT_DIRTY)});
        expect_slots(w, 1, DEFAULT_VMA_START, DEFAULT_VMA_END, DEFAULT_FOLIO_ADDR,
                     {folio_swap_pte(0, 0)});
        expect_mm(w, 0, 0, 0, 1, 0, true);
        expect_mm(w, 1, 0, 0, 1, 0, true);
        expect_unused_mms(w, 2);
        folio_expect e;
        e.refcount = 2;
        e.mapcount = {0};
        e.anon = e.swapbacked = e.swapcache = true;
        e.swap_count = {2};
        expect_folio(w, e);
        expect_no_violation(w);
}

} // namespace
