/*
 * The boundary between kernel code compiled as GNU C (kernel/shim/) and the
 * C++ substrate (kernel/bridge.cc): plain C types and functions only, so the
 * same header compiles on both sides (docs/design.md 11.2, 11.3).
 *
 * Kernel pointers that the substrate must check are fake: a struct page *,
 * a pte_t * or a pmd_t * points into a PROT_NONE window, so C pointer
 * arithmetic works as in the kernel, the bridge decodes the result exactly
 * (also past a folio's end or a table's edge, which the substrate reports),
 * and a direct dereference faults at once. The windows sit at fixed
 * addresses, so no address ever enters a comparison the fuzzer traces.
 */
#ifndef KSHIM_ABI_H
#define KSHIM_ABI_H

#ifdef __cplusplus
#include <cstdint>
extern "C" {
#else
#include <stdbool.h>
#include <stdint.h>
#endif

/* pte_t as the substrate holds it (mm/pgtable.h: kind, bits, value). */
struct kshim_pte {
        uint8_t kind;
        uint8_t bits;
        uint32_t val;
};

enum {
        KSHIM_PTE_NONE,
        KSHIM_PTE_PRESENT,
        KSHIM_PTE_SWAP,
        KSHIM_PTE_MARKER,
        KSHIM_PTE_DEVICE_EXCLUSIVE,
        KSHIM_PTE_DEVICE_PRIVATE,
        KSHIM_PTE_HWPOISON,
};

enum {
        KSHIM_PTE_WRITE = 1 << 0,
        KSHIM_PTE_DIRTY = 1 << 1,
        KSHIM_PTE_YOUNG = 1 << 2,
        KSHIM_PTE_SOFT_DIRTY = 1 << 3,
        KSHIM_PTE_UFFD_WP = 1 << 4,
        KSHIM_PTE_PROTNONE = 1 << 5,
        KSHIM_PTE_UNUSED = 1 << 6,
        KSHIM_PTE_SWP_EXCLUSIVE = 1 << 7,
};

/* TTU_* and MM_* take the substrate's values (mm/tlb.h, mm/mm_types.h). */
enum {
        KSHIM_TTU_SPLIT_HUGE_PMD = 1 << 0,
        KSHIM_TTU_IGNORE_MLOCK = 1 << 1,
        KSHIM_TTU_SYNC = 1 << 2,
        KSHIM_TTU_HWPOISON = 1 << 3,
        KSHIM_TTU_BATCH_FLUSH = 1 << 4,
        KSHIM_TTU_RMAP_LOCKED = 1 << 5,
};

enum {
        KSHIM_PVMW_SYNC = 1 << 0,
        KSHIM_PVMW_MIGRATION = 1 << 1,
        KSHIM_PVMW_PGTABLE_CROSSED = 1 << 2,
};

/* vm_flags bits as the kernel numbers them (include/linux/mm.h). */
#define KSHIM_VM_UFFD_MISSING 0x00000200UL
#define KSHIM_VM_UFFD_WP 0x00001000UL
#define KSHIM_VM_LOCKED 0x00002000UL
#define KSHIM_VM_UFFD_MINOR (1UL << 41)
#define KSHIM_VM_DROPPABLE (1UL << 40)

/* The fake-pointer windows. */
#define KSHIM_PAGE_SLOTS 8192 /* struct page slots; page n of the folio at MID + n */
#define KSHIM_PAGE_MID 4096
#define KSHIM_PAGE_SIZE 64   /* sizeof(struct page) */
#define KSHIM_PTE_TABLES 32  /* tables the window covers (>= uf::MAX_TABLES) */
#define KSHIM_PTE_SLOTS 4096 /* window slots per table; slot i of a table at MID + i */
#define KSHIM_PTE_MID 1792
#define KSHIM_PMD_SLOTS 64 /* pmd slot m * KSHIM_PMDS_PER_MM + i */
#define KSHIM_PMDS_PER_MM 16

/* A walk as the substrate holds it (mm/rmap.h struct page_vma_mapped_walk). */
struct kshim_pvmw {
        unsigned long pfn;
        unsigned long nr_pages;
        unsigned long pgoff;
        unsigned long address;
        unsigned int flags;
        int vma;   /* index of the VMA in the world */
        int pmd;   /* -1, or the pmd window slot */
        int table; /* -1 when pte is NULL */
        long idx;  /* slot in the table */
        int ptl;
};

/* What the C glue needs to build its shadows for one try_to_unmap_one() call. */
struct kshim_call {
        int vma; /* index in the world */
        int mm;
        unsigned long address;
        unsigned long vm_start, vm_end, vm_pgoff;
        unsigned long vm_flags; /* kernel bit values */
        int anonymous;
        int on_mmlist;
        /* results */
        int ret;
        int oops; /* a BUG stopped the call */
};

/* ---- implemented by the C glue (kernel/shim/glue.c) ---- */
void kshim_call_try_to_unmap_one(struct kshim_call *call, unsigned int flags);
/*
 * The line of the kernel source that made the current call into the
 * substrate: set by the shim's macros (custom.h, its end) at every call of a
 * traced primitive, stamped by the bridge on the trace (mm/trace.h).
 */
extern unsigned int kshim_line;

/* ---- implemented by the bridge (kernel/bridge.cc) ---- */
/* Kernel assertions: recorded in the world with the kernel's file:line. */
void kshim_record_assert(int bug, const char *file, unsigned int line, const char *func,
                         const char *cond);

/* folio */
unsigned long kshim_folio_nr_pages(void);
unsigned long kshim_folio_pfn(void);
unsigned long kshim_folio_pgoff(void);
bool kshim_folio_test(int what);
void kshim_folio_set_swapbacked(void);
void kshim_folio_mark_dirty(void);
int kshim_folio_ref_count(void);
int kshim_folio_mapcount(void);
void kshim_folio_put_refs(int nr);
int kshim_mm_counter(void);
int kshim_mm_counter_file(void);

enum {
        KSHIM_FOLIO_LARGE,
        KSHIM_FOLIO_ANON,
        KSHIM_FOLIO_SWAPBACKED,
        KSHIM_FOLIO_SWAPCACHE,
        KSHIM_FOLIO_DIRTY, /* folio_test_dirty(): fires gup_redirty */
        KSHIM_FOLIO_MLOCKED,
        KSHIM_FOLIO_PMD_MAPPABLE,
        KSHIM_FOLIO_MAYBE_DMA_PINNED,
        KSHIM_FOLIO_PARTIALLY_MAPPED,
        KSHIM_FOLIO_HWPOISON, /* any page */
};

/* pages, by index in the folio (may lie outside it: the substrate reports) */
bool kshim_page_anon_exclusive(long idx);
bool kshim_page_hwpoison(long idx);
unsigned long kshim_page_swap_offset(long idx);

/* rmap, references, counters, mlock */
void kshim_remove_rmap_ptes(long idx, int nr, int vma);
void kshim_remove_rmap_pmd(long idx, int vma);
/* page_remove_rmap(page, vma, false) before 6.8: munlocks only a small folio */
void kshim_page_remove_rmap_pte(long idx, int vma);
int kshim_try_share_anon_rmap_ptes(long idx, int nr);
void kshim_add_mm_counter(int mm, int member, long value);
void kshim_mlock_vma_folio(int vma);
void kshim_munlock_vma_folio(int vma);

/* swap counts: by page index, or by swap offset (swap_duplicate/swap_free) */
int kshim_dup_swap(long idx, int nr);
void kshim_put_swap(long idx, int nr);
long kshim_swap_offset_to_idx(unsigned long offset);
int kshim_arch_unmap_one(int mm, int vma, unsigned long addr, struct kshim_pte pte);

/* page tables */
struct kshim_pte kshim_ptep_get(int table, long idx);
void kshim_set_ptes(int mm, unsigned long addr, int table, long idx, struct kshim_pte pte,
                    unsigned int nr);
void kshim_pte_clear(int mm, unsigned long addr, int table, long idx);
struct kshim_pte kshim_get_and_clear_full_ptes(int mm, unsigned long addr, int table, long idx,
                                               unsigned int nr, int full);
bool kshim_pte_install_uffd_wp_if_needed(int vma, unsigned long addr, int table, long idx,
                                         struct kshim_pte pteval);
bool kshim_cond_install_uffd_wp_ptes(int vma, unsigned long addr, int table, long idx,
                                     struct kshim_pte pteval, unsigned int nr);
/* folio_pte_batch_flags(): substrate FPB_* flags (mm/internal.h) */
unsigned int kshim_folio_pte_batch_flags(int vma, int table, long idx, struct kshim_pte *ptentp,
                                         unsigned int max_nr, unsigned int flags);
enum {
        KSHIM_FPB_RESPECT_DIRTY = 1 << 0,
        KSHIM_FPB_RESPECT_SOFT_DIRTY = 1 << 1,
        KSHIM_FPB_RESPECT_WRITE = 1 << 2,
        KSHIM_FPB_MERGE_WRITE = 1 << 3,
        KSHIM_FPB_MERGE_YOUNG_DIRTY = 1 << 4,
};

/* PMD level */
void kshim_split_huge_pmd_locked(int vma, unsigned long addr, int pmd, bool freeze);
/* before 6.11: the PMD mapping the folio at addr, found and split before the walk */
void kshim_split_huge_pmd_address(int vma, unsigned long addr, bool freeze);
bool kshim_unmap_huge_pmd_locked(int vma, unsigned long addr, int pmd);

/* TLB and mmu notifiers */
void kshim_flush_tlb_range(int vma, unsigned long start, unsigned long end);
bool kshim_should_defer_flush(int mm, unsigned int flags);
void kshim_set_tlb_ubc_flush_pending(int mm, struct kshim_pte pteval, unsigned long start,
                                     unsigned long end);
/* before 6.4: the whole mm pended, whatever the entry was; writable: it was dirty */
void kshim_set_tlb_ubc_flush_pending_mm(int mm, bool writable);
void kshim_notifier_start(int mm, unsigned long start, unsigned long end);
void kshim_notifier_end(int mm);

/* the walk */
bool kshim_page_vma_mapped_walk(struct kshim_pvmw *pvmw);
void kshim_page_vma_mapped_walk_done(struct kshim_pvmw *pvmw);
void kshim_page_vma_mapped_walk_restart(struct kshim_pvmw *pvmw);
unsigned long kshim_vma_address_end(const struct kshim_pvmw *pvmw);

/* A kernel path the model cannot take (hugetlb): recorded as a BUG. */
bool kshim_arch_has_unmap_one(void);

#ifdef __cplusplus
}
#endif

#endif /* KSHIM_ABI_H */
