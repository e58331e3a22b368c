#include "fuzz/harness.h"

#include "batched/rmap.h"
#include "fuzz/world_builder.h"
#include "mm/tlb.h"
#include "reference/rmap.h"

namespace uf
{

void run_side(const world &before, unsigned int ttu, implementation impl, side_result *out)
{
        out->after = before;
        folio *folio = &out->after.folio;
        out->ret = impl == implementation::reference ? reference::try_to_unmap(folio, ttu)
                                                     : batched::try_to_unmap(folio, ttu);
        try_to_unmap_flush(out->after);
        out->inv = check_invariants(before, out->after, ttu, out->ret);
}

void run_scenario(const scenario &s, run_result *r)
{
        build_world(s, r->before);
        run_side(r->before, s.ttu, implementation::reference, &r->ref);
        run_side(r->before, s.ttu, implementation::batched, &r->bat);
        r->v = judge(r->before, r->ref.after, r->ref.ret, r->ref.inv, r->bat.after, r->bat.ret,
                     r->bat.inv);
}

} // namespace uf
