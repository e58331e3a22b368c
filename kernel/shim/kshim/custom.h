/*
 * custom.h: the kernel's types and the primitives with a model effect, each a
 * thin wrapper over the substrate (kshim_abi.h), under the kernel's names and
 * signatures. Where a signature moved between kernel versions, each form that
 * try_to_unmap_one() has used is accepted (picked by argument count).
 */
#ifndef KSHIM_CUSTOM_H
#define KSHIM_CUSTOM_H

/* ---- struct page / struct folio ----
 * One folio per world; every folio pointer the glue hands out is &kshim_folio.
 * A struct page * is a slot of the page window: page n of the folio at
 * kshim_page_window + KSHIM_PAGE_MID + n, so pointer arithmetic is C's and
 * walking off the folio yields an index the substrate reports.
 * As in the kernel, a folio starts with its head page: &folio->page (what
 * code before the folio conversions passes to page-based helpers) is page 0,
 * and the folio itself is a slot of the window, never dereferenced.
 */
struct page {
	unsigned long kshim_opaque[KSHIM_PAGE_SIZE / sizeof(unsigned long)];
};

struct folio {
	struct page page;
};

extern struct page *kshim_page_window;
#define kshim_folio (*(struct folio *)(kshim_page_window + KSHIM_PAGE_MID))

static inline long __kshim_page_idx(const struct page *page)
{
	return page - (kshim_page_window + KSHIM_PAGE_MID);
}

static inline struct page *folio_page(const struct folio *folio, long n)
{
	return kshim_page_window + KSHIM_PAGE_MID + n;
}

static inline struct page *nth_page(struct page *page, long n)
{
	return page + n;
}

static inline struct folio *page_folio(const struct page *page)
{
	return &kshim_folio;
}

static inline unsigned long folio_pfn(const struct folio *folio)
{
	return kshim_folio_pfn();
}

static inline unsigned long page_to_pfn(const struct page *page)
{
	return kshim_folio_pfn() + __kshim_page_idx(page);
}

static inline struct page *pfn_to_page(unsigned long pfn)
{
	return folio_page(&kshim_folio, (long)(pfn - kshim_folio_pfn()));
}

static inline long folio_page_idx(const struct folio *folio, const struct page *page)
{
	return __kshim_page_idx(page);
}

static inline unsigned long folio_nr_pages(const struct folio *folio)
{
	return kshim_folio_nr_pages();
}

static inline unsigned long folio_large_nr_pages(const struct folio *folio)
{
	return kshim_folio_nr_pages();
}

static inline unsigned int folio_order(const struct folio *folio)
{
	return (unsigned int)__builtin_ctzl(kshim_folio_nr_pages());
}

static inline unsigned long folio_size(const struct folio *folio)
{
	return kshim_folio_nr_pages() << PAGE_SHIFT;
}

static inline pgoff_t folio_pgoff(const struct folio *folio)
{
	return kshim_folio_pgoff();
}

#define __KSHIM_FOLIO_TEST(name, what)                                                             \
	static inline bool name(const struct folio *folio)                                         \
	{                                                                                          \
		return kshim_folio_test(what);                                                     \
	}
__KSHIM_FOLIO_TEST(folio_test_large, KSHIM_FOLIO_LARGE)
__KSHIM_FOLIO_TEST(folio_test_anon, KSHIM_FOLIO_ANON)
__KSHIM_FOLIO_TEST(folio_test_swapbacked, KSHIM_FOLIO_SWAPBACKED)
__KSHIM_FOLIO_TEST(folio_test_swapcache, KSHIM_FOLIO_SWAPCACHE)
__KSHIM_FOLIO_TEST(folio_test_dirty, KSHIM_FOLIO_DIRTY)
__KSHIM_FOLIO_TEST(folio_test_mlocked, KSHIM_FOLIO_MLOCKED)
__KSHIM_FOLIO_TEST(folio_test_pmd_mappable, KSHIM_FOLIO_PMD_MAPPABLE)
__KSHIM_FOLIO_TEST(folio_maybe_dma_pinned, KSHIM_FOLIO_MAYBE_DMA_PINNED)
__KSHIM_FOLIO_TEST(folio_test_partially_mapped, KSHIM_FOLIO_PARTIALLY_MAPPED)

static inline bool folio_test_lazyfree(const struct folio *folio)
{
	return folio_test_anon(folio) && !folio_test_swapbacked(folio);
}

static inline bool PageAnonExclusive(const struct page *page)
{
	return kshim_page_anon_exclusive(__kshim_page_idx(page));
}

/*
 * How many pages from first_page + start_idx on share the expected
 * PageAnonExclusive, at most max_len: the sub-batch helper of mm/mprotect.c
 * (cac1db8c3aad, 6.18; page_anon_exclusive_batch() since 7.3), which the
 * 2026 anon-batching series moves to mm/internal.h for try_to_unmap_one().
 * It only reads the pages' flags.
 */
static inline int page_anon_exclusive_batch(int start_idx, int max_len, struct page *first_page,
					    bool expected_anon_exclusive)
{
	int idx;

	for (idx = start_idx + 1; idx < start_idx + max_len; ++idx)
		if (expected_anon_exclusive != PageAnonExclusive(first_page + idx))
			break;
	return idx - start_idx;
}

static inline int page_anon_exclusive_sub_batch(int start_idx, int max_len, struct page *first_page,
						bool expected_anon_exclusive)
{
	return page_anon_exclusive_batch(start_idx, max_len, first_page, expected_anon_exclusive);
}

static inline bool PageHWPoison(const struct page *page)
{
	return kshim_page_hwpoison(__kshim_page_idx(page));
}

