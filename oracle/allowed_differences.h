// The intended observable differences between the per-PTE and the batched
// unmap (docs/semantics.md 10; the numbers below are its sections). This is
// the one place they are tolerated; each is counted in the statistics, never
// silently dropped.
#pragma once

#include <cstdint>

#include "mm/world.h"

namespace uf
{

// Append only: the statistics print them by name.
enum class allowed_difference : uint8_t {
        deferred_split,      // 10.1: per-PTE removal queues a large anon folio for deferred split
        tlb_flush_count,     // 10.2: one flush or pending add per batch instead of per PTE
        restore_dirty_young, // 10.4: a restored batch gains the OR of dirty/young
        mlock_count,         // 10.7: munlock calls differ, mlock_count may undercount
        pmd_structure,       // 8: a PMD-mapped lazyfree folio is discarded whole, not split
        abort_granularity,   // 10.5, 10.6, 10.8: pages the batched side kept intact
        version_policy,      // a known bug the program's semantics level intends (B10 before K5)
        fixed_warn, // real kernel code WARNed on a known bug's path, then did what the fix does
        NR_ALLOWED_DIFFERENCES,
};

const char *allowed_difference_name(allowed_difference d);

// Records which allowed differences a comparison relied on (bit per kind).
struct allowed_set {
        uint32_t bits = 0;
        void note(allowed_difference d) { bits |= 1u << static_cast<int>(d); }
        bool has(allowed_difference d) const { return bits & (1u << static_cast<int>(d)); }
};

// Folio fields outside every comparison: deferred split state, mlock_count.
// Notes the differences it masks.
void note_folio_differences(const folio &ref, const folio &bat, allowed_set *seen);
// The op counters differ by design; notes a difference in flush counts.
void note_counter_differences(const world &ref, const world &bat, allowed_set *seen);
// Page-table structure: both sides compare through a slot view, so a PMD
// slot that is none on one side and a split table on the other is equal.
void note_structure_differences(const world &ref, const world &bat, allowed_set *seen);
// 10.5/10.8 extended to races: the batched side clears a whole batch before
// its folio-wide checks, so a race event fired by a later page of the batch
// (a GUP pin, a speculative reference) is seen by the checks of earlier pages
// that the per-PTE side had already finished. The batched walk may then fail
// where the per-PTE walk succeeded; every page must still end legally.
bool batched_may_abort_alone(bool ref_ret, const world &bat, allowed_set *seen);
// A restored slot may gain dirty and young relative to `expect`.
bool equal_but_dirty_young(pte_t expect, pte_t got);

} // namespace uf
