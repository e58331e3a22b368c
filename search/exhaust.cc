#include "search/exhaust.h"

#include <algorithm>
#include <cmath>
#include <iterator>

#include "mm/tlb.h"

namespace uf
{

namespace
{

// The alphabet. Each axis is a short list; the product is the bound
// (docs/scenarios.md, "Small-scope exhaustive mode", has what each costs).
constexpr folio_type kTypes[] = {folio_type::lazyfree, folio_type::anon, folio_type::file,
                                 folio_type::shmem, folio_type::anon_nocache};

struct folio_choice {
        uint8_t flags;
        uint8_t extra_refs;
};
constexpr folio_choice kFolio[] = {{0, 0}, {FOLIO_DIRTY, 0}, {FOLIO_PINNED, 0}, {0, 1}};

// Reclaim's deferred and immediate flush, memory failure (TTU_HWPOISON, with
// page 0 poisoned where the scenario is built) and a split's TTU_IGNORE_MLOCK.
constexpr unsigned int kTtu[] = {0, TTU_BATCH_FLUSH, TTU_HWPOISON | TTU_IGNORE_MLOCK | TTU_SYNC,
                                 TTU_IGNORE_MLOCK};

constexpr uint8_t kVmaFlags[] = {0,          VM_LOCKED,       VM_DROPPABLE,
                                 VM_UFFD_WP, VM_UFFD_MISSING, VM_UFFD_MINOR};

// Every slot state of the language (dev_priv has none of its own: sanitize()
// makes it dev_excl). A guest-unused slot puts the world on s390 (below).
constexpr slot_spec kSlots[] = {
    {slot_kind::none, 0},
    {slot_kind::present, PTE_YOUNG},
    {slot_kind::present, PTE_DIRTY},
    {slot_kind::present, PTE_WRITE},
    {slot_kind::present, PTE_SOFT_DIRTY},
    {slot_kind::present, PTE_UFFD_WP},
    {slot_kind::present, PTE_PROTNONE},
    {slot_kind::present, PTE_UNUSED},
    {slot_kind::foreign, 0},
    {slot_kind::swap, 0},
    {slot_kind::marker, PTE_UFFD_WP},
    {slot_kind::device_exclusive, 0},
};
// Layouts with four slots take the ones that move batches and counts most.
constexpr slot_spec kSlotsFork[] = {
    {slot_kind::none, 0},
    {slot_kind::present, PTE_YOUNG},
    {slot_kind::present, PTE_DIRTY},
    {slot_kind::present, PTE_WRITE | PTE_DIRTY},
    {slot_kind::present, PTE_SOFT_DIRTY},
    {slot_kind::swap, 0},
    {slot_kind::device_exclusive, 0},
};

// VMA layouts: where the folio sits and who maps it.
enum layout : int {
        ONE_VMA,     // one VMA, folio aligned, a page of room on both sides
        ONE_VMA_PMD, // one VMA, the folio straddling a PMD boundary
        SPLIT_VMA,   // two VMAs of one mm split at page `split` of the folio
        FORK,        // two mms, each mapping the whole folio
        MID_FOLIO,   // order 2 only: one VMA mapping pages 1-2, so a two-page
                     // batch starts mid-folio
        NR_LAYOUTS,
};

constexpr unsigned long BASE = 0x200000;

void place_vmas(scenario &s, layout l, int split)
{
        unsigned long nr = 1UL << s.order;
        unsigned long size = nr * PAGE_SIZE;
        unsigned long folio = l == ONE_VMA_PMD ? 2 * PMD_SIZE - size / 2 : BASE + PAGE_SIZE;
        if (l == ONE_VMA_PMD && nr == 1)
                folio = 2 * PMD_SIZE - PAGE_SIZE;
        s.nr_vmas = l == SPLIT_VMA || l == FORK ? 2 : 1;
        s.nr_mms = l == FORK ? 2 : 1;
        for (int v = 0; v < s.nr_vmas; v++) {
                vma_spec &vma = s.vmas[v];
                vma.mm = l == FORK ? static_cast<uint8_t>(v) : 0;
                vma.folio_addr = folio;
                vma.start = folio - PAGE_SIZE;
                vma.end = folio + size + PAGE_SIZE;
        }
        if (l == SPLIT_VMA) {
                s.vmas[0].end = folio + static_cast<unsigned long>(split) * PAGE_SIZE;
                s.vmas[1].start = s.vmas[0].end;
        }
        if (l == MID_FOLIO) {
                s.vmas[0].start = folio + PAGE_SIZE;
                s.vmas[0].end = folio + 3 * PAGE_SIZE;
        }
}

// A mixed-radix odometer over the meaningful slots.
bool next_slots(int *digits, int n, int radix)
{
        for (int i = 0; i < n; i++) {
                if (++digits[i] < radix)
                        return true;
                digits[i] = 0;
        }
        return false;
}

struct enumerator {
        const exhaust_options &opt;
        exhaust_counts *counts;
        const std::function<bool(const scenario &)> &visit;
        bool stopped = false;
        bool count_only = false; // exhaust_points(): count the worlds, run nothing

