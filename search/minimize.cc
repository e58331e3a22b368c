#include "search/minimize.h"

#include <cstring>

#include "mm/pgtable.h"
#include "oracle/harness.h"
#include "oracle/known_bugs.h"

namespace uf
{

bool same_failure(const verdict &a, const verdict &b)
{
        // A known bug's name is part of the class: the reproducer must carry
        // the name (or its absence) of the failure it was minimised from.
        if (a.ok() || b.ok() || a.kind != b.kind ||
            std::strcmp(a.known ? a.known->id : "", b.known ? b.known->id : ""))
                return false;
        if (a.kind == verdict_kind::invariant)
                return a.inv == b.inv && a.side == b.side;
        if (a.kind == verdict_kind::kernel_warn || a.kind == verdict_kind::kernel_bug)
                return a.side == b.side && !std::strcmp(a.where, b.where);
        return a.div == b.div;
}

scenario_size measure_scenario(const scenario &s)
{
        scenario_size z;
        z.vmas = s.nr_vmas;
        z.mms = s.nr_mms;
        z.events = s.nr_events;
        z.order = s.order;
        for (int v = 0; v < s.nr_vmas; v++)
                for (int i = 0; i < (1 << s.order); i++) {
                        const slot_spec &slot = s.vmas[v].slot[i];
                        z.slots += slot.kind != slot_kind::none;
                        z.bits += __builtin_popcount(slot.bits);
                }
        return z;
}

namespace
{

class minimizer
{
      public:
        minimizer(const scenario &s, minimize_stats *st, unsigned long max_tried)
            : cur_(s), st_(st), max_tried_(max_tried)
        {
        }

        bool init()
        {
                sanitize(cur_);
                run_scenario(cur_, &r_);
                target_ = r_.v;
                return !target_.ok();
        }

        void run()
        {
                bool progress = true;
                while (progress && !exhausted()) {
                        st_->rounds++;
                        progress = false;
                        // Coarse steps first: each one removes many slots at once.
                        progress |= drop_vmas();
                        progress |= drop_mms();
                        progress |= drop_events();
                        progress |= shrink_order();
                        progress |= trim_vmas();
                        progress |= clear_slot_runs();
                        progress |= clear_single_slots();
                        progress |= close_gaps();
                        progress |= shrink_order();
                        progress |= clear_page_bits();
                        progress |= clear_folio_state();
                        progress |= clear_vma_flags();
                        progress |= clear_pte_bits();
                }
        }

        const scenario &result() const { return cur_; }

      private:
        scenario cur_;
        verdict target_;
        minimize_stats *st_;
        unsigned long max_tried_;
        static run_result r_; // worlds are large: one buffer, reused

        bool exhausted() const { return st_->tried >= max_tried_; }
        int nr_pages() const { return 1 << cur_.order; }

        // Runs a candidate; keeps it when it still fails the same way.
        bool attempt(scenario cand)
        {
                sanitize(cand);
                if (cand == cur_ || exhausted())
                        return false;
                st_->tried++;
                run_scenario(cand, &r_);
                if (!same_failure(r_.v, target_))
                        return false;
                cur_ = cand;
                st_->kept++;
                return true;
        }

        // Removes element i of the first n of array a; the later ones move
        // down and the freed last one is reset.
        template <typename T, size_t N> static void erase_at(T (&a)[N], uint8_t &n, int i)
        {
                for (int j = i; j + 1 < n; j++)
                        a[j] = a[j + 1];
                a[n - 1] = T{};
                n--;
        }

        // Tries dropping each element of one of the scenario's arrays (VMAs,
        // events), the last first.
        template <typename T, size_t N> bool drop_each(T (scenario::*arr)[N], uint8_t scenario::*nr)
        {
                bool any = false;
                for (int i = cur_.*nr - 1; i >= 0; i--) {
                        if (i >= cur_.*nr)
                                continue;
                        scenario cand = cur_;
                        erase_at(cand.*arr, cand.*nr, i);
                        any |= attempt(cand);
                }
                return any;
        }

        bool drop_vmas() { return drop_each(&scenario::vmas, &scenario::nr_vmas); }
        bool drop_events() { return drop_each(&scenario::events, &scenario::nr_events); }

