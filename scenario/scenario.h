// Scenario: the one input value both implementations run on (docs/design.md 7).
//
// A scenario says what the world looks like before reclaim calls
// try_to_unmap(): the folio, the mms and VMAs that map it, the state of every
// slot that could map a page of the folio, the TTU flags and the event plan.
// It is deliberately incapable of describing an inconsistent world: mapcounts,
// refcount, rss counters and swap counts are derived from the slots by the
// world builder (fuzz/world_builder), never stated.
//
// Two encodings round-trip exactly: text (*.scn, fuzz/scenario_text) and
// binary (what the engines mutate, fuzz/scenario_binary).
#pragma once

#include <bitset>
#include <cstdint>

#include "mm/events.h"
#include "mm/mm_types.h"
#include "mm/world.h"

namespace uf
{

// Folio types. The order of the tags is part of the binary format: append only.
enum class folio_type : uint8_t {
        lazyfree,     // anon, !swapbacked (MADV_FREE)
        anon,         // anon, swapbacked, in the swap cache (vmscan allocated swap)
        file,         // page cache, !swapbacked
        shmem,        // page cache, swapbacked
        anon_nocache, // anon, swapbacked, NOT in the swap cache: the B10 state bug
        NR_FOLIO_TYPES,
};

// What a slot holds before reclaim. Append only.
enum class slot_kind : uint8_t {
        none,
        present,          // maps the page the VMA's linear mapping puts here
        foreign,          // present, maps a page of another folio
        swap,             // swap entry (of this folio's slot if in the swap cache)
        marker,           // PTE_MARKER_UFFD_WP
        device_exclusive, // maps the page, non-present
        device_private,   // maps the page, non-present
        NR_SLOT_KINDS,
};

struct slot_spec {
        slot_kind kind = slot_kind::none;
        uint8_t bits = 0; // PTE_* bits meaningful for the kind (mm/pgtable.h)

        bool operator==(const slot_spec &) const = default;
};

// A VMA of the scenario. `folio_addr` is where the VMA's linear mapping puts
// page 0 of the folio; it may lie outside [start, end), in which case the VMA
// maps only part of the folio.
struct vma_spec {
        uint8_t mm = 0;
        unsigned long start = 0, end = 0; // bytes, page aligned, below TASK_SIZE
        unsigned long folio_addr = 0;     // bytes, page aligned, below TASK_SIZE
        uint8_t flags = 0;                // VM_LOCKED | VM_DROPPABLE | VM_UFFD_* (mm/mm_types.h)
        bool pmd = false;                 // the folio is PMD-mapped here (order 9, aligned)
        slot_spec slot[MAX_FOLIO_PAGES];  // slot of folio page i (if inside the VMA)

        bool operator==(const vma_spec &) const = default;
};

enum : uint8_t {
        FOLIO_DIRTY = 1 << 0,
        FOLIO_MLOCKED = 1 << 1,
        FOLIO_PINNED = 1 << 2, // one FOLL_PIN pin, with its references (mm/gup.h)
        FOLIO_ALL_FLAGS = (1 << 3) - 1,
};

constexpr int SCENARIO_VERSION = 1;
constexpr int MAX_EXTRA_REFS = 64;

struct scenario {
        folio_type type = folio_type::lazyfree;
        uint8_t order = 0;
        uint8_t folio_flags = 0;
        uint8_t extra_refs = 0;                // GUP and other references beyond the mappings
        std::bitset<MAX_FOLIO_PAGES> pae;      // PageAnonExclusive (anon types only)
        std::bitset<MAX_FOLIO_PAGES> hwpoison; // PageHWPoison
        unsigned int ttu = 0;                  // TTU_* (mm/tlb.h)
        arch_mode arch = ARCH_GENERIC;
        uint8_t nr_mms = 1;
        uint8_t nr_vmas = 0;
        vma_spec vmas[MAX_VMAS];
        uint8_t nr_events = 0;
        event events[MAX_EVENTS];

        bool operator==(const scenario &) const = default;
};

inline bool folio_type_is_anon(folio_type t)
{
        return t == folio_type::lazyfree || t == folio_type::anon || t == folio_type::anon_nocache;
}

// Slot kinds that map a page of the folio and count towards its mapcount.
inline bool slot_maps_folio_page(slot_kind kind)
{
        return kind == slot_kind::present || kind == slot_kind::device_exclusive ||
               kind == slot_kind::device_private;
}

// Folio pages [first, last) that VMA v maps (empty when it maps none).
void vma_folio_pages(const scenario &s, int v, int *first, int *last);

// The VMA flags a scenario can hold.
constexpr uint8_t VMA_ALL_FLAGS = VM_LOCKED | VM_DROPPABLE | VM_UFFD_FLAGS;

// Makes any scenario valid: clamps every field to its range and drops what
// cannot exist (overlapping VMAs, a PMD mapping that is not aligned, a
// writable anon slot of a shared page...) or what no caller of try_to_unmap()
// can hand it (see the rules in scenario.cc and docs/scenarios.md).
// Returns the number of clamps, so statistics can show how much of a
// campaign's input was junk.
int sanitize(scenario &s);

} // namespace uf
