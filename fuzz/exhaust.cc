#include "fuzz/exhaust.h"

#include "mm/tlb.h"

namespace uf
{

namespace
{

// The alphabet. Each axis is a short list; the product is the bound.
constexpr folio_type kTypes[] = {folio_type::lazyfree, folio_type::anon, folio_type::file,
                                 folio_type::shmem, folio_type::anon_nocache};

struct folio_choice {
        uint8_t flags;
        uint8_t extra_refs;
};
constexpr folio_choice kFolio[] = {{0, 0}, {FOLIO_DIRTY, 0}, {FOLIO_PINNED, 0}, {0, 1}};

// TTU_HWPOISON comes with page 0 poisoned (set where the scenario is built).
constexpr unsigned int kTtu[] = {0, TTU_BATCH_FLUSH, TTU_HWPOISON, TTU_IGNORE_MLOCK};

constexpr uint8_t kVmaFlags[] = {0, VM_LOCKED, VM_DROPPABLE, VM_UFFD_WP};

constexpr slot_spec kSlots[] = {
    {slot_kind::none, 0},
    {slot_kind::present, PTE_YOUNG},
    {slot_kind::present, PTE_DIRTY},
    {slot_kind::present, PTE_WRITE},
    {slot_kind::present, PTE_SOFT_DIRTY | PTE_UFFD_WP},
    {slot_kind::device_exclusive, 0},
};
constexpr int kNrSlots = sizeof(kSlots) / sizeof(kSlots[0]);

// VMA layouts: where the folio sits and who maps it.
enum layout : int {
        ONE_VMA,     // one VMA, folio aligned, a page of room on both sides
        ONE_VMA_PMD, // one VMA, the folio straddling a PMD boundary
        SPLIT_VMA,   // two VMAs of one mm split at page `split` of the folio
        FORK,        // two mms, each mapping the whole folio
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
        s.nr_vmas = l == ONE_VMA || l == ONE_VMA_PMD ? 1 : 2;
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
}

// A mixed-radix odometer over the slots of every (VMA, page) pair.
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

        // Runs the scenario if it is canonical; false once visit() says stop.
        bool offer(scenario s)
        {
                counts->enumerated++;
                scenario canonical = s;
                if (sanitize(canonical) != 0)
                        return true;
                counts->run++;
                if (!visit(s)) {
                        stopped = true;
                        return false;
                }
                return true;
        }

        // Every placement of k events (kind, page), as a non-decreasing list.
        bool events(scenario &s, int k, int from)
        {
                if (k == 0)
                        return offer(s);
                int nr = 1 << s.order;
                int total = static_cast<int>(event_kind::NR_EVENT_KINDS) * nr;
                for (int e = from; e < total; e++) {
                        s.events[s.nr_events] =
                            event{static_cast<event_kind>(e / nr), static_cast<uint16_t>(e % nr)};
                        s.nr_events++;
                        bool go = events(s, k - 1, e);
                        s.nr_events--;
                        s.events[s.nr_events] = event{};
                        if (!go)
                                return false;
                }
                return true;
        }

        bool event_plans(scenario &s)
        {
                for (int k = 0; k <= opt.max_events; k++)
                        if (!events(s, k, 0))
                                return false;
                return true;
        }

        bool pae_sets(scenario &s)
        {
                int nr = 1 << s.order;
                if (s.type != folio_type::anon && s.type != folio_type::lazyfree)
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

        bool slot_patterns(scenario &s)
        {
                int nr = 1 << s.order, n = nr * s.nr_vmas;
                int digits[2 * (1 << 9)] = {};
                do {
                        for (int i = 0; i < n; i++)
                                s.vmas[i / nr].slot[i % nr] = kSlots[digits[i]];
                        if (!pae_sets(s))
                                return false;
                } while (next_slots(digits, n, kNrSlots));
                return true;
        }

        bool layouts(scenario &s)
        {
                int nr = 1 << s.order;
                for (int l = 0; l < NR_LAYOUTS; l++) {
                        if ((l == SPLIT_VMA || l == FORK) && opt.max_vmas < 2)
                                continue;
                        int splits = l == SPLIT_VMA ? nr - 1 : 1;
                        for (int k = 1; k <= splits; k++) {
                                for (uint8_t flags : kVmaFlags) {
                                        scenario t = s;
                                        place_vmas(t, static_cast<layout>(l), k);
                                        t.vmas[0].flags = flags;
                                        if (!slot_patterns(t))
                                                return false;
                                }
                        }
                }
                return true;
        }

        void run()
        {
                for (int order = 0; order <= opt.max_order && !stopped; order++)
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
                                                if (!layouts(s))
                                                        return;
                                        }
        }
};

} // namespace

void exhaust(const exhaust_options &opt, exhaust_counts *counts,
             const std::function<bool(const scenario &)> &visit)
{
        enumerator e{opt, counts, visit};
        e.run();
}

} // namespace uf
