/*
 * The C half of the bridge: the fake-pointer windows, the shadows of one
 * try_to_unmap_one() call (folio, mm, VMA) and the oops path of BUG().
 * Compiled with the shim like the cut itself, so the kernel types here are
 * the ones the cut sees.
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "kshim.h"

/* The cut: bool kshim_extracted_try_to_unmap_one(folio, vma, address, arg). */
bool kshim_extracted_try_to_unmap_one(struct folio *folio, struct vm_area_struct *vma,
				      unsigned long address, void *arg);

unsigned int kshim_line;
struct mm_struct init_mm;
spinlock_t mmlist_lock;
spinlock_t kshim_ptl;
struct page *kshim_page_window;
pte_t *kshim_pte_window;
pmd_t *kshim_pmd_window;

/*
 * The windows live at fixed addresses so that a fake pointer's value is the
 * same in every run (libFuzzer's comparison tracing sees pointer operands).
 * The addresses are in the application range of x86-64 and arm64 that ASan
 * leaves alone; should one be taken, any free address still works, only the
 * repeatability of -use_cmp campaigns suffers.
 */
#define KSHIM_WINDOW_BASE 0x5a0000000000UL

static void *kshim_reserve(unsigned long at, size_t size)
{
	void *p = mmap((void *)at, size, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);

	if (p == MAP_FAILED || p != (void *)at) {
		if (p != MAP_FAILED)
			munmap(p, size);
		p = mmap(NULL, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	}
	if (p == MAP_FAILED) {
		fprintf(stderr, "unmapfuzz: kernel shim: cannot reserve %zu bytes\n", size);
		abort();
	}
	return p;
}

/* Before main(): no first-input-only code path for coverage-guided engines. */
__attribute__((constructor)) static void kshim_windows_init(void)
{
	size_t pages = (size_t)KSHIM_PAGE_SLOTS * KSHIM_PAGE_SIZE;
	size_t ptes = (size_t)KSHIM_PTE_TABLES * KSHIM_PTE_SLOTS * sizeof(pte_t);
	size_t pmds = (size_t)KSHIM_PMD_SLOTS * sizeof(pmd_t);

	kshim_page_window = kshim_reserve(KSHIM_WINDOW_BASE, pages);
	kshim_pte_window = kshim_reserve(KSHIM_WINDOW_BASE + 0x10000000UL, ptes);
	kshim_pmd_window = kshim_reserve(KSHIM_WINDOW_BASE + 0x20000000UL, pmds);
}

static jmp_buf *kshim_oops;

void kshim_bug(const char *file, unsigned int line, const char *func, const char *cond)
{
	kshim_record_assert(1, file, line, func, cond);
	if (kshim_oops)
		longjmp(*kshim_oops, 1);
	/* A BUG outside a call: nothing to unwind to. */
	fprintf(stderr, "unmapfuzz: kernel BUG at %s:%u outside try_to_unmap_one()\n", file, line);
	abort();
}

/*
 * One try_to_unmap_one() call. The shadows live in this frame; the mmlist is
 * rebuilt from the substrate's on_mmlist and read back after, so the kernel's
 * list_empty()/list_add() idiom runs as written. A BUG longjmps back here:
 * only C frames (the cut and the shim's inlines) lie in between.
 */
void kshim_call_try_to_unmap_one(struct kshim_call *call, unsigned int flags)
{
	static const int file_ops; /* any non-NULL vm_ops marks a file VMA */
	struct mm_struct mm;
	struct vm_area_struct vma;
	struct list_head on_list;
	jmp_buf oops;

	INIT_LIST_HEAD(&init_mm.mmlist);
	INIT_LIST_HEAD(&on_list);
	mm.kshim_index = call->mm;
	INIT_LIST_HEAD(&mm.mmlist);
	if (call->on_mmlist)
		list_add(&mm.mmlist, &on_list);
	vma.vm_start = call->vm_start;
	vma.vm_end = call->vm_end;
	vma.vm_pgoff = call->vm_pgoff;
	vma.vm_flags = call->vm_flags;
	vma.vm_mm = &mm;
	vma.vm_ops = call->anonymous ? NULL : &file_ops;
	vma.kshim_index = call->vma;

	call->oops = 0;
	kshim_line = 0;
	kshim_oops = &oops;
	if (setjmp(oops)) {
		call->oops = 1;
		call->ret = 0;
	} else {
		call->ret = kshim_extracted_try_to_unmap_one(&kshim_folio, &vma, call->address,
							     (void *)(unsigned long)flags);
	}
	kshim_oops = NULL;
	kshim_line = 0;
	call->on_mmlist = !list_empty(&mm.mmlist);
}