        // Removes mm m with its VMAs; the mms above it move down by one.
        bool drop_mms()
        {
                bool any = false;
                for (int m = cur_.nr_mms - 1; m >= 0 && cur_.nr_mms > 1; m--) {
                        if (m >= cur_.nr_mms)
                                continue;
                        scenario cand = cur_;
                        for (int v = cand.nr_vmas - 1; v >= 0; v--)
                                if (cand.vmas[v].mm == m)
                                        erase_at(cand.vmas, cand.nr_vmas, v);
                        for (int v = 0; v < cand.nr_vmas; v++)
                                if (cand.vmas[v].mm > m)
                                        cand.vmas[v].mm--;
                        cand.nr_mms--;
                        any |= attempt(cand);
                }
                return any;
        }

        // Halves the folio, keeping its lower half or its upper half: the
        // kept pages keep their slots, PageAnonExclusive, PageHWPoison and
        // events, and each VMA's linear mapping moves so that the same
        // addresses map the same (renumbered) pages.
        scenario half(bool upper) const
        {
                scenario cand = cur_;
                int keep = nr_pages() / 2, shift = upper ? keep : 0;
                cand.order = static_cast<uint8_t>(cur_.order - 1);
                for (int v = 0; v < cand.nr_vmas; v++) {
                        vma_spec &vma = cand.vmas[v];
                        vma.pmd = false;
                        vma.folio_addr += static_cast<unsigned long>(shift) * PAGE_SIZE;
                        for (int i = 0; i < MAX_FOLIO_PAGES; i++)
                                vma.slot[i] = i < keep ? cur_.vmas[v].slot[i + shift] : slot_spec{};
                }
                cand.pae.reset();
                cand.hwpoison.reset();
                for (int i = 0; i < keep; i++) {
                        cand.pae[i] = cur_.pae[i + shift];
                        cand.hwpoison[i] = cur_.hwpoison[i + shift];
                }
                cand.nr_events = 0;
                for (int e = 0; e < cur_.nr_events; e++) {
                        int p = cur_.events[e].page - shift;
                        if (p < 0 || p >= keep)
                                continue;
                        cand.events[cand.nr_events] = cur_.events[e];
                        cand.events[cand.nr_events++].page = static_cast<uint16_t>(p);
                }
                for (int e = cand.nr_events; e < MAX_EVENTS; e++)
                        cand.events[e] = event{};
                return cand;
        }

        bool shrink_order()
        {
                bool any = false;
                while (cur_.order > 0 && !exhausted()) {
                        if (!attempt(half(false)) && !attempt(half(true)))
                                break;
                        any = true;
                }
                return any;
        }

        // Narrows each VMA to the folio pages it maps (both ends, then each).
        bool trim_vmas()
        {
                bool any = false;
                for (int v = 0; v < cur_.nr_vmas; v++) {
                        int first, last;
                        vma_folio_pages(cur_, v, &first, &last);
                        if (first == last)
                                continue;
                        const vma_spec &vma = cur_.vmas[v];
                        unsigned long lo =
                            vma.folio_addr + static_cast<unsigned long>(first) * PAGE_SIZE;
                        unsigned long hi =
                            vma.folio_addr + static_cast<unsigned long>(last) * PAGE_SIZE;
                        if (vma.pmd || (vma.start == lo && vma.end == hi))
                                continue;
                        scenario both = cur_, start = cur_, end = cur_;
                        both.vmas[v].start = start.vmas[v].start = lo;
                        both.vmas[v].end = end.vmas[v].end = hi;
                        if (attempt(both)) {
                                any = true;
                                continue;
                        }
                        any |= attempt(start);
                        any |= attempt(end);
                }
                return any;
        }

        // Runs of equal non-none slots of one VMA.
        template <typename F> bool for_each_run(int v, bool with_bits_only, F &&step)
        {
                bool any = false;
                int i = 0;
                while (i < nr_pages() && v < cur_.nr_vmas && !exhausted()) {
                        slot_spec s = cur_.vmas[v].slot[i];
                        int j = i + 1;
                        while (j < nr_pages() && cur_.vmas[v].slot[j] == s)
                                j++;
                        if (s.kind != slot_kind::none && (!with_bits_only || s.bits))
                                any |= step(i, j);
                        i = j;
                }
                return any;
        }

