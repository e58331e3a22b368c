// The structure-aware mutator and crossover (scenario/mutate.h): every output
// is a canonical encoding of a reachable scenario (zero clamps, and the text
// parser, which refuses what the kernel cannot reach, accepts its printout),
// every mutation kind changes the scenario, and the seed alone decides the
// output.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "mm/tlb.h"
#include "scenario/mutate.h"
#include "scenario/reachable.h"
#include "scenario/scenario_binary.h"
#include "scenario/scenario_text.h"

using namespace uf;

namespace
{

using bytes = std::vector<uint8_t>;

std::vector<scenario> corpus()
{
        std::vector<std::string> paths;
        for (const char *dir : {"/corpus/seeds", "/corpus/regression"})
                for (const auto &e :
                     std::filesystem::directory_iterator(std::string(UNMAPFUZZ_SOURCE_DIR) + dir))
                        if (e.path().extension() == ".scn")
                                paths.push_back(e.path().string());
        std::sort(paths.begin(), paths.end());
        std::vector<scenario> out;
        for (const std::string &p : paths) {
                scenario s;
                parse_error err;
                if (load_scenario_file(p, &s, &err))
                        out.push_back(s);
                else
                        ADD_FAILURE() << err.what();
        }
        return out;
}

const std::vector<scenario> &seeds()
{
        static const std::vector<scenario> all = corpus();
        return all;
}

bytes encode(const scenario &s)
{
        return encode_scenario(s);
}

// The output decodes without a clamp or truncation, and the text parser (the
// reachability rules with their reasons) takes its printout back unchanged.
void expect_reachable(const bytes &out, scenario *decoded, const std::string &what)
{
        decode_stats ds;
        *decoded = decode_scenario(out.data(), out.size(), &ds);
        EXPECT_EQ(ds.clamps, 0) << what;
        EXPECT_FALSE(ds.truncated) << what;
        scenario back;
        parse_error err;
        ASSERT_TRUE(parse_scenario(print_scenario(*decoded), "mutant", &back, &err))
            << what << ": " << err.what() << "\n"
            << print_scenario(*decoded);
        EXPECT_EQ(back, *decoded) << what;
}

TEST(Mutate, SeedsLoad)
{
        EXPECT_GE(seeds().size(), 40u);
}

// Chains of mutations from every seed and regression input.
TEST(Mutate, EveryOutputDecodesReachableWithoutClamps)
{
        constexpr int CHAIN = 60;
        uint64_t seed = 1;
        size_t outputs = 0;
        for (size_t k = 0; k < seeds().size(); k++) {
                bytes cur = encode(seeds()[k]);
                for (int n = 0; n < CHAIN; n++) {
                        bytes out(MAX_INPUT_SIZE);
                        size_t len =
                            mutate_input(cur.data(), cur.size(), out.data(), out.size(), seed++);
                        ASSERT_GT(len, 0u) << "seed " << k << " step " << n;
                        out.resize(len);
                        scenario parent = decode_scenario(cur.data(), cur.size()), child;
                        expect_reachable(out, &child, "seed " + std::to_string(k));
                        EXPECT_NE(child, parent) << "seed " << k << " step " << n;
                        cur = out;
                        outputs++;
                }
        }
        EXPECT_EQ(outputs, seeds().size() * CHAIN);
}

TEST(Mutate, CrossoverDecodesReachableAndDiffersFromBothParents)
{
        uint64_t seed = 7;
        int made = 0;
        for (size_t a = 0; a < seeds().size(); a++)
                for (size_t b = a + 1; b < seeds().size(); b += 5) {
                        bytes x = encode(seeds()[a]), y = encode(seeds()[b]), out(MAX_INPUT_SIZE);
                        size_t len = crossover_inputs(x.data(), x.size(), y.data(), y.size(),
                                                      out.data(), out.size(), seed++);
                        if (!len)
                                continue;
                        out.resize(len);
                        scenario child;
                        expect_reachable(out, &child,
                                         "crossover " + std::to_string(a) + "x" +
                                             std::to_string(b));
                        EXPECT_NE(child, seeds()[a]);
                        EXPECT_NE(child, seeds()[b]);
                        made++;
                }
        // Distinct seeds nearly always splice into something new.
        EXPECT_GT(made, 200);
}

// Every kind applies to some seed, and whenever it reports a change the
// scenario did change, is still canonical, and changed the part it names.
TEST(Mutate, EachKindChangesTheScenario)
{
        for (int m = 0; m < static_cast<int>(mutation::NR_MUTATIONS); m++) {
                mutation kind = static_cast<mutation>(m);
                int applied = 0;
                for (size_t k = 0; k < seeds().size(); k++)
                        for (uint64_t r = 0; r < 8; r++) {
                                mutate_rng rng(r * 1000 + k);
                                scenario s = seeds()[k], before = s;
                                if (!mutate_one(s, kind, rng)) {
                                        EXPECT_EQ(s, before) << mutation_name(kind);
                                        continue;
                                }
                                applied++;
                                EXPECT_NE(s, before) << mutation_name(kind);
                                scenario copy = s;
                                EXPECT_EQ(sanitize(copy), 0) << mutation_name(kind);
                                switch (kind) {
                                case mutation::folio_type:
                                        EXPECT_NE(s.type, before.type);
                                        break;
                                case mutation::folio_order:
                                        EXPECT_NE(s.order, before.order);
                                        break;
                                case mutation::event_add:
                                        EXPECT_EQ(s.nr_events, before.nr_events + 1);
                                        break;
                                case mutation::event_remove:
                                        EXPECT_EQ(s.nr_events + 1, before.nr_events);
                                        break;
                                case mutation::vma_split:
                                        EXPECT_EQ(s.nr_vmas, before.nr_vmas + 1);
                                        break;
                                case mutation::vma_remove:
                                        EXPECT_EQ(s.nr_vmas + 1, before.nr_vmas);
                                        break;
                                case mutation::arch:
                                        EXPECT_NE(s.arch, before.arch);
                                        break;
                                case mutation::pae_move:
                                case mutation::pae_resize:
                                        EXPECT_NE(s.pae, before.pae);
                                        break;
                                case mutation::event_kind:
                                case mutation::event_page:
                                        EXPECT_EQ(s.nr_events, before.nr_events);
                                        break;
                                default:
                                        break;
                                }
                        }
                EXPECT_GT(applied, 10) << mutation_name(kind) << " hardly ever applies";
        }
}

TEST(Mutate, SameSeedSameOutput)
{
        int differ = 0;
        for (size_t k = 0; k < seeds().size(); k++) {
                bytes in = encode(seeds()[k]);
                bytes a(MAX_INPUT_SIZE), b(MAX_INPUT_SIZE), c(MAX_INPUT_SIZE);
                size_t na = mutate_input(in.data(), in.size(), a.data(), a.size(), 42 + k);
                size_t nb = mutate_input(in.data(), in.size(), b.data(), b.size(), 42 + k);
                size_t nc = mutate_input(in.data(), in.size(), c.data(), c.size(), 4242 + k);
                a.resize(na), b.resize(nb), c.resize(nc);
                EXPECT_EQ(a, b) << "seed " << k;
                differ += a != c;
        }
        // The seed is what decides: other seeds give other outputs.
        EXPECT_GT(differ, static_cast<int>(seeds().size()) / 2);
}

TEST(Mutate, OutputRespectsMaxSize)
{
        for (size_t k = 0; k < seeds().size(); k++) {
                bytes in = encode(seeds()[k]);
                bytes out(in.size());
                size_t n = mutate_input(in.data(), in.size(), out.data(), out.size(), k);
                EXPECT_LE(n, in.size());
        }
}

// sanitize() repairs towards ttu_reachable(): it keeps exactly the TTU flags
// the predicate allows.
TEST(Reachable, TtuAgreesWithSanitize)
{
        for (const scenario &seed : seeds())
                for (unsigned ttu = 0; ttu <= TTU_ALL_FLAGS; ttu++) {
                        scenario s = seed;
                        s.ttu = ttu;
                        if (std::any_of(s.vmas, s.vmas + s.nr_vmas,
                                        [](const vma_spec &v) { return v.pmd; }) &&
                            !(ttu & TTU_SPLIT_HUGE_PMD))
                                continue; // the PMD rule adds a flag of its own
                        scenario t = s;
                        sanitize(t);
                        EXPECT_EQ(t.ttu == ttu, ttu_reachable(s, ttu)) << "ttu " << ttu << "\n"
                                                                       << print_scenario(seed);
                }
}

TEST(Reachable, SlotRulesAgreeWithSanitize)
{
        for (const scenario &seed : seeds())
                for (int v = 0; v < seed.nr_vmas; v++) {
                        int first, last;
                        vma_folio_pages(seed, v, &first, &last);
                        if (first == last || seed.vmas[v].pmd)
                                continue;
                        for (int k = 0; k < static_cast<int>(slot_kind::NR_SLOT_KINDS); k++) {
                                slot_kind kind = static_cast<slot_kind>(k);
                                scenario s = seed;
                                s.vmas[v].slot[first] = {kind, 0};
                                sanitize(s);
                                if (!slot_kind_reachable(seed.type, kind)) {
                                        EXPECT_NE(s.vmas[v].slot[first].kind, kind);
                                }
                        }
                }
}

} // namespace
