// Bounded exhaustive mode (docs/design.md 5, Loom/CHESS-style small-scope checking):
// every world in a small alphabet and every placement of up to a few events,
// each run through the same oracle as a fuzz input. Fuzzing explores deep and
// wide; this proves that nothing small is missed.
#pragma once

#include <cstdint>
#include <functional>

#include "scenario/scenario.h"

namespace uf
{

struct exhaust_options {
        int max_order = 1;     // folio orders 0..max_order
        int max_vmas = 2;      // 1..max_vmas VMAs (two VMAs: a split or a fork)
        int max_events = 1;    // 0..max_events events, every kind on every mapped page
        bool mid_folio = true; // also order 2's mid-folio layout when max_order < 2
};

struct exhaust_counts {
        uint64_t enumerated = 0; // worlds (before events) of the product space visited
        uint64_t run = 0;        // canonical scenarios judged (worlds x event plans)
        uint64_t failures = 0;
};

// Calls `visit` once for every canonical scenario within the bound, in a fixed
// order. Worlds that sanitize() would change are skipped with all their event
// plans (events never make a world non-canonical): each is a duplicate of the
// canonical world sanitize() maps it to, so skipping them is sound. So are
// VMA-flag choices that no slot pattern can make canonical. `visit` returns
// false to stop early.
void exhaust(const exhaust_options &opt, exhaust_counts *counts,
             const std::function<bool(const scenario &)> &visit);

// The number of worlds exhaust() visits (exhaust_counts::enumerated at the
// end), from a dry run of the enumeration that judges nothing: what a
// progress line measures against.
double exhaust_points(const exhaust_options &opt);

} // namespace uf
