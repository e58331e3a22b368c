// The substrate's trace: a bounded log of what the primitives did, in order
// (docs/design.md 8). Every record is written by an mm/ primitive, never by
// reference/ or batched/, so both implementations (and any other one built on
// mm/) are traced alike and a ported kernel hunk keeps its shape. The report
// turns the records into lines such as
//   folio_try_share_anon_rmap_ptes(page 0, 2) failed -> restore slots 0-1
// The log is part of the world (copied with it, reset by build_world()), so it
// is as deterministic as the run itself.
#pragma once

#include <cstdint>

namespace uf
{

struct world;

// What a record stands for. Only the report and JSON read these.
enum class trace_op : uint8_t {
        call,           // try_to_unmap_one() on a VMA: addr = start, value = end of its range
        call_ret,       // it returned: value = ret
        walk,           // page_vma_mapped_walk() found a mapping: addr, page (bits 1: a PMD)
        clear,          // get_and_clear_full_ptes(): addr, nr, page, bits = OR-ed pteval bits
        dev_clear,      // pte_clear() of a device-exclusive entry: addr, page
        flush_pending,  // set_tlb_ubc_flush_pending(): addr = start, value = end, bits = pteval
                        // bits, kind = 1 when queued (0: not accessible, nothing cached)
        flush_range,    // flush_tlb_range(): addr = start, value = end
        set_pte,        // set_ptes()/set_pte_at(): addr, nr, kind = pte_kind, bits, page for an
                        // entry of a folio page, value = swap offset for a swap entry
        marker,         // pte_install_uffd_wp_if_needed() installed markers: addr, nr
        dup_swap,       // folio_dup_swap_pages(): page, nr, value = 0 or -ENOMEM
        put_swap,       // folio_put_swap_pages(): page, nr
        try_share,      // folio_try_share_anon_rmap_ptes(): page, nr, value = 0 or -EBUSY
        arch_unmap,     // arch_unmap_one() failed: addr, page
        ref_count,      // folio_ref_count(): value = refcount, nr = folio_mapcount() at the time
        test_dirty,     // folio_test_dirty(): value = the answer
        mark_dirty,     // folio_mark_dirty() made a clean folio dirty
        set_swapbacked, // folio_set_swapbacked()
        remove_rmap,    // folio_remove_rmap_ptes(): page, nr
        remove_rmap_pmd,
        put_refs,    // folio_put_refs(): nr, value = refcount after
        mm_counter,  // add_mm_counter(): kind = member, bits = mm, value = delta
        split_pmd,   // split_huge_pmd_locked(): addr
        pmd_clear,   // pmdp_huge_clear_flush(): addr
        pmd_restore, // set_pmd_at() of the old huge entry: addr
        mlock,       // mlock_vma_folio() set PG_mlocked
        munlock,     // munlock_vma_folio() cleared it
        event,       // an event of the plan fired: kind = event_kind, page
        flush,       // try_to_unmap_flush(): nr = slots flushed
        flush_dirty, // try_to_unmap_flush_dirty(): value = 1 when it flushed (writable)
        pageout,     // pageout(): value = pageout_t
        // Real kernel code hit a WARN_ON*/BUG_ON* (kernel/): src_line = its
        // line, kind = 1 for a BUG, value = trace_assert_key() of its function
        // and condition text, so that a known bug can tell its own WARN from
        // any other (oracle/known_bugs.h).
        kernel_assert,
        NR_TRACE_OPS,
};

const char *trace_op_name(trace_op op);

// 20 bytes; which fields mean what depends on op (above).
struct trace_rec {
        trace_op op;
        uint8_t vma; // the VMA of the try_to_unmap_one() call in progress, 0xff outside one
        uint8_t kind;
        uint8_t bits;
        int16_t page; // folio page, -1 when none
        uint16_t nr;
        uint32_t addr;
        int32_t value;
        // Real kernel code (kernel/): the line of its source file that called
        // the primitive (world::src_line at the time), 0 for the C++ models.
        uint32_t src_line;

        bool operator==(const trace_rec &) const = default;
};

constexpr int MAX_TRACE = 128;

// Appends a record (op, the call's VMA, page -1, nr 1, the rest 0) and
// returns it for the caller to fill in. Past MAX_TRACE records the log keeps
// counting (world::trace_dropped) and hands out a scratch record, or appends
// to world::trace_spill when that is set. The record is valid until the next
// trace_add().
trace_rec &trace_add(world &w, trace_op op);

// A stable 32-bit key (FNV-1a) of an assertion's function and condition text.
uint32_t trace_assert_key(const char *func, const char *cond);

} // namespace uf
