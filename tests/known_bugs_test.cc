// Known-bug naming (oracle/known_bugs.h) needs the bug's signature in the
// run, not only an end state its model also reaches.
//
//   ZooModelsNamed     every batched/ bug-zoo model, run in the batched slot
//                      on its own reproducer, is named as the bug it plants;
//                      batched/ itself passes the reproducer unnamed.
//   B7NeedsItsSequence an implementation that ends exactly as B7's model
//                      (the lazyfree folio restored and swap-backed) but sets
//                      the flag after the walk, not on the refcount mismatch
//                      inside it, is a failure, not B7.
//   B5NeedsStaleNrPages an extra reference dropped after a correct run looks
//                      like B5's refcount damage, yet no device entry was
//                      handled with a stale batch size: not B5.
//   B5EndStateIsNotEnough B5's end state exactly (the zoo model's), with the
//                      trace of a correct run: the end state alone names
//                      nothing.
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "batched/rmap.h"
#include "mm/rmap.h"
#include "oracle/harness.h"
#include "oracle/known_bugs.h"
#include "oracle/zoo_models.h"
#include "reference/rmap.h"
#include "report/trace_text.h"
#include "scenario/scenario_text.h"

namespace uf
{
namespace
{

run_result result; // large: one buffer for the whole test

scenario load(const std::string &name)
{
        scenario s;
        parse_error err;
        std::string path = std::string(UNMAPFUZZ_SOURCE_DIR) + "/corpus/" + name + ".scn";
        EXPECT_TRUE(load_scenario_file(path, &s, &err)) << path << ": " << err.what();
        return s;
}

// The batched side's trace, for a failure message.
std::string trace_of(const run_result &r)
{
        std::string out;
        for (int i = 0; i < r.bat.after.nr_trace; i++)
                out += "  " + trace_line(r.bat.after, i) + "\n";
        return out;
}

const known_bug *entry_of_zoo(const char *zoo)
{
        for (int k = 0; k < NR_KNOWN_BUGS; k++)
                if (!std::strcmp(known_bugs()[k].zoo, zoo))
                        return &known_bugs()[k];
        return nullptr;
}

TEST(KnownBugs, ZooModelsNamed)
{
        int checked = 0;
        for (const zoo_model *m = zoo_models; m->name; m++) {
                const known_bug *k = entry_of_zoo(m->name);
                if (!k)
                        continue; // a zoo entry that is no known bug (B17: a model mutant)
                scenario s = load(std::string("regression/") + m->name);
                run_scenario_with(s, &result, reference::try_to_unmap, m->try_to_unmap);
                EXPECT_FALSE(result.v.ok()) << m->name;
                EXPECT_NE(result.v.known, nullptr)
                    << m->name << ": " << result.v.class_name() << "\n"
                    << trace_of(result);
                if (result.v.known) {
                        EXPECT_STREQ(result.v.known->id, k->id) << m->name;
                }
                run_scenario_with(s, &result, reference::try_to_unmap, batched::try_to_unmap);
                EXPECT_TRUE(result.v.ok()) << m->name << ": " << result.v.class_name();
                EXPECT_EQ(result.v.known, nullptr) << m->name;
                checked++;
        }
        EXPECT_GE(checked, 10);
}

// batched/, then the folio made swap-backed once the walk is over.
bool swapbacked_after_walk(folio *f, unsigned int flags)
{
        bool lazyfree = f->anon && !f->swapbacked;
        bool ret = batched::try_to_unmap(f, flags);
        if (lazyfree && !ret)
                folio_set_swapbacked(f);
        return ret;
}

TEST(KnownBugs, B7NeedsItsSequence)
{
        scenario s = load("regression/b7_lazyfree_swapbacked_on_ref");
        const zoo_model *m = find_zoo_model("b7_lazyfree_swapbacked_on_ref");
        ASSERT_NE(m, nullptr);
        run_scenario_with(s, &result, reference::try_to_unmap, m->try_to_unmap);
        ASSERT_NE(result.v.known, nullptr);
        ASSERT_STREQ(result.v.known->id, "B7");
        std::string cls = result.v.class_name();

        run_scenario_with(s, &result, reference::try_to_unmap, swapbacked_after_walk);
        EXPECT_FALSE(result.v.ok());
        EXPECT_EQ(cls, result.v.class_name()); // the same end state, as far as the oracle sees
        EXPECT_EQ(result.v.known, nullptr) << known_bug_line(*result.v.known);
}

// batched/, then one reference too many dropped once the walk is over.
bool extra_put_refs(folio *f, unsigned int flags)
{
        bool ret = batched::try_to_unmap(f, flags);
        folio_put_refs(f, 1);
        return ret;
}

TEST(KnownBugs, B5NeedsStaleNrPages)
{
        scenario s = load("regression/b5_nr_pages_not_reset");
        run_scenario_with(s, &result, reference::try_to_unmap, extra_put_refs);
        EXPECT_FALSE(result.v.ok());
        EXPECT_EQ(result.v.known, nullptr) << known_bug_line(*result.v.known);
}

// The B5 model's end state, with batched/'s (correct) trace of the same run.
world b5_scratch, traced_scratch;

bool b5_end_state_correct_trace(folio *f, unsigned int flags)
{
        world &w = *f->w;
        b5_scratch = w;
        traced_scratch = w;
        bool ret = find_zoo_model("b5_nr_pages_not_reset")->try_to_unmap(&b5_scratch.folio, flags);
        batched::try_to_unmap(&traced_scratch.folio, flags);
        w = b5_scratch;
        w.nr_trace = traced_scratch.nr_trace;
        w.trace_dropped = traced_scratch.trace_dropped;
        for (int i = 0; i < w.nr_trace; i++)
                w.trace[i] = traced_scratch.trace[i];
        return ret;
}

TEST(KnownBugs, B5EndStateIsNotEnough)
{
        ASSERT_NE(find_zoo_model("b5_nr_pages_not_reset"), nullptr);
        scenario s = load("regression/b5_nr_pages_not_reset");
        run_scenario_with(s, &result, reference::try_to_unmap,
                          find_zoo_model("b5_nr_pages_not_reset")->try_to_unmap);
        ASSERT_NE(result.v.known, nullptr);
        ASSERT_STREQ(result.v.known->id, "B5");
        std::string cls = result.v.class_name();

        run_scenario_with(s, &result, reference::try_to_unmap, b5_end_state_correct_trace);
        EXPECT_FALSE(result.v.ok());
        EXPECT_EQ(cls, result.v.class_name());
        EXPECT_EQ(result.v.known, nullptr) << known_bug_line(*result.v.known);
}

} // namespace
} // namespace uf
