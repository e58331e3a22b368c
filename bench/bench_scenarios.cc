#include "bench/bench_scenarios.h"

#include <cstdio>
#include <cstdlib>

#include "mm/tlb.h"

namespace uf::bench
{

scenario make_scenario(const shape &sh)
{
        scenario s;
        s.type = sh.type;
        s.order = static_cast<uint8_t>(sh.order);
        s.ttu = sh.ttu |
                (sh.order >= HPAGE_PMD_ORDER ? static_cast<unsigned int>(TTU_SPLIT_HUGE_PMD) : 0u);
        s.nr_mms = static_cast<uint8_t>(sh.nr_mms);
        s.nr_vmas = static_cast<uint8_t>(sh.nr_vmas);
        const int nr = 1 << sh.order;
        const bool anon = folio_type_is_anon(sh.type);
        // A page mapped more than once is never PageAnonExclusive.
        const bool shared = sh.nr_vmas > 1;
        for (int i = 0; i < nr; i++) {
                bool exclusive =
                    anon && !shared &&
                    (sh.pae == pae_mode::all || (sh.pae == pae_mode::mixed && i % 4 != 3));
                s.pae.set(i, exclusive);
        }
        // Folio-aligned slots, the same in every mm: VMA v is the j-th of its
        // mm (j = v / nr_mms) and sits in slot j from PMD 1 on.
        const unsigned long size = PAGE_SIZE << sh.order;
        for (int v = 0; v < sh.nr_vmas; v++) {
                vma_spec &vs = s.vmas[v];
                int j = v / sh.nr_mms;
                vs.mm = static_cast<uint8_t>(v % sh.nr_mms);
                vs.start = PMD_SIZE + static_cast<unsigned long>(j) * size;
                vs.end = vs.start + size;
                vs.folio_addr = vs.start;
                vs.pmd = sh.pmd && sh.order == HPAGE_PMD_ORDER;
                for (int i = 0; i < nr; i++) {
                        uint8_t bits = PTE_YOUNG;
                        if (sh.dirty)
                                bits |= PTE_DIRTY;
                        if (sh.write && (!anon || s.pae.test(i)))
                                bits |= PTE_WRITE;
                        vs.slot[i] = slot_spec{slot_kind::present, bits};
                }
        }
        s.nr_events = static_cast<uint8_t>(sh.nr_events);
        for (int e = 0; e < sh.nr_events; e++)
                s.events[e] = event{e % 2 ? event_kind::hw_young : event_kind::hw_dirty,
                                    static_cast<uint16_t>((e * 5) % nr)};
        scenario copy = s;
        int clamps = sanitize(copy);
        if (clamps != 0 || !(copy == s)) {
                std::fprintf(stderr,
                             "bench: make_scenario(type %d order %d vmas %d mms %d): "
                             "sanitize() changed %d field(s)\n",
                             static_cast<int>(sh.type), sh.order, sh.nr_vmas, sh.nr_mms, clamps);
                std::abort();
        }
        return s;
}

} // namespace uf::bench