/* PG_hwpoison of the folio: its first page's flag. */
static inline bool folio_test_hwpoison(const struct folio *folio)
{
	return PageHWPoison(folio_page(folio, 0));
}

static inline void folio_set_swapbacked(struct folio *folio)
{
	kshim_folio_set_swapbacked();
}

static inline bool folio_mark_dirty(struct folio *folio)
{
	kshim_folio_mark_dirty();
	return true;
}

static inline int folio_ref_count(const struct folio *folio)
{
	return kshim_folio_ref_count();
}

static inline int folio_mapcount(const struct folio *folio)
{
	return kshim_folio_mapcount();
}

static inline bool folio_mapped(const struct folio *folio)
{
	return folio_mapcount(folio) > 0;
}

static inline void folio_put_refs(struct folio *folio, int refs)
{
	kshim_folio_put_refs(refs);
}

static inline void folio_put(struct folio *folio)
{
	kshim_folio_put_refs(1);
}

/* ---- mm_struct and vm_area_struct: shadows the glue fills per call ---- */
struct mm_struct {
	struct list_head mmlist;
	int kshim_index;
};

extern struct mm_struct init_mm;

struct vm_area_struct {
	unsigned long vm_start;
	unsigned long vm_end;
	struct mm_struct *vm_mm;
	vm_flags_t vm_flags;
	pgoff_t vm_pgoff;
	const void *vm_ops; /* NULL for an anonymous VMA */
	int kshim_index;
};

static inline bool vma_is_anonymous(const struct vm_area_struct *vma)
{
	return !vma->vm_ops;
}

static inline bool userfaultfd_wp(const struct vm_area_struct *vma)
{
	return vma->vm_flags & VM_UFFD_WP;
}

static inline bool userfaultfd_missing(const struct vm_area_struct *vma)
{
	return vma->vm_flags & VM_UFFD_MISSING;
}

static inline bool userfaultfd_minor(const struct vm_area_struct *vma)
{
	return vma->vm_flags & VM_UFFD_MINOR;
}

static inline bool userfaultfd_armed(const struct vm_area_struct *vma)
{
	return vma->vm_flags & __VM_UFFD_FLAGS;
}

/* The RWP series' generalisation of userfaultfd_wp(). */
static inline bool userfaultfd_protected(const struct vm_area_struct *vma)
{
	return userfaultfd_wp(vma);
}

/* mm_counter_file() took a page before 6.8 and a folio since: both work. */
static inline int mm_counter_file(const void *folio_or_page)
{
	return kshim_mm_counter_file();
}

static inline int mm_counter(const void *folio_or_page)
{
	return kshim_mm_counter();
}

static inline void add_mm_counter(struct mm_struct *mm, int member, long value)
{
	kshim_add_mm_counter(mm->kshim_index, member, value);
}

static inline void inc_mm_counter(struct mm_struct *mm, int member)
{
	add_mm_counter(mm, member, 1);
}

static inline void dec_mm_counter(struct mm_struct *mm, int member)
{
	add_mm_counter(mm, member, -1);
}

static inline void update_hiwater_rss(struct mm_struct *mm) {}

/*
 * The mmlist block try_to_unmap_one() had inline until 7.2, a helper of
 * mm/internal.h since 7.3: the first swap entry of an mm puts it on
 * init_mm's list for swapoff. No model effect beyond the shadow's list.
 */
static inline void mm_prepare_for_swap_entries(struct mm_struct *mm)
{
	if (list_empty(&mm->mmlist)) {
		spin_lock(&mmlist_lock);
		if (list_empty(&mm->mmlist))
			list_add(&mm->mmlist, &init_mm.mmlist);
		spin_unlock(&mmlist_lock);
	}
}

/* ---- rmap, mlock ---- */
static inline void folio_remove_rmap_ptes(struct folio *folio, struct page *page, int nr_pages,
					  struct vm_area_struct *vma)
{
	kshim_remove_rmap_ptes(__kshim_page_idx(page), nr_pages, vma->kshim_index);
}

static inline void folio_remove_rmap_pte(struct folio *folio, struct page *page,
					 struct vm_area_struct *vma)
{
	folio_remove_rmap_ptes(folio, page, 1, vma);
}

static inline void folio_remove_rmap_pmd(struct folio *folio, struct page *page,
					 struct vm_area_struct *vma)
{
	kshim_remove_rmap_pmd(__kshim_page_idx(page), vma->kshim_index);
}

static inline int folio_try_share_anon_rmap_ptes(struct folio *folio, struct page *page,
						 int nr_pages)
{
	return kshim_try_share_anon_rmap_ptes(__kshim_page_idx(page), nr_pages);
}

static inline int folio_try_share_anon_rmap_pte(struct folio *folio, struct page *page)
{
	return folio_try_share_anon_rmap_ptes(folio, page, 1);
}

/*
 * page_remove_rmap(page, vma, compound) before 6.8: the PMD mapping of the
 * folio, or the one PTE mapping of page; it ended with munlock_vma_page(),
 * which munlocks a PTE's folio only when it is small.
 */
static inline void page_remove_rmap(struct page *page, struct vm_area_struct *vma, bool compound)
{
	if (compound)
		folio_remove_rmap_pmd(page_folio(page), page, vma);
	else
		kshim_page_remove_rmap_pte(__kshim_page_idx(page), vma->kshim_index);
}

/*
 * page_try_share_anon_rmap() before 6.8: one page's PageAnonExclusive
 * cleared, or -EBUSY when the folio may be pinned; the same check and fault
 * point as folio_try_share_anon_rmap_pte().
 */
static inline int page_try_share_anon_rmap(struct page *page)
{
	return folio_try_share_anon_rmap_pte(page_folio(page), page);
}