        bool clear_slots(int v, int a, int b)
        {
                scenario cand = cur_;
                for (int i = a; i < b; i++)
                        cand.vmas[v].slot[i] = slot_spec{};
                return attempt(cand);
        }

        // Whole runs of equal slots; then, from each run's ends, halves,
        // quarters... of it, so a run of 256 that needs 2 shrinks in a few steps.
        bool clear_slot_runs()
        {
                bool any = false;
                for (int v = 0; v < cur_.nr_vmas; v++)
                        any |= for_each_run(v, false, [&](int a, int b) {
                                if (clear_slots(v, a, b))
                                        return true;
                                bool hit = false;
                                for (int size = (b - a) / 2; size >= 1 && b - a > 1; size /= 2) {
                                        while (b - a > size && clear_slots(v, b - size, b))
                                                b -= size, hit = true;
                                        while (b - a > size && clear_slots(v, a, a + size))
                                                a += size, hit = true;
                                }
                                return hit;
                        });
                return any;
        }

        // A folio page nothing refers to: no slot, page bit or event.
        bool page_unused(int i) const
        {
                for (int v = 0; v < cur_.nr_vmas; v++)
                        if (cur_.vmas[v].slot[i].kind != slot_kind::none)
                                return false;
                for (int e = 0; e < cur_.nr_events; e++)
                        if (cur_.events[e].page == i)
                                return false;
                return !cur_.pae.test(i) && !cur_.hwpoison.test(i);
        }

        // Removes folio pages [a, a + len): the pages above move down by len.
        // With keep_upper the pages above keep their addresses (each VMA's
        // folio_addr moves up and the pages below the gap move up to them);
        // otherwise the pages below keep theirs.
        scenario without_pages(int a, int len, bool keep_upper) const
        {
                scenario cand = cur_;
                int nr = nr_pages();
                for (int v = 0; v < cand.nr_vmas; v++) {
                        vma_spec &vma = cand.vmas[v];
                        for (int i = a; i < MAX_FOLIO_PAGES; i++)
                                vma.slot[i] =
                                    i + len < nr ? cur_.vmas[v].slot[i + len] : slot_spec{};
                        if (keep_upper)
                                vma.folio_addr += static_cast<unsigned long>(len) * PAGE_SIZE;
                }
                for (int i = a; i < MAX_FOLIO_PAGES; i++) {
                        cand.pae[i] = i + len < nr && cur_.pae[i + len];
                        cand.hwpoison[i] = i + len < nr && cur_.hwpoison[i + len];
                }
                for (int e = 0; e < cand.nr_events; e++)
                        if (cand.events[e].page >= a + len)
                                cand.events[e].page =
                                    static_cast<uint16_t>(cand.events[e].page - len);
                return cand;
        }

        // Closes gaps of unused pages between (or before) the used ones, so
        // that shrink_order() can then halve the folio.
        bool close_gaps()
        {
                bool any = false;
                int last_used = -1;
                for (int i = 0; i < nr_pages(); i++)
                        if (!page_unused(i))
                                last_used = i;
                for (int a = 0; a < last_used && !exhausted(); a++) {
                        if (!page_unused(a))
                                continue;
                        int b = a;
                        while (b < last_used && page_unused(b))
                                b++;
                        bool done = false;
                        for (int len : {b - a, b - a - 1, (b - a) / 2}) {
                                if (len <= 0 || done)
                                        continue;
                                done = attempt(without_pages(a, len, false)) ||
                                       attempt(without_pages(a, len, true));
                        }
                        if (done) {
                                any = true;
                                last_used = -1;
                                for (int i = 0; i < nr_pages(); i++)
                                        if (!page_unused(i))
                                                last_used = i;
                        } else {
                                a = b;
                        }
                }
                return any;
        }

        bool clear_single_slots()
        {
                bool any = false;
                for (int v = 0; v < cur_.nr_vmas; v++)
                        for (int i = 0; i < nr_pages() && !exhausted(); i++) {
                                if (v >= cur_.nr_vmas ||
                                    cur_.vmas[v].slot[i].kind == slot_kind::none)
                                        continue;
                                scenario cand = cur_;
                                cand.vmas[v].slot[i] = slot_spec{};
                                any |= attempt(cand);
                        }
                return any;
        }

