// TLB model (mm/rmap.c: should_defer_flush, set_tlb_ubc_flush_pending,
// try_to_unmap_flush; docs/semantics.md 6.4) and mmu-notifier range logging.
//
// Each slot may have a cached translation. Clearing a slot leaves it cached
// until a flush; a CPU can keep writing through a cached *dirty* entry until
// then, which is when the stale_tlb_write event fires.
#pragma once

#include "mm/world.h"

namespace uf
{

enum ttu_flags : unsigned int {
        TTU_SPLIT_HUGE_PMD = 1 << 0,
        TTU_IGNORE_MLOCK = 1 << 1,
        TTU_SYNC = 1 << 2,
        TTU_HWPOISON = 1 << 3,
        TTU_BATCH_FLUSH = 1 << 4,
        TTU_RMAP_LOCKED = 1 << 5,
        TTU_ALL_FLAGS = (1 << 6) - 1,
};

void flush_tlb_range(vm_area_struct *vma, unsigned long start, unsigned long end);
bool should_defer_flush(mm_struct *mm, unsigned int flags);
void set_tlb_ubc_flush_pending(mm_struct *mm, pte_t pteval, unsigned long start, unsigned long end);
// Flushes everything the deferred batch holds (vmscan calls it before freeing).
void try_to_unmap_flush(world &w);
// Flushes only if the batch may hold a writable entry (vmscan calls it before
// pageout()).
void try_to_unmap_flush_dirty(world &w);
// Keeps the deferred batch's state as try_to_unmap() returned it
// (world::ubc_*_at_return), before any flush, for the report.
void tlb_ubc_note_return(world &w);

struct mmu_notifier_range {
        mm_struct *mm;
        const vm_area_struct *vma;
        unsigned long start, end;
};
void mmu_notifier_range_init(mmu_notifier_range *range, const vm_area_struct *vma,
                             unsigned long start, unsigned long end);
void mmu_notifier_invalidate_range_start(mmu_notifier_range *range);
void mmu_notifier_invalidate_range_end(mmu_notifier_range *range);

} // namespace uf