static inline void __kshim_mlock_vma_folio_2(struct folio *folio, struct vm_area_struct *vma)
{
	kshim_mlock_vma_folio(vma->kshim_index);
}

/* Before 6.8 the caller said whether the mapping was a PMD: a PTE mlocks only a small folio. */
static inline void __kshim_mlock_vma_folio_3(struct folio *folio, struct vm_area_struct *vma,
					     bool compound)
{
	if (compound || !folio_test_large(folio))
		__kshim_mlock_vma_folio_2(folio, vma);
}
#define mlock_vma_folio(...) __KSHIM_BY_ARGS(__kshim_mlock_vma_folio, __VA_ARGS__)

static inline void munlock_vma_folio(struct folio *folio, struct vm_area_struct *vma)
{
	kshim_munlock_vma_folio(vma->kshim_index);
}

static inline void mlock_drain_local(void) {}

/* Its name before 6.8. */
static inline void mlock_page_drain_local(void) {}

/* ---- page tables: pte_t * and pmd_t * are slots of their windows ---- */
typedef struct {
	unsigned long kshim_opaque;
} pmd_t;

extern pte_t *kshim_pte_window;
extern pmd_t *kshim_pmd_window;

static inline void __kshim_pte_loc(const pte_t *ptep, int *table, long *idx)
{
	long off = ptep - kshim_pte_window;
	long t = off >= 0 ? off / KSHIM_PTE_SLOTS : -1 - (-1 - off) / KSHIM_PTE_SLOTS;

	*table = (int)t;
	*idx = off - t * KSHIM_PTE_SLOTS - KSHIM_PTE_MID;
}

static inline pte_t *__kshim_pte_ptr(int table, long idx)
{
	return kshim_pte_window + (long)table * KSHIM_PTE_SLOTS + KSHIM_PTE_MID + idx;
}

static inline int __kshim_pmd_slot(const pmd_t *pmd)
{
	return pmd ? (int)(pmd - kshim_pmd_window) : -1;
}

static inline pte_t ptep_get(pte_t *ptep)
{
	int t;
	long i;

	__kshim_pte_loc(ptep, &t, &i);
	return kshim_ptep_get(t, i);
}

static inline void set_ptes(struct mm_struct *mm, unsigned long addr, pte_t *ptep, pte_t pte,
			    unsigned int nr)
{
	int t;
	long i;

	__kshim_pte_loc(ptep, &t, &i);
	kshim_set_ptes(mm->kshim_index, addr, t, i, pte, nr);
}

static inline void set_pte_at(struct mm_struct *mm, unsigned long addr, pte_t *ptep, pte_t pte)
{
	set_ptes(mm, addr, ptep, pte, 1);
}

static inline void pte_clear(struct mm_struct *mm, unsigned long addr, pte_t *ptep)
{
	int t;
	long i;

	__kshim_pte_loc(ptep, &t, &i);
	kshim_pte_clear(mm->kshim_index, addr, t, i);
}

static inline pte_t get_and_clear_full_ptes(struct mm_struct *mm, unsigned long addr, pte_t *ptep,
					    unsigned int nr, int full)
{
	int t;
	long i;

	__kshim_pte_loc(ptep, &t, &i);
	return kshim_get_and_clear_full_ptes(mm->kshim_index, addr, t, i, nr, full);
}

static inline pte_t get_and_clear_ptes(struct mm_struct *mm, unsigned long addr, pte_t *ptep,
				       unsigned int nr)
{
	return get_and_clear_full_ptes(mm, addr, ptep, nr, 0);
}

static inline pte_t ptep_get_and_clear_full(struct mm_struct *mm, unsigned long addr, pte_t *ptep,
					    int full)
{
	return get_and_clear_full_ptes(mm, addr, ptep, 1, full);
}

static inline pte_t ptep_get_and_clear(struct mm_struct *mm, unsigned long addr, pte_t *ptep)
{
	return get_and_clear_full_ptes(mm, addr, ptep, 1, 0);
}

/* An inaccessible (protnone) entry cannot be cached without a pending flush. */
static inline bool pte_accessible(struct mm_struct *mm, pte_t pte)
{
	return pte_present(pte) && !pte_protnone(pte);
}

static inline void flush_tlb_range(struct vm_area_struct *vma, unsigned long start,
				   unsigned long end)
{
	kshim_flush_tlb_range(vma->kshim_index, start, end);
}

static inline void flush_tlb_page(struct vm_area_struct *vma, unsigned long addr)
{
	flush_tlb_range(vma, addr, addr + PAGE_SIZE);
}

/* The generic ptep_clear_flush(): the TLB is flushed only for an accessible entry. */
static inline pte_t ptep_clear_flush(struct vm_area_struct *vma, unsigned long addr, pte_t *ptep)
{
	pte_t pte = ptep_get_and_clear(vma->vm_mm, addr, ptep);

	if (pte_accessible(vma->vm_mm, pte))
		flush_tlb_page(vma, addr);
	return pte;
}

static inline bool pte_install_uffd_wp_if_needed(struct vm_area_struct *vma, unsigned long addr,
						 pte_t *ptep, pte_t pteval)
{
	int t;
	long i;

	__kshim_pte_loc(ptep, &t, &i);
	return kshim_pte_install_uffd_wp_if_needed(vma->kshim_index, addr, t, i, pteval);
}

/*
 * A marker on each of nr cleared entries when pteval was uffd-wp protected in
 * a file VMA registered for uffd-wp; true when it installed them (mm/memory.c
 * cond_install_uffd_wp_ptes(), 7.3; the 2026 anon-batching series calls the
 * same helper install_uffd_wp_ptes_if_needed()).
 */
