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
#include <vector>

#include "fuzz/crash.h"
#include "fuzz/stats.h"
#include "oracle/harness.h"
#include "oracle/known_bugs.h"
#include "scenario/mutate.h"
#include "scenario/scenario_binary.h"
#include "scenario/scenario_text.h"

// libFuzzer's own byte-level mutation, for the share of mutations the custom
// mutator leaves to it. Weak: the replay build has no engine (and never
// mutates).
extern "C" size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size)
    __attribute__((weak));

namespace
{

uf::fuzz_stats stats;
// UNMAPFUZZ_IGNORE_KNOWN (./unmapfuzz fuzz --ignore-known): a failure a
// known bug explains is counted (known.ID= in the statistics) but is no
// crash, so a campaign goes on past it to look for new ones. "1" ignores
// every known bug, "B4,B5" only those. Read once, at initialisation; the
// verdict itself never depends on it.
bool ignored[uf::NR_KNOWN_BUGS] = {};

// The structure-aware mutator is on by default: from the seeds that do not
// trigger them, it finds the zoo's sub-batch bugs in a tenth of the
// executions byte mutation needs (docs/mutation.md). UNMAPFUZZ_MUTATOR=0
// turns it off, so that every mutation is libFuzzer's byte-level one, as
// without the hooks below (the bench's baseline). UNMAPFUZZ_BYTE_SHARE=N
// (percent) sets the share of byte-level mutations when it is on. Read
// once, at initialisation, like UNMAPFUZZ_IGNORE_KNOWN.
bool structure_aware = true;
// Chosen by measurement (docs/mutation.md): on the anon sub-batch bugs a
// share of libFuzzer's byte mutations found them no sooner (20 % and 50 %
// against none), so by default byte mutation is only the fallback for a
// scenario no semantic change fits.
constexpr unsigned DEFAULT_BYTE_SHARE = 0;
unsigned byte_share = DEFAULT_BYTE_SHARE;

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

// libFuzzer rereads its output corpus every second (-reload=1, its default)
// and runs each file there whose hash it does not hold. A seed that entered
// the corpus keeps its copy in that directory after a smaller input replaces
// it (libFuzzer never deletes a file it read from a seed directory), so the
// first reread runs that stale copy once: an execution that is no mutation,
// at a point set by the clock. Two runs with the same -seed then parted on a
// busy machine (12 of 12 pairs repeated with -reload=0, 1 of 3 repeated
// without, with the structure-aware mutator and three CPU-bound processes
// beside them).
// So a libFuzzer build defaults to -reload=0; a command line that names
// -reload keeps its own (parallel -jobs sharing one corpus directory).
// Fork mode merges its jobs' corpora itself and needs no reread. AFL++'s
// driver reads its own arguments: it gets none added.
void default_no_reload(int *argc, char ***argv)
{
#ifndef __AFL_COMPILER
        if (!LLVMFuzzerMutate || !argc || !argv || !*argv)
                return; // no libFuzzer (the replay and bench mains): nothing rereads
        for (int i = 1; i < *argc; i++)
                if (!std::strncmp((*argv)[i], "-reload=", 8))
                        return;
        // libFuzzer keeps the pointer for the process's life.
        static std::vector<char *> args;
        static char no_reload[] = "-reload=0";
        args.assign(*argv, *argv + *argc);
        args.insert(args.begin() + 1, no_reload);
        args.push_back(nullptr);
        *argc += 1;
        *argv = args.data();
#else
        (void)argc;
        (void)argv;
#endif
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        default_no_reload(argc, argv);
        if (const char *ik = std::getenv("UNMAPFUZZ_IGNORE_KNOWN")) {
                for (int k = 0; k < uf::NR_KNOWN_BUGS; k++) {
                        const std::string id = uf::known_bugs()[k].id;
                        const std::string list = std::string(",") + ik + ",";
                        ignored[k] =
                            !std::strcmp(ik, "1") || list.find("," + id + ",") != std::string::npos;
                }
        }
        if (const char *m = std::getenv("UNMAPFUZZ_MUTATOR"))
                structure_aware = std::strcmp(m, "0") != 0;
        if (const char *b = std::getenv("UNMAPFUZZ_BYTE_SHARE"))
                byte_share = static_cast<unsigned>(std::strtoul(b, nullptr, 10));
        if (byte_share > 100)
                byte_share = 100;
        std::atexit(print_stats);
        return 0;
}

namespace
{

// Whether a mutant decodes to a scenario other than its parent's (the
// statistics' mutants_changed=).
void count_mutant(const uf::scenario &parent, const uint8_t *data, size_t size)
{
        stats.record_mutant(!(uf::decode_scenario(data, size) == parent));
}

} // namespace

// The custom mutator (scenario/mutate.h): most mutations are one semantic
// change of the decoded scenario, re-encoded; byte_share percent are
// libFuzzer's, canonicalised (re-encoded) so that the input kept in the
// corpus is what the target runs. The randomness is libFuzzer's: its seed
// argument, and LLVMFuzzerMutate()'s own generator.
extern "C" size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size,
                                          unsigned int seed)
{
        uf::mutate_rng rng(seed);
        if (structure_aware && rng.below(100) >= byte_share) {
                // A semantic mutant always differs from its parent.
                if (size_t n = uf::mutate_input(data, size, data, max_size, rng.next())) {
                        stats.record_mutant(true);
                        return n;
                }
        }
        if (!LLVMFuzzerMutate)
                return 0;
        const uf::scenario parent = uf::decode_scenario(data, size);
        size_t n = LLVMFuzzerMutate(data, size, max_size);
        if (structure_aware)
                n = uf::canonicalize_input(data, n, max_size);
        if (n)
                count_mutant(parent, data, n);
        return n;
}

// Crossover splices parts of two scenarios (the folio of one, the VMAs,
// slots and events of the other). Off with the structure-aware mutator:
// libFuzzer then crosses over bytes inside LLVMFuzzerMutate().
extern "C" size_t LLVMFuzzerCustomCrossOver(const uint8_t *data1, size_t size1,
                                            const uint8_t *data2, size_t size2, uint8_t *out,
                                            size_t max_out_size, unsigned int seed)
{
        if (!structure_aware)
                return 0;
        size_t n = uf::crossover_inputs(data1, size1, data2, size2, out, max_out_size, seed);
        if (n)
                count_mutant(uf::decode_scenario(data1, size1), out, n);
        return n;
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
