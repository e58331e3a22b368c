// Scaling of the per-input cost (docs/performance.md 3): time per input against folio
// order (0..9), number of VMAs (1..8), number of mms (1..4) and number of
// events (0..8), on programmatic scenarios (bench/bench_scenarios.h).
//
// One "input" is what the fuzz target does with one byte string, minus the
// statistics: decode_scenario() of the encoded scenario, run_scenario()
// (build the world, run the reference and the batched side on copies of it,
// check invariants on both, judge). Each family is fitted with least squares
// as t = a + b*x, x the family's parameter (pages for the order family), and
// the table after Google Benchmark's own shows a, b, R^2 and t(max)/t(min).
// The fits use CPU time, which a busy neighbour on a shared machine disturbs
// less than wall time (the inputs are single-threaded and never sleep).
//
// Run with Google Benchmark's flags, e.g. --benchmark_min_time=0.05.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "bench/bench_scenarios.h"
#include "mm/tlb.h"
#include "oracle/harness.h"
#include "scenario/scenario_binary.h"

namespace
{

using uf::bench::pae_mode;
using uf::bench::shape;

uf::run_result g_result; // one static result, as the fuzz target keeps

void run_inputs(benchmark::State &st, const shape &sh, double x)
{
        std::vector<uint8_t> bytes = uf::encode_scenario(uf::bench::make_scenario(sh));
        for (auto _ : st) {
                uf::scenario s = uf::decode_scenario(bytes.data(), bytes.size());
                uf::run_scenario(s, &g_result);
                benchmark::DoNotOptimize(g_result.v.kind);
        }
        if (!g_result.v.ok()) {
                st.SkipWithError(g_result.v.class_name());
                return;
        }
        st.counters["x"] = x;
        st.counters["fired"] = g_result.bat.after.nr_fired;
}

shape order_shape(uf::folio_type type, int order)
{
        shape sh;
        sh.type = type;
        sh.order = order;
        sh.ttu = uf::TTU_BATCH_FLUSH;
        if (type == uf::folio_type::anon) {
                sh.pae = pae_mode::all;
                sh.dirty = sh.write = true;
        }
        return sh;
}

void BM_order_file(benchmark::State &st)
{
        int order = static_cast<int>(st.range(0));
        run_inputs(st, order_shape(uf::folio_type::file, order), 1 << order);
}
void BM_order_lazyfree(benchmark::State &st)
{
        int order = static_cast<int>(st.range(0));
        run_inputs(st, order_shape(uf::folio_type::lazyfree, order), 1 << order);
}
void BM_order_anon(benchmark::State &st)
{
        int order = static_cast<int>(st.range(0));
        run_inputs(st, order_shape(uf::folio_type::anon, order), 1 << order);
}
// Order-4 file folio mapped by N VMAs, all in one mm.
void BM_vmas(benchmark::State &st)
{
        shape sh = order_shape(uf::folio_type::file, 4);
        sh.nr_vmas = static_cast<int>(st.range(0));
        run_inputs(st, sh, static_cast<double>(st.range(0)));
}
// Order-4 file folio mapped once in each of N mms (a fork).
void BM_mms(benchmark::State &st)
{
        shape sh = order_shape(uf::folio_type::file, 4);
        sh.nr_mms = sh.nr_vmas = static_cast<int>(st.range(0));
        run_inputs(st, sh, static_cast<double>(st.range(0)));
}
// Order-4 file folio, one VMA, N hw_dirty/hw_young events on distinct pages.
void BM_events(benchmark::State &st)
{
        shape sh = order_shape(uf::folio_type::file, 4);
        sh.nr_events = static_cast<int>(st.range(0));
        run_inputs(st, sh, static_cast<double>(st.range(0)));
}

BENCHMARK(BM_order_file)->DenseRange(0, 9);
BENCHMARK(BM_order_lazyfree)->DenseRange(0, 9);
BENCHMARK(BM_order_anon)->DenseRange(0, 9);
BENCHMARK(BM_vmas)->DenseRange(1, 8);
BENCHMARK(BM_mms)->DenseRange(1, 4);
BENCHMARK(BM_events)->DenseRange(0, 8);

// Collects (x, ns per input) per family while printing as usual.
class fit_reporter : public benchmark::ConsoleReporter
{
      public:
        // Plain text (no colours): the output is pasted into docs/performance.md.
        fit_reporter() : ConsoleReporter(OO_Tabular) {}

        struct point {
                double x, ns;
        };
        std::map<std::string, std::vector<point>> families;
        std::vector<std::string> order;

        void ReportRuns(const std::vector<Run> &runs) override
        {
                ConsoleReporter::ReportRuns(runs);
                for (const Run &r : runs) {
                        if (r.run_type != Run::RT_Iteration || r.error_occurred || !r.iterations)
                                continue;
                        std::string name = r.run_name.function_name;
                        auto it = r.counters.find("x");
                        if (it == r.counters.end())
                                continue;
                        double ns =
                            r.GetAdjustedCPUTime() * (r.time_unit == benchmark::kMicrosecond   ? 1e3
                                                      : r.time_unit == benchmark::kMillisecond ? 1e6
                                                      : r.time_unit == benchmark::kSecond      ? 1e9
                                                                                          : 1.0);
                        if (!families.count(name))
                                order.push_back(name);
                        families[name].push_back({it->second.value, ns});
                }
        }
};

void print_fits(const fit_reporter &rep)
{
        std::printf("\nscaling fits, CPU time per input t = a + b*x (least squares):\n");
        std::printf("%-20s %-22s %10s %12s %7s %12s %12s %9s\n", "family", "x", "a (ns)",
                    "b (ns/x)", "R^2", "t(x_min) ns", "t(x_max) ns", "max/min");
        for (const std::string &name : rep.order) {
                const auto &pts = rep.families.at(name);
                if (pts.size() < 2)
                        continue;
                double n = static_cast<double>(pts.size()), sx = 0, sy = 0, sxx = 0, sxy = 0;
                for (const auto &p : pts) {
                        sx += p.x;
                        sy += p.ns;
                        sxx += p.x * p.x;
                        sxy += p.x * p.ns;
                }
                double b = (n * sxy - sx * sy) / (n * sxx - sx * sx);
                double a = (sy - b * sx) / n;
                double mean = sy / n, ss_tot = 0, ss_res = 0;
                for (const auto &p : pts) {
                        ss_tot += (p.ns - mean) * (p.ns - mean);
                        double e = p.ns - (a + b * p.x);
                        ss_res += e * e;
                }
                double r2 = ss_tot > 0 ? 1 - ss_res / ss_tot : 1;
                const char *xname = name.rfind("BM_order", 0) == 0 ? "pages (2^order, 1..512)"
                                    : name == "BM_vmas"            ? "VMAs (1..8)"
                                    : name == "BM_mms"             ? "mms (1..4)"
                                                                   : "events (0..8)";
                std::printf("%-20s %-22s %10.0f %12.1f %7.4f %12.0f %12.0f %9.2f\n",
                            name.c_str() + 3, xname, a, b, r2, pts.front().ns, pts.back().ns,
                            pts.back().ns / pts.front().ns);
        }
}

} // namespace

int main(int argc, char **argv)
{
        benchmark::Initialize(&argc, argv);
        if (benchmark::ReportUnrecognizedArguments(argc, argv))
                return 1;
        fit_reporter rep;
        benchmark::RunSpecifiedBenchmarks(&rep);
        print_fits(rep);
        benchmark::Shutdown();
        return 0;
}
