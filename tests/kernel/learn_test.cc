// The learner (kernel/extract/learn.h) on small shims and kernel-style
// headers written here: what it takes from a tree's headers, what it leaves
// as a primitive and the reason it gives, and the header it writes.
#include <gtest/gtest.h>

#include <string>

#include "kernel/extract/learn.h"

namespace
{

// A shim in miniature: a bridge into the model, a primitive reaching it, a
// pure helper, a stub, a type and an enum.
const char *const shim_h = R"(struct folio;
typedef struct { unsigned long val; } pte_t;
enum ttu_flags { TTU_SYNC = 1, TTU_BATCH_FLUSH = 2 };
enum { __KSHIM_KIND_A, __KSHIM_KIND_B };
#define PAGE_SIZE 4096UL
#define IS_ENABLED(option) __kshim_is_defined(option)
#define __kshim_is_defined(x) 0
static inline bool pte_none(pte_t pte)
{
	return __kshim_pte_bits(pte) == 0;
}
static inline unsigned long __kshim_pte_bits(pte_t pte)
{
	return 0;
}
static inline void folio_put_refs(struct folio *folio, int refs)
{
	kshim_folio_put_refs(refs);
}
#define folio_put(f) folio_put_refs(f, 1)
)";
const char *const stubs_h = R"(#define spin_lock(lock) ((void)(lock))
#define WARN_ON(c) (c)
)";
const char *const bridge_h = R"(#ifdef __cplusplus
extern "C" {
#endif
enum kshim_pte_kind { KSHIM_PTE_NONE, KSHIM_PTE_SWAP };
void kshim_folio_put_refs(int nr);
extern unsigned int kshim_line;
#ifdef __cplusplus
}
#endif
)";

struct run {
        kx::learn_result r;
        const kx::learn_verdict *verdict(const std::string &name) const
        {
                for (const kx::learn_verdict &v : r.verdicts)
                        if (v.name == name)
                                return &v;
                return nullptr;
        }
};

run learn(const std::string &internal_h, const std::vector<std::string> &names,
          const std::string &other = "")
{
        kx::learn_input in;
        in.shim.push_back({"shim/dup.h", shim_h});
        in.stubs.push_back({"shim/stubs.h", stubs_h});
        in.bridge.push_back({"kshim_abi.h", bridge_h});
        in.headers.push_back({"T/mm/internal.h", internal_h});
        if (!other.empty())
                in.elsewhere.push_back({"T/arch/x86/include/asm/pgtable.h", other});
        run r;
        kx::learn(in, names, &r.r);
        return r;
}

bool has(const std::string &text, const std::string &what)
{
        return text.find(what) != std::string::npos;
}

TEST(KernelLearn, TakesPureHelpersTransitivelyWithTheirLines)
{
        const std::string h = R"(#ifndef __MM_INTERNAL_H
#define __MM_INTERNAL_H

#define BATCH_FIRST 1

static inline unsigned long batch_end(unsigned long addr, unsigned long nr)
{
	unsigned long bytes = nr * PAGE_SIZE;
	pte_t probe;

	return addr + bytes + batch_first();
}

#define batch_first() (BATCH_FIRST + TTU_SYNC - 1 + __KSHIM_KIND_A + KSHIM_PTE_NONE)

static inline int unrelated(int x)
{
	return x;
}
#endif
)";
        run r = learn(h, {"batch_end"});
        ASSERT_NE(r.verdict("batch_end"), nullptr);
        EXPECT_TRUE(r.verdict("batch_end")->learned) << r.verdict("batch_end")->why;
        EXPECT_EQ(r.verdict("batch_end")->site, "T/mm/internal.h:6");
        ASSERT_NE(r.verdict("batch_first"), nullptr);
        ASSERT_NE(r.verdict("BATCH_FIRST"), nullptr);
        EXPECT_EQ(r.verdict("unrelated"), nullptr);
        // Dependencies first, each under a #line of the header's own line;
        // the include guard stays behind.
        EXPECT_TRUE(has(r.r.header, "#line 4 \"T/mm/internal.h\"\n#define BATCH_FIRST 1\n"));
        EXPECT_TRUE(has(r.r.header, "#line 6 \"T/mm/internal.h\"\nstatic inline unsigned long"));
        EXPECT_LT(r.r.header.find("#define batch_first"), r.r.header.find("batch_end("));
        EXPECT_FALSE(has(r.r.header, "__MM_INTERNAL_H"));
        EXPECT_FALSE(has(r.r.header, "unrelated"));
}

