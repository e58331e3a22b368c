// Speed of a kernel variant against the batched model, in one process
// (the goal: the kernel program at >= 0.8x the exec/s of batched/'s).
//
// Linked into every kernel variant (kernel/kernel_variant.cmake), so the cut
// of the tree, batched/ and reference/ live in one binary. Over one input
// stream (the seeds, then LCG mutants: bench/bench_inputs.h) it times, in
// alternating passes, what a fuzz input costs in each program:
//   batched   decode + run_scenario_with(reference, batched)   (the default program)
//   kernel    decode + run_scenario_with(reference, kernel)    (this kernel program)
// and, inside those passes, the implementation alone (its try_to_unmap() and
// the flush), so the comparison of the two implementations is not diluted by
// the reference and the oracle they share.
//
//   kernel_speed --seeds DIR [--mutants N] [--min-time S] [--label TEXT]
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "batched/rmap.h"
#include "bench/bench_inputs.h"
#include "kernel/rmap.h"
#include "oracle/harness.h"
#include "reference/rmap.h"
#include "scenario/scenario_binary.h"

namespace
{

using clock_type = std::chrono::steady_clock;
using uf::bench::input;

// Time spent inside the implementation under comparison, accumulated by
// the wrappers the harness calls.
double side_ns = 0;

template <uf::try_to_unmap_fn fn> bool timed(uf::folio *folio, unsigned int flags)
{
        auto t0 = clock_type::now();
        bool ret = fn(folio, flags);
        side_ns += std::chrono::duration<double, std::nano>(clock_type::now() - t0).count();
        return ret;
}

struct timing {
        uint64_t calls = 0;
        double secs = 0, side = 0;
        double rate() const { return secs > 0 ? calls / secs : 0; }
};

uf::run_result r;

void pass(const std::vector<input> &set, uf::try_to_unmap_fn right, timing *t)
{
        double side0 = side_ns;
        auto t0 = clock_type::now();
        for (const input &in : set) {
                uf::scenario s = uf::decode_scenario(in.data(), in.size());
                uf::run_scenario_with(s, &r, uf::reference::try_to_unmap, right);
        }
        t->secs += std::chrono::duration<double>(clock_type::now() - t0).count();
        t->side += side_ns - side0;
        t->calls += set.size();
}

[[noreturn]] void usage()
{
        std::fprintf(stderr,
                     "usage: kernel_speed --seeds DIR [--mutants N] [--min-time S] [--label T]\n");
        std::exit(2);
}

} // namespace

int main(int argc, char **argv)
{
        std::string seeds_dir, label = "kernel variant";
        long mutants = 20000;
        double min_time = 1.0;
        for (int i = 1; i < argc; i++) {
                std::string a = argv[i];
                if (i + 1 >= argc)
                        usage();
                std::string v = argv[++i];
                if (a == "--seeds")
                        seeds_dir = v;
                else if (a == "--mutants")
                        mutants = std::stol(v);
                else if (a == "--min-time")
                        min_time = std::stod(v);
                else if (a == "--label")
                        label = v;
                else
                        usage();
        }
        if (seeds_dir.empty())
                usage();
        std::vector<input> seeds = uf::bench::load_seeds(seeds_dir), muts;
        if (seeds.empty()) {
                std::fprintf(stderr, "kernel_speed: no seeds in %s\n", seeds_dir.c_str());
                return 2;
        }
        uf::bench::lcg g{uf::bench::STREAM_SEED};
        for (long k = 0; k < mutants; k++)
                muts.push_back(uf::bench::mutate(seeds, g));

        constexpr uf::try_to_unmap_fn bat = timed<uf::batched::try_to_unmap>;
        constexpr uf::try_to_unmap_fn ker = timed<uf::kernel::try_to_unmap>;
        std::printf("kernel speed, %s: %zu seeds + %ld LCG mutants, alternating passes\n",
                    label.c_str(), seeds.size(), mutants);
        std::printf("%-8s %7s %15s %15s %9s %13s %13s %9s\n", "stream", "inputs", "batched exec/s",
                    "kernel exec/s", "ker/bat", "batched ns", "kernel ns", "ker/bat");
        double seed_ratio = 0;
        for (const std::vector<input> *set : {&seeds, &muts}) {
                if (set->empty())
                        continue;
                timing b, k;
                pass(*set, bat, &b); // warm-up
                pass(*set, ker, &k);
                b = k = timing{};
                for (int n = 0; b.secs < min_time || n < 3; n++) {
                        pass(*set, bat, &b);
                        pass(*set, ker, &k);
                }
                double ratio = k.rate() / b.rate();
                if (set == &seeds)
                        seed_ratio = ratio;
                std::printf("%-8s %7zu %15.0f %15.0f %9.2f %13.0f %13.0f %9.2f\n",
                            set == &seeds ? "seeds" : "mutants", set->size(), b.rate(), k.rate(),
                            ratio, b.side / b.calls, k.side / k.calls,
                            (k.side / k.calls) / (b.side / b.calls));
        }
        std::printf("(exec/s: a whole fuzz input in each program; ns: the implementation's "
                    "try_to_unmap() alone, per input)\n");
        std::printf("goal, the kernel program at >= 0.8x the batched program's "
                    "exec/s on the seeds: %s (%.2fx)\n",
                    seed_ratio >= 0.8 ? "met" : "NOT met", seed_ratio);
        return 0;
}
