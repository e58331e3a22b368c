// A kernel pair program (kernel/pair_variant.cmake): real try_to_unmap_one()
// of two trees in one binary, the base tree's cut in the reference slot and
// the patched tree's in the batched slot, for ./unmapfuzz review. Kernel
// against kernel: a series that only refactors or batches what the base
// already did is judged against the base's own code, with the allowed
// differences of the patched tree's semantics level (rules_for()).
// Built once per pair with
//   UF_KERNEL_SEMANTICS  the patched tree's level, e.g. K4
//   UF_KERNEL_SOURCE     the patched tree's mm/rmap.c, UF_KERNEL_VERSION its version
#include "kernel/rmap.h"
#include "oracle/program.h"

#ifndef UF_KERNEL_SEMANTICS
#error "a kernel pair program needs UF_KERNEL_SEMANTICS"
#endif

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

constexpr program_config config = {
    {"base", base_try_to_unmap, true},
    {"patched", patched_try_to_unmap, true},
    semantics_level::UF_KERNEL_SEMANTICS,
    rules_for(semantics_level::UF_KERNEL_SEMANTICS),
    UF_KERNEL_SOURCE,
    UF_KERNEL_VERSION,
};

} // namespace

const program_config &program()
{
        return config;
}

} // namespace uf