TEST(KernelLearn, LeavesAnythingWithAModelEffectAndSaysWhy)
{
        const std::string h = R"(static inline void drop(struct folio *folio)
{
	folio_put(folio);
}

static inline void lock_it(int *l)
{
	spin_lock(l);
}

static inline unsigned long member(struct folio *folio)
{
	return folio->flags;
}

static inline unsigned long deref(unsigned long *p)
{
	return *p;
}

static inline unsigned long index(unsigned long *p)
{
	return p[1];
}

static inline unsigned long global(void)
{
	return sysctl_knob;
}

static inline int counted(void)
{
	static int n;

	return n++;
}

static inline int calls_one(struct folio *folio)
{
	drop(folio);
	return 0;
}

unsigned long out_of_line(unsigned long x)
{
	return x;
}

static inline bool walks(struct page_vma_mapped_walk *pvmw)
{
	return pvmw != 0;
}
)";
        run r = learn(h, {"drop", "lock_it", "member", "deref", "index", "global", "counted",
                          "calls_one", "out_of_line", "walks"});
        auto why = [&](const char *name) {
                const kx::learn_verdict *v = r.verdict(name);
                EXPECT_NE(v, nullptr) << name;
                if (!v)
                        return std::string();
                EXPECT_FALSE(v->learned) << name;
                return v->why;
        };
        EXPECT_TRUE(has(why("drop"), "uses folio_put: the shim's folio_put has a model effect"));
        EXPECT_TRUE(has(why("lock_it"), "uses spin_lock"));
        EXPECT_TRUE(has(why("member"), "accesses a member ('->')"));
        EXPECT_TRUE(has(why("deref"), "dereferences a pointer"));
        EXPECT_TRUE(has(why("index"), "subscripts"));
        EXPECT_TRUE(
            has(why("global"), "uses sysctl_knob: the tree's headers and mm/ do not define it"));
        EXPECT_TRUE(has(why("counted"), "static object"));
        EXPECT_TRUE(has(why("calls_one"), "uses drop: "));
        EXPECT_TRUE(has(why("out_of_line"), "not static inline"));
        EXPECT_TRUE(has(why("walks"), "struct/union/enum page_vma_mapped_walk"));
        EXPECT_EQ(r.verdict("drop")->site, "T/mm/internal.h:1");
        EXPECT_EQ(r.r.header.find("static inline"), std::string::npos);
}

TEST(KernelLearn, KeepsTheConditionsSoTheShimsConfigurationPicks)
{
        const std::string h = R"(#ifndef _H
#define _H
#ifdef CONFIG_HAVE_ARCH_X
static inline int pte_x(pte_t pte)
{
	return IS_ENABLED(CONFIG_X);
}
#else
static inline int pte_x(pte_t pte)
{
	return 0;
}
#endif
#endif
)";
        run r = learn(h, {"pte_x"}, "static inline int pte_x(pte_t pte)\n{\n\treturn 1;\n}\n");
        ASSERT_NE(r.verdict("pte_x"), nullptr);
        EXPECT_TRUE(r.verdict("pte_x")->learned);
        // Learned under a condition: where else the tree defines it, in case
        // the shim's configuration leaves both out.
        EXPECT_TRUE(has(r.verdict("pte_x")->why, "under #ifdef CONFIG_HAVE_ARCH_X"));
        EXPECT_TRUE(
            has(r.verdict("pte_x")->why, "also defined at T/arch/x86/include/asm/pgtable.h:1"));
        EXPECT_TRUE(has(r.r.header, "#ifdef CONFIG_HAVE_ARCH_X\n#line 4 "));
        EXPECT_TRUE(has(r.r.header, "#ifdef CONFIG_HAVE_ARCH_X\n#else\n#line 9 "));
        EXPECT_EQ(r.r.header.find("#ifndef _H"), std::string::npos);
}

