// Execution speed of the differential fuzz target (docs/performance.md 1).
//
// Links fuzz/targets/unmap_diff.cc (LLVMFuzzerTestOneInput) and an empty
// entry point compiled with the same flags under another symbol
// (bench/empty_target.cc -> uf_bench_empty_TestOneInput), builds one fixed
// input stream, and times N calls of each with std::chrono:
//
//   seeds    the binary-encoded seed corpus (build/<preset>/seeds-bin/*);
//   mutants  a deterministic stream of mutated seeds and random byte strings
//            from a fixed-seed LCG (the same bytes on every machine and run).
//
// Each call gets a fresh heap copy of its input, exactly sized, as libFuzzer's
// ExecuteCallback() does (so ASan sees overreads); the copy is timed for both
// targets. The two targets are timed in alternating passes over the same
// stream so that a noisy neighbour hurts both alike; the ratio is from one run.
//
//   uf_exec_speed --seeds DIR [--mutants N] [--min-time S] [--label TEXT]
//                 [--only diff|empty] [--passes K] [--set seeds|mutants|all]
//
// --only/--passes run one target a fixed number of passes and print nothing
// but a count (for callgrind: --toggle-collect=LLVMFuzzerTestOneInput).
// In builds without ASan a counting operator new reports heap allocations
// per input made inside the target (first pass and steady state).
#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <new>
#include <string>
#include <vector>

#include "bench/bench_inputs.h"
#include "mm/tlb.h"
#include "oracle/harness.h"
#include "oracle/program.h"
#include "scenario/scenario_binary.h"
#include "scenario/world_builder.h"

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv);
extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
extern "C" int uf_bench_empty_TestOneInput(const uint8_t *data, size_t size);

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UF_BENCH_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define UF_BENCH_ASAN 1
#endif

namespace
{

// ---- allocation counting (builds without ASan only) ----
uint64_t g_allocs = 0;
bool g_counting = false;

#ifndef UF_BENCH_ASAN
constexpr bool COUNTS_ALLOCS = true;
#else
constexpr bool COUNTS_ALLOCS = false;
#endif

} // namespace

#ifndef UF_BENCH_ASAN
void *operator new(size_t n)
{
        if (g_counting)
                g_allocs++;
        if (void *p = std::malloc(n ? n : 1))
                return p;
        throw std::bad_alloc();
}
void *operator new[](size_t n)
{
        return operator new(n);
}
void operator delete(void *p) noexcept
{
        std::free(p);
}
void operator delete[](void *p) noexcept
{
        std::free(p);
}
void operator delete(void *p, size_t) noexcept
{
        std::free(p);
}
void operator delete[](void *p, size_t) noexcept
{
        std::free(p);
}
#endif

