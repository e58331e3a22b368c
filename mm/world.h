// The world: every piece of simulated kernel state one unmap run can touch,
// held in one value (docs/design.md 3).
//
// Page tables are separate heap arrays of exactly PTRS_PER_PTE entries, so a
// raw pointer walking past a table is an ASan report; the model itself only
// reaches them through pte_ptr, which checks bounds and reports a violation
// even in a build without ASan. A world allocates all MAX_TABLES tables when
// it is made and never again: copying one costs a few memcpy calls, and no
// code path depends on what an earlier fuzz input happened to allocate (AFL++
// stability, the determinism rule).
#pragma once

#include <bitset>
#include <cstdint>
#include <memory>
#include <vector>

#include "mm/events.h"
#include "mm/mm_types.h"
#include "mm/pgtable.h"
#include "mm/rules.h"
#include "mm/trace.h"
#include "mm/violation.h"

namespace uf
{

// Every mm's PMDs plus one deposited table per PMD mapping.
constexpr int MAX_TABLES = MAX_MMS * PMDS_PER_MM + MAX_VMAS;
constexpr int MAX_NOTIFIER_LOG = 16;
constexpr int MAX_CLEAR_LOG = 64;
constexpr int MAX_PENDING_LOG = 16;

// What a CPU's TLB may still hold for one slot (docs/design.md 3, docs/semantics.md 6.4).
struct tlb_entry {
        uint8_t cached = 0; // a translation exists
        uint8_t dirty = 0;  // writable and dirty: the CPU can write through it (pte_write_cached())
        uint8_t pending = 0; // queued in the deferred flush batch
        uint32_t pfn = 0;
};

// Op counters: every primitive counts itself. They feed the cost report; the
// oracle ignores them.
struct op_counters {
        uint64_t pte_reads = 0;
        uint64_t pte_writes = 0;
        uint64_t atomics = 0; // counter, refcount and mapcount updates
        uint64_t tlb_flush_calls = 0;
        uint64_t tlb_flush_pages = 0;
        uint64_t walk_steps = 0;
        uint64_t rmap_calls = 0;
        uint64_t notifier_calls = 0;
};

// One get_and_clear_full_ptes() call: where and how many slots (the batch).
struct clear_record {
        uint8_t mm;
        unsigned long addr;
        unsigned int nr;

        bool operator==(const clear_record &) const = default;
};

// One set_tlb_ubc_flush_pending() call: the range the deferred flush took on.
struct pending_range {
        uint8_t mm;
        uint8_t dirty;  // pte_dirty() of the pteval it was given: makes the batch writable
        uint8_t queued; // the entry was accessible; otherwise nothing could be cached
        unsigned long start, end;

        bool operator==(const pending_range &) const = default;
};

struct notifier_range {
        uint8_t mm;
        unsigned long start, end;

        bool operator==(const notifier_range &) const = default;
};

// Kernel assertions (WARN_ON*, BUG_ON*) that fired in real kernel code run
// against this world (kernel/): how many of each, and the first one, a BUG
// taking the place of a WARN. A BUG also stops the rmap walk, as an oops
// kills the task.
struct kernel_assert_log {
        uint16_t warns = 0, bugs = 0;
        bool first_is_bug = false;
        uint32_t line = 0;
        char file[40] = {}; // the last two path components, e.g. "mm/rmap.c"
        char func[40] = {};
        char cond[96] = {};

        bool any() const { return warns || bugs; }
};

// The architecture decides which PTE bits exist at all (arch/*/Kconfig:
// HAVE_ARCH_SOFT_DIRTY, HAVE_ARCH_USERFAULTFD_WP/_MINOR,
// ARCH_SUPPORTS_NUMA_BALANCING; pte_unused() is s390's). Append only.
enum arch_mode : uint8_t {
        ARCH_GENERIC,   // x86-64/arm64: soft-dirty, uffd-wp and minor, NUMA protnone; no pte_unused
        ARCH_SPARC_ADI, // sparc64 ADI, __HAVE_ARCH_UNMAP_ONE: arch_unmap_one() may fail, no
                        // swap-backed batching; no soft-dirty, uffd-wp/minor or NUMA protnone
        ARCH_S390,      // pte_unused() (CMMA guest hints), soft-dirty, NUMA protnone; no
                        // uffd-wp or minor mode
        NR_ARCH_MODES,
};

// pageout() (mm/vmscan.c): what writing the folio out came to.
enum pageout_t : int8_t { PAGE_KEEP, PAGE_ACTIVATE, PAGE_SUCCESS, PAGE_CLEAN };

struct world {
        world();
        world(const world &other);
        world &operator=(const world &other);

        struct folio folio;
        int nr_mms = 1;
        mm_struct mms[MAX_MMS];
        int nr_vmas = 0;
        vm_area_struct vmas[MAX_VMAS];
        arch_mode arch = ARCH_GENERIC;
        // The decision rules the reference follows (mm/rules.h).
        unmap_rules rules;

