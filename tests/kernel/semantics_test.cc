// The semantics level of a release and of a cut whose code is newer than its
// Makefile (oracle/semantics.h). The cuts are written here, in the shape of
// the code each level recognises; no kernel source.
#include <gtest/gtest.h>

#include <string>

#include "oracle/semantics.h"

namespace uf
{
namespace
{

TEST(Semantics, ReleasesHaveTheirLevels)
{
        EXPECT_EQ(semantics_for_version(6, 1), semantics_level::K0);
        EXPECT_EQ(semantics_for_version(6, 12), semantics_level::K0);
        EXPECT_EQ(semantics_for_version(6, 18), semantics_level::K2c);
        EXPECT_EQ(semantics_for_version(7, 0), semantics_level::K3);
        EXPECT_EQ(semantics_for_version(7, 1), semantics_level::K4);
        EXPECT_EQ(semantics_for_version(7, 2), semantics_level::K4);
        EXPECT_EQ(semantics_for_version(7, 3), semantics_level::K5);
        EXPECT_EQ(semantics_for_version(8, 0), semantics_level::K5);
}

// VM_DROPPABLE came in 6.11, inside K0: a 6.1 kernel has no droppable VMA,
// so its reference treats one as ordinary; 6.12's honours it.
TEST(Semantics, AKernelBeforeVmDroppableHasNoDroppableVma)
{
        EXPECT_FALSE(rules_for_version(semantics_level::K0, "6.1.176").vm_droppable);
        EXPECT_FALSE(rules_for_version(semantics_level::K0, "6.10").vm_droppable);
        EXPECT_TRUE(rules_for_version(semantics_level::K0, "6.11.0").vm_droppable);
        EXPECT_TRUE(rules_for_version(semantics_level::K0, "6.12.118").vm_droppable);
        EXPECT_TRUE(rules_for_version(semantics_level::K4, "7.2.13").vm_droppable);
        EXPECT_TRUE(rules_for_version(semantics_level::K0, "") == rules_for(semantics_level::K0));
        std::string why;
        EXPECT_EQ(semantics_for_cut("", 6, 1, &why), semantics_level::K0);
        EXPECT_NE(why.find("no VM_DROPPABLE"), std::string::npos) << why;
        EXPECT_EQ(semantics_for_cut("", 6, 12, &why), semantics_level::K0);
        EXPECT_EQ(why.find("VM_DROPPABLE"), std::string::npos) << why;
}

TEST(Semantics, RulesOfTheNewLevels)
{
        // 7.3 restores the PTE after the swap-backed-outside-swap-cache WARN; 7.2 does not.
        EXPECT_FALSE(rules_for(semantics_level::K4).nocache_restores);
        EXPECT_TRUE(rules_for(semantics_level::K5).nocache_restores);
        EXPECT_TRUE(rules_for(semantics_level::K6) == rules_for(semantics_level::K5));
        semantics_level l;
        ASSERT_TRUE(parse_semantics("K6", &l));
        EXPECT_EQ(l, semantics_level::K6);
        EXPECT_STREQ(semantics_name(semantics_level::K6), "K6");
        EXPECT_FALSE(parse_semantics("K7", &l));
}

// A 7.1-shaped batch helper: swap-backed anon still refused.
const char *const refuses_anon = R"(
static unsigned int folio_unmap_pte_batch(struct folio *folio, struct page_vma_mapped_walk *pvmw,
		enum ttu_flags flags, pte_t pte)
{
	if (folio_test_anon(folio) && folio_test_swapbacked(folio))
		return 1;
	return folio_pte_batch_flags(folio, pvmw->vma, pvmw->pte, &pte, 16, 0);
}
static bool try_to_unmap_one(struct folio *folio)
{
	nr_pages = folio_unmap_pte_batch(folio, &pvmw, flags, pteval);
	if (folio_dup_swap(folio, page) < 0)
		return false;
}
)";

// The anon-batching shape: no refusal, swap counts raised for a sub-batch.
const char *const batches_anon = R"(
static unsigned int folio_unmap_pte_batch(struct folio *folio, struct page_vma_mapped_walk *pvmw,
		enum ttu_flags flags, pte_t pte)
{
	if (__is_defined(__HAVE_ARCH_UNMAP_ONE) && folio_test_anon(folio))
		return 1;
	return folio_pte_batch_flags(folio, pvmw->vma, pvmw->pte, &pte, 16, 0);
}
static bool try_to_unmap_one(struct folio *folio)
{
	len = page_anon_exclusive_batch(i, nr_pages, page, exclusive);
	if (folio_dup_swap_pages(folio, page + i, len) < 0)
		return false;
}
)";

const char *const caller_restores = R"(
static bool try_to_unmap_one(struct folio *folio)
{
	if (!ttu_anon_folio(vma, folio, page, address, pvmw.pte, pteval, nr_pages)) {
		set_ptes(mm, address, pvmw.pte, pteval, nr_pages);
		goto walk_abort;
	}
}
)";

TEST(Semantics, CutOfItsReleaseKeepsTheMakefilesLevel)
{
        std::string why;
        EXPECT_EQ(semantics_for_cut(refuses_anon, 7, 1, &why), semantics_level::K4);
        EXPECT_NE(why.find("the Makefile's 7.1"), std::string::npos) << why;
}

TEST(Semantics, AnonBatchingOnAnOlderBaseIsK6)
{
        std::string why;
        EXPECT_EQ(semantics_for_cut(batches_anon, 7, 1, &why), semantics_level::K6);
        EXPECT_NE(why.find("the Makefile says 7.1"), std::string::npos) << why;
        EXPECT_NE(why.find("batches swap-backed anon"), std::string::npos) << why;
        EXPECT_NE(why.find("folio_dup_swap_pages()"), std::string::npos) << why;
        // A mention that is not a call (a longer name) does not count.
        EXPECT_EQ(semantics_for_cut("x = my_folio_dup_swap_pages(a);", 7, 1, &why),
                  semantics_level::K4);
}

TEST(Semantics, CallerRestoreOnA72MakefileIsK5)
{
        std::string why;
        EXPECT_EQ(semantics_for_cut(caller_restores, 7, 2, &why), semantics_level::K5);
        EXPECT_NE(why.find("ttu_anon_folio()"), std::string::npos) << why;
        // Never an older level than the Makefile's.
        EXPECT_EQ(semantics_for_cut(caller_restores, 7, 3, &why), semantics_level::K5);
        EXPECT_EQ(semantics_for_cut(refuses_anon, 7, 3, &why), semantics_level::K5);
}

} // namespace
} // namespace uf
