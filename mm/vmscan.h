// What reclaim does with the folio after try_to_unmap() (mm/vmscan.c
// shrink_folio_list()), up to the point where it frees the folio: the
// deferred TLB flush recorded by set_tlb_ubc_flush_pending() is consumed
// here, so this is where a wrong `writable` in it loses data.
#pragma once

#include "mm/world.h"

namespace uf
{

// pageout(): writes a dirty folio out. PAGE_SUCCESS is the writeback
// snapshot: folio_clear_dirty_for_io() cleans the folio and the data as it
// is now goes to the file or the swap device. A write through a stale TLB
// entry after it reaches neither (see world::written_after_writeback).
pageout_t pageout(folio *folio);

// The steps of shrink_folio_list() that follow try_to_unmap() for a folio
// reclaim may free: a folio still mapped or maybe pinned is kept
// (activate_locked); a dirty one gets try_to_unmap_flush_dirty() and then
// pageout(); try_to_unmap_flush() comes last, before free_unref_folios().
// The model takes the path on which writeback happens (kswapd, with
// PGDAT_DIRTY set for file folios), the one where the order of flush and
// snapshot matters.
void shrink_folio_after_unmap(folio *folio);

} // namespace uf