namespace
{

using uf::bench::input;
using uf::bench::lcg;
using uf::bench::load_seeds;
using uf::bench::mutate;
using uf::bench::STREAM_SEED;
using clock_type = std::chrono::steady_clock;

using target_fn = int (*)(const uint8_t *, size_t);
// Called through a volatile pointer so that no call is folded away.
target_fn volatile diff_target = LLVMFuzzerTestOneInput;
target_fn volatile empty_target = uf_bench_empty_TestOneInput;

// One pass over the set: a fresh exact-size heap copy per input, as libFuzzer.
double run_pass(target_fn fn, const std::vector<input> &set)
{
        auto t0 = clock_type::now();
        for (const input &in : set) {
                uint8_t *copy = static_cast<uint8_t *>(std::malloc(in.size() ? in.size() : 1));
                if (!in.empty())
                        std::memcpy(copy, in.data(), in.size());
                fn(copy, in.size());
                std::free(copy);
        }
        return std::chrono::duration<double>(clock_type::now() - t0).count();
}

struct timing {
        uint64_t calls = 0;
        double secs = 0;
        double rate() const { return secs > 0 ? calls / secs : 0; }
};

// Alternating passes, diff then empty, until the target has had min_time.
void measure(const std::vector<input> &set, double min_time, timing *diff, timing *empty)
{
        run_pass(diff_target, set); // warm-up: tables allocated, caches hot
        run_pass(empty_target, set);
        int passes = 0;
        while (diff->secs < min_time || passes < 3) {
                diff->secs += run_pass(diff_target, set);
                diff->calls += set.size();
                empty->secs += run_pass(empty_target, set);
                empty->calls += set.size();
                passes++;
        }
        // The empty target's passes are so short that they may add up to
        // little time: give it at least a quarter of min_time, for a stable rate.
        while (empty->secs < min_time / 4) {
                empty->secs += run_pass(empty_target, set);
                empty->calls += set.size();
        }
}

// Heap allocations inside the target per input: first pass (cold) and a
// later pass (steady state).
void count_allocs(const std::vector<input> &set, double *first, double *steady)
{
        auto pass = [&]() {
                uint64_t n = 0;
                for (const input &in : set) {
                        uint8_t *copy =
                            static_cast<uint8_t *>(std::malloc(in.size() ? in.size() : 1));
                        if (!in.empty())
                                std::memcpy(copy, in.data(), in.size());
                        g_allocs = 0;
                        g_counting = true;
                        diff_target(copy, in.size());
                        g_counting = false;
                        n += g_allocs;
                        std::free(copy);
                }
                return set.empty() ? 0.0 : static_cast<double>(n) / set.size();
        };
        *first = pass();
        pass();
        *steady = pass();
}

// Where the time of one input goes: the steps of the fuzz target and of
// run_scenario()/run_side() (oracle/harness.cc), each timed on its own.
enum stage {
        ST_DECODE, // decode_scenario() incl. sanitize()
        ST_BUILD,  // build_world() and count_world() of the world as built
        ST_COPY,   // the two world copies of run_side()
        ST_REF,    // reference try_to_unmap() + try_to_unmap_flush()
        ST_BAT,    // batched try_to_unmap() + try_to_unmap_flush()
        ST_INV,    // check_invariants() of both sides
        ST_JUDGE,  // judge()
        NR_STAGES,
};
const char *stage_names[NR_STAGES] = {"decode+sanitize",
                                      "build+count world",
                                      "world copies (2)",
                                      "reference walk+flush",
                                      "batched walk+flush",
                                      "invariants (2)",
                                      "judge"};

// One side of run_side() (oracle/harness.cc) with its three steps timed apart:
// the world copy, the walk plus the flush, the invariant check.
void timed_side(const uf::world &before, const uf::world_tally &tally, unsigned int ttu,
                uf::implementation impl, uf::side_result *out, double *copy, double *walk,
                double *inv)
{
        using ns_d = std::chrono::duration<double, std::nano>;
        auto t0 = clock_type::now();
        out->after = before;
        auto t1 = clock_type::now();
        out->ret = uf::unmap_and_flush(out->after, ttu, impl);
        auto t2 = clock_type::now();
        out->inv = uf::check_invariants(before, tally, out->after, ttu, out->ret);
        auto t3 = clock_type::now();
        *copy = ns_d(t1 - t0).count();
        *walk = ns_d(t2 - t1).count();
        *inv = ns_d(t3 - t2).count();
}

void breakdown(const char *name, const std::vector<input> &set, double min_time)
{
        static uf::run_result r;
        double ns[NR_STAGES] = {};
        uint64_t n = 0;
        double total = 0;
        using ns_d = std::chrono::duration<double, std::nano>;
        while (total < min_time * 1e9 || n < 2 * set.size()) {
                for (const input &in : set) {
                        auto t0 = clock_type::now();
                        uf::scenario s = uf::decode_scenario(in.data(), in.size());
                        auto t1 = clock_type::now();
                        uf::build_world(s, r.before, uf::program().rules);
                        uf::count_world(r.before, &r.before_tally, false);
                        auto t2 = clock_type::now();
                        double rc, rw, ri, bc, bw, bi;
                        timed_side(r.before, r.before_tally, s.ttu, uf::implementation::reference,
                                   &r.ref, &rc, &rw, &ri);
                        timed_side(r.before, r.before_tally, s.ttu, uf::implementation::batched,
                                   &r.bat, &bc, &bw, &bi);
                        auto t3 = clock_type::now();
                        r.v = uf::judge(r.before, r.ref.after, r.ref.ret, r.ref.inv, r.bat.after,
                                        r.bat.ret, r.bat.inv);
                        auto t4 = clock_type::now();
                        if (n >= set.size()) { // the first pass warms up
                                ns[ST_DECODE] += ns_d(t1 - t0).count();
                                ns[ST_BUILD] += ns_d(t2 - t1).count();
                                ns[ST_COPY] += rc + bc;
                                ns[ST_REF] += rw;
                                ns[ST_INV] += ri + bi;
                                ns[ST_BAT] += bw;
                                ns[ST_JUDGE] += ns_d(t4 - t3).count();
                                total += ns_d(t4 - t0).count();
                        }
                        n++;
                }
        }
        uint64_t timed = n - set.size();
        std::printf("per-input time by step, %s stream (%zu inputs, %" PRIu64 " timed calls):\n",
                    name, set.size(), timed);
        std::printf("  %-22s %10s %7s\n", "step", "ns/input", "share");
        for (int i = 0; i < NR_STAGES; i++)
                std::printf("  %-22s %10.0f %6.1f%%\n", stage_names[i], ns[i] / timed,
                            100 * ns[i] / total);
        std::printf("  %-22s %10.0f %6.1f%%\n", "total", total / timed, 100.0);
}

[[noreturn]] void usage()
{
        std::fprintf(stderr, "usage: uf_exec_speed --seeds DIR [--mutants N] [--min-time S] "
                             "[--label TEXT] [--only diff|empty --passes K] [--set "
                             "seeds|mutants|all] [--breakdown]\n");
        std::exit(2);
}

} // namespace

