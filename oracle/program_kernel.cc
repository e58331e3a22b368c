// A kernel program (docs/design.md 11.4): real try_to_unmap_one() from
// a kernel tree, cut out and compiled at build time (kernel/), in one slot.
// Built once per kernel variant with
//   UF_KERNEL_AGAINST_BATCHED  0: reference vs kernel; 1: kernel vs batched
//   UF_KERNEL_SEMANTICS        the level's name token, e.g. K0
//   UF_KERNEL_SOURCE           the tree's mm/rmap.c, UF_KERNEL_VERSION "6.12.117"
#include "batched/rmap.h"
#include "kernel/rmap.h"
#include "oracle/program.h"
#include "reference/rmap.h"

#ifndef UF_KERNEL_SEMANTICS
#error "a kernel program needs UF_KERNEL_SEMANTICS"
#endif

namespace uf
{

namespace
{
constexpr side_impl kernel_side = {"kernel", kernel::try_to_unmap, true};
#if UF_KERNEL_AGAINST_BATCHED
// The hand port checked against the real code: the kernel takes the
// reference slot, the one the port must match.
constexpr side_impl left = kernel_side;
constexpr side_impl right = {"batched", batched::try_to_unmap, false};
#else
constexpr side_impl left = {"reference", reference::try_to_unmap, false};
constexpr side_impl right = kernel_side;
#endif
constexpr program_config config = {
    left,
    right,
    semantics_level::UF_KERNEL_SEMANTICS,
    rules_for_version(semantics_level::UF_KERNEL_SEMANTICS, UF_KERNEL_VERSION),
    UF_KERNEL_SOURCE,
    UF_KERNEL_VERSION,
};
} // namespace

const program_config &program()
{
        return config;
}

} // namespace uf
