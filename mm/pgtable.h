// Page-table entries and the kernel's pte_* helpers (include/linux/pgtable.h,
// include/linux/swapops.h, arch/x86/include/asm/pgtable.h), as plain values.
//
// A pte_t here is a tagged value rather than an encoded word: the model needs
// the kinds of docs/semantics.md 1.3 (none, present, swap, marker, device-exclusive,
// device-private, hwpoison) and their bits, never an architecture's encoding.
#pragma once

#include <cstdint>

namespace uf
{

constexpr unsigned long PAGE_SHIFT = 12;
constexpr unsigned long PAGE_SIZE = 1UL << PAGE_SHIFT;
constexpr unsigned long PTRS_PER_PTE = 512;
constexpr unsigned long PMD_SHIFT = PAGE_SHIFT + 9;
constexpr unsigned long PMD_SIZE = 1UL << PMD_SHIFT;
constexpr unsigned long PMD_MASK = ~(PMD_SIZE - 1);
constexpr unsigned long HPAGE_PMD_NR = PTRS_PER_PTE;
constexpr int HPAGE_PMD_ORDER = 9;

// Each mm's address space is this many PMDs; enough for a 512-page folio to
// straddle a PMD boundary with room on both sides.
constexpr unsigned long PMDS_PER_MM = 4;
constexpr unsigned long TASK_SIZE = PMDS_PER_MM * PMD_SIZE;

// The order of these tags is part of the binary scenario format: append only.
enum class pte_kind : uint8_t {
        none,
        present,
        swap,
        marker,
        device_exclusive,
        device_private,
        hwpoison,
};

// Bits carried by an entry. Which ones are meaningful depends on the kind:
// present uses WRITE..UNUSED, swap uses SWP_EXCLUSIVE, SOFT_DIRTY and UFFD_WP,
// device entries WRITE, SOFT_DIRTY and UFFD_WP, a marker only UFFD_WP.
enum : uint8_t {
        PTE_WRITE = 1 << 0,
        PTE_DIRTY = 1 << 1,
        PTE_YOUNG = 1 << 2,
        PTE_SOFT_DIRTY = 1 << 3,
        PTE_UFFD_WP = 1 << 4,
        PTE_PROTNONE = 1 << 5,
        PTE_UNUSED = 1 << 6, // s390 guest "unused" hint (pte_unused)
        PTE_SWP_EXCLUSIVE = 1 << 7,
};

struct pte_t {
        pte_kind kind = pte_kind::none;
        uint8_t bits = 0;
        uint32_t val = 0; // pfn for present/device/hwpoison, swap offset for swap

