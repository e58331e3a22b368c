// Runs one scenario through both implementations on identical copies of the
// same world and judges the end states (docs/design.md 6).
#pragma once

#include "mm/world.h"
#include "oracle/invariants.h"
#include "oracle/oracle.h"
#include "scenario/scenario.h"

namespace uf
{

struct side_result {
        world after;
        bool ret = true;
        invariant_report inv;
        // The trace records past MAX_TRACE (after.trace_dropped of them), from
        // a rerun of the side; filled only for a failure of the side a known
        // bug would be in, whose signature needs the whole trace.
        std::vector<trace_rec> trace_rest;
};

struct run_result {
        world before;
        world_tally before_tally; // count_world(before), shared by both sides' checks
        side_result ref, bat;
        verdict v;
};

// An implementation's try_to_unmap() (reference/, batched/, kernel/).
using try_to_unmap_fn = bool (*)(folio *folio, unsigned int flags);

// One implementation's try_to_unmap() of w's folio, then what its caller does
// next: reclaim's flush_dirty / pageout / flush (mm/vmscan.h), or only the
// flush for the callers that pass TTU_IGNORE_MLOCK (memory failure, split).
bool unmap_and_flush(world &w, unsigned int ttu, try_to_unmap_fn try_to_unmap);
// The same for what fills one of the oracle's slots (oracle/program.h).
bool unmap_and_flush(world &w, unsigned int ttu, implementation impl);
// Runs one implementation on a copy of `before` with unmap_and_flush(), then
// checks the invariants; before_tally is count_world(before, without TLB).
void run_side(const world &before, const world_tally &before_tally, unsigned int ttu,
              try_to_unmap_fn try_to_unmap, side_result *out);
// Builds the world of a sanitized scenario, runs both sides and judges them;
// a failure that a known bug explains (oracle/known_bugs.h) is named, or, when
// the program's semantics level intends it, allowed.
void run_scenario(const scenario &s, run_result *r);
// The same with other implementations in the two slots (bench/ compares
// programs in one process this way).
void run_scenario_with(const scenario &s, run_result *r, try_to_unmap_fn left,
                       try_to_unmap_fn right);

} // namespace uf
