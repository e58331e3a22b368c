#include "scenario/scenario.h"

#include <cstring>

#include "mm/tlb.h"
#include "scenario/reachable.h"

namespace uf
{

void vma_folio_pages(const scenario &s, int v, int *first, int *last)
{
        const vma_spec &vma = s.vmas[v];
        long nr = 1L << s.order;
        long lo = (static_cast<long>(vma.start) - static_cast<long>(vma.folio_addr)) /
                  static_cast<long>(PAGE_SIZE);
        long hi = (static_cast<long>(vma.end) - static_cast<long>(vma.folio_addr)) /
                  static_cast<long>(PAGE_SIZE);
        *first = static_cast<int>(lo < 0 ? 0 : (lo > nr ? nr : lo));
        *last = static_cast<int>(hi < 0 ? 0 : (hi > nr ? nr : hi));
        if (*last < *first)
                *last = *first;
}

namespace
{

// Counts every change sanitize() makes.
struct clamp_counter {
        int n = 0;
        template <typename T, typename U> void set(T &field, U value)
        {
                if (field != static_cast<T>(value)) {
                        field = static_cast<T>(value);
                        n++;
                }
        }
};

// Slots [a, b) of a VMA must be none. Most are already: a memcmp against
// zeros (vectorised by the C library) finds that without a loop over up to
// MAX_FOLIO_PAGES slots per VMA and input.
void clear_slots(vma_spec &vma, int a, int b, clamp_counter &c)
{
        static_assert(sizeof(slot_spec) == 2 && static_cast<int>(slot_kind::none) == 0,
                      "slot_spec{} is two zero bytes");
        static const slot_spec none[MAX_FOLIO_PAGES] = {};
        if (a >= b || !std::memcmp(&vma.slot[a], none, sizeof(slot_spec) * (b - a)))
                return;
        for (int i = a; i < b; i++)
                c.set(vma.slot[i], slot_spec{});
}

void sanitize_vma(scenario &s, int v, clamp_counter &c)
{
        vma_spec &vma = s.vmas[v];
        const unsigned long page_mask = ~(PAGE_SIZE - 1);
        c.set(vma.mm, vma.mm % s.nr_mms);
        c.set(vma.start, (vma.start & page_mask) % TASK_SIZE);
        c.set(vma.end, vma.end & page_mask);
        if (vma.end > TASK_SIZE)
                c.set(vma.end, TASK_SIZE);
        if (vma.end <= vma.start)
                c.set(vma.end, vma.start + PAGE_SIZE);
        c.set(vma.folio_addr, (vma.folio_addr & page_mask) % TASK_SIZE);
        c.set(vma.flags, vma.flags & VMA_ALL_FLAGS);
        if (vma.pmd) {
                bool ok = s.order == HPAGE_PMD_ORDER && !(vma.folio_addr & ~PMD_MASK) &&
                          vma.folio_addr >= vma.start && vma.folio_addr + PMD_SIZE <= vma.end;
                if (!ok)
                        c.set(vma.pmd, false);
        }
        int first, last;
        vma_folio_pages(s, v, &first, &last);
        clear_slots(vma, 0, first, c);
        clear_slots(vma, last, MAX_FOLIO_PAGES, c);
        for (int i = first; i < last; i++) {
                slot_spec &slot = vma.slot[i];
                if (vma.pmd)
                        c.set(slot,
                              slot_spec{slot_kind::present,
                                        static_cast<uint8_t>(vma.slot[0].bits &
                                                             slot_kind_bits(slot_kind::present) &
                                                             ~(PTE_PROTNONE | PTE_UNUSED))});
                if (static_cast<int>(slot.kind) >= static_cast<int>(slot_kind::NR_SLOT_KINDS))
                        c.set(slot.kind, static_cast<int>(slot.kind) %
                                             static_cast<int>(slot_kind::NR_SLOT_KINDS));
                c.set(slot.bits, slot.bits & slot_kind_bits(slot.kind));
                if (slot.kind == slot_kind::marker)
                        c.set(slot.bits, PTE_UFFD_WP);
        }
}

bool maps_folio(const scenario &s, int v)
{
        int first, last;
        vma_folio_pages(s, v, &first, &last);
        return first < last;
}

// VM_DROPPABLE (mm/mmap.c, MAP_DROPPABLE) exists only for private anonymous
// mappings, whose folios never become swap-backed (folio_add_new_anon_rmap());
// it comes with VM_WIPEONFORK, so no child shares them, and mlock_fixup()
// never sets VM_LOCKED on it. A folio it maps is lazyfree and every VMA that
// maps it is a droppable VMA of one mm; anything else loses the flag.
void sanitize_droppable(scenario &s, clamp_counter &c)
{
        bool any = false, all = true;
        int mm = -1;
        for (int v = 0; v < s.nr_vmas; v++) {
                if (!maps_folio(s, v))
                        continue;
                bool d = s.vmas[v].flags & VM_DROPPABLE;
                any |= d;
                all &= d;
                if (mm >= 0 && mm != s.vmas[v].mm)
                        all = false;
                mm = s.vmas[v].mm;
        }
        bool keep = any && all && s.type == folio_type::lazyfree;
        for (int v = 0; v < s.nr_vmas; v++) {
                vma_spec &vma = s.vmas[v];
                if (!keep || !maps_folio(s, v))
                        c.set(vma.flags, vma.flags & ~VM_DROPPABLE);
                if (vma.flags & VM_DROPPABLE)
                        c.set(vma.flags, vma.flags & ~VM_LOCKED);
        }
}

// What a slot can hold in this world (docs/scenarios.md):
//  - device entries map anonymous pages only: make_device_exclusive() refuses
//    other folios, and a device-private entry maps a ZONE_DEVICE page, which
//    never reaches try_to_unmap() (it is not on the LRU, memory_failure()
//    leaves it alone, migrate_device uses try_to_migrate()): a dev_priv slot
//    becomes dev_excl in an anon folio and present otherwise, a dev_excl slot
//    of a page-cache folio present;
//  - only the architecture's bits, and uffd-wp bits and markers only in a VMA
//    registered for uffd-wp (unregistering and a fork without
//    UFFD_FEATURE_EVENT_FORK clear them: uffd_wp_range(), copy_present_pte());
//  - no writable pte that is uffd-wp or protnone.
void sanitize_slot(const scenario &s, const vma_spec &vma, slot_spec &slot, clamp_counter &c)
{
        bool anon = folio_type_is_anon(s.type);
        if (!slot_kind_reachable(s.type, slot.kind))
                c.set(slot.kind, anon ? slot_kind::device_exclusive : slot_kind::present);
        uint8_t bits = slot_bits_allowed(s, vma, slot.kind);
        if (slot.kind == slot_kind::marker && !(bits & PTE_UFFD_WP)) {
                c.set(slot, slot_spec{});
                return;
        }
        if (slot.kind == slot_kind::marker)
                return;
        uint8_t kept = slot.bits & bits;
        if (!slot_bits_consistent(slot.kind, kept))
                kept &= ~PTE_WRITE;
        c.set(slot.bits, kept);
}

// The uffd modes, the folio's flags and the TTU flags a caller passes
// (docs/scenarios.md; docs/semantics.md 2):
//  - vma_can_userfault() decides the modes (uffd_modes_allowed());
//  - TTU_HWPOISON comes from memory_failure() only, through
//    unmap_poisoned_folio(): for a small folio (a large one is split first,
//    try_to_split_thp_page(), or left alone), whose page it has just
//    poisoned, never for one in the swap cache (it keeps the poisoned page
//    there and unmaps without the flag), and with exactly
//    TTU_IGNORE_MLOCK | TTU_SYNC beside it;
//  - TTU_IGNORE_MLOCK comes from memory failure (small folios) and from
//    unmap_folio() splitting a page-cache folio; a large anonymous folio is
//    split with try_to_migrate() instead.
void sanitize_reachable(scenario &s, clamp_counter &c)
{
        sanitize_droppable(s, c);
        int nr = 1 << s.order;
        for (int v = 0; v < s.nr_vmas; v++) {
                vma_spec &vma = s.vmas[v];
                uint8_t allowed = uffd_modes_allowed(s.type, vma.flags, s.arch);
                c.set(vma.flags, vma.flags & (~VM_UFFD_FLAGS | allowed));
                for (int i = 0; i < nr; i++)
                        if (vma.slot[i].kind != slot_kind::none)
                                sanitize_slot(s, vma, vma.slot[i], c);
        }
        // Repairs towards ttu_reachable() (scenario/reachable.h): the two agree
        // on which flags survive (tests/mutate_test.cc checks it).
        bool hwpoison_ok = s.order == 0 && s.type != folio_type::anon && s.hwpoison.test(0);
        if ((s.ttu & TTU_HWPOISON) && !hwpoison_ok)
                c.set(s.ttu, s.ttu & ~TTU_HWPOISON);
        if (s.ttu & TTU_HWPOISON)
                c.set(s.ttu, TTU_HWPOISON | TTU_IGNORE_MLOCK | TTU_SYNC);
        if (s.order > 0 && folio_type_is_anon(s.type))
                c.set(s.ttu, s.ttu & ~TTU_IGNORE_MLOCK);
}

bool overlaps(const vma_spec &a, const vma_spec &b)
{
        return a.mm == b.mm && a.start < b.end && b.start < a.end;
}

// Anon pages obey the exclusivity rules that page_table_check and the rmap
// code enforce: PageAnonExclusive only for a page with exactly one mapping
// and no swap entry, a writable entry only for an exclusive page, a swap
// entry exclusive only when it is the page's sole reference. A PMD mapping
// carries one exclusivity for the whole folio: __split_huge_pmd_locked()
// hands the head page's PageAnonExclusive to every subpage.
void sanitize_anon(scenario &s, clamp_counter &c)
{
        int nr = 1 << s.order;
        int maps[MAX_FOLIO_PAGES] = {}, swaps[MAX_FOLIO_PAGES] = {};
        bool pmd = false;
        for (int v = 0; v < s.nr_vmas; v++) {
                pmd |= s.vmas[v].pmd;
                for (int i = 0; i < nr; i++) {
                        slot_kind k = s.vmas[v].slot[i].kind;
                        maps[i] += slot_maps_folio_page(k);
                        swaps[i] += k == slot_kind::swap;
                }
        }
        // make_device_exclusive() converts a writable, hence exclusive, PTE:
        // the page is PageAnonExclusive and mapped by that entry alone (a
        // fork restores the entry first, try_restore_exclusive_pte()). A
        // device-exclusive slot of a page with other references is a
        // present read-only one instead.
        std::bitset<MAX_FOLIO_PAGES> dev_excl;
        for (int v = 0; v < s.nr_vmas; v++)
                for (int i = 0; i < nr; i++) {
                        slot_spec &slot = s.vmas[v].slot[i];
                        if (slot.kind != slot_kind::device_exclusive)
                                continue;
                        if (maps[i] == 1 && swaps[i] == 0)
                                dev_excl.set(i);
                        else
                                c.set(slot.kind, slot_kind::present);
                }
        bool all_exclusive = s.pae.test(0);
        for (int i = 0; i < nr; i++) {
                bool exclusive_ok = maps[i] == 1 && swaps[i] == 0;
                all_exclusive &= exclusive_ok;
                if (!exclusive_ok && s.pae.test(i)) {
                        s.pae.reset(i);
                        c.n++;
                }
                if (dev_excl.test(i) && !s.pae.test(i)) {
                        s.pae.set(i);
                        c.n++;
                }
        }
        for (int i = 0; pmd && i < nr; i++)
                if (s.pae.test(i) != all_exclusive) {
                        s.pae.set(i, all_exclusive);
                        c.n++;
                }
        for (int v = 0; v < s.nr_vmas; v++)
                for (int i = 0; i < nr; i++) {
                        slot_spec &slot = s.vmas[v].slot[i];
                        if (slot_maps_folio_page(slot.kind) && (slot.bits & PTE_WRITE) &&
                            !s.pae.test(i))
                                c.set(slot.bits, slot.bits & ~PTE_WRITE);
                        if (slot.kind == slot_kind::swap && (slot.bits & PTE_SWP_EXCLUSIVE) &&
                            (maps[i] != 0 || swaps[i] != 1))
                                c.set(slot.bits, slot.bits & ~PTE_SWP_EXCLUSIVE);
                }
}

} // namespace

int sanitize(scenario &s)
{
        clamp_counter c;
        if (static_cast<int>(s.type) >= static_cast<int>(folio_type::NR_FOLIO_TYPES))
                c.set(s.type,
                      static_cast<int>(s.type) % static_cast<int>(folio_type::NR_FOLIO_TYPES));
        if (s.order > MAX_ORDER_MODEL)
                c.set(s.order, s.order % (MAX_ORDER_MODEL + 1));
        c.set(s.folio_flags, s.folio_flags & FOLIO_ALL_FLAGS);
        if (s.extra_refs > MAX_EXTRA_REFS)
                c.set(s.extra_refs, MAX_EXTRA_REFS);
        c.set(s.ttu, s.ttu & TTU_ALL_FLAGS);
        if (s.arch >= NR_ARCH_MODES)
                c.set(s.arch, ARCH_GENERIC);
        if (s.nr_mms < 1 || s.nr_mms > MAX_MMS)
                c.set(s.nr_mms, s.nr_mms < 1 ? 1 : MAX_MMS);
        if (s.nr_vmas > MAX_VMAS)
                c.set(s.nr_vmas, MAX_VMAS);
        if (s.nr_events > MAX_EVENTS)
                c.set(s.nr_events, MAX_EVENTS);

        int nr = 1 << s.order;
        // Page bits past the folio: one clamp per page that had either.
        const std::bitset<MAX_FOLIO_PAGES> beyond = ~std::bitset<MAX_FOLIO_PAGES>() << nr;
        if (std::bitset<MAX_FOLIO_PAGES> stray = (s.pae | s.hwpoison) & beyond; stray.any()) {
                c.n += static_cast<int>(stray.count());
                s.pae &= ~beyond;
                s.hwpoison &= ~beyond;
        }
        if (!folio_type_is_anon(s.type) && s.pae.any()) {
                s.pae.reset();
                c.n++;
        }

        // Drop VMAs that overlap an earlier one of the same mm.
        int kept = 0;
        for (int v = 0; v < s.nr_vmas; v++) {
                sanitize_vma(s, v, c);
                bool clash = false;
                for (int u = 0; u < kept; u++)
                        clash |= overlaps(s.vmas[u], s.vmas[v]);
                if (clash) {
                        c.n++;
                        continue;
                }
                if (kept != v)
                        s.vmas[kept] = s.vmas[v];
                kept++;
        }
        for (int v = kept; v < MAX_VMAS; v++)
                s.vmas[v] = vma_spec{};
        s.nr_vmas = static_cast<uint8_t>(kept);

        bool any_pmd = false;
        for (int v = 0; v < s.nr_vmas; v++)
                any_pmd |= s.vmas[v].pmd;
        // Reclaim passes TTU_SPLIT_HUGE_PMD for every PMD-mappable folio
        // (TTU_HWPOISON never meets a large folio: sanitize_reachable()).
        if (any_pmd)
                c.set(s.ttu, s.ttu | TTU_SPLIT_HUGE_PMD);

        sanitize_reachable(s, c);

        if (folio_type_is_anon(s.type))
                sanitize_anon(s, c);

        for (int e = 0; e < s.nr_events; e++) {
                event &ev = s.events[e];
                if (static_cast<int>(ev.kind) >= static_cast<int>(event_kind::NR_EVENT_KINDS))
                        c.set(ev.kind, static_cast<int>(ev.kind) %
                                           static_cast<int>(event_kind::NR_EVENT_KINDS));
                if (ev.page >= nr)
                        c.set(ev.page, ev.page % nr);
        }
        for (int e = s.nr_events; e < MAX_EVENTS; e++)
                s.events[e] = event{};
        return c.n;
}

} // namespace uf
