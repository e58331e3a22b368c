// The committed corpus as a regression suite (design §1 use 3): every seed and
// regression scenario replays clean, round-trips through both encodings, and
// gives the same end states and event trace when run twice.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "fuzz/harness.h"
#include "fuzz/scenario_binary.h"
#include "fuzz/scenario_text.h"
#include "fuzz/world_view.h"

using namespace uf;

namespace
{

std::vector<std::string> corpus_files()
{
        std::vector<std::string> files;
        for (const char *dir : {"corpus/seeds", "corpus/regression"}) {
                std::filesystem::path p = std::filesystem::path(UNMAPFUZZ_SOURCE_DIR) / dir;
                if (!std::filesystem::exists(p))
                        continue;
                for (const auto &e : std::filesystem::directory_iterator(p))
                        if (e.path().extension() == ".scn")
                                files.push_back(e.path().string());
        }
        std::sort(files.begin(), files.end());
        return files;
}

std::string test_name(const testing::TestParamInfo<std::string> &info)
{
        std::filesystem::path p(info.param);
        std::string name = p.parent_path().filename().string() + "_" + p.stem().string();
        for (char &c : name)
                if (!std::isalnum(static_cast<unsigned char>(c)))
                        c = '_';
        return name;
}

scenario load(const std::string &path)
{
        scenario s;
        parse_error err;
        EXPECT_TRUE(load_scenario_file(path, &s, &err)) << err.what();
        return s;
}

// Everything an end state holds that a run could influence, compared field by
// field; *why names the first difference.
bool same_world(const world &x, const world &y, std::string *why)
{
        auto differ = [&](const char *what) {
                *why = what;
                return false;
        };
        for (int v = 0; v < x.nr_vmas; v++) {
                int mm = vma_mm_index(x, x.vmas[v]);
                for (unsigned long a = x.vmas[v].vm_start; a < x.vmas[v].vm_end; a += PAGE_SIZE)
                        if (!(slot_at(x, mm, a) == slot_at(y, mm, a)))
                                return differ("a page-table slot");
        }
        const folio &f = x.folio, &g = y.folio;
        if (f.refcount != g.refcount || f.large_mapcount != g.large_mapcount ||
            f.entire_mapcount != g.entire_mapcount ||
            std::memcmp(f.mapcount, g.mapcount, sizeof(f.mapcount)) ||
            f.anon_exclusive != g.anon_exclusive || f.dirty != g.dirty ||
            f.swapbacked != g.swapbacked || f.mlocked != g.mlocked ||
            f.partially_mapped != g.partially_mapped || f.mlock_count != g.mlock_count)
                return differ("the folio");
        for (int m = 0; m < x.nr_mms; m++)
                if (std::memcmp(x.mms[m].rss_stat, y.mms[m].rss_stat, sizeof(x.mms[m].rss_stat)) ||
                    x.mms[m].on_mmlist != y.mms[m].on_mmlist)
                        return differ("an mm");
        if (std::memcmp(x.swap_count, y.swap_count, sizeof(x.swap_count)))
                return differ("swap counts");
        if (x.nr_fired != y.nr_fired || !std::equal(x.fired, x.fired + x.nr_fired, y.fired))
                return differ("the event trace");
        if (x.nr_clears != y.nr_clears ||
            !std::equal(x.clear_log, x.clear_log + std::min(x.nr_clears, MAX_CLEAR_LOG),
                        y.clear_log))
                return differ("the batches");
        if (x.nr_notifier != y.nr_notifier ||
            !std::equal(x.notifier_log, x.notifier_log + x.nr_notifier, y.notifier_log))
                return differ("the notifier ranges");
        if (std::memcmp(&x.ops, &y.ops, sizeof(x.ops)) || x.violations != y.violations)
                return differ("the op counters or violations");
        return true;
}

class Corpus : public testing::TestWithParam<std::string>
{
};

TEST_P(Corpus, ReplaysClean)
{
        scenario s = load(GetParam());
        static run_result r;
        run_scenario(s, &r);
        EXPECT_TRUE(r.v.ok()) << r.v.kind_name() << " " << r.v.class_name() << ": " << r.v.detail;
}

TEST_P(Corpus, TextRoundTrip)
{
        scenario s = load(GetParam());
        scenario again;
        parse_error err;
        ASSERT_TRUE(parse_scenario(print_scenario(s), "printed", &again, &err)) << err.what();
        EXPECT_TRUE(again == s);
        EXPECT_EQ(print_scenario(again), print_scenario(s));
}

TEST_P(Corpus, BinaryRoundTrip)
{
        scenario s = load(GetParam());
        std::vector<uint8_t> bytes = encode_scenario(s);
        EXPECT_LE(bytes.size(), MAX_INPUT_SIZE);
        decode_stats ds{};
        scenario again = decode_scenario(bytes.data(), bytes.size(), &ds);
        EXPECT_EQ(ds.clamps, 0);
        EXPECT_TRUE(again == s);
}

// Determinism (issue 4): two runs of one input agree on everything, traces
// included; nothing may depend on addresses, time or state left by a run.
TEST_P(Corpus, Deterministic)
{
        scenario s = load(GetParam());
        static run_result first, second, other;
        run_scenario(s, &first);
        // Something else in between, so state a run leaves behind would show.
        run_scenario(load(corpus_files().front()), &other);
        run_scenario(s, &second);
        std::string why;
        EXPECT_TRUE(same_world(first.ref.after, second.ref.after, &why)) << "reference: " << why;
        EXPECT_TRUE(same_world(first.bat.after, second.bat.after, &why)) << "batched: " << why;
        EXPECT_EQ(first.v.kind, second.v.kind);
        EXPECT_EQ(first.v.allowed.bits, second.v.allowed.bits);
        EXPECT_STREQ(first.v.detail, second.v.detail);
}

INSTANTIATE_TEST_SUITE_P(Files, Corpus, testing::ValuesIn(corpus_files()), test_name);

TEST(CorpusCoverage, SeedsExerciseEveryEventKindAndFolioType)
{
        bool event_seen[static_cast<int>(event_kind::NR_EVENT_KINDS)] = {};
        bool type_seen[static_cast<int>(folio_type::NR_FOLIO_TYPES)] = {};
        int seeds = 0;
        static run_result r;
        for (const std::string &path : corpus_files()) {
                if (path.find("/seeds/") == std::string::npos)
                        continue;
                seeds++;
                scenario s = load(path);
                type_seen[static_cast<int>(s.type)] = true;
                run_scenario(s, &r);
                for (const world *w : {&r.ref.after, &r.bat.after})
                        for (int i = 0; i < w->nr_fired; i++)
                                event_seen[static_cast<int>(w->fired[i].kind)] = true;
        }
        EXPECT_GE(seeds, 20);
        for (int k = 0; k < static_cast<int>(event_kind::NR_EVENT_KINDS); k++)
                EXPECT_TRUE(event_seen[k])
                    << "no seed fires " << event_name(static_cast<event_kind>(k));
        for (int t = 0; t < static_cast<int>(folio_type::NR_FOLIO_TYPES); t++)
                EXPECT_TRUE(type_seen[t]) << "no seed of folio type " << t;
}

} // namespace
