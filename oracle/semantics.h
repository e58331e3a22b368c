// Reference semantics levels (docs/semantics.md): the releases of try_to_unmap_one() whose
// intent differs, as far as it changes what the per-PTE reference does
// (mm/rules.h). A kernel tree is compared with the reference of its own
// level, so the policy changes between versions do not flood a campaign.
#pragma once

#include <cstdint>
#include <string>

#include "mm/rules.h"

namespace uf
{

enum class semantics_level : uint8_t {
        K0,  // <= v6.14: per-PTE only
        K1,  // v6.15: all-or-nothing lazyfree batching (Barry Song)
        K2,  // v6.16: folio_unmap_pte_batch(), partial batches (Lance Yang)
        K2b, // v6.17: David Hildenbrand's folio_pte_batch() refactor
        K2c, // v6.18-v6.19: the large-folio mlock rule (Kiryl Shutsemau)
        K3,  // v7.0: file folio batching, FPB_RESPECT_WRITE | FPB_RESPECT_SOFT_DIRTY
        K4,  // v7.1, v7.2: nr_pages reset per iteration
        K5,  // v7.3: ttu_anon_folio(), every failure restored by the caller
        K6,  // the 2026 anon-batching series: swap-backed anon in sub-batches
        NR_LEVELS,
};
const char *semantics_name(semantics_level l);
// "K0".."K6", "K2b", "K2c"; false for anything else.
bool parse_semantics(const char *name, semantics_level *out);
// The level a kernel of this version (the Makefile's VERSION.PATCHLEVEL) has.
semantics_level semantics_for_version(int version, int patchlevel);
// The level of a cut of try_to_unmap_one() (kernel/extract/'s output: the
// function and the static functions it reaches) from a tree whose Makefile
// says version.patchlevel: the version's level, or a newer one when the code
// already has a newer release's behaviour (a series or an mm tree on an older
// base). *why says which and why, for the kernel-mode line.
semantics_level semantics_for_cut(const char *cut, int version, int patchlevel, std::string *why);
// constexpr: the programs' configurations are constants, initialised before
// any code runs (no first-input-only initialisation for the engines to see).
constexpr unmap_rules rules_for(semantics_level l)
{
        unmap_rules r;
        r.mlock_large_folios = l >= semantics_level::K2c;
        r.nocache_restores = l >= semantics_level::K5;
        // The K6 series changes no per-PTE rule: it batches what K5 does
        // page by page, and the oracle allows what batching may change.
        r.lazyfree_refs_first = l < semantics_level::K1;
        return r;
}

// VM_DROPPABLE (MAP_DROPPABLE) came in 6.11, inside K0: a kernel before it
// has no droppable mapping.
constexpr bool has_vm_droppable(int version, int patchlevel)
{
        return version * 100 + patchlevel >= 611;
}

// The rules for a kernel of this version ("6.1.176", a Makefile's version as
// the kernel-mode line shows it) at level l: the level's, and what the
// version lacks that no level marks. VM_DROPPABLE came in 6.11, inside K0.
constexpr unmap_rules rules_for_version(semantics_level l, const char *version)
{
        unmap_rules r = rules_for(l);
        int major = 0, minor = 0;
        const char *p = version;
        for (; *p >= '0' && *p <= '9'; p++)
                major = major * 10 + (*p - '0');
        if (*p == '.')
                for (p++; *p >= '0' && *p <= '9'; p++)
                        minor = minor * 10 + (*p - '0');
        if (major > 0 && !has_vm_droppable(major, minor))
                r.vm_droppable = false;
        return r;
}

} // namespace uf
