/*
 * dup.h: definitions the kernel has, rewritten with the same names and
 * meaning; none of them touches the substrate.
 */
#ifndef KSHIM_DUP_H
#define KSHIM_DUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../kshim_abi.h"

/* ---- the kernel configuration the cut is compiled for ---- */
#define CONFIG_MMU 1
#define CONFIG_64BIT 1
#define CONFIG_SWAP 1
#define CONFIG_TRANSPARENT_HUGEPAGE 1
#define CONFIG_DEBUG_VM 1
#define CONFIG_ARCH_WANT_BATCHED_UNMAP_TLB_FLUSH 1
#define CONFIG_MMU_NOTIFIER 1
#define CONFIG_USERFAULTFD 1
#define CONFIG_PTE_MARKER_UFFD_WP 1
/* x86-64 selects it: a tree's generic no-uffd-wp fallbacks never apply. */
#define CONFIG_HAVE_ARCH_USERFAULTFD_WP 1
#define CONFIG_HAVE_ARCH_SOFT_DIRTY 1
#define CONFIG_MEM_SOFT_DIRTY 1
#define CONFIG_PAGE_MAPCOUNT 1

/*
 * IS_ENABLED(CONFIG_X): 1 when CONFIG_X is defined to 1, else 0. The usual
 * placeholder trick: "1" pastes into a macro that expands to "0," and shifts
 * the 1 into the second argument.
 */
#define __KSHIM_ARG_PLACEHOLDER_1 0,
#define __kshim_take_second(ignored, val, ...) val
#define __kshim_is_defined3(arg1_or_junk) __kshim_take_second(arg1_or_junk 1, 0, 0)
#define __kshim_is_defined2(val) __kshim_is_defined3(__KSHIM_ARG_PLACEHOLDER_##val)
#define __kshim_is_defined(x) __kshim_is_defined2(x)
#define IS_ENABLED(option) __kshim_is_defined(option)
#define IS_BUILTIN(option) __kshim_is_defined(option)
/* include/linux/kconfig.h's name for the same test (e.g. __HAVE_ARCH_UNMAP_ONE). */
#define __is_defined(x) __kshim_is_defined(x)

/*
 * __KSHIM_BY_ARGS(name, args...) calls name_N(args...) for N arguments: how
 * the shim accepts each form of a signature that moved between versions.
 */
#define __KSHIM_NARGS(...) __KSHIM_NARGS_(__VA_ARGS__, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0)
#define __KSHIM_NARGS_(_1, _2, _3, _4, _5, _6, _7, _8, _9, n, ...) n
#define __KSHIM_CAT(a, b) __KSHIM_CAT_(a, b)
#define __KSHIM_CAT_(a, b) a##b
#define __KSHIM_BY_ARGS(name, ...) __KSHIM_CAT(name##_, __KSHIM_NARGS(__VA_ARGS__))(__VA_ARGS__)

/* ---- compiler words ---- */
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#ifndef __always_inline
#define __always_inline inline __attribute__((__always_inline__))
#endif
#define noinline __attribute__((__noinline__))
#define __maybe_unused __attribute__((__unused__))
#define __always_unused __attribute__((__unused__))
#define __must_check __attribute__((__warn_unused_result__))
#define __read_mostly
#define __init
#define __weak __attribute__((__weak__))
#define __acquires(x)
#define __releases(x)
#define __must_hold(x)
#define fallthrough __attribute__((__fallthrough__))
#define READ_ONCE(x) (*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, val) (*(volatile __typeof__(x) *)&(x) = (val))
#define BIT(nr) (1UL << (nr))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define min(a, b) ((a) < (b) ? (a) : (b))
#define max(a, b) ((a) > (b) ? (a) : (b))
#define min_t(type, a, b) ((type)(a) < (type)(b) ? (type)(a) : (type)(b))
#define max_t(type, a, b) ((type)(a) > (type)(b) ? (type)(a) : (type)(b))
#define EXPORT_SYMBOL(sym)
#define EXPORT_SYMBOL_GPL(sym)

#define ENOMEM 12
#define EBUSY 16
#define EAGAIN 11

typedef unsigned long pgoff_t;
typedef unsigned long vm_flags_t;

/* ---- lists (include/linux/list.h) ---- */
struct list_head {
	struct list_head *next, *prev;
};

static inline void INIT_LIST_HEAD(struct list_head *list)
{
	list->next = list;
	list->prev = list;
}

static inline int list_empty(const struct list_head *head)
{
	return head->next == head;
}

static inline void list_add(struct list_head *entry, struct list_head *head)
{
	struct list_head *next = head->next;

	next->prev = entry;
	entry->next = next;
	entry->prev = head;
	head->next = entry;
}

