#include "fuzz/harness.h"

#include "batched/rmap.h"
#include "fuzz/world_builder.h"
#include "mm/tlb.h"
#include "reference/rmap.h"

namespace uf
{

bool unmap_and_flush(world &w, unsigned int ttu, implementation impl)
{
        bool ret = impl == implementation::reference ? reference::try_to_unmap(&w.folio, ttu)
                                                     : batched::try_to_unmap(&w.folio, ttu);
        try_to_unmap_flush(w);
        return ret;
}

void run_side(const world &before, const world_tally &before_tally, unsigned int ttu,
              implementation impl, side_result *out)
{
        out->after = before;
        out->ret = unmap_and_flush(out->after, ttu, impl);
        out->inv = check_invariants(before, before_tally, out->after, ttu, out->ret);
}

void run_scenario(const scenario &s, run_result *r)
{
        build_world(s, r->before);
        // The world as built is the same for both sides: count it once.
        count_world(r->before, &r->before_tally, false);
        run_side(r->before, r->before_tally, s.ttu, implementation::reference, &r->ref);
        run_side(r->before, r->before_tally, s.ttu, implementation::batched, &r->bat);
        r->v = judge(r->before, r->ref.after, r->ref.ret, r->ref.inv, r->bat.after, r->bat.ret,
                     r->bat.inv);
}

} // namespace uf
