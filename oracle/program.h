// What one program of unmapfuzz compares: two implementations of
// try_to_unmap(), chosen when it is linked (fuzz/program_*.cc, exactly one per
// executable), and the semantics level its reference follows. The oracle's
// two slots keep their historical names: the "reference" slot (judged first;
// per-page legality is relative to it) and the "batched" slot.
//
//   program_default.cc  reference/ vs batched/, level K5;
//   program_kernel.cc   reference/ vs real kernel code (kernel/), or real
//                       kernel code vs batched/ (--against batched), at the
//                       kernel tree's own level.
#pragma once

#include "mm/mm_types.h"
#include "oracle/semantics.h"

namespace uf
{

struct side_impl {
        const char *label; // "reference", "batched", "kernel"
        bool (*try_to_unmap)(folio *folio, unsigned int flags);
        bool is_kernel;
};

struct program_config {
        side_impl left;  // the reference slot
        side_impl right; // the batched slot
        semantics_level semantics;
        unmap_rules rules; // rules_for(semantics), or rules_for_version() for a kernel's code
        // Kernel programs: the kernel source and its version, for reports.
        const char *kernel_source;
        const char *kernel_version;
};

const program_config &program();

} // namespace uf