        static bool canonical(const scenario &s)
        {
                scenario copy = s;
                return sanitize(copy) == 0;
        }

        // Every placement of k events (kind, page) over the pages some VMA
        // maps, as a non-decreasing list. Events never make a world
        // non-canonical, so the caller has checked the world once.
        bool events(scenario &s, int k, int from, int first, int last)
        {
                if (k == 0) {
                        counts->run++;
                        if (!visit(s)) {
                                stopped = true;
                                return false;
                        }
                        return true;
                }
                int pages = last - first;
                int total = static_cast<int>(event_kind::NR_EVENT_KINDS) * pages;
                for (int e = from; e < total; e++) {
                        s.events[s.nr_events] = event{static_cast<event_kind>(e / pages),
                                                      static_cast<uint16_t>(first + e % pages)};
                        s.nr_events++;
                        bool go = events(s, k - 1, e, first, last);
                        s.nr_events--;
                        s.events[s.nr_events] = event{};
                        if (!go)
                                return false;
                }
                return true;
        }

        bool event_plans(scenario &s)
        {
                counts->enumerated++;
                if (count_only || !canonical(s))
                        return true;
                int first = 1 << s.order, last = 0;
                for (int v = 0; v < s.nr_vmas; v++) {
                        int a, b;
                        vma_folio_pages(s, v, &a, &b);
                        if (a < b) {
                                first = std::min(first, a);
                                last = std::max(last, b);
                        }
                }
                if (first >= last)
                        first = last = 0;
                for (int k = 0; k <= opt.max_events; k++)
                        if (!events(s, k, 0, first, last))
                                return false;
                return true;
        }

        bool pae_sets(scenario &s)
        {
                int nr = 1 << s.order;
                if (!folio_type_is_anon(s.type) || s.type == folio_type::anon_nocache)
                        return event_plans(s);
                for (unsigned mask = 0; mask < (1u << nr); mask++) {
                        for (int p = 0; p < nr; p++)
                                s.pae.set(p, mask & (1u << p));
                        if (!event_plans(s))
                                return false;
                }
                s.pae.reset();
                return true;
        }

