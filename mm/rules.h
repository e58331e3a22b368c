// Decision rules of try_to_unmap_one() that changed between kernel versions
// (oracle/semantics.h has the levels). The per-PTE reference follows the rules
// its world carries, so an old kernel tree can be compared with what its own
// version intends; the batched model and real kernel code have their rules in
// their code and ignore these.
#pragma once

namespace uf
{

struct unmap_rules {
        // K2c on (Kiryl Shutsemau, "mm/rmap: mlock large folios in
        // try_to_unmap_one()", 2025): count a VM_LOCKED folio's PTEs and mlock a
        // large folio mapped whole inside one page table. Before: stop at the
        // first PTE, mlocking only a small folio.
        bool mlock_large_folios = true;
        // K5 (7.3, ttu_anon_folio(): the caller restores every failed anon
        // unmap with set_ptes()): a swap-backed folio not in the swap cache gets
        // its cleared PTE back, after the same WARN_ON_ONCE(), before the walk
        // stops. K0..K4 WARN_ON_ONCE() and leave the PTE cleared (B10).
        bool nocache_restores = true;
        // Before faeb2831b517 (v6.15): the lazyfree check tests the references
        // first and the folio's dirty flag only when they are right (one
        // condition since 6c8e2a256915); since, the dirty flag first.
        bool lazyfree_refs_first = false;
        // Before faeb2831b517 (v6.15): the lazyfree check failing on an extra
        // reference made the folio swap-backed too (B7). No version intends it;
        // the harness turns it on only to recognise the bug in kernel code.
        bool lazyfree_ref_sets_swapbacked = false;
        // VM_DROPPABLE exists (MAP_DROPPABLE, v6.11): a dirty lazyfree folio in
        // a droppable VMA is discarded. A kernel before it has no droppable
        // mapping: a scenario's droppable VMA is, to it, an ordinary one.
        bool vm_droppable = true;

        bool operator==(const unmap_rules &) const = default;
};

} // namespace uf
