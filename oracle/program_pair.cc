// A kernel pair program (kernel/pair_variant.cmake): real try_to_unmap_one()
// of two trees in one binary, the base tree's cut in the reference slot and
// the patched tree's in the batched slot, for ./unmapfuzz review. Kernel
// against kernel: a series that only refactors or batches what the base
// already did is judged against the base's own code, with the allowed
// differences of the patched tree's semantics level (rules_for()).
// Built once per pair with the macros of oracle/program_kernel.h, those of
// the patched tree (its level, its mm/rmap.c and version).
#include "kernel/rmap.h"
#include "oracle/program_kernel.h"

// kernel/shim/pair_glue.c: which cut the next try_to_unmap_one() call runs.
extern "C" int kshim_pair_side;

namespace uf
{

namespace
{

// Both cuts run behind the same bridge and substrate walk; only the cut the
// glue calls differs. Set on every walk: nothing carries over between runs.
bool base_try_to_unmap(folio *folio, unsigned int flags)
{
        kshim_pair_side = 0;
        return kernel::try_to_unmap(folio, flags);
}

bool patched_try_to_unmap(folio *folio, unsigned int flags)
{
        kshim_pair_side = 1;
        bool ret = kernel::try_to_unmap(folio, flags);
        kshim_pair_side = 0;
        return ret;
}

constexpr program_config config = kernel_program_config({"base", base_try_to_unmap, true},
                                                        {"patched", patched_try_to_unmap, true});

} // namespace

const program_config &program()
{
        return config;
}

} // namespace uf