static inline bool cond_install_uffd_wp_ptes(struct vm_area_struct *vma, unsigned long addr,
					     pte_t *ptep, pte_t pteval, unsigned long nr)
{
	int t;
	long i;

	__kshim_pte_loc(ptep, &t, &i);
	return kshim_cond_install_uffd_wp_ptes(vma->kshim_index, addr, t, i, pteval,
					       (unsigned int)nr);
}

static inline bool install_uffd_wp_ptes_if_needed(struct vm_area_struct *vma, unsigned long addr,
						  pte_t *ptep, pte_t pteval, unsigned long nr)
{
	return cond_install_uffd_wp_ptes(vma, addr, ptep, pteval, nr);
}

/*
 * folio_pte_batch(): how many entries from ptep map consecutive pages of the
 * folio alike. Three shapes:
 *   v6.9-v6.12   (folio, addr, ptep, pte, max_nr, flags, any_writable)
 *   v6.13-v6.16  (folio, addr, ptep, pte, max_nr, flags, any_writable, any_young, any_dirty)
 *   v6.17-       (folio, ptep, pte, max_nr), and folio_pte_batch_flags()
 * The early ones always ignore write and young, and dirty or soft-dirty when
 * told to (FPB_IGNORE_*); the later ones ignore all of those unless told to
 * respect them (FPB_RESPECT_*).
 */
static inline unsigned int __kshim_fpb(pte_t *ptep, pte_t *ptentp, unsigned int max_nr,
				       unsigned int substrate_flags, int vma)
{
	int t;
	long i;

	__kshim_pte_loc(ptep, &t, &i);
	return kshim_folio_pte_batch_flags(vma, t, i, ptentp, max_nr, substrate_flags);
}

static inline unsigned int __kshim_fpb_respect(fpb_t flags)
{
	return ((flags & FPB_RESPECT_DIRTY) ? KSHIM_FPB_RESPECT_DIRTY : 0) |
	       ((flags & FPB_RESPECT_SOFT_DIRTY) ? KSHIM_FPB_RESPECT_SOFT_DIRTY : 0) |
	       ((flags & FPB_RESPECT_WRITE) ? KSHIM_FPB_RESPECT_WRITE : 0) |
	       ((flags & FPB_MERGE_WRITE) ? KSHIM_FPB_MERGE_WRITE : 0) |
	       ((flags & FPB_MERGE_YOUNG_DIRTY) ? KSHIM_FPB_MERGE_YOUNG_DIRTY : 0);
}

static inline unsigned int folio_pte_batch_flags(struct folio *folio, struct vm_area_struct *vma,
						 pte_t *ptep, pte_t *ptentp, unsigned int max_nr,
						 fpb_t flags)
{
	return __kshim_fpb(ptep, ptentp, max_nr, __kshim_fpb_respect(flags),
			   vma ? vma->kshim_index : -1);
}

static inline unsigned int __kshim_folio_pte_batch_4(struct folio *folio, pte_t *ptep, pte_t pte,
						     unsigned int max_nr)
{
	return __kshim_fpb(ptep, &pte, max_nr, 0, -1);
}

static inline int __kshim_folio_pte_batch_9(struct folio *folio, unsigned long addr, pte_t *ptep,
					    pte_t pte, int max_nr, fpb_t flags, bool *any_writable,
					    bool *any_young, bool *any_dirty)
{
	unsigned int sub = KSHIM_FPB_MERGE_WRITE | KSHIM_FPB_MERGE_YOUNG_DIRTY;
	int nr;

	if (!(flags & FPB_IGNORE_DIRTY))
		sub |= KSHIM_FPB_RESPECT_DIRTY;
	if (!(flags & FPB_IGNORE_SOFT_DIRTY))
		sub |= KSHIM_FPB_RESPECT_SOFT_DIRTY;
	nr = (int)__kshim_fpb(ptep, &pte, (unsigned int)max_nr, sub, -1);
	/* With the merge flags the entry comes back with the OR over the batch. */
	if (any_writable)
		*any_writable = pte_write(pte);
	if (any_young)
		*any_young = pte_young(pte);
	if (any_dirty)
		*any_dirty = pte_dirty(pte);
	return nr;
}

static inline int __kshim_folio_pte_batch_7(struct folio *folio, unsigned long addr, pte_t *ptep,
					    pte_t pte, int max_nr, fpb_t flags, bool *any_writable)
{
	return __kshim_folio_pte_batch_9(folio, addr, ptep, pte, max_nr, flags, any_writable, NULL,
					 NULL);
}

#define folio_pte_batch(...) __KSHIM_BY_ARGS(__kshim_folio_pte_batch, __VA_ARGS__)

/* ---- swap entries: the entry's type sits in the top byte ---- */
typedef struct {
	unsigned long val;
} swp_entry_t;
typedef swp_entry_t softleaf_t;

enum {
	__KSHIM_SWP_SWAP,
	__KSHIM_SWP_HWPOISON,
	__KSHIM_SWP_DEVICE_PRIVATE,
	__KSHIM_SWP_DEVICE_EXCLUSIVE,
	__KSHIM_SWP_MARKER,
	__KSHIM_SWP_NONE,
};
#define __KSHIM_SWP_TYPE_SHIFT 56

static inline swp_entry_t __kshim_swp(unsigned int type, unsigned long offset)
{
	swp_entry_t e = {((unsigned long)type << __KSHIM_SWP_TYPE_SHIFT) | offset};

	return e;
}

static inline unsigned int __kshim_swp_type(swp_entry_t e)
{
	return (unsigned int)(e.val >> __KSHIM_SWP_TYPE_SHIFT);
}

static inline unsigned long swp_offset(swp_entry_t e)
{
	return e.val & ((1UL << __KSHIM_SWP_TYPE_SHIFT) - 1);
}

