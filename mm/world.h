// The world: every piece of simulated kernel state one unmap run can touch,
// held in one value (design §3).
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

#include "mm/events.h"
#include "mm/mm_types.h"
#include "mm/pgtable.h"
#include "mm/violation.h"

namespace uf
{

// Every mm's PMDs plus one deposited table per PMD mapping.
constexpr int MAX_TABLES = MAX_MMS * PMDS_PER_MM + MAX_VMAS;
constexpr int MAX_NOTIFIER_LOG = 16;
constexpr int MAX_CLEAR_LOG = 64;

// What a CPU's TLB may still hold for one slot (design §3, semantics §6.4).
struct tlb_entry {
        uint8_t cached = 0;  // a translation exists
        uint8_t dirty = 0;   // it was dirty: the CPU can write through it
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

struct notifier_range {
        uint8_t mm;
        unsigned long start, end;

        bool operator==(const notifier_range &) const = default;
};

enum arch_mode : uint8_t {
        ARCH_GENERIC,   // arch_unmap_one() always succeeds
        ARCH_SPARC_ADI, // __HAVE_ARCH_UNMAP_ONE: may fail; no swap-backed batching
        NR_ARCH_MODES,
};

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

        // The folio's swap slots; other folios' slots are not modelled.
        int16_t swap_count[MAX_FOLIO_PAGES] = {};

        // References that no mapping owns: the isolation reference of reclaim,
        // the page cache or swap cache, GUP and speculative references. The
        // refcount invariant checks folio.refcount against mappings + this.
        int unowned_refs = 0;

        // Page tables.
        int nr_tables = 0;
        std::unique_ptr<pte_t[]> tables[MAX_TABLES];
        std::unique_ptr<tlb_entry[]> tlb[MAX_TABLES];
        uint8_t table_mm[MAX_TABLES] = {};
        uint8_t table_pmd[MAX_TABLES] = {};

        // Deferred TLB flush batch (struct tlbflush_unmap_batch).
        bool tlb_ubc_flush_required = false;
        bool tlb_ubc_writable = false;

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

        // Violations the primitives detected (mm_violation bits) and the first one's detail.
        uint32_t violations = 0;
        char violation_detail[160] = {};

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
