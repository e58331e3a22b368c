/*
 * The kernel as extracted code sees it: force-included (-include) before the
 * cut of mm/rmap.c, which itself includes nothing. Split the way the kernel's
 * own userspace harness splits its shim (tools/testing/vma/include/):
 *
 *   dup.h     kernel definitions rewritten for userspace with the same names
 *             and meaning, no model effect (compiler words, lists, pure pte
 *             bit helpers, pmd_addr_end, IS_ENABLED, the enum values);
 *   custom.h  the kernel types and every primitive with an effect, mapped
 *             onto the substrate through the bridge (kshim_abi.h), so the
 *             substrate's checks, events and faults apply unchanged;
 *   stubs.h   what has no model effect (locks, barriers, cache flushes) or
 *             cannot be reached (hugetlb), WARN/BUG.
 *
 * Written for unmapfuzz; not kernel source. A name kernel code uses that is
 * missing here is a build error naming the name (kernel/check.sh says which
 * header it belongs in).
 */
#ifndef KSHIM_H
#define KSHIM_H

#include "kshim/dup.h"
#include "kshim/stubs.h"
#include "kshim/custom.h"

#endif
