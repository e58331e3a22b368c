// Violations the substrate detects while it runs: the things KASAN, a
// VM_BUG_ON or page_table_check would catch in the kernel. The end-state
// invariants of fuzz/ add their own classes on top of these.
#pragma once

#include <cstdint>

namespace uf
{

// Stable names: crash grouping keys on them. Append only.
enum class mm_violation : uint8_t {
        table_bounds,       // a PTE cursor stepped outside its 512-slot table (B1)
        vma_bounds,         // a slot outside the VMA of the current call was touched (B1 VMA form)
        notifier_range,     // a slot was written outside the mmu-notifier range
        page_out_of_folio,  // an rmap/PAE operation addressed a page past the folio (B5)
        mapcount_underflow, // a page's mapcount went below zero
        refcount_underflow, // the folio's refcount reached zero while referenced (UAF)
        swap_count_underflow,
        bad_set_ptes,    // set_ptes() of nr > 1 asked to advance a non-present entry (B15)
        marker_not_none, // a uffd-wp marker was installed over a live slot
        zero_nr,         // a batched primitive was called with nr == 0 (B11 review)
        NR_MM_VIOLATIONS,
};

const char *mm_violation_name(mm_violation v);

} // namespace uf
