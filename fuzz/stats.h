// Campaign statistics (docs/design.md 6): how many executions were compared under
// which verdict, which allowed differences they relied on, how many inputs
// were clamped. A campaign that compares nothing shows up here.
#pragma once

#include <cstdint>
#include <cstdio>

#include "oracle/known_bugs.h"
#include "oracle/oracle.h"

namespace uf
{

struct fuzz_stats {
        uint64_t execs = 0;
        uint64_t exact = 0;
        uint64_t legality = 0;
        uint64_t failures = 0;
        uint64_t clamped = 0;
        uint64_t events_fired = 0;
        // The engine's custom mutator (libFuzzer): inputs it wrote, and how
        // many of them decode to a scenario other than their parent's.
        uint64_t mutants = 0;
        uint64_t mutants_changed = 0;
        uint64_t allowed[static_cast<int>(allowed_difference::NR_ALLOWED_DIFFERENCES)] = {};
        // Verdicts a known bug explained (failures, or allowed by the level).
        uint64_t known[NR_KNOWN_BUGS] = {};

        void record(const verdict &v, int clamps, int fired);
        void record_mutant(bool changed)
        {
                mutants++;
                mutants_changed += changed;
        }
        // One line, "unmapfuzz-stats: execs=... exact=... legality=... ...".
        void print(FILE *out) const;
};

} // namespace uf