int main(int argc, char **argv)
{
        std::string seeds_dir, label = "this build", only, set_name = "all";
        long mutants = 20000, passes = 1;
        double min_time = 1.0;
        bool do_breakdown = false;
        for (int i = 1; i < argc; i++) {
                std::string a = argv[i];
                auto val = [&]() -> std::string {
                        if (i + 1 >= argc)
                                usage();
                        return argv[++i];
                };
                if (a == "--seeds")
                        seeds_dir = val();
                else if (a == "--mutants")
                        mutants = std::stol(val());
                else if (a == "--min-time")
                        min_time = std::stod(val());
                else if (a == "--label")
                        label = val();
                else if (a == "--only")
                        only = val();
                else if (a == "--passes")
                        passes = std::stol(val());
                else if (a == "--set")
                        set_name = val();
                else if (a == "--breakdown")
                        do_breakdown = true;
                else
                        usage();
        }
        if (seeds_dir.empty())
                usage();

        std::vector<input> seeds = load_seeds(seeds_dir);
        if (seeds.empty()) {
                std::fprintf(stderr, "uf_exec_speed: no seeds in %s\n", seeds_dir.c_str());
                return 2;
        }
        std::vector<input> muts;
        lcg r{STREAM_SEED};
        for (long k = 0; k < mutants; k++)
                muts.push_back(mutate(seeds, r));
        std::vector<input> all = seeds;
        all.insert(all.end(), muts.begin(), muts.end());

        int fake_argc = 1;
        char **fake_argv = argv;
        LLVMFuzzerInitialize(&fake_argc, &fake_argv);

        if (!only.empty()) {
                const std::vector<input> &set = set_name == "seeds"     ? seeds
                                                : set_name == "mutants" ? muts
                                                                        : all;
                target_fn fn = only == "empty" ? empty_target : diff_target;
                for (long p = 0; p < passes; p++)
                        run_pass(fn, set);
                std::printf("uf_exec_speed: %ld pass(es) of %zu inputs through the %s target\n",
                            passes, set.size(), only.c_str());
                return 0;
        }

        // Allocations first, so that the first pass is the process's first.
        double alloc_first[2] = {}, alloc_steady[2] = {};
        if (COUNTS_ALLOCS) {
                count_allocs(seeds, &alloc_first[0], &alloc_steady[0]);
                count_allocs(muts, &alloc_first[1], &alloc_steady[1]);
        }
        auto print_allocs = [&]() {
                if (COUNTS_ALLOCS)
                        std::printf(
                            "heap allocations inside the target per input (counting operator "
                            "new): seeds %.2f on the process's first pass, %.2f in steady "
                            "state; mutants %.2f first pass, %.2f steady state\n",
                            alloc_first[0], alloc_steady[0], alloc_first[1], alloc_steady[1]);
                else
                        std::printf(
                            "heap allocations: not counted in an ASan build (see the release "
                            "build's line)\n");
        };
        if (do_breakdown) {
                print_allocs();
                breakdown("seeds", seeds, min_time);
                breakdown("mutants", muts, min_time);
                return 0;
        }

        size_t bytes = 0;
        for (const input &in : all)
                bytes += in.size();
        std::printf("exec speed, %s: %zu seeds + %ld LCG mutants/random strings (seed 0x%" PRIx64
                    ", %zu bytes in all); each call on a fresh heap copy of its input\n",
                    label.c_str(), seeds.size(), mutants, STREAM_SEED, bytes);
        std::printf("%-8s %7s %14s %14s %10s %10s %12s\n", "stream", "inputs", "target exec/s",
                    "empty exec/s", "target ns", "empty ns", "target/empty");
        struct row {
                const char *name;
                const std::vector<input> *set;
        } rows[] = {{"seeds", &seeds}, {"mutants", &muts}, {"all", &all}};
        double seed_ratio = 0;
        for (const row &rw : rows) {
                if (rw.set->empty())
                        continue;
                timing d, e;
                measure(*rw.set, min_time, &d, &e);
                if (rw.set == &seeds)
                        seed_ratio = d.rate() / e.rate();
                std::printf("%-8s %7zu %14.0f %14.0f %10.0f %10.1f %11.4f  (1/%.0f)\n", rw.name,
                            rw.set->size(), d.rate(), e.rate(), 1e9 / d.rate(), 1e9 / e.rate(),
                            d.rate() / e.rate(), e.rate() / d.rate());
        }
        std::printf("goal, target at >= 1/5 of the empty target's speed on the seed "
                    "corpus: %s (1/%.0f)\n",
                    seed_ratio >= 0.2 ? "met" : "NOT met", seed_ratio > 0 ? 1 / seed_ratio : 0.0);
        print_allocs();
        std::fflush(stdout);
        return 0;
}
