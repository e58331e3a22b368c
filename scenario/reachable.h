// What the kernel can reach: the rules that say which scenarios some caller
// of try_to_unmap() can hand it. One place for three users: sanitize()
// (scenario/scenario.cc) maps any other scenario onto a reachable one, the
// text parser (scenario/scenario_text.cc) refuses it with the reason, and the
// mutator (scenario/mutate.cc) picks only values these rules allow, so that
// its outputs decode without a clamp.
#pragma once

#include <bitset>
#include <cstdint>

#include "scenario/scenario.h"

namespace uf
{

// The PTE bits meaningful for a slot kind (the rest are clamped away).
uint8_t slot_kind_bits(slot_kind kind);

// The uffd registration modes vma_can_userfault() (include/linux/userfaultfd_k.h)
// allows for a VMA mapping a folio of type t: MISSING for anonymous and shmem
// VMAs, MINOR for shmem only, WP for any (a plain file VMA with
// UFFD_FEATURE_WP_ASYNC and WP alone), none for a VM_DROPPABLE one, and only
// the modes the architecture has (uffd-wp and minor need
// HAVE_ARCH_USERFAULTFD_WP/_MINOR: not on s390 or sparc64).
uint8_t uffd_modes_allowed(folio_type t, uint8_t vma_flags, arch_mode arch);

// The PTE bits the architecture has (soft-dirty, uffd-wp, protnone, unused).
uint8_t arch_pte_bits(arch_mode arch);

// Whether a slot of a folio of type t can hold kind at all: a device-private
// entry maps a ZONE_DEVICE page, which is not on the LRU and reaches
// try_to_migrate(), never try_to_unmap(); make_device_exclusive() refuses
// any folio but an anonymous one.
bool slot_kind_reachable(folio_type t, slot_kind kind);

// The bits a slot of this kind can carry in this VMA on this architecture:
// the kind's bits the architecture has, uffd-wp only in a VMA registered for
// uffd-wp (unregistering and a fork without UFFD_FEATURE_EVENT_FORK clear
// them: uffd_wp_range(), copy_present_pte()). A marker always carries
// uffd-wp, so a marker is reachable only where this includes it.
uint8_t slot_bits_allowed(const scenario &s, const vma_spec &vma, slot_kind kind);

// A present (or foreign) PTE that is uffd-wp or protnone is never writable:
// pte_mkuffd_wp() write-protects (x86, arm64), pte_modify() to PAGE_NONE
// drops the write bit (change_pte_range()), and can_change_pte_writable()
// refuses a uffd-wp pte.
bool slot_bits_consistent(slot_kind kind, uint8_t bits);

// The pages of the folio that can be PageAnonExclusive: anon folios only,
// pages with exactly one mapping and no swap entry (page_table_check and the
// rmap code: a page mapped twice or with a swap entry is shared).
std::bitset<MAX_FOLIO_PAGES> pae_possible(const scenario &s);

// The TTU flags a caller can pass for this folio: TTU_HWPOISON only from
// memory_failure() (unmap_poisoned_folio()) for a small folio it has poisoned
// and not in the swap cache, and then with exactly TTU_IGNORE_MLOCK |
// TTU_SYNC; TTU_IGNORE_MLOCK never with a large anonymous folio (only
// memory_failure() and unmap_folio() of page-cache folios pass it; anon ones
// are split with try_to_migrate()).
bool ttu_reachable(const scenario &s, unsigned int ttu);

} // namespace uf
