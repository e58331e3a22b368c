// The differential fuzz target: decode the input into a scenario, run the
// per-PTE reference and the batched implementation on identical worlds under
// the same event plan, and crash with a class-specific signature on any
// broken invariant or disallowed divergence.
//
// Every input is judged on its own: the only state kept across inputs is the
// statistics and the buffers the worlds live in, which build_world() and the
// world copies overwrite completely before use.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unistd.h>

#include "fuzz/crash.h"
#include "fuzz/stats.h"
#include "oracle/harness.h"
#include "oracle/known_bugs.h"
#include "scenario/scenario_binary.h"
#include "scenario/scenario_text.h"

namespace
{

uf::fuzz_stats stats;
// UNMAPFUZZ_IGNORE_KNOWN (./unmapfuzz fuzz --ignore-known): a failure a
// known bug explains is counted (known.ID= in the statistics) but is no
// crash, so a campaign goes on past it to look for new ones. "1" ignores
// every known bug, "B4,B5" only those. Read once, at initialisation; the
// verdict itself never depends on it.
bool ignored[uf::NR_KNOWN_BUGS] = {};

bool ignore(const uf::verdict &v)
{
        return v.known && ignored[v.known->index];
}
// The worlds of one run are large: one buffer, overwritten by every input. At
// namespace scope so that no first-input-only initialisation edge exists.
uf::run_result r;

// Fork-mode children's output is not kept, so each process also leaves its
// statistics in UNMAPFUZZ_STATS_DIR for ./unmapfuzz fuzz to add up: at exit,
// just before a crash (an abort runs no atexit handler, and a fork-mode job
// ends at its first crash) and every 16384 executions.
void write_stats_file()
{
        const char *dir = std::getenv("UNMAPFUZZ_STATS_DIR");
        if (!dir || !stats.execs)
                return;
        char path[4096];
        std::snprintf(path, sizeof(path), "%s/stats-%ld", dir, static_cast<long>(getpid()));
        if (FILE *f = std::fopen(path, "w")) {
                stats.print(f);
                std::fclose(f);
        }
}

// Every 16384 executions of a libFuzzer build, the statistics file too, so
// that ./unmapfuzz fuzz prints progress while a long fork-mode job runs (a
// count, never the clock: the per-input path stays free of time). The
// condition lives here, called unconditionally, and fuzz/sancov_ignorelist.txt
// keeps this function, write_stats_file() and fuzz_stats::print() out of
// coverage and comparison tracing: the checkpoint adds no edge and no
// comparison operand, so the search is the one it was. AFL++ builds skip it:
// their edges are all instrumented, and one taken every 16384th execution
// would make AFL++'s stability drop below 100%; ./unmapfuzz reads AFL++'s
// own plot_data instead. noinline: inlined, the condition would land in
// LLVMFuzzerTestOneInput, which is instrumented.
__attribute__((noinline)) void stats_checkpoint()
{
#ifndef __AFL_COMPILER
        if ((stats.execs & 0x3fff) == 0)
                write_stats_file();
#endif
}

void print_stats()
{
        stats.print(stderr);
        write_stats_file();
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
        if (const char *ik = std::getenv("UNMAPFUZZ_IGNORE_KNOWN")) {
                for (int k = 0; k < uf::NR_KNOWN_BUGS; k++) {
                        const std::string id = uf::known_bugs()[k].id;
                        const std::string list = std::string(",") + ik + ",";
                        ignored[k] =
                            !std::strcmp(ik, "1") || list.find("," + id + ",") != std::string::npos;
                }
        }
        std::atexit(print_stats);
        return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (size > uf::MAX_INPUT_SIZE)
                return -1; // beyond the cap: not worth keeping in the corpus
        uf::decode_stats ds{};
        uf::scenario s = uf::decode_scenario(data, size, &ds);
        uf::run_scenario(s, &r);
        stats.record(r.v, ds.clamps, r.bat.after.nr_fired);
        stats_checkpoint();
        if (!r.v.ok() && !ignore(r.v)) {
                std::fprintf(stderr, "unmapfuzz: found after %llu executions\n",
                             static_cast<unsigned long long>(stats.execs));
                std::fprintf(
                    stderr,
                    "==== unmapfuzz scenario\n%s==== replay: ./unmapfuzz repro <crash file>\n",
                    uf::print_scenario(s).c_str());
                write_stats_file();
                uf::crash(r.v);
        }
        return 0;
}
