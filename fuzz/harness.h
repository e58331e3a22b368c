// Runs one scenario through both implementations on identical copies of the
// same world and judges the end states (design §6).
#pragma once

#include "fuzz/invariants.h"
#include "fuzz/oracle.h"
#include "fuzz/scenario.h"
#include "mm/world.h"

namespace uf
{

struct side_result {
        world after;
        bool ret = true;
        invariant_report inv;
};

struct run_result {
        world before;
        world_tally before_tally; // count_world(before), shared by both sides' checks
        side_result ref, bat;
        verdict v;
};

// One implementation's try_to_unmap() of w's folio, then what vmscan does
// before it frees or writes out a folio (try_to_unmap_flush()).
bool unmap_and_flush(world &w, unsigned int ttu, implementation impl);
// Runs one implementation on a copy of `before`, then does what vmscan does
// before it frees or writes out a folio (try_to_unmap_flush()), then checks
// the invariants; before_tally is count_world(before, without TLB).
void run_side(const world &before, const world_tally &before_tally, unsigned int ttu,
              implementation impl, side_result *out);
// Builds the world of a sanitized scenario, runs both sides and judges them.
void run_scenario(const scenario &s, run_result *r);

} // namespace uf
