// The differential oracle (docs/design.md 6, layers 2 and 3): judges the two end
// states of one scenario, after each has passed its own invariants (layer 1).
#pragma once

#include <cstdint>

#include "mm/world.h"
#include "oracle/allowed_differences.h"
#include "oracle/invariants.h"

namespace uf
{

// The oracle's two slots (oracle/program.h says which implementation fills each).
enum class implementation : uint8_t { reference, batched };
// The label of what fills the slot: "reference", "batched" or "kernel".
const char *implementation_name(implementation impl);

// Stable class names (crash grouping keys on them). Append only.
enum class divergence : uint8_t {
        return_value, // the two walks disagree on success
        pte_state,    // a slot ends differently (or, after an abort, illegally)
        mapcount,     // per-page, large or entire mapcount
        refcount,
        rss_counter,
        swap_count,
        anon_exclusive, // PageAnonExclusive
        folio_flags,    // dirty, swapbacked, mlocked
        folio_mapped,
        mmlist,
        notifier, // the mmu-notifier ranges of the walks
        NR_DIVERGENCES,
};
const char *divergence_name(divergence d);

enum class verdict_kind : uint8_t {
        exact,       // neither side aborted and the end states are equal
        legality,    // some side aborted and every page ended legally
        invariant,   // one side broke an invariant on its own
        divergence,  // the sides differ in a way docs/semantics.md 10 does not allow
        kernel_warn, // real kernel code hit a WARN_ON*/VM_WARN_ON* (kernel/)
        kernel_bug,  // real kernel code hit a BUG_ON/VM_BUG_ON*: the call stopped
};

struct known_bug;

struct verdict {
        verdict_kind kind = verdict_kind::exact;
        implementation side = implementation::batched; // for kind == invariant
        invariant inv{};
        divergence div{};
        allowed_set allowed;
        char detail[240] = {};
        // Kernel kinds: where the assertion is, "mm/rmap.c:1859" (the class).
        char where[48] = {};
        // A failure that a known bug explains (oracle/known_bugs.h), or null.
        const known_bug *known = nullptr;

        bool ok() const { return kind == verdict_kind::exact || kind == verdict_kind::legality; }
        // "DIVERGENCE pte_state", "INVARIANT mapcount", "KERNEL_WARN mm/rmap.c:1859",
        // "OK exact", "OK legality".
        const char *kind_name() const;
        const char *class_name() const;
};

verdict judge(const world &before, const world &ref, bool ref_ret, const invariant_report &ref_inv,
              const world &bat, bool bat_ret, const invariant_report &bat_inv);
// Layers 2 and 3 alone: the two end states compared, whatever their own
// invariants or kernel assertions say (oracle/known_bugs.cc compares a side
// with a known bug's behaviour this way).
verdict compare_sides(const world &before, const world &ref, bool ref_ret, const world &bat,
                      bool bat_ret);

} // namespace uf
