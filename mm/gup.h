// GUP references (mm/gup.c try_grab_folio()): what a get_user_pages() or
// pin_user_pages() caller adds to a folio, for the world builder (the
// scenario's extra references and pinned folios) and the gup_pin event.
#pragma once

#include "mm/world.h"

namespace uf
{

enum : unsigned int {
        FOLL_GET = 1 << 0,
        FOLL_PIN = 1 << 1,
};

// FOLL_GET adds refs references. FOLL_PIN adds refs * GUP_PIN_COUNTING_BIAS
// to a small folio, and refs references plus refs to _pincount of a large
// one, which is how folio_maybe_dma_pinned() tells a pin from a reference.
// The references belong to no mapping: the world counts them as unowned and
// as held by a GUP user.
void try_grab_folio(folio *folio, int refs, unsigned int flags);

// Whether GUP-fast can pin page `page` of the folio through the accessible
// entry `pte` (gup_fast_pte_range()): a FOLL_PIN of an anonymous page that is
// not exclusive must unshare it first (gup_must_unshare()), which GUP-fast
// leaves to the slow path, and that one waits for the PTL reclaim holds.
bool gup_fast_may_pin(const folio *folio, long page, pte_t pte);

} // namespace uf
