// Faults and races as semantic events (docs/design.md 5).
//
// An event is keyed to a moment in the life of one page of the folio, never to
// a call count, because the batched implementation makes far fewer calls than
// the per-PTE one. The substrate's primitives fire the events themselves;
// reference/ and batched/ never see the plan.
#pragma once

#include <cstdint>

namespace uf
{

// The order of these tags is part of the binary scenario format: append only.
enum class event_kind : uint8_t {
        hw_dirty,        // before page p's slot is cleared: hardware sets the dirty bit
        hw_young,        // before page p's slot is cleared: hardware sets the young bit
        gup_pin,         // before page p's slot is cleared: GUP-fast pins the folio
        spec_ref,        // at the first lazyfree refcount read after p's slot was cleared
        gup_redirty,     // at the first lazyfree dirty test after p's slot was cleared
        stale_tlb_write, // after p's slot is cleared, before its flush, via a dirty TLB entry
        dup_swap_fail,   // raising the swap count of page p's slot fails (-ENOMEM)
        arch_unmap_fail, // arch_unmap_one() fails for page p (sparc64 ADI mode only)
        NR_EVENT_KINDS,
};

constexpr int MAX_EVENTS = 8;

struct event {
        event_kind kind = event_kind::hw_dirty;
        uint16_t page = 0;

        bool operator==(const event &) const = default;
};

const char *event_name(event_kind kind);

// One fired event, for the report and the determinism check. `when` is the
// value of the world's PTE-access counter at the time, so a trace shows where
// in the walk the event happened.
struct fired_event {
        event_kind kind;
        uint16_t page;
        uint32_t when;
        uint8_t vma;

        bool operator==(const fired_event &) const = default;
};

} // namespace uf
