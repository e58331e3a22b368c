/*
 * stubs.h: what has no effect in the model (locks, barriers, cache
 * maintenance), what the model never reaches (hugetlb: try_to_unmap() only
 * sees a hugetlb folio when it is poisoned, and the substrate has none), and
 * the kernel's assertions.
 */
#ifndef KSHIM_STUBS_H
#define KSHIM_STUBS_H

/* ---- locks and ordering: one CPU, nothing to order against ---- */
typedef struct {
	int unused;
} spinlock_t;

#define spin_lock(lock) ((void)(lock))
#define spin_unlock(lock) ((void)(lock))
#define smp_mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define smp_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define smp_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)
#define barrier() __asm__ __volatile__("" ::: "memory")
#define lockdep_assert_held(lock) ((void)(lock))
#define might_sleep() ((void)0)

extern spinlock_t mmlist_lock;

/* ---- cache maintenance: no model effect ---- */
struct vm_area_struct;
static inline void flush_cache_page(struct vm_area_struct *vma, unsigned long addr,
				    unsigned long pfn)
{
}

static inline void flush_cache_range(struct vm_area_struct *vma, unsigned long start,
				     unsigned long end)
{
}

/* ---- mmu notifier events: only the range matters to the model ---- */
enum mmu_notifier_event {
	MMU_NOTIFY_UNMAP,
	MMU_NOTIFY_CLEAR,
	MMU_NOTIFY_PROTECTION_VMA,
	MMU_NOTIFY_PROTECTION_PAGE,
	MMU_NOTIFY_SOFT_DIRTY,
	MMU_NOTIFY_RELEASE,
	MMU_NOTIFY_MIGRATE,
	MMU_NOTIFY_EXCLUSIVE,
};

/*
 * mmu_notifier_invalidate_range() (until 6.6): the secondary TLBs' (IOMMU)
 * invalidation inside the start/end bracket; the model has no secondary TLB.
 */
struct mm_struct;
static inline void mmu_notifier_invalidate_range(struct mm_struct *mm, unsigned long start,
						 unsigned long end)
{
}

/*
 * ---- assertions (include/asm-generic/bug.h, include/linux/mmdebug.h) ----
 * A WARN is recorded with the kernel's file and line (the #line directives of
 * the cut make __FILE__ and __LINE__ the real ones) and the code goes on, as
 * the kernel's does; a BUG is recorded and stops the call as an oops stops
 * the task (kshim_bug() never returns). CONFIG_DEBUG_VM is on, so the VM_
 * forms check too. Each is a failure class of the harness (KERNEL_WARN,
 * KERNEL_BUG).
 */
void kshim_bug(const char *file, unsigned int line, const char *func, const char *cond)
    __attribute__((__noreturn__));

#define __KSHIM_WARN(condition, text)                                                              \
	({                                                                                         \
		int __kshim_ret = !!(condition);                                                   \
		if (unlikely(__kshim_ret))                                                         \
			kshim_record_assert(0, __FILE__, __LINE__, __func__, text);                \
		unlikely(__kshim_ret);                                                             \
	})
#define __KSHIM_BUG(condition, text)                                                               \
	do {                                                                                       \
		if (unlikely(condition))                                                           \
			kshim_bug(__FILE__, __LINE__, __func__, text);                             \
	} while (0)

