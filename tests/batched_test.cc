// The batched implementation (batched/rmap.cc) on hand-built worlds: how
// batches form (docs/semantics.md 5) and what each batched branch leaves behind
// (sections 4.1, 6.2, 8, 9, 10). Every expected number is derived by hand from
// that document and commented; none is computed by running the reference.
//
// Batches are observed through w.clear_log: every get_and_clear_full_ptes()
// call is one record {mm, addr, nr}. batches() prints them as "mM:pP+N"
// (mm M, first folio page P, N slots), so "m0:p0+8 m0:p8+8" reads "two
// batches of 8 in mm 0, from page 0 and from page 8".
#include <gtest/gtest.h>

#include <cstdio>
#include <functional>
#include <string>

#include "batched/rmap.h"
#include "mm/tlb.h"
#include "scenario/scenario.h"
#include "scenario/world_builder.h"
#include "scenario/world_view.h"
#include "tests/test_util.h"

using namespace uf;
using namespace uf::test;

namespace
{

// Builds the scenario (asserting it is valid as written), optionally pokes
// the built world, runs batched::try_to_unmap() and then the deferred flush
// vmscan would run before freeing.
struct run {
        scenario s;
        world before, w;
        bool ret = false;

        explicit run(const scenario &sc, const std::function<void(world &)> &poke = {}) : s(sc)
        {
                EXPECT_EQ(build_checked(s, before), 0) << "hand-built scenario needed sanitizing";
                if (poke)
                        poke(before);
                w = before;
                ret = batched::try_to_unmap(&w.folio, s.ttu);
                try_to_unmap_flush(w);
        }