        bool operator==(const pte_t &) const = default;
};

inline const char *pte_kind_name(pte_kind kind)
{
        switch (kind) {
        case pte_kind::none:
                return "none";
        case pte_kind::present:
                return "present";
        case pte_kind::swap:
                return "swap";
        case pte_kind::marker:
                return "marker";
        case pte_kind::device_exclusive:
                return "device-exclusive";
        case pte_kind::device_private:
                return "device-private";
        case pte_kind::hwpoison:
                return "hwpoison";
        }
        return "?";
}

inline pte_t __pte_none()
{
        return pte_t{};
}
inline bool pte_none(pte_t pte)
{
        return pte.kind == pte_kind::none;
}
inline bool pte_present(pte_t pte)
{
        return pte.kind == pte_kind::present;
}
inline unsigned long pte_pfn(pte_t pte)
{
        return pte.val;
}
inline bool pte_write(pte_t pte)
{
        return pte.bits & PTE_WRITE;
}
inline bool pte_dirty(pte_t pte)
{
        return pte.bits & PTE_DIRTY;
}
inline bool pte_young(pte_t pte)
{
        return pte.bits & PTE_YOUNG;
}
inline bool pte_soft_dirty(pte_t pte)
{
        return pte.bits & PTE_SOFT_DIRTY;
}
inline bool pte_uffd_wp(pte_t pte)
{
        return pte.bits & PTE_UFFD_WP;
}
inline bool pte_protnone(pte_t pte)
{
        return pte.bits & PTE_PROTNONE;
}
inline bool pte_unused(pte_t pte)
{
        return pte_present(pte) && (pte.bits & PTE_UNUSED);
}

inline pte_t pte_mkdirty(pte_t pte)
{
        return pte.bits |= PTE_DIRTY, pte;
}
inline pte_t pte_mkclean(pte_t pte)
{
        return pte.bits &= ~PTE_DIRTY, pte;
}
inline pte_t pte_mkyoung(pte_t pte)
{
        return pte.bits |= PTE_YOUNG, pte;
}
inline pte_t pte_mkold(pte_t pte)
{
        return pte.bits &= ~PTE_YOUNG, pte;
}
inline pte_t pte_wrprotect(pte_t pte)
{
        return pte.bits &= ~PTE_WRITE, pte;
}
inline pte_t pte_clear_soft_dirty(pte_t pte)
{
        return pte.bits &= ~PTE_SOFT_DIRTY, pte;
}
inline pte_t pte_advance_pfn(pte_t pte, unsigned long nr)
{
        return pte.val += nr, pte;
}
inline pte_t pte_next_pfn(pte_t pte)
{
        return pte_advance_pfn(pte, 1);
}

// pte_accessible(): a protnone (NUMA hinting) entry cannot be cached by the TLB
// unless a flush is already pending; the model has no such pending state at entry.
inline bool pte_accessible(pte_t pte)
{
        return pte_present(pte) && !pte_protnone(pte);
}

// Whether a CPU's cached translation of this entry lets it write without a
// page walk: only a writable entry that is already dirty does. A write through
// a clean cached entry must set the dirty bit in the pte, which traps once
// the pte is gone (try_to_unmap_one()'s comment at the clear), and a
// read-only entry cannot be written at all.
inline bool pte_write_cached(pte_t pte)
{
        return pte_present(pte) && pte_write(pte) && pte_dirty(pte);
}

inline pte_t pfn_pte(unsigned long pfn, uint8_t bits)
{
        return pte_t{pte_kind::present, bits, static_cast<uint32_t>(pfn)};
}

// ---- swap entries (include/linux/swapops.h) ----
struct swp_entry_t {
        unsigned long val; // the offset; the model has a single swap type
};
inline pte_t swp_entry_to_pte(swp_entry_t entry)
{
        return pte_t{pte_kind::swap, 0, static_cast<uint32_t>(entry.val)};
}
inline bool is_swap_pte(pte_t pte)
{
        return pte.kind == pte_kind::swap;
}
inline unsigned long swp_offset_pte(pte_t pte)
{
        return pte.val;
}
inline pte_t pte_swp_mkexclusive(pte_t pte)
{
        return pte.bits |= PTE_SWP_EXCLUSIVE, pte;
}
inline bool pte_swp_exclusive(pte_t pte)
{
        return pte.bits & PTE_SWP_EXCLUSIVE;
}
inline pte_t pte_swp_mksoft_dirty(pte_t pte)
{
        return pte.bits |= PTE_SOFT_DIRTY, pte;
}
inline pte_t pte_swp_mkuffd_wp(pte_t pte)
{
        return pte.bits |= PTE_UFFD_WP, pte;
}
inline bool pte_swp_soft_dirty(pte_t pte)
{
        return pte.bits & PTE_SOFT_DIRTY;
}
inline bool pte_swp_uffd_wp(pte_t pte)
{
        return pte.bits & PTE_UFFD_WP;
}
// pte_swp_uffd_wp_any(): any non-present entry that carries the uffd-wp bit
// (swap, device entries, or a marker).
inline bool pte_swp_uffd_wp_any(pte_t pte)
{
        return !pte_present(pte) && !pte_none(pte) && (pte.bits & PTE_UFFD_WP);
}

// ---- markers and device entries (softleaf) ----
inline pte_t make_pte_marker_uffd_wp()
{
        return pte_t{pte_kind::marker, PTE_UFFD_WP, 0};
}
inline bool is_pte_marker(pte_t pte)
{
        return pte.kind == pte_kind::marker;
}
inline bool is_device_exclusive_entry(pte_t pte)
{
        return pte.kind == pte_kind::device_exclusive;
}
inline bool is_device_private_entry(pte_t pte)
{
        return pte.kind == pte_kind::device_private;
}
inline bool is_device_entry(pte_t pte)
{
        return is_device_exclusive_entry(pte) || is_device_private_entry(pte);
}
inline unsigned long softleaf_to_pfn(pte_t pte)
{
        return pte.val;
}
inline pte_t make_hwpoison_entry(unsigned long pfn)
{
        return pte_t{pte_kind::hwpoison, 0, static_cast<uint32_t>(pfn)};
}

// ---- PMD level ----
enum class pmd_kind : uint8_t { none, table, huge };

struct pmd_t {
        pmd_kind kind = pmd_kind::none;
        uint8_t table = 0;      // index into world::tables when kind == table
        pte_t huge;             // the huge mapping (present, pfn of page 0) when kind == huge
        uint8_t deposit = 0xff; // deposited page table (pgtable_trans_huge_deposit), or none
};

inline unsigned long pmd_addr_end(unsigned long addr, unsigned long end)
{
        unsigned long boundary = (addr + PMD_SIZE) & PMD_MASK;
        return (boundary - 1 < end - 1) ? boundary : end;
}

inline unsigned long pte_index(unsigned long address)
{
        return (address >> PAGE_SHIFT) & (PTRS_PER_PTE - 1);
}

} // namespace uf