/* ---- addresses (include/linux/pgtable.h) ---- */
#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))
#define PTRS_PER_PTE 512
#define PMD_SHIFT (PAGE_SHIFT + 9)
#define PMD_SIZE (1UL << PMD_SHIFT)
#define PMD_MASK (~(PMD_SIZE - 1))
#define HPAGE_PMD_ORDER 9
#define HPAGE_PMD_NR (1 << HPAGE_PMD_ORDER)

static inline unsigned long pmd_addr_end(unsigned long addr, unsigned long end)
{
	unsigned long boundary = (addr + PMD_SIZE) & PMD_MASK;

	return boundary - 1 < end - 1 ? boundary : end;
}

/* ---- enums the kernel passes around ---- */
enum ttu_flags {
	TTU_SPLIT_HUGE_PMD = KSHIM_TTU_SPLIT_HUGE_PMD,
	TTU_IGNORE_MLOCK = KSHIM_TTU_IGNORE_MLOCK,
	TTU_SYNC = KSHIM_TTU_SYNC,
	TTU_HWPOISON = KSHIM_TTU_HWPOISON,
	TTU_BATCH_FLUSH = KSHIM_TTU_BATCH_FLUSH,
	TTU_RMAP_LOCKED = KSHIM_TTU_RMAP_LOCKED,
};

enum { MM_FILEPAGES, MM_ANONPAGES, MM_SWAPENTS, MM_SHMEMPAGES, NR_MM_COUNTERS };

#define PVMW_SYNC KSHIM_PVMW_SYNC
#define PVMW_MIGRATION KSHIM_PVMW_MIGRATION
#define PVMW_PGTABLE_CROSSED KSHIM_PVMW_PGTABLE_CROSSED

#define VM_UFFD_MISSING KSHIM_VM_UFFD_MISSING
#define VM_UFFD_WP KSHIM_VM_UFFD_WP
#define VM_UFFD_MINOR KSHIM_VM_UFFD_MINOR
#define VM_LOCKED KSHIM_VM_LOCKED
#define VM_DROPPABLE KSHIM_VM_DROPPABLE
#define __VM_UFFD_FLAGS (VM_UFFD_MISSING | VM_UFFD_WP | VM_UFFD_MINOR)

/*
 * folio_pte_batch() flags. The 2025 ones (FPB_IGNORE_*, for the nine-argument
 * folio_pte_batch() of v6.13-v6.16) and the later ones (FPB_RESPECT_*, for
 * folio_pte_batch_flags()) live side by side; custom.h maps each onto the
 * substrate's flags.
 */
typedef int fpb_t;
#define FPB_IGNORE_DIRTY ((fpb_t)1 << 0)
#define FPB_IGNORE_SOFT_DIRTY ((fpb_t)1 << 1)
#define FPB_RESPECT_DIRTY ((fpb_t)1 << 2)
#define FPB_RESPECT_SOFT_DIRTY ((fpb_t)1 << 3)
#define FPB_RESPECT_WRITE ((fpb_t)1 << 4)
#define FPB_MERGE_WRITE ((fpb_t)1 << 5)
#define FPB_MERGE_YOUNG_DIRTY ((fpb_t)1 << 6)
#define FPB_HONOR_DIRTY FPB_RESPECT_DIRTY
#define FPB_HONOR_SOFT_DIRTY FPB_RESPECT_SOFT_DIRTY

/* ---- pte_t values: pure bit helpers on the substrate's encoding ---- */
typedef struct kshim_pte pte_t;

static inline pte_t __kshim_pte(uint8_t kind, uint8_t bits, uint32_t val)
{
	pte_t pte = {kind, bits, val};

	return pte;
}

static inline bool pte_none(pte_t pte)
{
	return pte.kind == KSHIM_PTE_NONE;
}

static inline bool pte_present(pte_t pte)
{
	return pte.kind == KSHIM_PTE_PRESENT;
}

static inline unsigned long pte_pfn(pte_t pte)
{
	return pte.val;
}

#define __KSHIM_PTE_TEST(name, bit)                                                                \
	static inline bool name(pte_t pte)                                                         \
	{                                                                                          \
		return pte.bits & (bit);                                                           \
	}
#define __KSHIM_PTE_SET(name, bit)                                                                 \
	static inline pte_t name(pte_t pte)                                                        \
	{                                                                                          \
		pte.bits |= (bit);                                                                 \
		return pte;                                                                        \
	}
#define __KSHIM_PTE_CLEAR(name, bit)                                                               \
	static inline pte_t name(pte_t pte)                                                        \
	{                                                                                          \
		pte.bits &= (uint8_t) ~(bit);                                                      \
		return pte;                                                                        \
	}

