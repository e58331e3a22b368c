// Reference semantics levels: the version ladder of docs/semantics.md 0,
// as far as it changes what the per-PTE reference does (mm/rules.h).
// A kernel tree is compared with the reference of its own level, so the
// documented policy changes between versions do not flood a campaign.
#pragma once

#include <cstdint>

#include "mm/rules.h"

namespace uf
{

enum class semantics_level : uint8_t {
        K0,  // <= v6.14: per-PTE only
        K1,  // v6.15: all-or-nothing lazyfree batching
        K2,  // v6.16: folio_unmap_pte_batch(), partial batches
        K2b, // v6.17: David Hildenbrand's folio_pte_batch() refactor
        K2c, // v6.18-v6.19: the large-folio mlock rule
        K3,  // v7.0: file folio batching, FPB_RESPECT_WRITE | FPB_RESPECT_SOFT_DIRTY
        K4,  // mid-2026 mainline: nr_pages reset per iteration
        K5,  // mid-2026 mm-unstable: the anon_nocache restore (what reference/ models)
        NR_LEVELS,
};

const char *semantics_name(semantics_level l);
// "K0".."K5", "K2b", "K2c"; false for anything else.
bool parse_semantics(const char *name, semantics_level *out);
// The level a kernel of this version (the Makefile's VERSION.PATCHLEVEL) has.
semantics_level semantics_for_version(int version, int patchlevel);
// constexpr: the programs' configurations are constants, initialised before
// any code runs (no first-input-only initialisation for the engines to see).
constexpr unmap_rules rules_for(semantics_level l)
{
        unmap_rules r;
        r.mlock_large_folios = l >= semantics_level::K2c;
        r.nocache_restores = l >= semantics_level::K5;
        r.lazyfree_refs_first = l < semantics_level::K1;
        return r;
}

} // namespace uf
