/*
 * A stand-in for the cut of a kernel file (it defines the entry the glue
 * calls), written for the shim's tests: each mode uses one corner of the
 * shim the way kernel code would, and leaves what it saw in probe_*.
 */
enum {
        PROBE_WALK,            /* walk and clear nothing */
        PROBE_PAGE_PAST_FOLIO, /* PageAnonExclusive() one page past the folio */
        PROBE_PTE_PAST_TABLE,  /* ptep_get() one slot past the PTE table */
        PROBE_PTE_ARITH,       /* pte_t * arithmetic there and back, set_pte_at() one on */
        PROBE_WARN,            /* WARN_ON_ONCE() that fires, then carry on */
        PROBE_BUG,             /* BUG_ON() after the notifier started */
        PROBE_DEREF,           /* read a pte_t * directly */
        PROBE_MMLIST,          /* the swapoff mmlist idiom */
        PROBE_HUGETLB,         /* a hugetlb helper */
        PROBE_FPB_9,           /* the nine-argument folio_pte_batch() */
        PROBE_SWAP_DUP,        /* swap_duplicate() of a page's entry */
        PROBE_DUP_SWAP_PAGES,  /* folio_dup_swap_pages() of pages 1-3 */
        PROBE_DUP_SWAP_FOLIO,  /* folio_dup_swap(folio, NULL): every page */
        PROBE_PAE_SUB_BATCH,   /* page_anon_exclusive_sub_batch() from page 0 */
        PROBE_NEXT_SWP,        /* pte_next_swp_offset() of page 1's exclusive swap pte */
        PROBE_UFFD_NAMES,      /* 7.3's uffd names on a swap pte */
};

int probe_mode;
int probe_calls;
int probe_nr;
int probe_any_writable;
int probe_list_was_empty;
pte_t probe_pte;

bool kshim_extracted_try_to_unmap_one(struct folio *folio, struct vm_area_struct *vma,
                                      unsigned long address, void *arg)
{
        DEFINE_FOLIO_VMA_WALK(pvmw, folio, vma, address, 0);
        struct mm_struct *mm = vma->vm_mm;
        struct mmu_notifier_range range;
        bool ret = true;

        probe_calls++;
        mmu_notifier_range_init(&range, MMU_NOTIFY_CLEAR, 0, mm, address, vma_address_end(&pvmw));
        mmu_notifier_invalidate_range_start(&range);
        if (!page_vma_mapped_walk(&pvmw))
                goto out;

        switch (probe_mode) {
        case PROBE_PAGE_PAST_FOLIO:
                ret = PageAnonExclusive(folio_page(folio, folio_nr_pages(folio)));
                break;
        case PROBE_PTE_PAST_TABLE: {
                long to_end = PTRS_PER_PTE - ((pvmw.address >> PAGE_SHIFT) % PTRS_PER_PTE);

                probe_pte = ptep_get(pvmw.pte + to_end);
                break;
        }
        case PROBE_PTE_ARITH: {
                pte_t *p = pvmw.pte + 3;

                probe_pte = ptep_get(p - 3);
                set_pte_at(mm, pvmw.address + PAGE_SIZE, pvmw.pte + 1,
                           pte_mkdirty(ptep_get(pvmw.pte + 1)));
                break;
        }
        case PROBE_WARN:
                if (WARN_ON_ONCE(folio_test_anon(folio)))
                        ret = false;
                break;
        case PROBE_BUG:
                BUG_ON(folio_test_anon(folio));
                break;
        case PROBE_DEREF:
                probe_pte = *pvmw.pte;
                break;
        case PROBE_MMLIST:
                probe_list_was_empty = list_empty(&mm->mmlist);
                if (list_empty(&mm->mmlist)) {
                        spin_lock(&mmlist_lock);
                        list_add(&mm->mmlist, &init_mm.mmlist);
                        spin_unlock(&mmlist_lock);
                }
                break;
        case PROBE_HUGETLB:
                probe_nr = (int)huge_page_size(hstate_vma(vma));
                break;
        case PROBE_FPB_9: {
                bool any_writable = false;

                probe_nr = folio_pte_batch(
                    folio, pvmw.address, pvmw.pte, ptep_get(pvmw.pte), (int)folio_nr_pages(folio),
                    FPB_IGNORE_DIRTY | FPB_IGNORE_SOFT_DIRTY, &any_writable, NULL, NULL);
                probe_any_writable = any_writable;
                break;
        }
        case PROBE_SWAP_DUP:
                probe_nr = swap_duplicate(page_swap_entry(folio_page(folio, 1)));
                break;
        case PROBE_DUP_SWAP_PAGES:
                probe_nr = folio_dup_swap_pages(folio, folio_page(folio, 1), 3);
                if (!probe_nr)
                        folio_put_swap_pages(folio, folio_page(folio, 2), 1);
                break;
        case PROBE_DUP_SWAP_FOLIO:
                probe_nr = folio_dup_swap(folio, NULL);
                break;
        case PROBE_PAE_SUB_BATCH: {
                struct page *first = folio_page(folio, 0);

                probe_nr = page_anon_exclusive_sub_batch(0, (int)folio_nr_pages(folio), first,
                                                         PageAnonExclusive(first));
                break;
        }
        case PROBE_NEXT_SWP:
                probe_pte = pte_next_swp_offset(
                    pte_swp_mkexclusive(swp_entry_to_pte(page_swap_entry(folio_page(folio, 1)))));
                probe_nr =
                    pte_to_swp_entry(probe_pte).val == page_swap_entry(folio_page(folio, 2)).val;
                break;
        case PROBE_UFFD_NAMES: {
                pte_t swp = pte_swp_mkuffd(swp_entry_to_pte(page_swap_entry(folio_page(folio, 0))));

                probe_nr = pte_swp_uffd(swp) && pte_swp_uffd_any(swp) &&
                           !pte_uffd(ptep_get(pvmw.pte)) && __is_defined(CONFIG_SWAP) &&
                           !__is_defined(__HAVE_ARCH_UNMAP_ONE);
                break;
        }
        }
        page_vma_mapped_walk_done(&pvmw);
out:
        mmu_notifier_invalidate_range_end(&range);
        return ret;
}