        // The slots the VMAs' linear mappings give folio pages; the rest must
        // be none, so they are not enumerated.
        bool slot_patterns(scenario &s, layout l)
        {
                const slot_spec *alphabet = l == FORK ? kSlotsFork : kSlots;
                int radix = l == FORK ? static_cast<int>(std::size(kSlotsFork))
                                      : static_cast<int>(std::size(kSlots));
                int vma_of[2 * MAX_FOLIO_PAGES], page_of[2 * MAX_FOLIO_PAGES], n = 0;
                for (int v = 0; v < s.nr_vmas; v++) {
                        int a, b;
                        vma_folio_pages(s, v, &a, &b);
                        for (int i = a; i < b; i++, n++) {
                                vma_of[n] = v;
                                page_of[n] = i;
                        }
                }
                int digits[2 * MAX_FOLIO_PAGES] = {};
                do {
                        bool unused = false;
                        for (int i = 0; i < n; i++) {
                                slot_spec slot = alphabet[digits[i]];
                                s.vmas[vma_of[i]].slot[page_of[i]] = slot;
                                unused |=
                                    slot.kind == slot_kind::present && (slot.bits & PTE_UNUSED);
                        }
                        // pte_unused() exists on s390 only.
                        s.arch = unused ? ARCH_S390 : ARCH_GENERIC;
                        if (!pae_sets(s))
                                return false;
                } while (next_slots(digits, n, radix));
                return true;
        }

        bool layouts(scenario &s, bool mid_only)
        {
                int nr = 1 << s.order;
                for (int l = 0; l < NR_LAYOUTS; l++) {
                        if (l == MID_FOLIO ? s.order != 2 : mid_only)
                                continue;
                        if ((l == SPLIT_VMA || l == FORK) && opt.max_vmas < 2)
                                continue;
                        int splits = l == SPLIT_VMA ? nr - 1 : 1;
                        for (int k = 1; k <= splits; k++) {
                                for (uint8_t flags : kVmaFlags) {
                                        scenario t = s;
                                        place_vmas(t, static_cast<layout>(l), k);
                                        t.vmas[0].flags = flags;
                                        // The VMA flags are canonical or not whatever the
                                        // slots hold: check once, not per slot pattern.
                                        if (!canonical(t))
                                                continue;
                                        if (!slot_patterns(t, static_cast<layout>(l)))
                                                return false;
                                }
                        }
                }
                return true;
        }

        void run()
        {
                // Orders up to max_order with every layout; order 2's
                // mid-folio layout even below that (opt.mid_folio).
                int top = opt.mid_folio && opt.max_order < 2 ? 2 : opt.max_order;
                for (int order = 0; order <= top && !stopped; order++)
                        for (folio_type type : kTypes)
                                for (folio_choice f : kFolio)
                                        for (unsigned int ttu : kTtu) {
                                                scenario s;
                                                s.order = static_cast<uint8_t>(order);
                                                s.type = type;
                                                s.folio_flags = f.flags;
                                                s.extra_refs = f.extra_refs;
                                                s.ttu = ttu;
                                                if (ttu & TTU_HWPOISON)
                                                        s.hwpoison.set(0);
                                                if (!layouts(s, order > opt.max_order))
                                                        return;
                                        }
        }
};

} // namespace

double exhaust_points(const exhaust_options &opt)
{
        // Orders above 2 are far beyond any run's reach (12^8 slot patterns
        // for one VMA at order 3): an upper bound from the alphabet's sizes.
        if (opt.max_order > 2) {
                double total = 0;
                for (int order = 0; order <= opt.max_order; order++) {
                        int nr = 1 << order;
                        double one = std::pow(static_cast<double>(std::size(kSlots)), nr);
                        double layouts = 2 * one + (opt.max_vmas >= 2 ? nr * one * one : 0);
                        total += std::size(kTypes) * std::size(kFolio) * std::size(kTtu) *
                                 std::size(kVmaFlags) * layouts * std::pow(2.0, nr);
                }
                return total;
        }
        // The enumeration itself, counting the worlds it would visit
        // without judging (nor checking) any: the layouts' canonical checks
        // are the only scenarios it sanitizes, so it costs a small fraction
        // of the run it measures.
        exhaust_counts c;
        std::function<bool(const scenario &)> none = [](const scenario &) { return true; };
        enumerator e{opt, &c, none, false, true};
        e.run();
        return static_cast<double>(c.enumerated);
}

void exhaust(const exhaust_options &opt, exhaust_counts *counts,
             const std::function<bool(const scenario &)> &visit)
{
        enumerator e{opt, counts, visit};
        e.run();
}

} // namespace uf