/* The software bits (exclusive, soft-dirty, uffd-wp) stay in the pte. */
static inline swp_entry_t pte_to_swp_entry(pte_t pte)
{
	switch (pte.kind) {
	case KSHIM_PTE_SWAP:
		return __kshim_swp(__KSHIM_SWP_SWAP, pte.val);
	case KSHIM_PTE_HWPOISON:
		return __kshim_swp(__KSHIM_SWP_HWPOISON, pte.val);
	case KSHIM_PTE_DEVICE_PRIVATE:
		return __kshim_swp(__KSHIM_SWP_DEVICE_PRIVATE, pte.val);
	case KSHIM_PTE_DEVICE_EXCLUSIVE:
		return __kshim_swp(__KSHIM_SWP_DEVICE_EXCLUSIVE, pte.val);
	case KSHIM_PTE_MARKER:
		return __kshim_swp(__KSHIM_SWP_MARKER, pte.bits);
	}
	return __kshim_swp(__KSHIM_SWP_NONE, 0);
}

static inline pte_t swp_entry_to_pte(swp_entry_t e)
{
	switch (__kshim_swp_type(e)) {
	case __KSHIM_SWP_SWAP:
		return __kshim_pte(KSHIM_PTE_SWAP, 0, (uint32_t)swp_offset(e));
	case __KSHIM_SWP_HWPOISON:
		return __kshim_pte(KSHIM_PTE_HWPOISON, 0, (uint32_t)swp_offset(e));
	case __KSHIM_SWP_DEVICE_PRIVATE:
		return __kshim_pte(KSHIM_PTE_DEVICE_PRIVATE, 0, (uint32_t)swp_offset(e));
	case __KSHIM_SWP_DEVICE_EXCLUSIVE:
		return __kshim_pte(KSHIM_PTE_DEVICE_EXCLUSIVE, 0, (uint32_t)swp_offset(e));
	case __KSHIM_SWP_MARKER:
		return __kshim_pte(KSHIM_PTE_MARKER, (uint8_t)swp_offset(e), 0);
	}
	return __kshim_pte(KSHIM_PTE_NONE, 0, 0);
}

static inline swp_entry_t make_hwpoison_entry(struct page *page)
{
	return __kshim_swp(__KSHIM_SWP_HWPOISON, page_to_pfn(page));
}

static inline bool is_hwpoison_entry(swp_entry_t e)
{
	return __kshim_swp_type(e) == __KSHIM_SWP_HWPOISON;
}

static inline bool is_device_private_entry(swp_entry_t e)
{
	return __kshim_swp_type(e) == __KSHIM_SWP_DEVICE_PRIVATE;
}

static inline bool is_device_exclusive_entry(swp_entry_t e)
{
	return __kshim_swp_type(e) == __KSHIM_SWP_DEVICE_EXCLUSIVE;
}

static inline bool is_pfn_swap_entry(swp_entry_t e)
{
	return is_device_private_entry(e) || is_device_exclusive_entry(e) || is_hwpoison_entry(e);
}

static inline unsigned long swp_offset_pfn(swp_entry_t e)
{
	return swp_offset(e);
}

static inline struct page *pfn_swap_entry_to_page(swp_entry_t e)
{
	return pfn_to_page(swp_offset_pfn(e));
}

/* softleaf_t, the 2025 name for a non-present entry. */
static inline softleaf_t softleaf_from_pte(pte_t pte)
{
	return pte_to_swp_entry(pte);
}

static inline unsigned long softleaf_to_pfn(softleaf_t e)
{
	return swp_offset_pfn(e);
}

static inline struct page *softleaf_to_page(softleaf_t e)
{
	return pfn_swap_entry_to_page(e);
}

static inline bool softleaf_is_device_private(softleaf_t e)
{
	return is_device_private_entry(e);
}

static inline bool softleaf_is_device_exclusive(softleaf_t e)
{
	return is_device_exclusive_entry(e);
}

static inline bool softleaf_is_hwpoison(softleaf_t e)
{
	return is_hwpoison_entry(e);
}

static inline bool softleaf_is_swap(softleaf_t e)
{
	return __kshim_swp_type(e) == __KSHIM_SWP_SWAP;
}

static inline bool softleaf_is_marker(softleaf_t e)
{
	return __kshim_swp_type(e) == __KSHIM_SWP_MARKER;
}

static inline swp_entry_t page_swap_entry(struct page *page)
{
	return __kshim_swp(__KSHIM_SWP_SWAP, kshim_page_swap_offset(__kshim_page_idx(page)));
}

/*
 * page->private: for a page of a folio in the swap cache, its swap entry
 * (where 6.1's try_to_unmap_one() takes it from); the model keeps nothing
 * else there.
 */
static inline unsigned long page_private(struct page *page)
{
	if (!folio_test_swapcache(page_folio(page)))
		return 0;
	return page_swap_entry(page).val;
}

/*
 * Swap counts. swap_duplicate()/swap_free() by entry until 6.18 (and the
 * batched RFC's swap_duplicate(entry, nr)); folio_dup_swap()/folio_put_swap()
 * by page since, one page or nr of them.
 */
static inline int __kshim_swap_duplicate_1(swp_entry_t entry)
{
	return kshim_dup_swap(kshim_swap_offset_to_idx(swp_offset(entry)), 1);
}

static inline int __kshim_swap_duplicate_2(swp_entry_t entry, int nr)
{
	return kshim_dup_swap(kshim_swap_offset_to_idx(swp_offset(entry)), nr);
}
#define swap_duplicate(...) __KSHIM_BY_ARGS(__kshim_swap_duplicate, __VA_ARGS__)