TEST(KernelLearn, PastedNamesBringTheirMacros)
{
        // The kconfig.h idiom: __is_defined(x) pastes a placeholder name.
        const std::string h = R"(#define __ARG_PLACEHOLDER_1 0,
#define __take_second_arg(__ignored, val, ...) val
#define __is_defined(x) ___is_defined(x)
#define ___is_defined(val) ____is_defined(__ARG_PLACEHOLDER_##val)
#define ____is_defined(arg1_or_junk) __take_second_arg(arg1_or_junk 1, 0)
)";
        run r = learn(h, {"__is_defined"});
        ASSERT_NE(r.verdict("__is_defined"), nullptr);
        EXPECT_TRUE(r.verdict("__is_defined")->learned) << r.verdict("__is_defined")->why;
        for (const char *m :
             {"__ARG_PLACEHOLDER_1", "__take_second_arg", "___is_defined", "____is_defined"}) {
                EXPECT_NE(r.verdict(m), nullptr) << m;
                EXPECT_TRUE(has(r.r.header, std::string("#define ") + m)) << m;
        }
}

TEST(KernelLearn, TheShimsGeneratedDefinitionsCountByTheirExpansion)
{
        // A shim macro writes definitions (the pte bit accessors do); the
        // preprocessed shim shows them under their names. A function it only
        // declares is the model's.
        kx::learn_input in;
        in.shim.push_back({"shim/dup.h", std::string(shim_h) +
                                             "#define GEN(name) static inline int name(int x) "
                                             "{ return x; }\nGEN(gen_pure)\nGEN(gen_other)\n"});
        in.bridge.push_back({"kshim_abi.h", bridge_h});
        in.expanded.push_back({"shim.i", "void kshim_peek(void);\n"
                                         "static inline int gen_pure(int x) { return x; }\n"
                                         "static inline int gen_peek(int x) { kshim_peek(); "
                                         "return x; }\n"});
        in.headers.push_back({"T/mm/internal.h", "#define uses_pure(x) gen_pure(x)\n"
                                                 "#define uses_peek(x) gen_peek(x)\n"});
        kx::learn_result r;
        kx::learn(in, {"uses_pure", "uses_peek"}, &r);
        ASSERT_EQ(r.verdicts.size(), 2u);
        EXPECT_TRUE(r.verdicts[0].learned) << r.verdicts[0].why;
        EXPECT_FALSE(r.verdicts[1].learned);
        EXPECT_TRUE(has(r.verdicts[1].why, "the shim's gen_peek has a model effect"));
}

TEST(KernelLearn, SaysWhereAnUnlearnableNameIsDefined)
{
        run r = learn("void declared_only(int x);\n", {"declared_only", "arch_only", "nowhere"},
                      "static inline int arch_only(int x)\n{\n\treturn x;\n}\n");
        EXPECT_TRUE(has(r.verdict("declared_only")->why, "definition is out of line"));
        EXPECT_EQ(r.verdict("arch_only")->site, "T/arch/x86/include/asm/pgtable.h:1");
        EXPECT_TRUE(has(r.verdict("arch_only")->why, "outside the headers"));
        EXPECT_EQ(r.verdict("nowhere")->site, "");
        EXPECT_TRUE(r.r.header.find("arch_only") == std::string::npos);
}

} // namespace
