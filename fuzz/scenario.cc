#include "fuzz/scenario.h"

#include <cstring>

#include "mm/tlb.h"

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
        case slot_kind::device_private:
                return PTE_WRITE | PTE_SOFT_DIRTY | PTE_UFFD_WP;
        default:
                return 0;
        }
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
        c.set(vma.flags, vma.flags & (VM_LOCKED | VM_DROPPABLE | VM_UFFD_WP));
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
        bool all_exclusive = s.pae.test(0);
        for (int i = 0; i < nr; i++) {
                bool exclusive_ok = maps[i] == 1 && swaps[i] == 0;
                all_exclusive &= exclusive_ok;
                if (!exclusive_ok && s.pae.test(i)) {
                        s.pae.reset(i);
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
        // Reclaim passes TTU_SPLIT_HUGE_PMD for every PMD-mappable folio, and
        // memory failure splits a THP before it unmaps with TTU_HWPOISON
        // (try_to_split_thp_page()), so no PMD mapping meets that flag.
        if (any_pmd)
                c.set(s.ttu, (s.ttu | TTU_SPLIT_HUGE_PMD) & ~TTU_HWPOISON);

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
