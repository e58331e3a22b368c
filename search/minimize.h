// Structural minimisation of a failing scenario (./unmapfuzz minimize,
// ./unmapfuzz triage).
//
// A byte-level minimiser (libFuzzer -minimize_crash, afl-tmin) shrinks the
// encoding; this one shrinks the world: it drops VMAs, events and mms, sets
// slots to none (whole runs of equal slots, then single slots), clears PTE
// bits, PageAnonExclusive and PageHWPoison bits, folio flags, extra
// references, TTU and VMA flags, trims VMAs to the folio pages they map and
// shrinks the folio order (keeping the lower or the upper half of the folio,
// with its slots, page bits and events). Every step is sanitized and re-run
// through run_scenario(), and kept only when the verdict is the same failure:
// the same kind, class and known bug (and, for an invariant, the same side), so a
// minimised reproducer never silently turns into another bug.
#pragma once

#include "oracle/oracle.h"
#include "scenario/scenario.h"

namespace uf
{

struct minimize_stats {
        unsigned long tried = 0; // candidates run through the oracle
        unsigned long kept = 0;  // steps that kept the failure
        unsigned rounds = 0;     // passes over every kind of step
};

// The same failure: kind, class, the known bug that explains it (or none)
// and, for an invariant, the side that broke it.
bool same_failure(const verdict &a, const verdict &b);

// Returns the smallest scenario reached from `s` by the steps above that still
// fails like `s`. `s` must fail (else it is returned sanitized and unchanged).
// `max_tried` bounds the number of candidates run.
scenario minimize_scenario(const scenario &s, minimize_stats *stats = nullptr,
                           unsigned long max_tried = 500000);

// How much a scenario holds, for "before -> after" lines: non-none slots,
// set PTE bits, and every other item that minimisation can remove.
struct scenario_size {
        int vmas = 0, mms = 0, events = 0, slots = 0, bits = 0, order = 0;
};
scenario_size measure_scenario(const scenario &s);

} // namespace uf