static inline void swap_free_nr(swp_entry_t entry, int nr)
{
	kshim_put_swap(kshim_swap_offset_to_idx(swp_offset(entry)), nr);
}

static inline void swap_free(swp_entry_t entry)
{
	swap_free_nr(entry, 1);
}

/*
 * folio_dup_swap(folio, page): one page's slot, or every slot of the folio
 * for a NULL page (mm/swapfile.c since 6.19). All or nothing: a failure rolls
 * back the slots it raised (swap_dup_entries_cluster()).
 */
static inline int __kshim_folio_dup_swap_2(struct folio *folio, struct page *page)
{
	if (!page)
		return kshim_dup_swap(0, (int)folio_nr_pages(folio));
	return kshim_dup_swap(__kshim_page_idx(page), 1);
}

static inline int __kshim_folio_dup_swap_3(struct folio *folio, struct page *page, int nr)
{
	return kshim_dup_swap(__kshim_page_idx(page), nr);
}
#define folio_dup_swap(...) __KSHIM_BY_ARGS(__kshim_folio_dup_swap, __VA_ARGS__)

static inline void __kshim_folio_put_swap_2(struct folio *folio, struct page *page)
{
	if (!page)
		kshim_put_swap(0, (int)folio_nr_pages(folio));
	else
		kshim_put_swap(__kshim_page_idx(page), 1);
}

static inline void __kshim_folio_put_swap_3(struct folio *folio, struct page *page, int nr)
{
	kshim_put_swap(__kshim_page_idx(page), nr);
}
#define folio_put_swap(...) __KSHIM_BY_ARGS(__kshim_folio_put_swap, __VA_ARGS__)

/*
 * The 2026 anon-batching series' batched forms: nr consecutive pages from
 * page, the per-page primitive applied to each with the same fault point per
 * page (the dup_swap_fail event), all or nothing like the cluster code.
 */
static inline int folio_dup_swap_pages(struct folio *folio, struct page *page, unsigned long nr)
{
	return kshim_dup_swap(__kshim_page_idx(page), (int)nr);
}

static inline void folio_put_swap_pages(struct folio *folio, struct page *page, unsigned long nr)
{
	kshim_put_swap(__kshim_page_idx(page), (int)nr);
}

/*
 * A swap pte's entry moved by delta slots, its software bits kept
 * (mm/internal.h pte_move_swp_offset(), pte_next_swp_offset()).
 */
static inline pte_t pte_move_swp_offset(pte_t pte, long delta)
{
	pte.val = (uint32_t)((long)pte.val + delta);
	return pte;
}

static inline pte_t pte_next_swp_offset(pte_t pte)
{
	return pte_move_swp_offset(pte, 1);
}

static inline int arch_unmap_one(struct mm_struct *mm, struct vm_area_struct *vma,
				 unsigned long addr, pte_t orig_pte)
{
	return kshim_arch_unmap_one(mm->kshim_index, vma->kshim_index, addr, orig_pte);
}

/* ---- PMD level ---- */
static inline void __kshim_split_huge_pmd_locked_4(struct vm_area_struct *vma,
						   unsigned long address, pmd_t *pmd, bool freeze)
{
	kshim_split_huge_pmd_locked(vma->kshim_index, address, __kshim_pmd_slot(pmd), freeze);
}

static inline void __kshim_split_huge_pmd_locked_5(struct vm_area_struct *vma,
						   unsigned long address, pmd_t *pmd, bool freeze,
						   struct folio *folio)
{
	__kshim_split_huge_pmd_locked_4(vma, address, pmd, freeze);
}
#define split_huge_pmd_locked(...) __KSHIM_BY_ARGS(__kshim_split_huge_pmd_locked, __VA_ARGS__)

/*
 * Before 6.11 try_to_unmap_one() split a PMD mapping before its walk: the PMD
 * of address, when it maps folio as a huge PMD, is split (mm_find_pmd(),
 * __split_huge_pmd()); anything else is left alone.
 */
static inline void split_huge_pmd_address(struct vm_area_struct *vma, unsigned long address,
					  bool freeze, struct folio *folio)
{
	kshim_split_huge_pmd_address(vma->kshim_index, address, freeze);
}

static inline bool unmap_huge_pmd_locked(struct vm_area_struct *vma, unsigned long addr,
					 pmd_t *pmdp, struct folio *folio)
{
	return kshim_unmap_huge_pmd_locked(vma->kshim_index, addr, __kshim_pmd_slot(pmdp));
}

/* ---- the deferred TLB flush (statics of mm/rmap.c the substrate models) ---- */
static inline bool should_defer_flush(struct mm_struct *mm, enum ttu_flags flags)
{
	return kshim_should_defer_flush(mm->kshim_index, flags);
}

static inline void __kshim_set_tlb_ubc_flush_pending_4(struct mm_struct *mm, pte_t pteval,
						       unsigned long start, unsigned long end)
{
	kshim_set_tlb_ubc_flush_pending(mm->kshim_index, pteval, start, end);
}

/* Before 2f4ab3ac10e1 (v6.15) the batch took one page at a time. */
static inline void __kshim_set_tlb_ubc_flush_pending_3(struct mm_struct *mm, pte_t pteval,
						       unsigned long uaddr)
{
	__kshim_set_tlb_ubc_flush_pending_4(mm, pteval, uaddr, uaddr + PAGE_SIZE);
}

/*
 * 6.1's form: the whole mm is pended, whatever the entry was; writable (the
 * entry was dirty) makes the batch writable (bridge.cc says how).
 */