        // Each PTE bit across a run of equal slots, then slot by slot.
        bool clear_pte_bits()
        {
                bool any = false;
                for (int v = 0; v < cur_.nr_vmas; v++)
                        any |= for_each_run(v, true, [&](int a, int b) {
                                bool hit = false;
                                for (int bit = 0; bit < 8; bit++) {
                                        uint8_t mask = static_cast<uint8_t>(1u << bit);
                                        if (!(cur_.vmas[v].slot[a].bits & mask))
                                                continue;
                                        scenario cand = cur_;
                                        for (int i = a; i < b; i++)
                                                cand.vmas[v].slot[i].bits &=
                                                    static_cast<uint8_t>(~mask);
                                        hit |= attempt(cand);
                                }
                                return hit;
                        });
                for (int v = 0; v < cur_.nr_vmas; v++)
                        for (int i = 0; i < nr_pages() && !exhausted(); i++)
                                for (int bit = 0; bit < 8 && v < cur_.nr_vmas; bit++) {
                                        uint8_t mask = static_cast<uint8_t>(1u << bit);
                                        if (!(cur_.vmas[v].slot[i].bits & mask))
                                                continue;
                                        scenario cand = cur_;
                                        cand.vmas[v].slot[i].bits &= static_cast<uint8_t>(~mask);
                                        any |= attempt(cand);
                                }
                return any;
        }

        bool clear_bitset(std::bitset<MAX_FOLIO_PAGES> scenario::*field)
        {
                if ((cur_.*field).none())
                        return false;
                scenario all = cur_;
                (all.*field).reset();
                if (attempt(all))
                        return true;
                bool any = false;
                for (int i = 0; i < nr_pages() && !exhausted(); i++) {
                        if (!(cur_.*field).test(i))
                                continue;
                        scenario cand = cur_;
                        (cand.*field).reset(i);
                        any |= attempt(cand);
                }
                return any;
        }

        bool clear_page_bits()
        {
                bool any = clear_bitset(&scenario::pae);
                any |= clear_bitset(&scenario::hwpoison);
                return any;
        }

        template <typename T> bool clear_flag_bits(T scenario::*field, int nbits)
        {
                bool any = false;
                for (int bit = 0; bit < nbits; bit++) {
                        if (!((cur_.*field) & (1u << bit)))
                                continue;
                        scenario cand = cur_;
                        cand.*field = static_cast<T>((cand.*field) & ~(1u << bit));
                        any |= attempt(cand);
                }
                return any;
        }

        bool clear_folio_state()
        {
                bool any = clear_flag_bits(&scenario::folio_flags, 8);
                any |= clear_flag_bits(&scenario::ttu, 32);
                if (cur_.arch != ARCH_GENERIC) {
                        scenario cand = cur_;
                        cand.arch = ARCH_GENERIC;
                        any |= attempt(cand);
                }
                // extra_refs: none, then halves, then one less at a time.
                while (cur_.extra_refs && !exhausted()) {
                        scenario zero = cur_, halved = cur_, less = cur_;
                        zero.extra_refs = 0;
                        halved.extra_refs = static_cast<uint8_t>(cur_.extra_refs / 2);
                        less.extra_refs = static_cast<uint8_t>(cur_.extra_refs - 1);
                        if (!attempt(zero) && !attempt(halved) && !attempt(less))
                                break;
                        any = true;
                }
                return any;
        }

        bool clear_vma_flags()
        {
                bool any = false;
                for (int v = 0; v < cur_.nr_vmas; v++) {
                        for (int bit = 0; bit < 8 && v < cur_.nr_vmas; bit++) {
                                if (!(cur_.vmas[v].flags & (1u << bit)))
                                        continue;
                                scenario cand = cur_;
                                cand.vmas[v].flags &= static_cast<uint8_t>(~(1u << bit));
                                any |= attempt(cand);
                        }
                        if (v < cur_.nr_vmas && cur_.vmas[v].pmd) {
                                scenario cand = cur_;
                                cand.vmas[v].pmd = false;
                                any |= attempt(cand);
                        }
                }
                return any;
        }
};

run_result minimizer::r_;

} // namespace

scenario minimize_scenario(const scenario &s, minimize_stats *stats, unsigned long max_tried)
{
        minimize_stats local;
        minimizer m(s, stats ? stats : &local, max_tried);
        if (m.init())
                m.run();
        return m.result();
}

} // namespace uf
