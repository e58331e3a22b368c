#include "mm/vmscan.h"

#include "mm/tlb.h"

namespace uf
{

// is_page_cache_freeable(): nobody but the page or swap cache (one reference
// per page) and reclaim's isolation holds the folio.
static bool is_page_cache_freeable(const folio *folio)
{
        return folio->refcount == 1 + static_cast<int>(folio_nr_pages(folio));
}

// folio_mapping() is NULL for an anonymous folio outside the swap cache
// (lazyfree, or the B10 state): pageout() has nowhere to write it.
static bool folio_has_mapping(const folio *folio)
{
        return !folio_test_anon(folio) || folio_test_swapcache(folio);
}

pageout_t pageout(folio *folio)
{
        world &w = *folio->w;
        pageout_t res = PAGE_CLEAN;
        if (!is_page_cache_freeable(folio) || !folio_has_mapping(folio)) {
                res = PAGE_KEEP;
        } else if (folio->dirty) {
                // folio_clear_dirty_for_io(), then ->writepage(): the snapshot.
                folio->dirty = false;
                w.written_back = true;
                res = PAGE_SUCCESS;
                // A CPU that still holds a dirty translation of a page can
                // write it from now on without anyone noticing.
                unsigned long first = folio_pfn(folio), nr = folio_nr_pages(folio);
                for (int t = 0; t < w.nr_tables; t++)
                        for (unsigned long idx = 0; idx < PTRS_PER_PTE; idx++) {
                                const tlb_entry &e = w.tlb[t][idx];
                                if (!e.cached || !e.dirty || e.pfn < first || e.pfn >= first + nr)
                                        continue;
                                pte_t now = w.tables[t][idx];
                                if (!pte_present(now) || now.val != e.pfn)
                                        w.writable_at_writeback.set(e.pfn - first);
                        }
        }
        w.pageout_result = res;
        trace_add(w, trace_op::pageout).value = res;
        return res;
}

void shrink_folio_after_unmap(folio *folio)
{
        world &w = *folio->w;
        w.reclaimed = true;
        tlb_ubc_note_return(w);
        // "Folio is dirty. Flush the TLB if a writable entry potentially
        // exists to avoid CPU writes after I/O starts and then write it out
        // here." Only a folio that try_to_unmap() left unmapped and that no
        // one pins gets this far (folio_maybe_dma_pinned() activates it).
        if (!folio_mapped(folio) && !folio_maybe_dma_pinned(folio) && folio->dirty) {
                try_to_unmap_flush_dirty(w);
                pageout(folio);
        }
        // Before free_unref_folios(), and at the end of the list anyway.
        try_to_unmap_flush(w);
}

} // namespace uf
