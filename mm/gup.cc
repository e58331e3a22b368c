#include "mm/gup.h"

namespace uf
{

void try_grab_folio(folio *folio, int refs, unsigned int flags)
{
        world &w = *folio->w;
        int added = refs;
        if ((flags & FOLL_PIN) && folio_test_large(folio))
                folio->pincount += refs;
        else if (flags & FOLL_PIN)
                added = refs * GUP_PIN_COUNTING_BIAS;
        w.ops.atomics++;
        folio->refcount += added;
        w.unowned_refs += added;
        w.gup_refs += added;
}

bool gup_fast_may_pin(const folio *folio, long page, pte_t pte)
{
        return !folio_test_anon(folio) || pte_write(pte) ||
               (page >= 0 && page < static_cast<long>(folio_nr_pages(folio)) &&
                folio->anon_exclusive.test(static_cast<size_t>(page)));
}

} // namespace uf
