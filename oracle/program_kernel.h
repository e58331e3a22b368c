// What the kernel programs share (program_kernel.cc, program_pair.cc): the
// configuration of a program whose build passes its semantics level, source
// and version as macros (kernel/kernel_variant.cmake, kernel/pair_variant.cmake):
//   UF_KERNEL_SEMANTICS  the level's name token, e.g. K0
//   UF_KERNEL_SOURCE     the tree's mm/rmap.c, UF_KERNEL_VERSION "6.12.117"
#pragma once

#include "oracle/program.h"

#ifndef UF_KERNEL_SEMANTICS
#error "a kernel program needs UF_KERNEL_SEMANTICS"
#endif

namespace uf
{

// LEFT in the reference slot, RIGHT in the batched one, judged at the
// build's level with that level's allowed differences and what the tree's
// version lacks (rules_for_version()).
constexpr program_config kernel_program_config(side_impl left, side_impl right)
{
        return {
            left,
            right,
            semantics_level::UF_KERNEL_SEMANTICS,
            rules_for_version(semantics_level::UF_KERNEL_SEMANTICS, UF_KERNEL_VERSION),
            UF_KERNEL_SOURCE,
            UF_KERNEL_VERSION,
        };
}

} // namespace uf
