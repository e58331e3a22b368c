// The shim and the bridge (kernel/) under kernel-style C written for the
// tests (shim_probe.c stands in for a cut): kernel pointers decode exactly
// and the substrate checks them, WARN and BUG behave as in the kernel, a
// direct dereference fails loudly, and the version-dependent signatures map
// onto the substrate's primitives.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "kernel/kshim_abi.h"
#include "kernel/rmap.h"
#include "mm/pte_ops.h"
#include "mm/tlb.h"
#include "oracle/program.h"
#include "scenario/scenario.h"
#include "scenario/scenario_text.h"
#include "scenario/world_builder.h"

extern "C" {
extern int probe_mode, probe_calls, probe_nr, probe_any_writable, probe_list_was_empty;
extern kshim_pte probe_pte;
}

namespace
{

enum {
        PROBE_WALK,
        PROBE_PAGE_PAST_FOLIO,
        PROBE_PTE_PAST_TABLE,
        PROBE_PTE_ARITH,
        PROBE_WARN,
        PROBE_BUG,
        PROBE_DEREF,
        PROBE_MMLIST,
        PROBE_HUGETLB,
        PROBE_FPB_9,
        PROBE_SWAP_DUP,
        PROBE_DUP_SWAP_PAGES,
        PROBE_DUP_SWAP_FOLIO,
        PROBE_PAE_SUB_BATCH,
        PROBE_NEXT_SWP,
        PROBE_UFFD_NAMES,
};

// Order-2 folio at the end of a PTE table (slot 508..511), writable pages 0-1
// and read-only 2-3 (a fork's CoW half); a second VMA in a second mm maps it
// too. Swap-backed anon, so it has swap slots.
const char *const four_pages = R"(unmapfuzz-scenario v1
folio anon order=2
pae 0-1
mms 2
vma 0 mm=0 start=0x3f0000 end=0x400000 folio=0x3fc000
pte vma=0 pages=0-1 present write
pte vma=0 pages=2-3 present
vma 1 mm=1 start=0x3f0000 end=0x400000 folio=0x3fc000
pte vma=1 pages=2-3 present
)";

struct probe_run {
        uf::world w;
        bool ret = false;
};

void run(int mode, probe_run *r, const char *text = four_pages)
{
        uf::scenario s;
        uf::parse_error err;
        ASSERT_TRUE(uf::parse_scenario(text, "probe.scn", &s, &err)) << err.what();
        uf::build_world(s, r->w, uf::program().rules);
        probe_mode = mode;
        probe_calls = 0;
        r->ret = uf::kernel::try_to_unmap(&r->w.folio, uf::TTU_BATCH_FLUSH);
}

// The line of shim_probe.c that holds `text`: where a WARN or BUG must say it fired.
unsigned probe_line(const std::string &text)
{
        std::ifstream in(std::string(UNMAPFUZZ_SOURCE_DIR) + "/tests/kernel/shim_probe.c");
        std::string line;
        for (unsigned n = 1; std::getline(in, line); n++)
                if (line.find(text) != std::string::npos)
                        return n;
        return 0;
}

uf::pte_t slot(const uf::world &w, unsigned long addr)
{
        int t = w.table_index(&w.mms[0], addr >> uf::PMD_SHIFT);
        return uf::pte_peek(w, t, static_cast<long>(uf::pte_index(addr)));
}

TEST(KernelShim, AWalkOverEveryVmaCallsTheCutOncePerVma)
{
        probe_run r;
        run(PROBE_WALK, &r);
        EXPECT_TRUE(r.ret);
        EXPECT_EQ(probe_calls, 2);
        EXPECT_EQ(r.w.violations, 0u);
        EXPECT_EQ(r.w.nr_notifier, 2);
}

TEST(KernelShim, APagePastTheFolioIsReportedNotRead)
{
        probe_run r;
        run(PROBE_PAGE_PAST_FOLIO, &r);
        EXPECT_TRUE(r.w.has(uf::mm_violation::page_out_of_folio));
        EXPECT_NE(std::string(r.w.violation_detail).find("page 4 of a 4-page folio"),
                  std::string::npos)
            << r.w.violation_detail;
}

