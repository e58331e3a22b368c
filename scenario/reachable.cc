#include "scenario/reachable.h"

#include "mm/tlb.h"

namespace uf
{

uint8_t arch_pte_bits(arch_mode arch)
{
        const uint8_t common = PTE_WRITE | PTE_DIRTY | PTE_YOUNG | PTE_SWP_EXCLUSIVE;
        switch (arch) {
        case ARCH_SPARC_ADI:
                return common;
        case ARCH_S390:
                return common | PTE_SOFT_DIRTY | PTE_PROTNONE | PTE_UNUSED;
        default:
                return common | PTE_SOFT_DIRTY | PTE_UFFD_WP | PTE_PROTNONE;
        }
}

uint8_t uffd_modes_allowed(folio_type t, uint8_t vma_flags, arch_mode arch)
{
        if (vma_flags & VM_DROPPABLE)
                return 0;
        uint8_t modes = VM_UFFD_WP;
        if (t != folio_type::file)
                modes |= VM_UFFD_MISSING;
        if (t == folio_type::shmem)
                modes |= VM_UFFD_MINOR;
        if (arch != ARCH_GENERIC)
                modes &= ~(VM_UFFD_WP | VM_UFFD_MINOR);
        return modes;
}

uint8_t slot_kind_bits(slot_kind kind)
{
        switch (kind) {
        case slot_kind::present:
        case slot_kind::foreign:
                return PTE_WRITE | PTE_DIRTY | PTE_YOUNG | PTE_SOFT_DIRTY | PTE_UFFD_WP |
                       PTE_PROTNONE | PTE_UNUSED;
        case slot_kind::swap:
                return PTE_SWP_EXCLUSIVE | PTE_SOFT_DIRTY | PTE_UFFD_WP;
        case slot_kind::marker:
                return PTE_UFFD_WP;
        case slot_kind::device_exclusive:
                // make_device_exclusive() (mm/rmap.c) converts a writable PTE
                // into an entry that is neither writable nor uffd-wp and keeps
                // only soft-dirty.
                return PTE_SOFT_DIRTY;
        case slot_kind::device_private:
                return PTE_WRITE | PTE_SOFT_DIRTY | PTE_UFFD_WP;
        default:
                return 0;
        }
}

bool slot_kind_reachable(folio_type t, slot_kind kind)
{
        if (kind == slot_kind::device_private)
                return false;
        if (kind == slot_kind::device_exclusive)
                return folio_type_is_anon(t);
        return static_cast<int>(kind) < static_cast<int>(slot_kind::NR_SLOT_KINDS);
}

uint8_t slot_bits_allowed(const scenario &s, const vma_spec &vma, slot_kind kind)
{
        uint8_t bits = slot_kind_bits(kind) & arch_pte_bits(s.arch);
        if (!(vma.flags & VM_UFFD_WP))
                bits &= ~PTE_UFFD_WP;
        return bits;
}

bool slot_bits_consistent(slot_kind kind, uint8_t bits)
{
        if (kind != slot_kind::present && kind != slot_kind::foreign)
                return true;
        return !((bits & PTE_WRITE) && (bits & (PTE_UFFD_WP | PTE_PROTNONE)));
}

std::bitset<MAX_FOLIO_PAGES> pae_possible(const scenario &s)
{
        std::bitset<MAX_FOLIO_PAGES> ok;
        if (!folio_type_is_anon(s.type))
                return ok;
        int nr = 1 << s.order;
        for (int i = 0; i < nr; i++) {
                int maps = 0, swaps = 0;
                for (int v = 0; v < s.nr_vmas; v++) {
                        maps += slot_maps_folio_page(s.vmas[v].slot[i].kind);
                        swaps += s.vmas[v].slot[i].kind == slot_kind::swap;
                }
                ok.set(i, maps == 1 && swaps == 0);
        }
        return ok;
}

bool ttu_reachable(const scenario &s, unsigned int ttu)
{
        if (ttu & ~static_cast<unsigned int>(TTU_ALL_FLAGS))
                return false;
        if (ttu & TTU_HWPOISON) {
                if (s.order > 0 || s.type == folio_type::anon || !s.hwpoison.test(0))
                        return false;
                if (ttu != (TTU_HWPOISON | TTU_IGNORE_MLOCK | TTU_SYNC))
                        return false;
        }
        if ((ttu & TTU_IGNORE_MLOCK) && s.order > 0 && folio_type_is_anon(s.type))
                return false;
        return true;
}

} // namespace uf
