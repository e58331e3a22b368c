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
#include <unistd.h>

#include "fuzz/crash.h"
#include "fuzz/harness.h"
#include "fuzz/scenario_binary.h"
#include "fuzz/scenario_text.h"
#include "fuzz/stats.h"

namespace
{

uf::fuzz_stats stats;
// The worlds of one run are large: one buffer, overwritten by every input. At
// namespace scope so that no first-input-only initialisation edge exists.
uf::run_result r;

// Fork-mode children's output is not kept, so each process also leaves its
// statistics in UNMAPFUZZ_STATS_DIR for ./unmapfuzz fuzz to add up: at exit,
// and just before a crash (an abort runs no atexit handler, and a fork-mode
// job ends at its first crash).
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

void print_stats()
{
        stats.print(stderr);
        write_stats_file();
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
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
        if (!r.v.ok()) {
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