        pte_t at(int page, int mm = 0, unsigned long folio_addr = DEFAULT_FOLIO_ADDR) const
        {
                return slot(w, mm, page_addr(page, folio_addr));
        }
        long rss(int counter, int mm = 0) const { return w.mms[mm].rss_stat[counter]; }
};

#define EXPECT_NO_VIOLATION(r) EXPECT_EQ((r).w.violations, 0u) << (r).w.violation_detail

// Every folio page's slot in [first, last) of mm 0 is none.
void expect_none(const run &r, int first, int last, unsigned long folio_addr = DEFAULT_FOLIO_ADDR)
{
        for (int i = first; i < last; i++)
                EXPECT_PTE(r.at(i, 0, folio_addr), none_pte()) << "page " << i;
}

// Every page in [first, last) has mapcount `n`.
void expect_mapcount(const run &r, int first, int last, int n)
{
        for (int i = first; i < last; i++)
                EXPECT_EQ(r.w.folio.mapcount[i], n) << "page " << i;
}

// =====================================================================
// 1. Batch formation (section 5): where a batch stops, seen in w.clear_log.
// =====================================================================

// A 16-page folio whose page 0 sits 8 pages below a PMD boundary (mremap of
// an mTHP to a non-aligned address): max_nr = pmd_addr_end() bounds the
// first batch at the table edge, the walk re-descends and batches the rest.
TEST(BatchFormation, StopsAtPmdBoundary)
{
        scenario s;
        s.type = folio_type::lazyfree;
        s.order = 4;
        s.ttu = reclaim_ttu(4);
        // VMA [0x200000, 0x600000) spans PMDs 1 and 2; page 8 is at 0x400000.
        const unsigned long folio_addr = 0x400000 - 8 * PAGE_SIZE;
        vma_spec &v = add_vma(s, 0, 0x200000, 0x600000, folio_addr);
        fill_slots(v, 0, 16, slot_kind::present, PTE_YOUNG);
        run r(s);

        EXPECT_NO_VIOLATION(r);
        // Pages 0-7 in PMD 1's table, pages 8-15 in PMD 2's.
        EXPECT_EQ(batches(r.w, folio_addr), "m0:p0+8 m0:p8+8");
        for (int i = 0; i < 16; i++)
                EXPECT_PTE(r.at(i, 0, folio_addr), none_pte()) << "page " << i;
        EXPECT_TRUE(r.ret);
        EXPECT_EQ(r.rss(MM_ANONPAGES), 0); // 16 mapped pages - 8 - 8
        EXPECT_EQ(r.w.folio.refcount, 1);  // isolation ref only: 1 + 16 mappings - 16
        EXPECT_EQ(r.w.folio.large_mapcount, 0);
        // After the first batch 8 of 16 pages stayed mapped: a partial batch
        // followed by more batches still queues the folio (section 7).
        EXPECT_TRUE(r.w.folio.partially_mapped);
}

// MADV_DONTFORK / mlock of half a folio splits the VMA with identical pte
// bits on both sides: each try_to_unmap_one() call bounds its batch by vm_end.
TEST(BatchFormation, StopsAtVmaEnd)
{
        scenario s;
        s.type = folio_type::lazyfree;
        s.order = 4;
        s.ttu = reclaim_ttu(4);
        // Both VMAs put folio page 0 at 0x200000; the split is at page 8.
        fill_slots(add_vma(s, 0, 0x200000, 0x208000, 0x200000), 0, 8, slot_kind::present,
                   PTE_YOUNG);
        fill_slots(add_vma(s, 0, 0x208000, 0x210000, 0x200000), 8, 16, slot_kind::present,
                   PTE_YOUNG);
        run r(s);

        EXPECT_NO_VIOLATION(r);
        EXPECT_EQ(batches(r.w), "m0:p0+8 m0:p8+8");
        // One notifier range per VMA visit, each inside its VMA:
        // VMA 0: [0x200000, vma_address_end = 0x210000 clamped to vm_end 0x208000);
        // VMA 1: [vm_start 0x208000, 0x208000 + 8 pages).
        ASSERT_EQ(r.w.nr_notifier, 2);
        EXPECT_EQ(r.w.notifier_log[0], (notifier_range{0, 0x200000, 0x208000}));
        EXPECT_EQ(r.w.notifier_log[1], (notifier_range{0, 0x208000, 0x210000}));
        expect_none(r, 0, 16);
        EXPECT_TRUE(r.ret);
        EXPECT_EQ(r.rss(MM_ANONPAGES), 0); // 16 - 8 - 8
        EXPECT_EQ(r.w.folio.refcount, 1);  // 1 + 16 - 16
}

// The VMA is larger than the folio and the physically next page (another
// folio's, pfn FOLIO_PFN + 16) is mapped right after it with identical bits:
// folio_pte_batch_flags() caps max_nr at the folio's last pfn, so the batch
// is exactly 16 and the neighbour's slot is never cleared.
TEST(BatchFormation, StopsAtFolioEnd)
{
        scenario s = lazyfree(4);
        s.ttu = reclaim_ttu(4);
        const pte_t neighbour = pfn_pte(FOLIO_PFN + 16, PTE_YOUNG);
        run r(s, [&](world &w) {
                int t = w.mms[0].pmd[page_addr(16) >> PMD_SHIFT].table;
                w.tables[t][pte_index(page_addr(16))] = neighbour;
        });

        EXPECT_NO_VIOLATION(r);
        EXPECT_EQ(batches(r.w), "m0:p0+16");
        expect_none(r, 0, 16);
        EXPECT_PTE(r.at(16), neighbour); // untouched
        EXPECT_TRUE(r.ret);
        EXPECT_EQ(r.rss(MM_ANONPAGES), 0); // 16 - 16
        EXPECT_EQ(r.w.folio.refcount, 1);  // 1 + 16 - 16
}

// K3+ FPB_RESPECT_WRITE: slots 0-7 writable, 8-15 read-only -> two batches,
// so a restore could never copy slot 0's write bit onto slots 8-15 (B4).
TEST(BatchFormation, SplitsOnWriteMismatch)
{
        scenario s = lazyfree(4);
        s.ttu = reclaim_ttu(4);
        for (int i = 0; i < 8; i++) {
                s.vmas[0].slot[i].bits |= PTE_WRITE;
                s.pae.set(i); // a writable anon page must be exclusive
        }
        run r(s);

        EXPECT_NO_VIOLATION(r);
        EXPECT_EQ(batches(r.w), "m0:p0+8 m0:p8+8");
        expect_none(r, 0, 16);
        EXPECT_TRUE(r.ret);
        EXPECT_EQ(r.rss(MM_ANONPAGES), 0); // 16 - 8 - 8
        EXPECT_EQ(r.w.folio.refcount, 1);  // 1 + 16 - 16
}

// FPB_RESPECT_SOFT_DIRTY: soft-dirty on pages 0-3 only -> 4 + 12 (file folio).
TEST(BatchFormation, SplitsOnSoftDirtyMismatch)
{
        scenario s = file_folio(4);
        s.ttu = reclaim_ttu(4);
        for (int i = 0; i < 4; i++)
                s.vmas[0].slot[i].bits |= PTE_SOFT_DIRTY;
        run r(s);

        EXPECT_NO_VIOLATION(r);
        EXPECT_EQ(batches(r.w), "m0:p0+4 m0:p4+12");
        expect_none(r, 0, 16);
        EXPECT_TRUE(r.ret);
        EXPECT_EQ(r.rss(MM_FILEPAGES), 0); // 16 - 4 - 12
        EXPECT_EQ(r.w.folio.refcount, 17); // 1 isolation + 16 page cache; mappings gone
        EXPECT_FALSE(r.w.folio.dirty);     // no slot was dirty
}

// uffd-wp is never ignored by the batch: pages 0-9 write-protected, 10-15
// not, in a uffd-wp file VMA -> 10 + 6, markers exactly on pages 0-9.
TEST(BatchFormation, SplitsOnUffdWpMismatch)
{
        scenario s = one_vma(folio_type::file, 4, slot_kind::present, PTE_YOUNG, VM_UFFD_WP);
        s.ttu = reclaim_ttu(4);
        for (int i = 0; i < 10; i++)
                s.vmas[0].slot[i].bits |= PTE_UFFD_WP;
        run r(s);

        EXPECT_NO_VIOLATION(r);
        EXPECT_EQ(batches(r.w), "m0:p0+10 m0:p10+6");
        for (int i = 0; i < 10; i++)
                EXPECT_PTE(r.at(i), uffd_wp_marker()) << "page " << i;
        expect_none(r, 10, 16);
        EXPECT_TRUE(r.ret);
        EXPECT_EQ(r.rss(MM_FILEPAGES), 0); // 16 - 10 - 6
        EXPECT_EQ(r.w.folio.refcount, 17); // 1 + 16 page cache
}

// protnone (NUMA hinting) is part of pte_same(): pages 0-5 protnone -> 6 + 10.
// Since the whole batch shares slot 0's protnone, the deferred flush of the
// accessible batch covers its slots and nothing stays cached.
TEST(BatchFormation, SplitsOnProtnoneMismatch)
{
        scenario s = lazyfree(4);
        s.ttu = reclaim_ttu(4);
        for (int i = 0; i < 6; i++)
                s.vmas[0].slot[i].bits |= PTE_PROTNONE;
        run r(s);

        EXPECT_NO_VIOLATION(r);
        EXPECT_EQ(batches(r.w), "m0:p0+6 m0:p6+10");
        expect_none(r, 0, 16);
        for (int i = 0; i < 16; i++) {
                const tlb_entry *e = tlb_at(r.w, 0, page_addr(i));
                ASSERT_NE(e, nullptr);
                EXPECT_EQ(e->cached, 0) << "page " << i << " still cached after the flush";
        }
        EXPECT_TRUE(r.ret);
        EXPECT_EQ(r.rss(MM_ANONPAGES), 0); // 16 - 6 - 10
        EXPECT_EQ(r.w.folio.refcount, 1);  // 1 + 16 - 16
}

// Slot 8 maps a page of another folio: pfn != previous + 1 ends the batch;
// the walk skips slot 8 (check_pte fails) and batches pages 9-15.
TEST(BatchFormation, StopsAtPfnGap)
{
        scenario s = lazyfree(4);
        s.ttu = reclaim_ttu(4);
        s.vmas[0].slot[8] = slot_spec{slot_kind::foreign, PTE_YOUNG};
        run r(s);

        EXPECT_NO_VIOLATION(r);
        EXPECT_EQ(batches(r.w), "m0:p0+8 m0:p9+7");
        expect_none(r, 0, 8);
        // The builder maps foreign page (vma 0, folio page 8) at FOREIGN_PFN + 0 * 512 + 8.
        EXPECT_PTE(r.at(8), pfn_pte(FOREIGN_PFN + 8, PTE_YOUNG));
        expect_none(r, 9, 16);
        EXPECT_TRUE(r.ret);
        EXPECT_EQ(r.rss(MM_ANONPAGES), 0); // 15 folio pages mapped (not 8) - 8 - 7
        EXPECT_EQ(r.w.folio.refcount, 1);  // 1 + 15 - 15
        EXPECT_EQ(r.w.folio.mapcount[8], 0);
}

// CVE-2026-63950's shape: VM_DROPPABLE lazyfree folio, pages 0-14 present,
// page 15 device-exclusive. The batch stops at the non-present entry (15
// slots); the next iteration reaches page 15 through the walk, clears it
// with pte_clear() (no get_and_clear record) and must use nr_pages = 1. A
// stale nr_pages = 15 would remove rmap of pages 15..29 (page_out_of_folio)
// and subtract 15 more from MM_ANONPAGES.
TEST(BatchFormation, DeviceExclusiveEndsBatchAndIsClearedAlone)
{
        scenario s = one_vma(folio_type::lazyfree, 4, slot_kind::present, PTE_YOUNG, VM_DROPPABLE);
        s.ttu = reclaim_ttu(4);
        s.vmas[0].slot[15] = slot_spec{slot_kind::device_exclusive, 0};
        s.pae.set(15); // make_device_exclusive() converts an exclusive page's only mapping
        run r(s);

        EXPECT_NO_VIOLATION(r);
        EXPECT_EQ(batches(r.w), "m0:p0+15"); // the device entry is not a get_and_clear batch
        expect_none(r, 0, 16);
        EXPECT_TRUE(r.ret);
        EXPECT_EQ(r.rss(MM_ANONPAGES), 0); // 16 (device entry counts as a mapping) - 15 - 1
        EXPECT_EQ(r.w.folio.refcount, 1);  // back to base: 1 + 16 - 15 - 1
        expect_mapcount(r, 0, 16, 0);
        EXPECT_EQ(r.w.folio.large_mapcount, 0);
}

// Pages 0-3 not mapped: the walk returns page 4 first and the batch starts
// there (K2+ batches need not start at page 0): one batch of 12.
TEST(BatchFormation, StartsMidFolio)
{
        scenario s = lazyfree(4);
        s.ttu = reclaim_ttu(4);
        fill_slots(s.vmas[0], 0, 4, slot_kind::none, 0);
        run r(s);

        EXPECT_NO_VIOLATION(r);
        EXPECT_EQ(batches(r.w), "m0:p4+12");
        expect_none(r, 0, 16);
        EXPECT_TRUE(r.ret);                // 12 != 16, so no walk_done: the walk just runs out
        EXPECT_EQ(r.rss(MM_ANONPAGES), 0); // 12 - 12
        EXPECT_EQ(r.w.folio.refcount, 1);  // 1 + 12 - 12
        // The batch removed every remaining mapping at once: never partially mapped.
        EXPECT_FALSE(r.w.folio.partially_mapped);
}

// TTU_HWPOISON: folio_unmap_pte_batch() returns 1 for every slot; the
// poisoned page 1 gets a hwpoison entry, the others are discarded. No caller
// passes TTU_HWPOISON with a large folio (memory_failure() splits it first),
// so no scenario can say this: the world is built without the flag and the
// flag passed here, to keep the check itself covered.
TEST(BatchFormation, HwpoisonIsPerPte)
{
        scenario s = lazyfree(2);
        s.hwpoison.set(1);
        s.ttu = reclaim_ttu(2);
        run r(s, [](world &) {});
        world w = r.before;
        EXPECT_TRUE(batched::try_to_unmap(&w.folio, TTU_HWPOISON | TTU_IGNORE_MLOCK | TTU_SYNC));
        try_to_unmap_flush(w);

        EXPECT_EQ(w.violations, 0u) << w.violation_detail;
        EXPECT_EQ(batches(w), "m0:p0+1 m0:p1+1 m0:p2+1 m0:p3+1");
        EXPECT_PTE(slot(w, 0, page_addr(0)), none_pte());
        EXPECT_PTE(slot(w, 0, page_addr(1)), folio_hwpoison_pte(1));
        for (int i = 2; i < 4; i++)
                EXPECT_PTE(slot(w, 0, page_addr(i)), none_pte()) << "page " << i;
        EXPECT_EQ(w.mms[0].rss_stat[MM_ANONPAGES], 0); // 4 - 3 discards - 1 hwpoison
        EXPECT_EQ(w.folio.refcount, 1);                // 1 + 4 - 4
        for (int i = 0; i < 4; i++)
                EXPECT_EQ(w.folio.mapcount[i], 0) << "page " << i;
}

// An order-0 folio is never batched (nr = 1).
TEST(BatchFormation, OrderZeroIsOneSlot)
{
        scenario s = file_folio(0);
        s.ttu = reclaim_ttu(0);
        run r(s);

        EXPECT_NO_VIOLATION(r);
        EXPECT_EQ(batches(r.w), "m0:p0+1");
        EXPECT_PTE(r.at(0), none_pte());
        EXPECT_TRUE(r.ret);
        EXPECT_EQ(r.rss(MM_FILEPAGES), 0); // 1 - 1
        EXPECT_EQ(r.w.folio.refcount, 2);  // 1 isolation + 1 page cache
}

// pte_unused (s390 guest hint) on the first slot: nr = 1 although the four
// slots are identical and folio_pte_batch_flags() alone would take all four.
TEST(BatchFormation, PteUnusedIsOneSlot)
{
        scenario s = lazyfree(2, PTE_YOUNG | PTE_UNUSED);
        s.arch = ARCH_S390; // pte_unused() is s390's
        s.ttu = reclaim_ttu(2);
        run r(s);

        EXPECT_NO_VIOLATION(r);
        EXPECT_EQ(batches(r.w), "m0:p0+1 m0:p1+1 m0:p2+1 m0:p3+1");
        expect_none(r, 0, 4);
        EXPECT_TRUE(r.ret);
        EXPECT_EQ(r.rss(MM_ANONPAGES), 0); // 4 x dec_mm_counter(mm_counter(folio))
        EXPECT_EQ(r.w.folio.refcount, 1);  // 1 + 4 - 4
}

// sparc64 ADI (__HAVE_ARCH_UNMAP_ONE): swap-backed anon stays per PTE (section 9,
// "disable the sparc64-anon-swapbacked case").
TEST(BatchFormation, SwapbackedAnonIsPerPteOnSparc)
{
        scenario s = anon_swapcache(2);
        s.arch = ARCH_SPARC_ADI;
        s.ttu = reclaim_ttu(2);
        run r(s);

        EXPECT_NO_VIOLATION(r);
        EXPECT_EQ(batches(r.w), "m0:p0+1 m0:p1+1 m0:p2+1 m0:p3+1");
        for (int i = 0; i < 4; i++) {
                EXPECT_PTE(r.at(i), folio_swap_pte(i, 0)) << "page " << i; // not exclusive
                EXPECT_EQ(r.w.swap_count[i], 1) << "page " << i;
        }
        EXPECT_TRUE(r.ret);
        EXPECT_EQ(r.rss(MM_ANONPAGES), 0); // 4 - 4
        EXPECT_EQ(r.rss(MM_SWAPENTS), 4);  // 0 + 4
        EXPECT_EQ(r.w.folio.refcount, 5);  // 1 isolation + 4 swap cache; mappings gone
        EXPECT_TRUE(r.w.mms[0].on_mmlist);
}

// The same folio on a generic arch: one batch of 4 (K6), same end state.
TEST(BatchFormation, SwapbackedAnonBatchesOnGenericArch)
{
        scenario s = anon_swapcache(2);
        s.ttu = reclaim_ttu(2);
        run r(s);

        EXPECT_NO_VIOLATION(r);
        EXPECT_EQ(batches(r.w), "m0:p0+4");
        for (int i = 0; i < 4; i++) {
                EXPECT_PTE(r.at(i), folio_swap_pte(i, 0)) << "page " << i;
                EXPECT_EQ(r.w.swap_count[i], 1) << "page " << i;
        }
        EXPECT_TRUE(r.ret);
        EXPECT_EQ(r.rss(MM_ANONPAGES), 0); // 4 - 4
        EXPECT_EQ(r.rss(MM_SWAPENTS), 4);  // 0 + 4
        EXPECT_EQ(r.w.folio.refcount, 5);  // 1 + 4 swap cache
}

// =====================================================================
// 2. The batched branches (section 4.1) and their end states.
// =====================================================================

// Clean lazyfree folio: one batch of 16, discarded whole, walk_done. Removing
// every mapping in one call never makes it partially mapped (sections 7, 10.1).
TEST(BatchedBranch, LazyfreeWholeFolioDiscard)
{
        scenario s = lazyfree(4);
        s.ttu = reclaim_ttu(4);
        run r(s);

        EXPECT_NO_VIOLATION(r);
        EXPECT_EQ(batches(r.w), "m0:p0+16");
        expect_none(r, 0, 16);
        EXPECT_TRUE(r.ret);
        EXPECT_EQ(r.rss(MM_ANONPAGES), 0); // 16 - 16
        EXPECT_EQ(r.w.folio.refcount, 1);  // 1 + 16 - 16
        expect_mapcount(r, 0, 16, 0);
        EXPECT_EQ(r.w.folio.large_mapcount, 0);
        EXPECT_FALSE(r.w.folio.partially_mapped);
        EXPECT_FALSE(r.w.folio.on_deferred_split);
        EXPECT_EQ(r.w.folio.split_deferred, 0);
        EXPECT_FALSE(r.w.folio.swapbacked);
        EXPECT_FALSE(r.w.folio.dirty);
}

// Slot 3 of 16 dirty: the OR-ed pteval marks the folio dirty, the whole
// batch is restored with set_ptes() (section 6.2): every slot keeps write and
// soft-dirty (equal across the batch by K3+ construction) and gains the
// OR-ed dirty (slot 3) and young (slot 7); swapbacked is set (section 4.1).
TEST(BatchedBranch, LazyfreeRedirtyRestoresWholeBatch)
{
        scenario s = lazyfree(4, PTE_WRITE | PTE_SOFT_DIRTY);
        for (int i = 0; i < 16; i++)
                s.pae.set(i); // writable anon pages are exclusive
        s.vmas[0].slot[3].bits |= PTE_DIRTY;
        s.vmas[0].slot[7].bits |= PTE_YOUNG;
        s.ttu = reclaim_ttu(4);
        run r(s);

        EXPECT_NO_VIOLATION(r);
        EXPECT_EQ(batches(r.w), "m0:p0+16"); // dirty and young never split a batch
        for (int i = 0; i < 16; i++)
                EXPECT_PTE(r.at(i),
                           folio_pte(i, PTE_WRITE | PTE_SOFT_DIRTY | PTE_DIRTY | PTE_YOUNG))
                    << "page " << i;
        EXPECT_FALSE(r.ret);
        EXPECT_TRUE(r.w.folio.swapbacked);
        EXPECT_TRUE(r.w.folio.dirty);
        EXPECT_EQ(r.rss(MM_ANONPAGES), 16); // nothing discarded
        EXPECT_EQ(r.w.folio.refcount, 17);  // 1 + 16, unchanged
        expect_mapcount(r, 0, 16, 1);
        EXPECT_EQ(r.w.folio.large_mapcount, 16);
        EXPECT_FALSE(r.w.folio.partially_mapped);
}

// Slots 0-7 writable, 8-15 read-only, slot 10 dirty: the clean first batch is
// discarded, the second is redirtied and restored *read-only* - slot 0's
// write bit can never reach slots 8-15 (the B4 permission upgrade).
TEST(BatchedBranch, LazyfreeRedirtyOfSecondBatchKeepsItsOwnWriteBit)
{
        scenario s = lazyfree(4, 0);
        for (int i = 0; i < 8; i++) {
                s.vmas[0].slot[i].bits |= PTE_WRITE;
                s.pae.set(i);
        }
        s.vmas[0].slot[10].bits |= PTE_DIRTY;
        s.ttu = reclaim_ttu(4);
        run r(s);

        EXPECT_NO_VIOLATION(r);
        EXPECT_EQ(batches(r.w), "m0:p0+8 m0:p8+8");
        expect_none(r, 0, 8);
        for (int i = 8; i < 16; i++)
                EXPECT_PTE(r.at(i), folio_pte(i, PTE_DIRTY)) << "page " << i;
        EXPECT_FALSE(r.ret);
        EXPECT_TRUE(r.w.folio.swapbacked);
        EXPECT_EQ(r.rss(MM_ANONPAGES), 8); // 16 - 8 (first batch only)
        EXPECT_EQ(r.w.folio.refcount, 9);  // 1 + 16 - 8
        expect_mapcount(r, 0, 8, 0);
        expect_mapcount(r, 8, 16, 1);
        EXPECT_TRUE(r.w.folio.partially_mapped); // first batch left 8 pages mapped
}

// An extra reference (GUP, speculative get): ref 18 != 1 + 16 -> whole batch
// restored (young of slot 5 OR-ed onto all 16), swapbacked untouched (K1+).
TEST(BatchedBranch, LazyfreeExtraRefAbortKeepsSwapbacked)
{
        scenario s = lazyfree(4, 0);
        s.vmas[0].slot[5].bits |= PTE_YOUNG;
        s.extra_refs = 1;
        s.ttu = reclaim_ttu(4);
        run r(s);

        EXPECT_NO_VIOLATION(r);
        EXPECT_EQ(batches(r.w), "m0:p0+16");
        for (int i = 0; i < 16; i++)
                EXPECT_PTE(r.at(i), folio_pte(i, PTE_YOUNG)) << "page " << i;
        EXPECT_FALSE(r.ret);
        EXPECT_FALSE(r.w.folio.swapbacked);
        EXPECT_FALSE(r.w.folio.dirty);
        EXPECT_EQ(r.rss(MM_ANONPAGES), 16); // nothing discarded
        EXPECT_EQ(r.w.folio.refcount, 18);  // 1 isolation + 1 extra + 16 mappings
        expect_mapcount(r, 0, 16, 1);
}

// File folio, slot 2 dirty: one batch, MM_FILEPAGES -= 16, folio dirty.
TEST(BatchedBranch, FileBatchPropagatesDirty)
{
        scenario s = file_folio(4);
        s.vmas[0].slot[2].bits |= PTE_DIRTY;
        s.ttu = reclaim_ttu(4);
        run r(s);

        EXPECT_NO_VIOLATION(r);
        EXPECT_EQ(batches(r.w), "m0:p0+16");
        expect_none(r, 0, 16);
        EXPECT_TRUE(r.ret);
        EXPECT_TRUE(r.w.folio.dirty);
        EXPECT_EQ(r.rss(MM_FILEPAGES), 0); // 16 - 16
        EXPECT_EQ(r.w.folio.refcount, 17); // 1 isolation + 16 page cache
        expect_mapcount(r, 0, 16, 0);
        EXPECT_FALSE(r.w.folio.on_deferred_split); // file folios are never queued
}

// Shmem folio, all clean: MM_SHMEMPAGES -= 8 (mm_counter_file of a
// swapbacked file folio), MM_FILEPAGES untouched, folio stays clean.
TEST(BatchedBranch, ShmemBatchCountsShmemPages)
{
        scenario s = shmem_folio(3);
        s.ttu = reclaim_ttu(3);
        run r(s);

        EXPECT_NO_VIOLATION(r);
        EXPECT_EQ(batches(r.w), "m0:p0+8");
        expect_none(r, 0, 8);
        EXPECT_TRUE(r.ret);
        EXPECT_FALSE(r.w.folio.dirty);
        EXPECT_EQ(r.rss(MM_SHMEMPAGES), 0); // 8 - 8
        EXPECT_EQ(r.rss(MM_FILEPAGES), 0);  // never counted there
        EXPECT_EQ(r.w.folio.refcount, 9);   // 1 isolation + 8 page cache
}

// A uffd-wp file VMA, every slot write-protected: one batch of 8 and a
// PTE_MARKER_UFFD_WP on every slot (K5 cond_install_uffd_wp_ptes(nr); the
// K0..K4 single-slot helper would leave slots 1-7 none, B6).
TEST(BatchedBranch, FileUffdWpMarkerOnEverySlot)
{
        scenario s =
            one_vma(folio_type::file, 3, slot_kind::present, PTE_YOUNG | PTE_UFFD_WP, VM_UFFD_WP);
        s.ttu = reclaim_ttu(3);
        run r(s);

        EXPECT_NO_VIOLATION(r);
        EXPECT_EQ(batches(r.w), "m0:p0+8");
        for (int i = 0; i < 8; i++)
                EXPECT_PTE(r.at(i), uffd_wp_marker()) << "page " << i;
        EXPECT_TRUE(r.ret);
        EXPECT_EQ(r.rss(MM_FILEPAGES), 0); // 8 - 8
        EXPECT_EQ(r.w.folio.refcount, 9);  // 1 + 8 page cache
        expect_mapcount(r, 0, 8, 0);
}

// Swap-backed anon, PAE {1,1,0,0}: one batch, two sub-batches (section 9). Swap
// ptes name FOLIO_SWAP + i, carry exclusive = PAE before unmap and the
// soft-dirty of the batch; PAE is cleared; counts move by 4.
TEST(BatchedBranch, AnonSubBatchesByExclusivity)
{
        scenario s = anon_swapcache(2, PTE_YOUNG | PTE_SOFT_DIRTY);
        s.pae = page_bits({1, 1, 0, 0});
        s.ttu = reclaim_ttu(2);
        run r(s);

        EXPECT_NO_VIOLATION(r);
        EXPECT_EQ(batches(r.w), "m0:p0+4"); // PAE does not split a batch, only sub-batches
        EXPECT_PTE(r.at(0), folio_swap_pte(0, PTE_SWP_EXCLUSIVE | PTE_SOFT_DIRTY));
        EXPECT_PTE(r.at(1), folio_swap_pte(1, PTE_SWP_EXCLUSIVE | PTE_SOFT_DIRTY));
        EXPECT_PTE(r.at(2), folio_swap_pte(2, PTE_SOFT_DIRTY));
        EXPECT_PTE(r.at(3), folio_swap_pte(3, PTE_SOFT_DIRTY));
        for (int i = 0; i < 4; i++) {
                EXPECT_FALSE(r.w.folio.anon_exclusive.test(i)) << "page " << i;
                EXPECT_EQ(r.w.swap_count[i], 1) << "page " << i; // 0 + 1
        }
        EXPECT_TRUE(r.ret);
        EXPECT_EQ(r.rss(MM_ANONPAGES), 0); // 4 - 4
        EXPECT_EQ(r.rss(MM_SWAPENTS), 4);  // 0 + 4
        EXPECT_EQ(r.w.folio.refcount, 5);  // 1 + 4 swap cache + 4 mappings - 4
        expect_mapcount(r, 0, 4, 0);
        EXPECT_TRUE(r.w.mms[0].on_mmlist);
}

// swapbacked != swapcache (anon folio never given swap, B10): the batch is
// cleared, then the anon state check gives up. The K5 rule (newest, per
// docs/design.md 4) restores all 4 slots with set_ptes(); K0..K4 left them none.
TEST(BatchedBranch, AnonNotInSwapcacheRestoresBatch)
{
        scenario s = one_vma(folio_type::anon_nocache, 2, slot_kind::present, PTE_YOUNG);
        s.vmas[0].slot[1].bits |= PTE_DIRTY;
        s.ttu = reclaim_ttu(2);
        run r(s);

        EXPECT_NO_VIOLATION(r);
        EXPECT_EQ(batches(r.w), "m0:p0+4");
        for (int i = 0; i < 4; i++) // slot 1's dirty OR-ed onto all 4 (section 6.2)
                EXPECT_PTE(r.at(i), folio_pte(i, PTE_YOUNG | PTE_DIRTY)) << "page " << i;
        EXPECT_FALSE(r.ret);
        EXPECT_TRUE(r.w.folio.dirty);      // folio_mark_dirty() ran before the check
        EXPECT_EQ(r.rss(MM_ANONPAGES), 4); // untouched
        EXPECT_EQ(r.rss(MM_SWAPENTS), 0);
        EXPECT_EQ(r.w.folio.refcount, 5); // 1 isolation + 4 mappings; no swap cache refs
        expect_mapcount(r, 0, 4, 1);
        for (int i = 0; i < 4; i++)
                EXPECT_EQ(r.w.swap_count[i], 0) << "page " << i;
}

// B14's trigger: a maybe-pinned folio with PAE {0,0,1,1}. The shared
// sub-batch 0-1 converts (no try-share for non-exclusive pages); the
// exclusive sub-batch 2-3 fails folio_try_share_anon_rmap_ptes() (-EBUSY),
// its swap counts are put back, slots 2-3 restored, the prefix accounted.
TEST(BatchedBranch, AnonPinnedSecondSubBatchRestored)
{
        scenario s = anon_swapcache(2);
        s.pae = page_bits({0, 0, 1, 1});
        s.folio_flags = FOLIO_PINNED;
        s.ttu = reclaim_ttu(2);
        run r(s);

        EXPECT_NO_VIOLATION(r);
        EXPECT_EQ(batches(r.w), "m0:p0+4");
        EXPECT_PTE(r.at(0), folio_swap_pte(0, 0));
        EXPECT_PTE(r.at(1), folio_swap_pte(1, 0));
        EXPECT_PTE(r.at(2), folio_pte(2, PTE_YOUNG));
        EXPECT_PTE(r.at(3), folio_pte(3, PTE_YOUNG));
        EXPECT_FALSE(r.ret);
        EXPECT_EQ(r.rss(MM_ANONPAGES), 2); // 4 - 2
        EXPECT_EQ(r.rss(MM_SWAPENTS), 2);  // 0 + 2
        EXPECT_EQ(r.w.folio.refcount, 8);  // 1 + 4 swap cache + 1 pin + 4 mappings - 2
        EXPECT_EQ(r.w.swap_count[0], 1);
        EXPECT_EQ(r.w.swap_count[1], 1);
        EXPECT_EQ(r.w.swap_count[2], 0); // raised, then put back
        EXPECT_EQ(r.w.swap_count[3], 0);
        expect_mapcount(r, 0, 2, 0);
        expect_mapcount(r, 2, 4, 1);
        EXPECT_EQ(r.w.folio.large_mapcount, 2);
        EXPECT_EQ(r.w.folio.anon_exclusive, page_bits({0, 0, 1, 1})); // unchanged
        EXPECT_TRUE(r.w.folio.partially_mapped);
}

// B13: a batch that starts at page 4 of an order-3 folio with PAE
// {0,0,0,0,1,1,1,1}. The sub-batch runs are counted from the batch's first
// page (4), so pages 4-7 form one exclusive sub-batch; counting from the
// folio head would read pages 0-3's PAE and split wrongly.
TEST(BatchedBranch, AnonBatchFromPage4UsesItsOwnExclusivity)
{
        scenario s = anon_swapcache(3);
        fill_slots(s.vmas[0], 0, 4, slot_kind::none, 0);
        s.pae = page_bits({0, 0, 0, 0, 1, 1, 1, 1});
        s.ttu = reclaim_ttu(3);
        run r(s);

        EXPECT_NO_VIOLATION(r);
        EXPECT_EQ(batches(r.w), "m0:p4+4");
        expect_none(r, 0, 4);
        for (int i = 4; i < 8; i++) {
                EXPECT_PTE(r.at(i), folio_swap_pte(i, PTE_SWP_EXCLUSIVE)) << "page " << i;
                EXPECT_FALSE(r.w.folio.anon_exclusive.test(i)) << "page " << i;
                EXPECT_EQ(r.w.swap_count[i], 1) << "page " << i;
        }
        for (int i = 0; i < 4; i++)
                EXPECT_EQ(r.w.swap_count[i], 0) << "page " << i;
        EXPECT_TRUE(r.ret);
        EXPECT_EQ(r.rss(MM_ANONPAGES), 0); // 4 - 4
        EXPECT_EQ(r.rss(MM_SWAPENTS), 4);  // 0 + 4
        EXPECT_EQ(r.w.folio.refcount, 9);  // 1 + 8 swap cache + 4 mappings - 4
}

// B13, the run-length half: the batch starting at page 4 must count its
// sub-batch runs from page 4 too. VMA 0 (mm 0) maps the whole folio's range
// but only pages 4-7, VMA 1 (mm 1) maps pages 0-3; both start at the folio's
// first page, so their vm_pgoff is equal and the walk takes them in listing
// order: VMA 0 first, while pages 0-3 are still exclusive. PAE
// {1,1,1,1,1,0,0,0}: correct runs from page 4 are [4] exclusive + [5,6,7]
// shared. Runs read from the folio head (PAE of pages 1..3 = 1) would
// wrongly merge 4-7 into one exclusive sub-batch.
TEST(BatchedBranch, AnonSubBatchRunsCountedFromBatchStart)
{
        scenario s;
        s.type = folio_type::anon;
        s.order = 3;
        s.nr_mms = 2;
        s.ttu = reclaim_ttu(3);
        fill_slots(add_vma(s, 0, 0x200000, 0x208000, 0x200000), 4, 8, slot_kind::present,
                   PTE_YOUNG);
        fill_slots(add_vma(s, 1, 0x200000, 0x204000, 0x200000), 0, 4, slot_kind::present,
                   PTE_YOUNG);
        s.pae = page_bits({1, 1, 1, 1, 1, 0, 0, 0});
        run r(s);

        EXPECT_NO_VIOLATION(r);
        EXPECT_EQ(batches(r.w), "m0:p4+4 m1:p0+4"); // walk order: pages 4-7 first
        for (int i = 0; i < 4; i++)
                EXPECT_PTE(r.at(i, 1), folio_swap_pte(i, PTE_SWP_EXCLUSIVE)) << "page " << i;
        EXPECT_PTE(r.at(4), folio_swap_pte(4, PTE_SWP_EXCLUSIVE));
        for (int i = 5; i < 8; i++)
                EXPECT_PTE(r.at(i), folio_swap_pte(i, 0)) << "page " << i;
        for (int i = 0; i < 8; i++) {
                EXPECT_FALSE(r.w.folio.anon_exclusive.test(i)) << "page " << i;
                EXPECT_EQ(r.w.swap_count[i], 1) << "page " << i; // 0 + 1
        }
        EXPECT_TRUE(r.ret);
        for (int m = 0; m < 2; m++) {
                EXPECT_EQ(r.rss(MM_ANONPAGES, m), 0) << "mm " << m; // 4 - 4
                EXPECT_EQ(r.rss(MM_SWAPENTS, m), 4) << "mm " << m;  // 0 + 4
        }
        EXPECT_EQ(r.w.folio.refcount, 9); // 1 + 8 swap cache + 8 mappings - 8
}

// A PMD-mapped order-9 lazyfree folio in a PMD-aligned VMA: PMD-level
// builders shared by the next three tests.
scenario pmd_folio(folio_type type, uint8_t bits)
{
        scenario s;
        s.type = type;
        s.order = HPAGE_PMD_ORDER;
        s.ttu = reclaim_ttu(HPAGE_PMD_ORDER); // includes TTU_SPLIT_HUGE_PMD
        vma_spec &v = add_vma(s, 0, 0x200000, 0x400000, 0x200000);
        v.pmd = true;
        fill_slots(v, 0, 512, slot_kind::present, bits);
        return s;
}

// section 8 (K1+): a clean PMD-mapped lazyfree folio is discarded at PMD level
// without a split, even with TTU_SPLIT_HUGE_PMD: no PTE table is used and
// no PTE batch is cleared.
TEST(BatchedBranch, PmdLazyfreeDiscardedWithoutSplit)
{
        run r(pmd_folio(folio_type::lazyfree, PTE_YOUNG));

        EXPECT_NO_VIOLATION(r);
        const pmd_t &pmd = r.w.mms[0].pmd[1];
        EXPECT_EQ(pmd.kind, pmd_kind::none);
        EXPECT_EQ(pmd.deposit, 0xff); // zap_deposited_table()
        EXPECT_EQ(r.w.nr_clears, 0);  // no get_and_clear_full_ptes(): no split
        EXPECT_TRUE(r.ret);
        EXPECT_EQ(r.rss(MM_ANONPAGES), 0); // 512 - HPAGE_PMD_NR
        EXPECT_EQ(r.w.folio.refcount, 1);  // 1 isolation + 1 PMD mapping - 1
        EXPECT_EQ(r.w.folio.entire_mapcount, 0);
        EXPECT_EQ(r.w.folio.large_mapcount, 0);
        expect_mapcount(r, 0, 512, 0); // never PTE-mapped
        EXPECT_FALSE(r.w.folio.swapbacked);
        EXPECT_FALSE(r.w.folio.partially_mapped);
}

// section 8: a dirty PMD makes the folio dirty before the clear; it becomes
// swapbacked and stays PMD-mapped; walk_abort.
TEST(BatchedBranch, PmdLazyfreeDirtyAborts)
{
        run r(pmd_folio(folio_type::lazyfree, PTE_YOUNG | PTE_DIRTY));

        EXPECT_NO_VIOLATION(r);
        const pmd_t &pmd = r.w.mms[0].pmd[1];
        EXPECT_EQ(pmd.kind, pmd_kind::huge);
        EXPECT_PTE(pmd.huge, folio_pte(0, PTE_YOUNG | PTE_DIRTY));
        EXPECT_EQ(r.w.nr_clears, 0);
        EXPECT_FALSE(r.ret);
        EXPECT_TRUE(r.w.folio.swapbacked);
        EXPECT_TRUE(r.w.folio.dirty);
        EXPECT_EQ(r.rss(MM_ANONPAGES), 512); // nothing discarded
        EXPECT_EQ(r.w.folio.refcount, 2);    // 1 + 1 PMD mapping
        EXPECT_EQ(r.w.folio.entire_mapcount, 1);
        EXPECT_EQ(r.w.folio.large_mapcount, 1);
}

// A PMD-mapped file folio is split (TTU_SPLIT_HUGE_PMD) into the deposited
// table, then the 512 PTEs go in one batch bounded by pmd_addr_end().
TEST(BatchedBranch, PmdFileSplitThenOneBatch)
{
        run r(pmd_folio(folio_type::file, PTE_YOUNG));

        EXPECT_NO_VIOLATION(r);
        EXPECT_EQ(r.w.mms[0].pmd[1].kind, pmd_kind::table);
        EXPECT_EQ(batches(r.w), "m0:p0+512");
        expect_none(r, 0, 512);
        EXPECT_TRUE(r.ret);
        EXPECT_EQ(r.rss(MM_FILEPAGES), 0); // 512 - 512
        // 1 isolation + 512 page cache + 1 PMD mapping; the split turns the PMD
        // ref into 512 PTE refs (+511); the batch puts 512: 1 + 512.
        EXPECT_EQ(r.w.folio.refcount, 513);
        EXPECT_EQ(r.w.folio.entire_mapcount, 0);
        EXPECT_EQ(r.w.folio.large_mapcount, 0);
        expect_mapcount(r, 0, 512, 0);
}

// walk_done only when a batch covered the whole folio: two partial batches
// (soft-dirty split at page 4) in one VMA are both processed.
TEST(BatchedBranch, TwoPartialBatchesInOneVmaBothProcessed)
{
        scenario s = lazyfree(3);
        for (int i = 0; i < 4; i++)
                s.vmas[0].slot[i].bits |= PTE_SOFT_DIRTY;
        s.ttu = reclaim_ttu(3);
        run r(s);

        EXPECT_NO_VIOLATION(r);
        EXPECT_EQ(batches(r.w), "m0:p0+4 m0:p4+4");
        ASSERT_EQ(r.w.nr_notifier, 1); // one try_to_unmap_one() call did both
        expect_none(r, 0, 8);
        EXPECT_TRUE(r.ret);
        EXPECT_EQ(r.rss(MM_ANONPAGES), 0); // 8 - 4 - 4
        EXPECT_EQ(r.w.folio.refcount, 1);  // 1 + 8 - 8
        EXPECT_TRUE(r.w.folio.partially_mapped);
}

// Fork-shared clean lazyfree folio (mm 0 and mm 1): each VMA visit batches
// the whole folio and passes the check, ref == 1 + mapcount counting every
// mapping (section 4.1 notes): mm 0 sees 17 == 1 + 16, mm 1 sees 9 == 1 + 8.
TEST(BatchedBranch, SharedLazyfreeDiscardedInEachMm)
{
        scenario s;
        s.type = folio_type::lazyfree;
        s.order = 3;
        s.ttu = reclaim_ttu(3);
        fill_slots(add_vma(s, 0, 0x200000, 0x240000, 0x200000), 0, 8, slot_kind::present,
                   PTE_YOUNG);
        fill_slots(add_vma(s, 1, 0x200000, 0x240000, 0x200000), 0, 8, slot_kind::present,
                   PTE_YOUNG);
        run r(s);

        EXPECT_NO_VIOLATION(r);
        EXPECT_EQ(batches(r.w), "m0:p0+8 m1:p0+8");
        expect_none(r, 0, 8);
        for (int i = 0; i < 8; i++)
                EXPECT_PTE(r.at(i, 1), none_pte()) << "mm 1 page " << i;
        EXPECT_TRUE(r.ret);
        EXPECT_EQ(r.rss(MM_ANONPAGES, 0), 0); // 8 - 8
        EXPECT_EQ(r.rss(MM_ANONPAGES, 1), 0); // 8 - 8
        EXPECT_EQ(r.w.folio.refcount, 1);     // 1 + 16 - 16
        // No page lost its last mapping while others stayed mapped.
        EXPECT_FALSE(r.w.folio.partially_mapped);
}

} // namespace