        // The folio's swap slots; other folios' slots are not modelled.
        int16_t swap_count[MAX_FOLIO_PAGES] = {};

        // References that no mapping owns: the isolation reference of reclaim,
        // the page cache or swap cache, GUP and speculative references. The
        // refcount invariant checks folio.refcount against mappings + this.
        int unowned_refs = 0;
        // Of those, the ones GUP users hold (the scenario's extra references,
        // FOLL_PIN pins, gup_pin): only such a holder can dirty the folio
        // behind the page tables' back (gup_redirty).
        int gup_refs = 0;

        // Page tables.
        int nr_tables = 0;
        std::unique_ptr<pte_t[]> tables[MAX_TABLES];
        std::unique_ptr<tlb_entry[]> tlb[MAX_TABLES];
        uint8_t table_mm[MAX_TABLES] = {};
        uint8_t table_pmd[MAX_TABLES] = {};

        // Deferred TLB flush batch (struct tlbflush_unmap_batch).
        bool tlb_ubc_flush_required = false;
        bool tlb_ubc_writable = false;
        // Every range it took on, in order (the first MAX_PENDING_LOG;
        // nr_pending counts all).
        int nr_pending = 0;
        pending_range pending_log[MAX_PENDING_LOG] = {};

        // Reclaim after try_to_unmap() (mm/vmscan.cc). The batch as
        // try_to_unmap() left it, before try_to_unmap_flush_dirty() and
        // try_to_unmap_flush() emptied it:
        bool ubc_required_at_return = false, ubc_writable_at_return = false;
        bool reclaimed = false;     // shrink_folio_after_unmap() ran
        bool written_back = false;  // pageout() took its snapshot (PAGE_SUCCESS)
        int8_t pageout_result = -1; // pageout_t, -1 when pageout() was not called
        std::bitset<MAX_FOLIO_PAGES> writable_at_writeback;   // a dirty stale TLB entry could
                                                              // still write p at the snapshot
        std::bitset<MAX_FOLIO_PAGES> written_after_writeback; // ... and one did (stale_tlb_write)

        // mmu notifier: the invalidate range of each try_to_unmap_one() call.
        int nr_notifier = 0;
        notifier_range notifier_log[MAX_NOTIFIER_LOG] = {};
        // The call in progress: accesses are checked against its VMA and range.
        const vm_area_struct *cur_vma = nullptr;
        unsigned long cur_start = 0, cur_end = 0;

        // Event plan and trace.
        int nr_events = 0;
        event events[MAX_EVENTS] = {};
        uint8_t event_fired = 0; // bit i: events[i] has fired
        int nr_fired = 0;
        fired_event fired[MAX_EVENTS] = {};
        std::bitset<MAX_FOLIO_PAGES> page_cleared;  // some slot of page p was cleared
        std::bitset<MAX_FOLIO_PAGES> stale_written; // a CPU wrote p through a stale TLB entry

        op_counters ops;
        // Every batch cleared, in order (the first MAX_CLEAR_LOG; nr_clears counts all).
        int nr_clears = 0;
        clear_record clear_log[MAX_CLEAR_LOG] = {};

        // The trace (mm/trace.h): the first MAX_TRACE records, and how many
        // more there were.
        int nr_trace = 0;
        int trace_dropped = 0;
        trace_rec trace[MAX_TRACE] = {};
        trace_rec trace_overflow{}; // what trace_add() hands out once the log is full; never read
        // When set, the records past MAX_TRACE go here instead (a rerun whose
        // whole trace a known bug's signature needs; oracle/harness.cc).
        // Belongs to this object: copying a world leaves it alone.
        std::vector<trace_rec> *trace_spill = nullptr;
        // Kernel code: the source line of its call into the substrate in
        // progress (kernel/bridge.cc sets it), stamped on trace records.
        uint32_t src_line = 0;

        // Violations the primitives detected (mm_violation bits) and the first one's detail.
        uint32_t violations = 0;
        char violation_detail[160] = {};
        kernel_assert_log kernel;

        int table_index(const mm_struct *mm, unsigned long pmd_idx) const;
        int alloc_table(int mm, unsigned long pmd_idx);
        vm_area_struct *vma_of(int i) { return &vmas[i]; }
        int vma_index(const vm_area_struct *vma) const { return static_cast<int>(vma - vmas); }

        // Fires the first unfired event of this kind for this page; true if one fired.
        bool fire(event_kind kind, long page);
        // Fires the first unfired event of this kind whose page has had a slot
        // cleared already (spec_ref, gup_redirty); returns its page or -1.
        long fire_after_clear(event_kind kind);

        void report(mm_violation v, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
        bool has(mm_violation v) const { return violations & (1u << static_cast<int>(v)); }

      private:
        void copy_from(const world &other);
};

} // namespace uf