static inline void __kshim_set_tlb_ubc_flush_pending_2(struct mm_struct *mm, bool writable)
{
	kshim_set_tlb_ubc_flush_pending_mm(mm->kshim_index, writable);
}
#define set_tlb_ubc_flush_pending(...)                                                             \
	__KSHIM_BY_ARGS(__kshim_set_tlb_ubc_flush_pending, __VA_ARGS__)

static inline void flush_tlb_batched_pending(struct mm_struct *mm) {}

/* ---- mmu notifiers ---- */
struct mmu_notifier_range {
	unsigned long start;
	unsigned long end;
	struct mm_struct *mm;
	enum mmu_notifier_event event;
	unsigned int flags;
};

static inline void __kshim_mmu_notifier_range_init_6(struct mmu_notifier_range *range,
						     enum mmu_notifier_event event,
						     unsigned int flags, struct mm_struct *mm,
						     unsigned long start, unsigned long end)
{
	range->event = event;
	range->flags = flags;
	range->mm = mm;
	range->start = start;
	range->end = end;
}

/* Before 6.3 the VMA came too. */
static inline void __kshim_mmu_notifier_range_init_7(struct mmu_notifier_range *range,
						     enum mmu_notifier_event event,
						     unsigned int flags, struct vm_area_struct *vma,
						     struct mm_struct *mm, unsigned long start,
						     unsigned long end)
{
	__kshim_mmu_notifier_range_init_6(range, event, flags, mm, start, end);
}
#define mmu_notifier_range_init(...) __KSHIM_BY_ARGS(__kshim_mmu_notifier_range_init, __VA_ARGS__)

static inline void mmu_notifier_invalidate_range_start(struct mmu_notifier_range *range)
{
	kshim_notifier_start(range->mm->kshim_index, range->start, range->end);
}

static inline void mmu_notifier_invalidate_range_end(struct mmu_notifier_range *range)
{
	kshim_notifier_end(range->mm->kshim_index);
}

/* ---- page_vma_mapped_walk (include/linux/rmap.h) ---- */
struct page_vma_mapped_walk {
	unsigned long pfn;
	unsigned long nr_pages;
	pgoff_t pgoff;
	struct vm_area_struct *vma;
	unsigned long address;
	pmd_t *pmd;
	pte_t *pte;
	spinlock_t *ptl;
	unsigned int flags;
};

#define DEFINE_FOLIO_VMA_WALK(name, _folio, _vma, _address, _flags)                                \
	struct page_vma_mapped_walk name = {                                                       \
	    .pfn = folio_pfn(_folio),                                                              \
	    .nr_pages = folio_nr_pages(_folio),                                                    \
	    .pgoff = folio_pgoff(_folio),                                                          \
	    .vma = _vma,                                                                           \
	    .address = _address,                                                                   \
	    .flags = _flags,                                                                       \
	}

extern spinlock_t kshim_ptl;

static inline void __kshim_pvmw_out(const struct page_vma_mapped_walk *p, struct kshim_pvmw *k)
{
	k->pfn = p->pfn;
	k->nr_pages = p->nr_pages;
	k->pgoff = p->pgoff;
	k->address = p->address;
	k->flags = p->flags;
	k->vma = p->vma->kshim_index;
	k->pmd = __kshim_pmd_slot(p->pmd);
	if (p->pte)
		__kshim_pte_loc(p->pte, &k->table, &k->idx);
	else
		k->table = -1, k->idx = 0;
	k->ptl = p->ptl != NULL;
}

static inline void __kshim_pvmw_in(struct page_vma_mapped_walk *p, const struct kshim_pvmw *k)
{
	p->pfn = k->pfn;
	p->nr_pages = k->nr_pages;
	p->pgoff = k->pgoff;
	p->address = k->address;
	p->flags = k->flags;
	p->pmd = k->pmd >= 0 ? kshim_pmd_window + k->pmd : NULL;
	p->pte = k->table >= 0 ? __kshim_pte_ptr(k->table, k->idx) : NULL;
	p->ptl = k->ptl ? &kshim_ptl : NULL;
}

static inline bool page_vma_mapped_walk(struct page_vma_mapped_walk *pvmw)
{
	struct kshim_pvmw k;
	bool found;

	__kshim_pvmw_out(pvmw, &k);
	found = kshim_page_vma_mapped_walk(&k);
	__kshim_pvmw_in(pvmw, &k);
	return found;
}

static inline void page_vma_mapped_walk_done(struct page_vma_mapped_walk *pvmw)
{
	struct kshim_pvmw k;

	__kshim_pvmw_out(pvmw, &k);
	kshim_page_vma_mapped_walk_done(&k);
	__kshim_pvmw_in(pvmw, &k);
}

static inline void page_vma_mapped_walk_restart(struct page_vma_mapped_walk *pvmw)
{
	struct kshim_pvmw k;

	__kshim_pvmw_out(pvmw, &k);
	kshim_page_vma_mapped_walk_restart(&k);
	__kshim_pvmw_in(pvmw, &k);
}

static inline unsigned long vma_address_end(struct page_vma_mapped_walk *pvmw)
{
	struct kshim_pvmw k;

	__kshim_pvmw_out(pvmw, &k);
	return kshim_vma_address_end(&k);
}

/*
 * The traced primitives (the ones whose effect the report's trace shows) as
 * macros over the inlines above, each setting kshim_line to the line of the
 * kernel code that calls it: the trace names mm/rmap.c:LINE for every step of
 * the kernel side. Defined last, so the shim's own inlines call each other
 * without them.
 */
