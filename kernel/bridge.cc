// The C++ half of the bridge (docs/design.md 11.3): every kshim_*
// function the shim's kernel-named inlines call, implemented with the
// substrate's own primitives, so its checks (table, VMA and notifier bounds,
// page_out_of_folio, underflows), its events and its faults apply to kernel
// code unchanged. Kernel pointers arrive decoded (a page index, a table and
// slot); the world is the one whose try_to_unmap() is in progress.
#include <cstdio>
#include <cstring>

#include "kernel/kshim_abi.h"
#include "kernel/rmap.h"
#include "mm/huge_memory.h"
#include "mm/internal.h"
#include "mm/rmap.h"
#include "mm/swap.h"
#include "mm/tlb.h"

namespace uf::kernel
{

namespace
{

// The ABI's numbers are the substrate's (kshim_abi.h says so; this checks it).
constexpr bool same(long a, long b)
{
        return a == b;
}
static_assert(sizeof(kshim_pte) == sizeof(pte_t) && alignof(kshim_pte) == alignof(pte_t));
static_assert(same(static_cast<int>(pte_kind::present), KSHIM_PTE_PRESENT) &&
              same(static_cast<int>(pte_kind::swap), KSHIM_PTE_SWAP) &&
              same(static_cast<int>(pte_kind::marker), KSHIM_PTE_MARKER) &&
              same(static_cast<int>(pte_kind::device_exclusive), KSHIM_PTE_DEVICE_EXCLUSIVE) &&
              same(static_cast<int>(pte_kind::device_private), KSHIM_PTE_DEVICE_PRIVATE) &&
              same(static_cast<int>(pte_kind::hwpoison), KSHIM_PTE_HWPOISON));
static_assert(same(PTE_WRITE, KSHIM_PTE_WRITE) && same(PTE_DIRTY, KSHIM_PTE_DIRTY) &&
              same(PTE_YOUNG, KSHIM_PTE_YOUNG) && same(PTE_SOFT_DIRTY, KSHIM_PTE_SOFT_DIRTY) &&
              same(PTE_UFFD_WP, KSHIM_PTE_UFFD_WP) && same(PTE_PROTNONE, KSHIM_PTE_PROTNONE) &&
              same(PTE_UNUSED, KSHIM_PTE_UNUSED) &&
              same(PTE_SWP_EXCLUSIVE, KSHIM_PTE_SWP_EXCLUSIVE));
static_assert(same(TTU_SPLIT_HUGE_PMD, KSHIM_TTU_SPLIT_HUGE_PMD) &&
              same(TTU_IGNORE_MLOCK, KSHIM_TTU_IGNORE_MLOCK) && same(TTU_SYNC, KSHIM_TTU_SYNC) &&
              same(TTU_HWPOISON, KSHIM_TTU_HWPOISON) &&
              same(TTU_BATCH_FLUSH, KSHIM_TTU_BATCH_FLUSH) &&
              same(TTU_RMAP_LOCKED, KSHIM_TTU_RMAP_LOCKED));
static_assert(same(PVMW_SYNC, KSHIM_PVMW_SYNC) && same(PVMW_MIGRATION, KSHIM_PVMW_MIGRATION) &&
              same(PVMW_PGTABLE_CROSSED, KSHIM_PVMW_PGTABLE_CROSSED));
static_assert(same(FPB_RESPECT_DIRTY, KSHIM_FPB_RESPECT_DIRTY) &&
              same(FPB_RESPECT_SOFT_DIRTY, KSHIM_FPB_RESPECT_SOFT_DIRTY) &&
              same(FPB_RESPECT_WRITE, KSHIM_FPB_RESPECT_WRITE) &&
              same(FPB_MERGE_WRITE, KSHIM_FPB_MERGE_WRITE) &&
              same(FPB_MERGE_YOUNG_DIRTY, KSHIM_FPB_MERGE_YOUNG_DIRTY));
static_assert(same(MM_FILEPAGES, 0) && same(MM_ANONPAGES, 1) && same(MM_SWAPENTS, 2) &&
              same(MM_SHMEMPAGES, 3));
static_assert(MAX_TABLES <= KSHIM_PTE_TABLES && MAX_MMS * PMDS_PER_MM <= KSHIM_PMD_SLOTS &&
              PMDS_PER_MM <= KSHIM_PMDS_PER_MM && MAX_FOLIO_PAGES <= KSHIM_PAGE_MID);

// The world of the try_to_unmap_one() call in progress, and its VMA. Set for
// the length of one call and cleared after it: nothing survives an input.
world *cur;
int cur_vma = -1;

// Every bridge function starts here: the kernel line of the call (kshim_line)
// goes to the world, for the trace records the primitive writes.
world &w()
{
        cur->src_line = kshim_line;
        return *cur;
}

pte_t to_uf(kshim_pte p)
{
        return pte_t{static_cast<pte_kind>(p.kind), p.bits, p.val};
}

kshim_pte to_c(pte_t pte)
{
        return kshim_pte{static_cast<uint8_t>(pte.kind), pte.bits, pte.val};
}

page page_at(long idx)
{
        return page{&w().folio, idx};
}

vm_area_struct *vma_at(int v)
{
        return &w().vmas[v];
}

mm_struct *mm_at(int m)
{
        return &w().mms[m];
}

// A pte_t * decoded; one outside every page table of the world is reported
// (as a slot outside its table would be) and yields no pointer.
bool pte_at(int table, long idx, pte_ptr *out)
{
        if (table < 0 || table >= w().nr_tables) {
                w().report(mm_violation::table_bounds,
                           "pte pointer outside every page table (table %d, slot %ld)", table, idx);
                return false;
        }
        *out = pte_ptr{cur, table, idx};
        return true;
}

// A pmd_t * decoded: mm * KSHIM_PMDS_PER_MM + index in that mm's PMDs.
pmd_t *pmd_at(int slot)
{
        int m = slot / KSHIM_PMDS_PER_MM, i = slot % KSHIM_PMDS_PER_MM;
        if (slot < 0 || m >= w().nr_mms || i >= static_cast<int>(PMDS_PER_MM))
                return nullptr;
        return &mm_at(m)->pmd[i];
}

int pmd_slot(const struct page_vma_mapped_walk &p)
{
        if (!p.pmd)
                return -1;
        const mm_struct *mm = p.vma->vm_mm;
        return mm->id * KSHIM_PMDS_PER_MM + static_cast<int>(p.pmd - mm->pmd);
}

struct page_vma_mapped_walk walk_in(const kshim_pvmw *k)
{
        struct page_vma_mapped_walk p {
        };
        p.pfn = k->pfn;
        p.nr_pages = k->nr_pages;
        p.pgoff = k->pgoff;
        p.vma = vma_at(k->vma);
        p.address = k->address;
        p.pmd = k->pmd >= 0 ? pmd_at(k->pmd) : nullptr;
        p.pte = k->table >= 0 ? pte_ptr{cur, k->table, k->idx} : pte_ptr{};
        p.ptl = k->ptl;
        p.flags = k->flags;
        return p;
}

void walk_out(const struct page_vma_mapped_walk &p, kshim_pvmw *k)
{
        k->pfn = p.pfn;
        k->nr_pages = p.nr_pages;
        k->pgoff = p.pgoff;
        k->address = p.address;
        k->flags = p.flags;
        k->pmd = pmd_slot(p);
        k->table = p.pte ? p.pte.table : -1;
        k->idx = p.pte ? p.pte.idx : 0;
        k->ptl = p.ptl;
}

// The substrate's vm_flags bits as the kernel numbers them.
unsigned long kernel_vm_flags(const vm_area_struct &vma)
{
        unsigned long f = 0;
        if (vma.vm_flags & VM_LOCKED)
                f |= KSHIM_VM_LOCKED;
        if (vma.vm_flags & VM_DROPPABLE)
                f |= KSHIM_VM_DROPPABLE;
        if (vma.vm_flags & VM_UFFD_WP)
                f |= KSHIM_VM_UFFD_WP;
        if (vma.vm_flags & VM_UFFD_MISSING)
                f |= KSHIM_VM_UFFD_MISSING;
        if (vma.vm_flags & VM_UFFD_MINOR)
                f |= KSHIM_VM_UFFD_MINOR;
        return f;
}

// The last two components of a path ("mm/rmap.c"), the way kernel reports
// name files.
const char *short_path(const char *file)
{
        const char *last = std::strrchr(file, '/');
        if (!last || last == file)
                return file;
        const char *p = last - 1;
        while (p > file && *p != '/')
                p--;
        return *p == '/' ? p + 1 : p;
}

bool rmap_one(folio *f, vm_area_struct *vma, unsigned long address, void *arg)
{
        world &wd = *f->w;
        // A BUG killed the task that was reclaiming: nothing more runs.
        if (wd.kernel.bugs)
                return false;
        kshim_call call{};
        call.vma = wd.vma_index(vma);
        call.mm = vma->vm_mm->id;
        call.address = address;
        call.vm_start = vma->vm_start;
        call.vm_end = vma->vm_end;
        call.vm_pgoff = vma->vm_pgoff;
        call.vm_flags = kernel_vm_flags(*vma);
        call.anonymous = vma_is_anonymous(vma);
        call.on_mmlist = vma->vm_mm->on_mmlist;
        cur = &wd;
        cur_vma = call.vma;
        kshim_call_try_to_unmap_one(&call,
                                    static_cast<unsigned int>(reinterpret_cast<uintptr_t>(arg)));
        cur = nullptr;
        cur_vma = -1;
        wd.src_line = 0;
        vma->vm_mm->on_mmlist = call.on_mmlist;
        if (call.oops) {
                // The oops left the notifier range open: the task is gone.
                wd.cur_vma = nullptr;
                wd.cur_start = wd.cur_end = 0;
                return false;
        }
        return call.ret;
}

} // namespace

bool try_to_unmap(folio *folio, unsigned int flags)
{
        return try_to_unmap_walk(folio, flags, rmap_one);
}

} // namespace uf::kernel