TEST(KernelShim, ASlotPastThePteTableIsReported)
{
        probe_run r;
        run(PROBE_PTE_PAST_TABLE, &r);
        EXPECT_TRUE(r.w.has(uf::mm_violation::table_bounds)) << r.w.violation_detail;
        EXPECT_EQ(probe_pte.kind, KSHIM_PTE_NONE);
}

TEST(KernelShim, PtePointerArithmeticIsCsAndWritesLandOnTheSlot)
{
        probe_run r;
        run(PROBE_PTE_ARITH, &r);
        EXPECT_EQ(r.w.violations, 0u) << r.w.violation_detail;
        EXPECT_EQ(probe_pte.kind, KSHIM_PTE_PRESENT);
        EXPECT_EQ(probe_pte.val, uf::FOLIO_PFN + 2) << "the last call: mm 1, first mapped page 2";
        // mm 0: page 1 (0x3fd000) gained dirty through pvmw.pte + 1.
        EXPECT_TRUE(uf::pte_dirty(slot(r.w, 0x3fd000)));
        EXPECT_FALSE(uf::pte_dirty(slot(r.w, 0x3fc000)));
}

TEST(KernelShim, AWarnIsRecordedWithTheKernelsFileAndLineAndTheCallGoesOn)
{
        probe_run r;
        run(PROBE_WARN, &r);
        EXPECT_EQ(r.w.kernel.warns, 1u) << "the rmap walk stopped after the first VMA";
        EXPECT_EQ(r.w.kernel.bugs, 0u);
        EXPECT_STREQ(r.w.kernel.file, "kernel/shim_probe.c");
        EXPECT_EQ(r.w.kernel.line, probe_line("if (WARN_ON_ONCE(folio_test_anon(folio)))"));
        EXPECT_STREQ(r.w.kernel.cond, "WARN_ON_ONCE(folio_test_anon(folio))");
        EXPECT_STREQ(r.w.kernel.func, "kshim_extracted_try_to_unmap_one");
        EXPECT_FALSE(r.ret);
        // The call went on to its end: the notifier range was closed.
        EXPECT_EQ(r.w.cur_vma, nullptr);
}

TEST(KernelShim, ABugStopsTheCallAndTheWalk)
{
        probe_run r;
        run(PROBE_BUG, &r);
        EXPECT_FALSE(r.ret);
        EXPECT_EQ(r.w.kernel.bugs, 1u);
        EXPECT_TRUE(r.w.kernel.first_is_bug);
        EXPECT_EQ(r.w.kernel.line, probe_line("BUG_ON(folio_test_anon(folio));"));
        EXPECT_EQ(probe_calls, 1) << "an oops kills the reclaiming task: no second VMA";
        EXPECT_EQ(r.w.cur_vma, nullptr);
}

TEST(KernelShim, ADirectDereferenceOfAPtePointerFaults)
{
        GTEST_FLAG_SET(death_test_style, "threadsafe");
        probe_run r;
        EXPECT_DEATH(run(PROBE_DEREF, &r), "SEGV|Segmentation");
}

TEST(KernelShim, TheMmlistIdiomRunsAsWritten)
{
        probe_run r;
        run(PROBE_MMLIST, &r);
        EXPECT_TRUE(r.w.mms[0].on_mmlist);
        EXPECT_TRUE(r.w.mms[1].on_mmlist);
        // Already on the list: the second run's list is not empty.
        probe_calls = 0;
        probe_mode = PROBE_MMLIST;
        uf::kernel::try_to_unmap(&r.w.folio, 0);
        EXPECT_FALSE(probe_list_was_empty);
}

