// PTE access: the checked cursor (pte_t *) and the primitives that read and
// write through it (include/linux/pgtable.h: ptep_get, set_ptes,
// get_and_clear_full_ptes; include/linux/mm_inline.h: uffd-wp markers).
#pragma once

#include "mm/world.h"

namespace uf
{

// The model's `pte_t *`: a table and a slot index. Arithmetic is free, as in
// C; every access checks that the slot lies inside its table and inside the
// VMA of the call in progress (invariant I1), and every write that it lies
// inside that call's mmu-notifier range (I2).
struct pte_ptr {
        world *w = nullptr;
        int table = 0;
        long idx = 0;

        explicit operator bool() const { return w != nullptr; }
        pte_ptr operator+(long n) const { return pte_ptr{w, table, idx + n}; }
        pte_ptr operator-(long n) const { return pte_ptr{w, table, idx - n}; }
        pte_ptr &operator++() { return ++idx, *this; }
        pte_ptr &operator+=(long n) { return idx += n, *this; }
        bool operator==(const pte_ptr &) const = default;
        unsigned long address() const;
};

pte_t ptep_get(pte_ptr ptep);
void set_ptes(mm_struct *mm, unsigned long addr, pte_ptr ptep, pte_t pte, unsigned int nr);
void set_pte_at(mm_struct *mm, unsigned long addr, pte_ptr ptep, pte_t pte);
void pte_clear(mm_struct *mm, unsigned long addr, pte_ptr ptep);
pte_t ptep_get_and_clear_full(mm_struct *mm, unsigned long addr, pte_ptr ptep, int full);
// Clears nr slots and returns slot 0's value with dirty and young OR-ed over
// all of them (docs/semantics.md 6.1).
pte_t get_and_clear_full_ptes(mm_struct *mm, unsigned long addr, pte_ptr ptep, unsigned int nr,
                              int full);
pte_t get_and_clear_ptes(mm_struct *mm, unsigned long addr, pte_ptr ptep, unsigned int nr);

// Install PTE_MARKER_UFFD_WP on a just-cleared slot if the old entry was
// write-protected in a uffd-wp file VMA (docs/semantics.md 6.3). The per-slot helper
// is the K0..K4 one; cond_install_uffd_wp_ptes() is the K5 batched form.
bool pte_install_uffd_wp_if_needed(vm_area_struct *vma, unsigned long addr, pte_ptr ptep,
                                   pte_t pteval);
// True when it installed markers (7.3's cond_install_uffd_wp_ptes() returns it).
bool cond_install_uffd_wp_ptes(vm_area_struct *vma, unsigned long addr, pte_ptr ptep, pte_t pteval,
                               unsigned int nr);

// Harness-side access that bypasses the per-call checks (building a world,
// inspecting an end state). Returns none for slots outside the table.
pte_t pte_peek(const world &w, int table, long idx);

} // namespace uf