#define __KSHIM_AT(call) (kshim_line = __LINE__, call)
#define get_and_clear_full_ptes(...) __KSHIM_AT(get_and_clear_full_ptes(__VA_ARGS__))
#define get_and_clear_ptes(...) __KSHIM_AT(get_and_clear_ptes(__VA_ARGS__))
#define ptep_get_and_clear(...) __KSHIM_AT(ptep_get_and_clear(__VA_ARGS__))
#define ptep_get_and_clear_full(...) __KSHIM_AT(ptep_get_and_clear_full(__VA_ARGS__))
#define ptep_clear_flush(...) __KSHIM_AT(ptep_clear_flush(__VA_ARGS__))
#define pte_clear(...) __KSHIM_AT(pte_clear(__VA_ARGS__))
#define set_ptes(...) __KSHIM_AT(set_ptes(__VA_ARGS__))
#define set_pte_at(...) __KSHIM_AT(set_pte_at(__VA_ARGS__))
#define pte_install_uffd_wp_if_needed(...) __KSHIM_AT(pte_install_uffd_wp_if_needed(__VA_ARGS__))
#define cond_install_uffd_wp_ptes(...) __KSHIM_AT(cond_install_uffd_wp_ptes(__VA_ARGS__))
#define folio_try_share_anon_rmap_ptes(...) __KSHIM_AT(folio_try_share_anon_rmap_ptes(__VA_ARGS__))
#define folio_try_share_anon_rmap_pte(...) __KSHIM_AT(folio_try_share_anon_rmap_pte(__VA_ARGS__))
#define arch_unmap_one(...) __KSHIM_AT(arch_unmap_one(__VA_ARGS__))
#define folio_ref_count(...) __KSHIM_AT(folio_ref_count(__VA_ARGS__))
#define folio_test_dirty(...) __KSHIM_AT(folio_test_dirty(__VA_ARGS__))
#define folio_mark_dirty(...) __KSHIM_AT(folio_mark_dirty(__VA_ARGS__))
#define folio_set_swapbacked(...) __KSHIM_AT(folio_set_swapbacked(__VA_ARGS__))
#define folio_remove_rmap_ptes(...) __KSHIM_AT(folio_remove_rmap_ptes(__VA_ARGS__))
#define folio_remove_rmap_pte(...) __KSHIM_AT(folio_remove_rmap_pte(__VA_ARGS__))
#define folio_remove_rmap_pmd(...) __KSHIM_AT(folio_remove_rmap_pmd(__VA_ARGS__))
#define folio_put(...) __KSHIM_AT(folio_put(__VA_ARGS__))
#define folio_put_refs(...) __KSHIM_AT(folio_put_refs(__VA_ARGS__))
#define add_mm_counter(...) __KSHIM_AT(add_mm_counter(__VA_ARGS__))
#define inc_mm_counter(...) __KSHIM_AT(inc_mm_counter(__VA_ARGS__))
#define dec_mm_counter(...) __KSHIM_AT(dec_mm_counter(__VA_ARGS__))
#define unmap_huge_pmd_locked(...) __KSHIM_AT(unmap_huge_pmd_locked(__VA_ARGS__))
#undef mlock_vma_folio
#define mlock_vma_folio(...) __KSHIM_AT(__KSHIM_BY_ARGS(__kshim_mlock_vma_folio, __VA_ARGS__))
#define page_remove_rmap(...) __KSHIM_AT(page_remove_rmap(__VA_ARGS__))
#define page_try_share_anon_rmap(...) __KSHIM_AT(page_try_share_anon_rmap(__VA_ARGS__))
#define split_huge_pmd_address(...) __KSHIM_AT(split_huge_pmd_address(__VA_ARGS__))
#define munlock_vma_folio(...) __KSHIM_AT(munlock_vma_folio(__VA_ARGS__))
#define flush_tlb_range(...) __KSHIM_AT(flush_tlb_range(__VA_ARGS__))
#define flush_tlb_page(...) __KSHIM_AT(flush_tlb_page(__VA_ARGS__))
#define page_vma_mapped_walk(...) __KSHIM_AT(page_vma_mapped_walk(__VA_ARGS__))
#define swap_free(...) __KSHIM_AT(swap_free(__VA_ARGS__))
#define swap_free_nr(...) __KSHIM_AT(swap_free_nr(__VA_ARGS__))
#undef swap_duplicate
#define swap_duplicate(...) __KSHIM_AT(__KSHIM_BY_ARGS(__kshim_swap_duplicate, __VA_ARGS__))
#undef folio_dup_swap
#define folio_dup_swap(...) __KSHIM_AT(__KSHIM_BY_ARGS(__kshim_folio_dup_swap, __VA_ARGS__))
#undef folio_put_swap
#define folio_put_swap(...) __KSHIM_AT(__KSHIM_BY_ARGS(__kshim_folio_put_swap, __VA_ARGS__))
#define folio_dup_swap_pages(...) __KSHIM_AT(folio_dup_swap_pages(__VA_ARGS__))
#define folio_put_swap_pages(...) __KSHIM_AT(folio_put_swap_pages(__VA_ARGS__))
#define install_uffd_wp_ptes_if_needed(...) __KSHIM_AT(install_uffd_wp_ptes_if_needed(__VA_ARGS__))
#undef split_huge_pmd_locked
#define split_huge_pmd_locked(...)                                                                 \
	__KSHIM_AT(__KSHIM_BY_ARGS(__kshim_split_huge_pmd_locked, __VA_ARGS__))
#undef set_tlb_ubc_flush_pending
#define set_tlb_ubc_flush_pending(...)                                                             \
	__KSHIM_AT(__KSHIM_BY_ARGS(__kshim_set_tlb_ubc_flush_pending, __VA_ARGS__))
#undef folio_pte_batch
#define folio_pte_batch(...) __KSHIM_AT(__KSHIM_BY_ARGS(__kshim_folio_pte_batch, __VA_ARGS__))

#endif /* KSHIM_CUSTOM_H */
