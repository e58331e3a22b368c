// Layer 1 of the oracle (docs/design.md 6): invariants every end state must satisfy
// on its own, whichever implementation produced it (docs/semantics.md 11 I1-I12 and
// the data-loss rules of docs/design.md 6).
//
// The checker compares the world as built with the end state after
// try_to_unmap() and try_to_unmap_flush(). It allocates nothing and runs in
// time linear in the slots of the world, so it can judge every fuzz input.
#pragma once

#include <cstdint>

#include "mm/world.h"

namespace uf
{

// Stable class names (crash grouping keys on them; append only).
enum class invariant : uint8_t {
        // The substrate's own detections (mm_violation bits of the end state),
        // mapped 1:1 and named alike (mm/violation.h).
        table_bounds,
        vma_bounds,
        notifier_range,
        page_out_of_folio,
        mapcount_underflow,
        refcount_underflow,
        swap_count_underflow,
        bad_set_ptes,
        marker_not_none,
        zero_nr,
        // End-state invariants.
        mapcount,                  // I3: per-page, entire and large mapcount vs the slots
        refcount,                  // I4: refcount vs unowned refs + mappings
        rss_counter,               // I5: mm counters moved with the mappings and swap ptes
        swap_count,                // I6: swap counts moved with the swap ptes
        swap_offset,               // B15: a new swap pte names the page's own swap slot
        swap_exclusive,            // I7: a new swap pte's exclusive bit is the page's PAE
        pae_stale,                 // I7/B11: a swapped-out page keeps PageAnonExclusive
        pte_pfn,                   // a slot maps another page, or a translation appeared
        write_upgrade,             // I8: write permission gained, or anon writable not exclusive
        pte_bits,                  // a kept entry changed soft-dirty/uffd-wp/protnone/unused/...
        dirty_lost,                // a kept pte lost its dirty bit with the folio clean
        uffd_wp_lost,              // I9: uffd-wp neither in the swap pte nor in a marker
        uffd_wp_marker_anon,       // a uffd-wp marker in an anonymous VMA
        soft_dirty_lost,           // I10: a new swap pte lost soft-dirty
        walk_result,               // I11: the walk's result disagrees with folio_mapped()
        tlb_stale,                 // I12: a TLB entry still translates to an unmapped page
        mlocked_unmapped,          // a VM_LOCKED slot changed without TTU_IGNORE_MLOCK
        lazyfree_dirty_discard,    // a lazyfree page with unsaved data was discarded
        lazyfree_ref_discard,      // B8: a lazyfree page discarded despite extra references
        lazyfree_clean_swapbacked, // B7: a clean lazyfree folio became swap-backed
        folio_dirty_unjustified,   // the folio became dirty with nothing dirty anywhere
        file_dirty_lost,           // a dirty page-cache page left the folio clean
        pinned_exclusive_unmapped, // a maybe-pinned exclusive page became a swap pte
        // Appended beyond I1-I12 (docs/semantics.md 11); see invariants.cc.
        foreign_slot,            // a slot that mapped no page of the folio changed
        uffd_wp_marker_spurious, // a marker where none was due (no uffd-wp VMA or bit)
        // Appended later: the ones above keep their values.
        write_after_writeback, // a stale dirty TLB entry could write the folio after pageout()
        swap_mm_not_on_mmlist, // an mm gained swap entries without joining the mmlist
        NR_INVARIANTS,
};

const char *invariant_name(invariant c);

struct invariant_report {
        uint64_t bits = 0;
        invariant first = invariant::NR_INVARIANTS; // the first class found
        char detail[200] = {};                      // about `first`

        bool ok() const { return !bits; }
        bool has(invariant c) const { return bits & (uint64_t{1} << static_cast<int>(c)); }
};

static_assert(static_cast<int>(invariant::NR_INVARIANTS) <= 64, "invariant_report::bits");

// What one world's reachable page tables hold, counted in one pass over them.
struct world_tally {
        int pte_maps[MAX_FOLIO_PAGES];  // PTE slots (present or device) mapping page p
        int swap_ptes[MAX_FOLIO_PAGES]; // swap ptes naming page p's swap slot
        int huge_maps = 0;              // huge PMDs mapping the folio
        long folio_maps[MAX_MMS] = {};  // per mm: pages mapped (1 per PTE, 512 per PMD)
        long swap_entries[MAX_MMS] = {};
        uint32_t live_tables = 0; // bit t: some PMD references table t
        // With with_tlb: cached translations whose slot no longer maps their pfn.
        int stale_tlb = 0;
        int stale_table = -1;
        unsigned long stale_idx = 0;
};
static_assert(MAX_TABLES <= 32, "world_tally::live_tables");

// Counts w into *t; with_tlb also checks w's cached translations.
void count_world(const world &w, world_tally *t, bool with_tlb);

// before: the world as built; after: the end state after try_to_unmap() and
// try_to_unmap_flush(); ttu: the flags; walk_ret: try_to_unmap's result (false
// if any try_to_unmap_one returned false). before_tally: count_world(before,
// without TLB), counted once for both sides by run_scenario(); the form without
// it counts before itself.
invariant_report check_invariants(const world &before, const world_tally &before_tally,
                                  const world &after, unsigned int ttu, bool walk_ret);
invariant_report check_invariants(const world &before, const world &after, unsigned int ttu,
                                  bool walk_ret);

} // namespace uf