using namespace uf;
using uf::kernel::mm_at;
using uf::kernel::page_at;
using uf::kernel::pte_at;
using uf::kernel::to_c;
using uf::kernel::to_uf;
using uf::kernel::vma_at;
using uf::kernel::w;

extern "C" {

void kshim_record_assert(int bug, const char *file, unsigned int line, const char *func,
                         const char *cond)
{
        kernel_assert_log &k = w().kernel;
        // Every assertion, in order: a known bug excuses only its own WARN.
        trace_rec &t = trace_add(w(), trace_op::kernel_assert);
        t.kind = bug ? 1 : 0;
        t.src_line = line;
        t.value = static_cast<int32_t>(trace_assert_key(func, cond));
        bool first = !k.any() || (bug && !k.first_is_bug);
        if (bug)
                k.bugs++;
        else
                k.warns++;
        if (!first)
                return;
        k.first_is_bug = bug;
        k.line = line;
        std::snprintf(k.file, sizeof(k.file), "%s", uf::kernel::short_path(file));
        std::snprintf(k.func, sizeof(k.func), "%s", func);
        std::snprintf(k.cond, sizeof(k.cond), "%s", cond);
}

unsigned long kshim_folio_nr_pages(void)
{
        return folio_nr_pages(&w().folio);
}

unsigned long kshim_folio_pfn(void)
{
        return folio_pfn(&w().folio);
}

unsigned long kshim_folio_pgoff(void)
{
        return w().folio.index;
}

bool kshim_folio_test(int what)
{
        folio *f = &w().folio;
        switch (what) {
        case KSHIM_FOLIO_LARGE:
                return folio_test_large(f);
        case KSHIM_FOLIO_ANON:
                return folio_test_anon(f);
        case KSHIM_FOLIO_SWAPBACKED:
                return folio_test_swapbacked(f);
        case KSHIM_FOLIO_SWAPCACHE:
                return folio_test_swapcache(f);
        case KSHIM_FOLIO_DIRTY:
                return folio_test_dirty(f);
        case KSHIM_FOLIO_MLOCKED:
                return folio_test_mlocked(f);
        case KSHIM_FOLIO_PMD_MAPPABLE:
                return folio_test_pmd_mappable(f);
        case KSHIM_FOLIO_MAYBE_DMA_PINNED:
                return folio_maybe_dma_pinned(f);
        case KSHIM_FOLIO_PARTIALLY_MAPPED:
                return folio_test_partially_mapped(f);
        case KSHIM_FOLIO_HWPOISON:
                return f->hwpoison.any();
        }
        return false;
}

void kshim_folio_set_swapbacked(void)
{
        folio_set_swapbacked(&w().folio);
}

void kshim_folio_mark_dirty(void)
{
        folio_mark_dirty(&w().folio);
}

int kshim_folio_ref_count(void)
{
        return folio_ref_count(&w().folio);
}

int kshim_folio_mapcount(void)
{
        return folio_mapcount(&w().folio);
}

void kshim_folio_put_refs(int nr)
{
        folio_put_refs(&w().folio, nr);
}

int kshim_mm_counter(void)
{
        return mm_counter(&w().folio);
}

int kshim_mm_counter_file(void)
{
        return mm_counter_file(&w().folio);
}

bool kshim_page_anon_exclusive(long idx)
{
        return PageAnonExclusive(page_at(idx));
}

bool kshim_page_hwpoison(long idx)
{
        return PageHWPoison(page_at(idx));
}

unsigned long kshim_page_swap_offset(long idx)
{
        return page_swap_entry(page_at(idx)).val;
}

void kshim_remove_rmap_ptes(long idx, int nr, int vma)
{
        folio_remove_rmap_ptes(&w().folio, page_at(idx), nr, vma_at(vma));
}

void kshim_remove_rmap_pmd(long idx, int vma)
{
        folio_remove_rmap_pmd(&w().folio, page_at(idx), vma_at(vma));
}

void kshim_page_remove_rmap_pte(long idx, int vma)
{
        page_remove_rmap_pte(&w().folio, page_at(idx), vma_at(vma));
}

int kshim_try_share_anon_rmap_ptes(long idx, int nr)
{
        return folio_try_share_anon_rmap_ptes(&w().folio, page_at(idx), nr);
}

void kshim_add_mm_counter(int mm, int member, long value)
{
        add_mm_counter(mm_at(mm), member, value);
}

void kshim_mlock_vma_folio(int vma)
{
        mlock_vma_folio(&w().folio, vma_at(vma));
}

void kshim_munlock_vma_folio(int vma)
{
        munlock_vma_folio(&w().folio, vma_at(vma));
}

int kshim_dup_swap(long idx, int nr)
{
        return folio_dup_swap_pages(&w().folio, page_at(idx), nr);
}

void kshim_put_swap(long idx, int nr)
{
        folio_put_swap_pages(&w().folio, page_at(idx), nr);
}

// The page whose swap slot an entry names (swap_duplicate()/swap_free() take
// entries); an entry of another folio's slot yields an index off the folio,
// which the swap primitives report.
long kshim_swap_offset_to_idx(unsigned long offset)
{
        return static_cast<long>(offset) - static_cast<long>(w().folio.swap);
}

int kshim_arch_unmap_one(int mm, int vma, unsigned long addr, kshim_pte pte)
{
        return arch_unmap_one(mm_at(mm), vma_at(vma), addr, to_uf(pte));
}

bool kshim_arch_has_unmap_one(void)
{
        return arch_has_unmap_one(w());
}

kshim_pte kshim_ptep_get(int table, long idx)
{
        pte_ptr p;
        return to_c(pte_at(table, idx, &p) ? ptep_get(p) : pte_t{});
}

void kshim_set_ptes(int mm, unsigned long addr, int table, long idx, kshim_pte pte, unsigned int nr)
{
        pte_ptr p;
        if (pte_at(table, idx, &p))
                set_ptes(mm_at(mm), addr, p, to_uf(pte), nr);
}

void kshim_pte_clear(int mm, unsigned long addr, int table, long idx)
{
        pte_ptr p;
        if (pte_at(table, idx, &p))
                pte_clear(mm_at(mm), addr, p);
}

kshim_pte kshim_get_and_clear_full_ptes(int mm, unsigned long addr, int table, long idx,
                                        unsigned int nr, int full)
{
        pte_ptr p;
        if (!pte_at(table, idx, &p))
                return to_c(pte_t{});
        return to_c(get_and_clear_full_ptes(mm_at(mm), addr, p, nr, full));
}

bool kshim_pte_install_uffd_wp_if_needed(int vma, unsigned long addr, int table, long idx,
                                         kshim_pte pteval)
{
        pte_ptr p;
        return pte_at(table, idx, &p) &&
               pte_install_uffd_wp_if_needed(vma_at(vma), addr, p, to_uf(pteval));
}

bool kshim_cond_install_uffd_wp_ptes(int vma, unsigned long addr, int table, long idx,
                                     kshim_pte pteval, unsigned int nr)
{
        pte_ptr p;
        return pte_at(table, idx, &p) &&
               cond_install_uffd_wp_ptes(vma_at(vma), addr, p, to_uf(pteval), nr);
}

unsigned int kshim_folio_pte_batch_flags(int vma, int table, long idx, kshim_pte *ptentp,
                                         unsigned int max_nr, unsigned int flags)
{
        pte_ptr p;
        if (!pte_at(table, idx, &p))
                return 1;
        pte_t pte = to_uf(*ptentp);
        unsigned int nr = folio_pte_batch_flags(&w().folio, vma >= 0 ? vma_at(vma) : nullptr, p,
                                                &pte, max_nr, flags);
        *ptentp = to_c(pte);
        return nr;
}

void kshim_split_huge_pmd_locked(int vma, unsigned long addr, int pmd, bool freeze)
{
        if (pmd_t *p = uf::kernel::pmd_at(pmd))
                split_huge_pmd_locked(vma_at(vma), addr, p, freeze);
}

// split_huge_pmd_address() -> __split_huge_pmd() (mm/huge_memory.c before
// 6.11): mm_find_pmd() finds the PMD of addr, and only a huge PMD mapping this
// folio is split, the same split 6.12 makes from inside the walk. The
// mmu-notifier range __split_huge_pmd() brackets it with is mm/huge_memory.c's
// own, not one of try_to_unmap_one()'s, so it is not logged with them.
void kshim_split_huge_pmd_address(int vma, unsigned long addr, bool freeze)
{
        vm_area_struct *v = vma_at(vma);
        unsigned long i = addr >> PMD_SHIFT;
        if (i >= PMDS_PER_MM)
                return;
        pmd_t *pmd = &v->vm_mm->pmd[i];
        if (pmd->kind != pmd_kind::huge || pte_pfn(pmd->huge) != w().folio.pfn)
                return;
        split_huge_pmd_locked(v, addr, pmd, freeze);
}

bool kshim_unmap_huge_pmd_locked(int vma, unsigned long addr, int pmd)
{
        pmd_t *p = uf::kernel::pmd_at(pmd);
        return p && unmap_huge_pmd_locked(vma_at(vma), addr, p, &w().folio);
}

void kshim_flush_tlb_range(int vma, unsigned long start, unsigned long end)
{
        flush_tlb_range(vma_at(vma), start, end);
}

bool kshim_should_defer_flush(int mm, unsigned int flags)
{
        return should_defer_flush(mm_at(mm), flags);
}

void kshim_set_tlb_ubc_flush_pending(int mm, kshim_pte pteval, unsigned long start,
                                     unsigned long end)
{
        set_tlb_ubc_flush_pending(mm_at(mm), to_uf(pteval), start, end);
}

// 6.1's set_tlb_ubc_flush_pending(mm, writable), before it took the entry
// and the address: x86's arch_tlbbatch_add_mm() pends a flush of the whole mm
// (every CPU it ran on flushes everything), for any entry (no pte_accessible()
// test yet), and writable, the entry's dirty bit, makes the batch writable.
// The substrate takes that as a pending range over the whole address space,
// with a present entry standing for "queue it".
void kshim_set_tlb_ubc_flush_pending_mm(int mm, bool writable)
{
        pte_t any{pte_kind::present, static_cast<uint8_t>(writable ? PTE_DIRTY : 0), 0};
        set_tlb_ubc_flush_pending(mm_at(mm), any, 0, TASK_SIZE);
}

// The kernel's range carries the mm; the substrate's also the VMA, which is
// the one of the call in progress.
void kshim_notifier_start(int mm, unsigned long start, unsigned long end)
{
        mmu_notifier_range r;
        mmu_notifier_range_init(&r, vma_at(uf::kernel::cur_vma), start, end);
        r.mm = mm_at(mm);
        mmu_notifier_invalidate_range_start(&r);
}

void kshim_notifier_end(int mm)
{
        mmu_notifier_range r{};
        r.mm = mm_at(mm);
        mmu_notifier_invalidate_range_end(&r);
}

bool kshim_page_vma_mapped_walk(kshim_pvmw *k)
{
        struct page_vma_mapped_walk p = uf::kernel::walk_in(k);
        bool found = page_vma_mapped_walk(&p);
        uf::kernel::walk_out(p, k);
        return found;
}

void kshim_page_vma_mapped_walk_done(kshim_pvmw *k)
{
        struct page_vma_mapped_walk p = uf::kernel::walk_in(k);
        page_vma_mapped_walk_done(&p);
        uf::kernel::walk_out(p, k);
}

void kshim_page_vma_mapped_walk_restart(kshim_pvmw *k)
{
        struct page_vma_mapped_walk p = uf::kernel::walk_in(k);
        page_vma_mapped_walk_restart(&p);
        uf::kernel::walk_out(p, k);
}

unsigned long kshim_vma_address_end(const kshim_pvmw *k)
{
        struct page_vma_mapped_walk p = uf::kernel::walk_in(k);
        return vma_address_end(&p);
}

} // extern "C"
