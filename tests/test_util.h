// Small shared helpers for hand-written tests: building scenarios, running
// them through the world builder, and reading page-table slots of a world.
//
// Everything here is header-only, has no GoogleTest dependency and touches
// only public interfaces of mm/ and fuzz/, so any test may include it. It
// never runs an unmap implementation and never computes an expected value:
// expectations belong in the tests, written from the kernel semantics.
//
// Conventions (all overridable by building a scenario by hand):
//   * the default VMA is [DEFAULT_VMA_START, DEFAULT_VMA_END) of mm 0, i.e. 64
//     pages inside PMD 1 (TASK_SIZE is PMDS_PER_MM = 4 PMDs, 8 MiB);
//   * page 0 of the folio sits at DEFAULT_FOLIO_ADDR, the VMA's first page, so
//     folio page i is at DEFAULT_FOLIO_ADDR + i * PAGE_SIZE;
//   * the helpers fill only slots of folio pages; every other slot is none.
#pragma once

#include <cstdio>
#include <string>

#include <bitset>
#include <initializer_list>

#include "mm/mm_types.h"
#include "mm/pgtable.h"
#include "mm/tlb.h"
#include "mm/world.h"
#include "oracle/program.h"
#include "scenario/scenario.h"
#include "scenario/world_builder.h"