TEST(KernelShim, AHugetlbHelperIsABugNamingIt)
{
        probe_run r;
        run(PROBE_HUGETLB, &r);
        EXPECT_EQ(r.w.kernel.bugs, 1u);
        EXPECT_STREQ(r.w.kernel.cond, "hugetlb path reached");
        EXPECT_STREQ(r.w.kernel.func, "hstate_vma");
}

TEST(KernelShim, TheNineArgumentFolioPteBatchIgnoresWriteAndReportsIt)
{
        // Four clean present pages, 0-1 writable: v6.13-v6.16 batch all of
        // them (write always ignored) and say one was writable.
        probe_run r;
        run(PROBE_FPB_9, &r, R"(unmapfuzz-scenario v1
folio lazyfree order=2
pae 0-3
vma 0 mm=0 start=0x200000 end=0x210000 folio=0x200000
pte vma=0 pages=0-1 present write
pte vma=0 pages=2-3 present
)");
        EXPECT_EQ(probe_nr, 4);
        EXPECT_TRUE(probe_any_writable);
}

TEST(KernelShim, SwapDuplicateByEntryRaisesThatPagesSwapCount)
{
        probe_run r;
        run(PROBE_SWAP_DUP, &r);
        EXPECT_EQ(probe_nr, 0);
        EXPECT_EQ(r.w.swap_count[1], 2) << "once per mm";
        EXPECT_EQ(r.w.swap_count[0], 0);
}

// The anon-batching series' folio_dup_swap_pages(): each page's count raised,
// once per mm; folio_put_swap_pages() drops one page's again.
TEST(KernelShim, FolioDupSwapPagesRaisesEachPagesCount)
{
        probe_run r;
        run(PROBE_DUP_SWAP_PAGES, &r);
        EXPECT_EQ(probe_nr, 0);
        EXPECT_EQ(r.w.swap_count[0], 0);
        EXPECT_EQ(r.w.swap_count[1], 2);
        EXPECT_EQ(r.w.swap_count[2], 0) << "raised twice, put twice";
        EXPECT_EQ(r.w.swap_count[3], 2);
}

// The per-page fault point applies to each page of the batch, and a failure
// leaves no count raised (the cluster code rolls back what it raised).
TEST(KernelShim, FolioDupSwapPagesFailsAtAnyPageAndRollsBack)
{
        probe_run r;
        run(PROBE_DUP_SWAP_PAGES, &r, R"(unmapfuzz-scenario v1
folio anon order=2
pae 0-1
vma 0 mm=0 start=0x3f0000 end=0x400000 folio=0x3fc000
pte vma=0 pages=0-1 present write
pte vma=0 pages=2-3 present
event dup_swap_fail page=3
)");
        EXPECT_LT(probe_nr, 0);
        for (int p = 0; p < 4; p++)
                EXPECT_EQ(r.w.swap_count[p], 0) << "page " << p;
}

TEST(KernelShim, FolioDupSwapOfNoPageRaisesTheWholeFolio)
{
        probe_run r;
        run(PROBE_DUP_SWAP_FOLIO, &r);
        EXPECT_EQ(probe_nr, 0);
        for (int p = 0; p < 4; p++)
                EXPECT_EQ(r.w.swap_count[p], 2) << "page " << p;
}

TEST(KernelShim, AnonExclusiveSubBatchStopsAtTheFirstPageThatDiffers)
{
        probe_run r;
        run(PROBE_PAE_SUB_BATCH, &r);
        EXPECT_EQ(probe_nr, 2) << "pae 0-1";
}

TEST(KernelShim, NextSwapOffsetKeepsTheSoftwareBits)
{
        probe_run r;
        run(PROBE_NEXT_SWP, &r);
        EXPECT_EQ(probe_nr, 1) << "page 2's slot";
        EXPECT_TRUE(probe_pte.bits & KSHIM_PTE_SWP_EXCLUSIVE);
}

TEST(KernelShim, TheUffdNamesOf73AndIsDefined)
{
        probe_run r;
        run(PROBE_UFFD_NAMES, &r);
        EXPECT_EQ(probe_nr, 1);
}

} // namespace
