// The extractor (kernel/extract/) on small kernel-style sources written here:
// what it cuts, what it leaves, where its #line directives point, and the
// one-line errors it gives for what it cannot cut.
#include <gtest/gtest.h>

#include <string>

#include "kernel/extract/extract.h"

namespace
{

kx::extract_result cut(const std::string &src, kx::extract_options opt = {})
{
        kx::extract_result r;
        std::string error;
        EXPECT_TRUE(kx::extract(src, opt, &r, &error)) << error;
        return r;
}

std::string cut_error(const std::string &src)
{
        kx::extract_result r;
        std::string error;
        EXPECT_FALSE(kx::extract(src, {}, &r, &error));
        return error;
}

bool has(const std::string &text, const std::string &what)
{
        return text.find(what) != std::string::npos;
}

const char *const basic = R"(#include <linux/mm.h>

static int unrelated(int x)
{
	return x + 1;
}

static inline int helper_b(int v)
{
	return v * 2;
}

static int helper_a(int v)
{
	return helper_b(v) + 1;
}

int exported_elsewhere(int v)
{
	return v;
}

static bool try_to_unmap_one(struct folio *folio, struct vm_area_struct *vma,
			     unsigned long address, void *arg)
{
	int n = helper_a(1) + exported_elsewhere(2);

	return n > 0;
}
)";

TEST(KernelExtract, TakesTheEntryAndTheStaticsItReachesTransitively)
{
        kx::extract_result r = cut(basic);
        ASSERT_EQ(r.items.size(), 3u);
        EXPECT_EQ(r.items[0].name, "helper_b");
        EXPECT_EQ(r.items[1].name, "helper_a");
        EXPECT_EQ(r.items[2].name, "try_to_unmap_one");
        EXPECT_FALSE(has(r.text, "unrelated"));
        // A non-static function of the file is the shim's to provide.
        EXPECT_FALSE(has(r.text, "return v;\n"));
        EXPECT_TRUE(has(r.text, "bool kshim_extracted_try_to_unmap_one("));
}

// Line N of the text, 1-based.
std::string line_of(const std::string &text, unsigned n)
{
        size_t at = 0;
        for (unsigned k = 1; k < n && at != std::string::npos; k++)
                at = text.find('\n', at) == std::string::npos ? std::string::npos
                                                              : text.find('\n', at) + 1;
        if (at == std::string::npos)
                return "<none>";
        return text.substr(at, text.find('\n', at) - at);
}

TEST(KernelExtract, EveryTakenLineStaysOnItsLineUnderTheFilesName)
{
        kx::extract_options opt;
        opt.line_path = "/src/linux/mm/rmap.c";
        kx::extract_result r = cut(basic, opt);
        EXPECT_EQ(r.items[2].first_line, 23u);
        EXPECT_EQ(r.items[2].last_line, 29u);
        // Line 1 (the file's #include here, a licence comment in the kernel)
        // names the file for the lines after it.
        EXPECT_EQ(line_of(r.text, 1).rfind("#line 2 \"/src/linux/mm/rmap.c\"", 0), 0u);
        std::string src = basic;
        for (const kx::extracted_item &it : r.items)
                for (unsigned n = it.first_line; n <= it.last_line; n++)
                        EXPECT_EQ(line_of(r.text, n), line_of(src, n)) << it.name << " line " << n;
        // What is not taken leaves empty lines: the next line numbers hold.
        for (unsigned n = 3; n <= 6; n++)
                EXPECT_EQ(line_of(r.text, n), "") << "unrelated() line " << n;
        EXPECT_EQ(line_of(r.text, 30), "#line 1 \"<unmapfuzz extract: entry wrapper>\"");
}

TEST(KernelExtract, AFileWhoseFirstLineIsTakenShiftsByOneLine)
{
        std::string src = "#define FIRST 1\nstatic bool try_to_unmap_one(struct folio *folio, "
                          "struct vm_area_struct *vma,\n\t\t\tunsigned long a, void *arg)\n{\n\t"
                          "return FIRST;\n}\n";
        kx::extract_result r = cut(src);
        EXPECT_EQ(line_of(r.text, 1).rfind("#line 1 \"mm/rmap.c\"", 0), 0u);
        EXPECT_EQ(line_of(r.text, 2), "#define FIRST 1");
}

TEST(KernelExtract, BracesInCommentsStringsAndCharactersDoNotCount)
{
        std::string src = R"(/* a } in a comment { */
static bool try_to_unmap_one(struct folio *folio, struct vm_area_struct *vma,
			     unsigned long address, void *arg)
{
	const char *s = "}}{";
	char c = '}';
	// } a line comment
	return s[0] == c; /* { */
}

static int after(void)
{
	return 0;
}
)";
        kx::extract_result r = cut(src);
        ASSERT_EQ(r.items.size(), 1u);
        EXPECT_EQ(r.items[0].last_line, 9u);
        EXPECT_FALSE(has(r.text, "after"));
}

TEST(KernelExtract, KeepsTheTopLevelIfdefsSoTheCompilerPicksTheDefinition)
{
        std::string src = R"(#include <linux/mm.h>
#ifdef CONFIG_FOO
static int pick(void)
{
	return 1;
}
#elif defined(CONFIG_BAR)
static int pick(void)
{
	return 2;
}
#else
static int pick(void)
{
	return 3;
}
#endif

static bool try_to_unmap_one(struct folio *folio, struct vm_area_struct *vma,
			     unsigned long address, void *arg)
{
	return pick();
}
)";
        kx::extract_result r = cut(src);
        ASSERT_EQ(r.items.size(), 4u);
        for (unsigned n = 2; n <= 23; n++)
                EXPECT_EQ(line_of(r.text, n), line_of(src, n)) << "line " << n;
}