namespace uf::test
{

constexpr unsigned long DEFAULT_VMA_START = 0x200000; // start of PMD 1
constexpr unsigned long DEFAULT_VMA_END = 0x240000;   // 64 pages
constexpr unsigned long DEFAULT_FOLIO_ADDR = DEFAULT_VMA_START;

// ---- reading a world ----

// The entry that maps `addr` in mm `mm`, as the hardware walker would see it:
//   * PMD slot is a table -> that table's slot pte_index(addr);
//   * PMD slot is none    -> a none entry;
//   * PMD slot is huge    -> the huge entry as a PTE of the page at addr
//                            (pfn advanced by pte_index(addr), same bits), so
//                            a PMD mapping reads like 512 identical PTEs;
//   * addr outside the mm (>= TASK_SIZE) or a bad mm index -> none.
// Reads world state directly; it is not an access of the running model (no
// op counters, no bounds reports).
inline pte_t slot(const world &w, int mm, unsigned long addr)
{
        if (mm < 0 || mm >= MAX_MMS || addr >= TASK_SIZE)
                return pte_t{};
        const pmd_t &pmd = w.mms[mm].pmd[addr >> PMD_SHIFT];
        switch (pmd.kind) {
        case pmd_kind::table:
                if (pmd.table >= w.nr_tables)
                        return pte_t{};
                return w.tables[pmd.table][pte_index(addr)];
        case pmd_kind::huge:
                return pte_advance_pfn(pmd.huge, pte_index(addr));
        case pmd_kind::none:
                break;
        }
        return pte_t{};
}

// Address of folio page `page` when page 0 is at `folio_addr`.
inline unsigned long page_addr(int page, unsigned long folio_addr = DEFAULT_FOLIO_ADDR)
{
        return folio_addr + static_cast<unsigned long>(page) * PAGE_SIZE;
}

// ---- entries, for writing expectations ----

// A present entry mapping folio page `page`.
inline pte_t folio_pte(int page, uint8_t bits)
{
        return pfn_pte(FOLIO_PFN + static_cast<unsigned long>(page), bits);
}
// A swap entry for the folio's swap slot of page `page` (folio->swap + page,
// i.e. FOLIO_SWAP + page), with the given swap bits (PTE_SWP_EXCLUSIVE,
// PTE_SOFT_DIRTY, PTE_UFFD_WP).
inline pte_t folio_swap_pte(int page, uint8_t bits)
{
        pte_t pte = swp_entry_to_pte(swp_entry_t{FOLIO_SWAP + static_cast<unsigned long>(page)});
        pte.bits = bits;
        return pte;
}
// The hwpoison entry memory failure leaves for folio page `page`.
inline pte_t folio_hwpoison_pte(int page)
{
        return make_hwpoison_entry(FOLIO_PFN + static_cast<unsigned long>(page));
}
// A device-exclusive or device-private entry of folio page `page`.
inline pte_t folio_device_pte(pte_kind kind, int page, uint8_t bits)
{
        return pte_t{kind, bits,
                     static_cast<uint32_t>(FOLIO_PFN + static_cast<unsigned long>(page))};
}
inline pte_t uffd_wp_marker()
{
        return make_pte_marker_uffd_wp();
}
inline pte_t none_pte()
{
        return pte_t{};
}

// ---- building scenarios ----

inline int scenario_nr_pages(const scenario &s)
{
        return 1 << s.order;
}

// Sets slots [first, last) of folio pages in `vma` to (kind, bits).
inline void fill_slots(vma_spec &vma, int first, int last, slot_kind kind, uint8_t bits)
{
        for (int i = first; i < last; i++)
                vma.slot[i] = slot_spec{kind, bits};
}

// Appends a VMA (no slots filled) and returns it. `folio_addr` is where the
// VMA's linear mapping puts folio page 0. Raises s.nr_mms to cover `mm`.
inline vma_spec &add_vma(scenario &s, int mm, unsigned long start, unsigned long end,
                         unsigned long folio_addr, uint8_t vm_flags = 0)
{
        vma_spec &vma = s.vmas[s.nr_vmas++];
        vma = vma_spec{};
        vma.mm = static_cast<uint8_t>(mm);
        vma.start = start;
        vma.end = end;
        vma.folio_addr = folio_addr;
        vma.flags = vm_flags;
        if (s.nr_mms < mm + 1)
                s.nr_mms = static_cast<uint8_t>(mm + 1);
        return vma;
}

// A folio of `type` and `order` mapped once, by the default VMA of mm 0, every
// page's slot set to (kind, bits). No TTU flags, events or folio flags.
inline scenario one_vma(folio_type type, int order, slot_kind kind = slot_kind::present,
                        uint8_t bits = PTE_YOUNG, uint8_t vm_flags = 0)
{
        scenario s;
        s.type = type;
        s.order = static_cast<uint8_t>(order);
        vma_spec &vma =
            add_vma(s, 0, DEFAULT_VMA_START, DEFAULT_VMA_END, DEFAULT_FOLIO_ADDR, vm_flags);
        fill_slots(vma, 0, 1 << order, kind, bits);
        return s;
}

// MADV_FREE'd anon folio (anon, !swapbacked), all pages present with `bits`.
inline scenario lazyfree(int order, uint8_t bits = PTE_YOUNG)
{
        return one_vma(folio_type::lazyfree, order, slot_kind::present, bits);
}
// Swap-backed anon folio already in the swap cache (vmscan ran
// folio_alloc_swap(): swap counts 0), all pages present with `bits`. Callers
// that set PTE_WRITE must also set the pages' PageAnonExclusive (s.pae).
inline scenario anon_swapcache(int order, uint8_t bits = PTE_YOUNG)
{
        return one_vma(folio_type::anon, order, slot_kind::present, bits);
}
// Page-cache folio (file, !swapbacked), all pages present with `bits`.
inline scenario file_folio(int order, uint8_t bits = PTE_YOUNG)
{
        return one_vma(folio_type::file, order, slot_kind::present, bits);
}
// Shmem folio (page cache, swapbacked), all pages present with `bits`.
inline scenario shmem_folio(int order, uint8_t bits = PTE_YOUNG)
{
        return one_vma(folio_type::shmem, order, slot_kind::present, bits);
}

// The TTU flags shrink_folio_list() passes for a folio of `order`
// (docs/semantics.md 2): TTU_BATCH_FLUSH, plus TTU_SYNC for a large folio and
// TTU_SPLIT_HUGE_PMD for a PMD-mappable one.
inline unsigned int reclaim_ttu(int order)
{
        unsigned int ttu = TTU_BATCH_FLUSH;
        if (order > 0)
                ttu |= TTU_SYNC;
        if (order >= HPAGE_PMD_ORDER)
                ttu |= TTU_SPLIT_HUGE_PMD;
        return ttu;
}

// A PageAnonExclusive / PageHWPoison set from a list of 0/1 per page.
// Pages 0..n-1 set.
inline std::bitset<MAX_FOLIO_PAGES> first_pages(int n)
{
        std::bitset<MAX_FOLIO_PAGES> b;
        for (int i = 0; i < n; i++)
                b.set(i);
        return b;
}

inline std::bitset<MAX_FOLIO_PAGES> page_bits(std::initializer_list<int> per_page)
{
        std::bitset<MAX_FOLIO_PAGES> b;
        int i = 0;
        for (int v : per_page)
                b.set(i++, v != 0);
        return b;
}

// Sanitizes `s` in place and builds `w` from it. Returns sanitize()'s clamp
// count: a hand-built scenario is meant to be valid as written, so tests
// should assert that this is 0 (otherwise the world is not what they wrote).
inline int build_checked(scenario &s, world &w)
{
        int clamps = sanitize(s);
        build_world(s, w, program().rules);
        return clamps;
}

// A readable form of an entry, so a mismatch prints "present 0x40003 W-Y---"
// instead of raw bytes.
inline std::string str(pte_t pte)
{
        static const char *const kinds[] = {"none",     "present",  "swap",    "marker",
                                            "dev-excl", "dev-priv", "hwpoison"};
        static const char letters[] = "WDYSUPNX"; // write dirty young soft-dirty uffd-wp
                                                  // protnone unused swp-exclusive
        unsigned kind = static_cast<unsigned>(pte.kind);
        std::string s = kind < 7 ? kinds[kind] : "?";
        if (pte_none(pte))
                return s;
        char buf[32];
        std::snprintf(buf, sizeof(buf), " 0x%x ", pte.val);
        s += buf;
        for (int b = 0; b < 8; b++)
                s += (pte.bits & (1 << b)) ? letters[b] : '-';
        return s;
}

#define EXPECT_PTE(actual, expected) EXPECT_EQ(str(actual), str(expected))

// The batches cleared, in order, as "mM:pP+N" with P counted from folio_addr.
inline std::string batches(const world &w, unsigned long folio_addr = DEFAULT_FOLIO_ADDR)
{
        std::string s;
        for (int i = 0; i < w.nr_clears && i < MAX_CLEAR_LOG; i++) {
                const clear_record &c = w.clear_log[i];
                long page = (static_cast<long>(c.addr) - static_cast<long>(folio_addr)) /
                            static_cast<long>(PAGE_SIZE);
                char buf[48];
                std::snprintf(buf, sizeof(buf), "%sm%d:p%ld+%u", s.empty() ? "" : " ", c.mm, page,
                              c.nr);
                s += buf;
        }
        return s;
}

} // namespace uf::test