__KSHIM_PTE_TEST(pte_write, KSHIM_PTE_WRITE)
__KSHIM_PTE_TEST(pte_dirty, KSHIM_PTE_DIRTY)
__KSHIM_PTE_TEST(pte_young, KSHIM_PTE_YOUNG)
__KSHIM_PTE_TEST(pte_soft_dirty, KSHIM_PTE_SOFT_DIRTY)
__KSHIM_PTE_TEST(pte_uffd_wp, KSHIM_PTE_UFFD_WP)
__KSHIM_PTE_TEST(pte_protnone, KSHIM_PTE_PROTNONE)
__KSHIM_PTE_TEST(pte_swp_exclusive, KSHIM_PTE_SWP_EXCLUSIVE)
__KSHIM_PTE_TEST(pte_swp_soft_dirty, KSHIM_PTE_SOFT_DIRTY)
__KSHIM_PTE_TEST(pte_swp_uffd_wp, KSHIM_PTE_UFFD_WP)
__KSHIM_PTE_SET(pte_mkdirty, KSHIM_PTE_DIRTY)
__KSHIM_PTE_SET(pte_mkyoung, KSHIM_PTE_YOUNG)
__KSHIM_PTE_SET(pte_mkwrite_novma, KSHIM_PTE_WRITE)
__KSHIM_PTE_SET(pte_mksoft_dirty, KSHIM_PTE_SOFT_DIRTY)
__KSHIM_PTE_SET(pte_mkuffd_wp, KSHIM_PTE_UFFD_WP)
__KSHIM_PTE_SET(pte_swp_mkexclusive, KSHIM_PTE_SWP_EXCLUSIVE)
__KSHIM_PTE_SET(pte_swp_mksoft_dirty, KSHIM_PTE_SOFT_DIRTY)
__KSHIM_PTE_SET(pte_swp_mkuffd_wp, KSHIM_PTE_UFFD_WP)
__KSHIM_PTE_CLEAR(pte_mkclean, KSHIM_PTE_DIRTY)
__KSHIM_PTE_CLEAR(pte_mkold, KSHIM_PTE_YOUNG)
__KSHIM_PTE_CLEAR(pte_wrprotect, KSHIM_PTE_WRITE)
__KSHIM_PTE_CLEAR(pte_clear_soft_dirty, KSHIM_PTE_SOFT_DIRTY)
__KSHIM_PTE_CLEAR(pte_clear_uffd_wp, KSHIM_PTE_UFFD_WP)
__KSHIM_PTE_CLEAR(pte_swp_clear_exclusive, KSHIM_PTE_SWP_EXCLUSIVE)

/* The s390 guest hint: meaningful on a present entry only. */
static inline bool pte_unused(pte_t pte)
{
	return pte_present(pte) && (pte.bits & KSHIM_PTE_UNUSED);
}

/*
 * 7.3's names for the uffd bit (the VM_UFFD_RWP series renamed the
 * uffd-wp accessors: the same bit also marks read-write-protected entries).
 */
static inline bool pte_uffd(pte_t pte)
{
	return pte_uffd_wp(pte);
}

static inline bool pte_swp_uffd(pte_t pte)
{
	return pte_swp_uffd_wp(pte);
}

static inline pte_t pte_swp_mkuffd(pte_t pte)
{
	return pte_swp_mkuffd_wp(pte);
}

static inline pte_t pte_mkuffd(pte_t pte)
{
	return pte_mkuffd_wp(pte);
}

static inline pte_t pte_swp_clear_uffd(pte_t pte)
{
	pte.bits &= (uint8_t)~KSHIM_PTE_UFFD_WP;
	return pte;
}

static inline bool pte_same(pte_t a, pte_t b)
{
	return a.kind == b.kind && a.bits == b.bits && a.val == b.val;
}

static inline pte_t pte_advance_pfn(pte_t pte, unsigned long nr)
{
	pte.val += (uint32_t)nr;
	return pte;
}

static inline pte_t pte_next_pfn(pte_t pte)
{
	return pte_advance_pfn(pte, 1);
}

static inline bool is_swap_pte(pte_t pte)
{
	return !pte_none(pte) && !pte_present(pte);
}

/* Any non-present entry that carries the uffd-wp bit. */
static inline bool pte_swp_uffd_wp_any(pte_t pte)
{
	return is_swap_pte(pte) && (pte.bits & KSHIM_PTE_UFFD_WP);
}

/* 7.3's name for it (include/linux/userfaultfd_k.h). */
static inline bool pte_swp_uffd_any(pte_t pte)
{
	return pte_swp_uffd_wp_any(pte);
}

/* pte_batch_hint(): 1 without contiguous-PTE hints. */
static inline unsigned int pte_batch_hint(pte_t *ptep, pte_t pte)
{
	return 1;
}

#endif /* KSHIM_DUP_H */