TEST(KernelExtract, PullsMacrosTypesAndStaticObjectsTheCutNames)
{
        std::string src = R"(#define LIMIT(x) ((x) + EXTRA)
#define EXTRA 3
#define UNUSED_MACRO 4
struct walk_state {
	int n;
};
typedef unsigned long cookie_t;
static int counter;
static int other_counter;

static bool try_to_unmap_one(struct folio *folio, struct vm_area_struct *vma,
			     unsigned long address, void *arg)
{
	struct walk_state ws = { .n = LIMIT(1) };
	cookie_t c = counter;

	return ws.n + c;
}
)";
        kx::extract_result r = cut(src);
        EXPECT_TRUE(has(r.text, "#define LIMIT(x)"));
        EXPECT_TRUE(has(r.text, "#define EXTRA 3")) << "a macro a macro uses";
        EXPECT_FALSE(has(r.text, "UNUSED_MACRO"));
        EXPECT_TRUE(has(r.text, "struct walk_state {"));
        EXPECT_TRUE(has(r.text, "typedef unsigned long cookie_t;"));
        EXPECT_TRUE(has(r.text, "static int counter;"));
        EXPECT_FALSE(has(r.text, "other_counter"));
}

TEST(KernelExtract, LeavesTheSubstrateStaticsOutAndSaysSo)
{
        std::string src =
            R"(static bool should_defer_flush(struct mm_struct *mm, enum ttu_flags flags)
{
	return true;
}

static bool try_to_unmap_one(struct folio *folio, struct vm_area_struct *vma,
			     unsigned long address, void *arg)
{
	return should_defer_flush(vma->vm_mm, 0);
}
)";
        kx::extract_result r = cut(src);
        ASSERT_EQ(r.items.size(), 1u);
        EXPECT_FALSE(has(r.text, "return true;"));
        ASSERT_EQ(r.substrate.size(), 1u);
        EXPECT_EQ(r.substrate[0], "should_defer_flush");
}

// Trees before the ptep_get() conversion (6.5) read the walk's entry with a
// direct dereference; the shim's pte_t * cannot be dereferenced, so the cut
// reads it through ptep_get(), on the same line, and says where. A product,
// a write through the pointer and another member are left alone.
TEST(KernelExtract, ADirectReadOfTheWalksEntryIsCutAsPtepGet)
{
        std::string src = R"(// SPDX line
static bool try_to_unmap_one(struct folio *folio, struct vm_area_struct *vma,
			     unsigned long address, void *arg)
{
	unsigned long pfn = pte_pfn(*pvmw.pte);
	flush_cache_page(vma, address, pte_pfn(*pvmw->pte));
	long n = scale * pvmw.pte;
	*pvmw.pte = pteval;
	pfn += *pvmw.pmd;
	return pfn;
}
)";
        kx::extract_result r = cut(src);
        EXPECT_TRUE(has(r.text, "\tunsigned long pfn = pte_pfn(ptep_get(pvmw.pte));\n"));
        EXPECT_TRUE(has(r.text, "pte_pfn(ptep_get(pvmw->pte)));\n"));
        EXPECT_TRUE(has(r.text, "long n = scale * pvmw.pte;"));
        EXPECT_TRUE(has(r.text, "\t*pvmw.pte = pteval;"));
        EXPECT_TRUE(has(r.text, "pfn += *pvmw.pmd;"));
        EXPECT_EQ(r.ptep_get_reads, (std::vector<unsigned>{5, 6}));
        // Still on their own lines: line 5 of the file is line 5 of the cut.
        size_t line5 = 0;
        for (int l = 1; l < 5; l++)
                line5 = r.text.find('\n', line5) + 1;
        EXPECT_EQ(r.text.compare(line5, 30, "\tunsigned long pfn = pte_pfn(p"), 0);
}

TEST(KernelExtract, MemberNamesAreNotReferences)
{
        std::string src = R"(static int address(void)
{
	return 0;
}

static bool try_to_unmap_one(struct folio *folio, struct vm_area_struct *vma,
			     unsigned long addr, void *arg)
{
	struct page_vma_mapped_walk *pvmw = arg;

	return pvmw->address > 0;
}
)";
        kx::extract_result r = cut(src);
        ASSERT_EQ(r.items.size(), 1u);
        EXPECT_EQ(r.items[0].name, "try_to_unmap_one");
}

TEST(KernelExtract, AttributesBeforeTheNameAreNotTheName)
{
        std::string src = R"(static __attribute__((unused)) int helper(void)
{
	return 0;
}

static bool try_to_unmap_one(struct folio *folio, struct vm_area_struct *vma,
			     unsigned long address, void *arg)
{
	return helper();
}
)";
        kx::extract_result r = cut(src);
        ASSERT_EQ(r.items.size(), 2u);
        EXPECT_EQ(r.items[0].name, "helper");
}

TEST(KernelExtract, ErrorsNameTheLine)
{
        EXPECT_EQ(cut_error("static int f(void)\n{\n\treturn 0;\n"), "2: unbalanced '{'");
        EXPECT_EQ(cut_error("int x;\n/* never closed\n"), "2: unterminated comment");
        EXPECT_EQ(cut_error("static int f(void)\n{\n\treturn 0;\n}\n"),
                  "0: no definition of try_to_unmap_one()");
        EXPECT_EQ(cut_error("#ifdef X\nstatic int f(void)\n{\n\treturn 0;\n}\n"),
                  "5: unterminated #if");
}

} // namespace