#define WARN_ON(condition) __KSHIM_WARN(condition, "WARN_ON(" #condition ")")
#define WARN_ON_ONCE(condition) __KSHIM_WARN(condition, "WARN_ON_ONCE(" #condition ")")
#define WARN(condition, ...) __KSHIM_WARN(condition, "WARN(" #condition ")")
#define WARN_ONCE(condition, ...) __KSHIM_WARN(condition, "WARN_ONCE(" #condition ")")
#define VM_WARN_ON(condition) ((void)__KSHIM_WARN(condition, "VM_WARN_ON(" #condition ")"))
#define VM_WARN_ON_ONCE(condition) __KSHIM_WARN(condition, "VM_WARN_ON_ONCE(" #condition ")")
#define VM_WARN_ON_FOLIO(condition, folio)                                                         \
	((void)__KSHIM_WARN(condition, "VM_WARN_ON_FOLIO(" #condition ")"))
#define VM_WARN_ON_ONCE_FOLIO(condition, folio)                                                    \
	__KSHIM_WARN(condition, "VM_WARN_ON_ONCE_FOLIO(" #condition ")")
#define VM_WARN_ON_PAGE(condition, page) __KSHIM_WARN(condition, "VM_WARN_ON_PAGE(" #condition ")")
#define VM_WARN_ON_ONCE_PAGE(condition, page)                                                      \
	__KSHIM_WARN(condition, "VM_WARN_ON_ONCE_PAGE(" #condition ")")
#define VM_WARN_ON_ONCE_MM(condition, mm)                                                          \
	__KSHIM_WARN(condition, "VM_WARN_ON_ONCE_MM(" #condition ")")
#define VM_WARN_ON_VMA(condition, vma)                                                             \
	((void)__KSHIM_WARN(condition, "VM_WARN_ON_VMA(" #condition ")"))
#define BUG() kshim_bug(__FILE__, __LINE__, __func__, "BUG()")
#define BUG_ON(condition) __KSHIM_BUG(condition, "BUG_ON(" #condition ")")
#define VM_BUG_ON(condition) __KSHIM_BUG(condition, "VM_BUG_ON(" #condition ")")
#define VM_BUG_ON_FOLIO(condition, folio) __KSHIM_BUG(condition, "VM_BUG_ON_FOLIO(" #condition ")")
#define VM_BUG_ON_PAGE(condition, page) __KSHIM_BUG(condition, "VM_BUG_ON_PAGE(" #condition ")")
#define VM_BUG_ON_VMA(condition, vma) __KSHIM_BUG(condition, "VM_BUG_ON_VMA(" #condition ")")
#define VM_BUG_ON_MM(condition, mm) __KSHIM_BUG(condition, "VM_BUG_ON_MM(" #condition ")")

/*
 * ---- hugetlb: unreachable ----
 * folio_test_hugetlb() is false for every folio of the model, so these
 * branches are dead; reaching one anyway is reported as a BUG naming it.
 */
struct mmu_gather {
	int unused;
};
struct hstate {
	int unused;
};
struct folio;
struct mm_struct;
typedef struct kshim_pte pte_t;

#define __KSHIM_UNREACHABLE() kshim_bug(__FILE__, __LINE__, __func__, "hugetlb path reached")

static inline bool folio_test_hugetlb(const struct folio *folio)
{
	return false;
}

static inline void adjust_range_if_pmd_sharing_possible(struct vm_area_struct *vma,
							unsigned long *start, unsigned long *end)
{
}

static inline struct hstate *hstate_vma(struct vm_area_struct *vma)
{
	__KSHIM_UNREACHABLE();
}

static inline unsigned long huge_page_size(struct hstate *h)
{
	__KSHIM_UNREACHABLE();
}

static inline pte_t huge_ptep_clear_flush(struct vm_area_struct *vma, unsigned long addr,
					  pte_t *ptep)
{
	__KSHIM_UNREACHABLE();
}

/* huge_ptep_get(ptep) until 6.9, (mm, addr, ptep) since. */
static inline pte_t __kshim_huge_ptep_get_1(pte_t *ptep)
{
	__KSHIM_UNREACHABLE();
}

static inline pte_t __kshim_huge_ptep_get_3(struct mm_struct *mm, unsigned long addr, pte_t *ptep)
{
	__KSHIM_UNREACHABLE();
}
#define huge_ptep_get(...) __KSHIM_BY_ARGS(__kshim_huge_ptep_get, __VA_ARGS__)

/* set_huge_pte_at() gained the page size in 6.7. */
static inline void __kshim_set_huge_pte_at_4(struct mm_struct *mm, unsigned long addr, pte_t *ptep,
					     pte_t pte)
{
	__KSHIM_UNREACHABLE();
}

static inline void __kshim_set_huge_pte_at_5(struct mm_struct *mm, unsigned long addr, pte_t *ptep,
					     pte_t pte, unsigned long sz)
{
	__KSHIM_UNREACHABLE();
}
#define set_huge_pte_at(...) __KSHIM_BY_ARGS(__kshim_set_huge_pte_at, __VA_ARGS__)

static inline void hugetlb_count_sub(long nr, struct mm_struct *mm)
{
	__KSHIM_UNREACHABLE();
}

static inline void hugetlb_remove_rmap(struct folio *folio)
{
	__KSHIM_UNREACHABLE();
}

static inline int huge_pmd_unshare(struct mmu_gather *tlb, struct vm_area_struct *vma,
				   unsigned long addr, pte_t *ptep)
{
	__KSHIM_UNREACHABLE();
}

static inline void huge_pmd_unshare_flush(struct mmu_gather *tlb, struct vm_area_struct *vma)
{
	__KSHIM_UNREACHABLE();
}

static inline bool hugetlb_vma_trylock_write(struct vm_area_struct *vma)
{
	__KSHIM_UNREACHABLE();
}

static inline void hugetlb_vma_unlock_write(struct vm_area_struct *vma)
{
	__KSHIM_UNREACHABLE();
}

static inline void tlb_gather_mmu_vma(struct mmu_gather *tlb, struct vm_area_struct *vma)
{
	__KSHIM_UNREACHABLE();
}

static inline void tlb_finish_mmu(struct mmu_gather *tlb)
{
	__KSHIM_UNREACHABLE();
}

#endif /* KSHIM_STUBS_H */
