// repro --json (docs/continuous-fuzzing.md): the whole state of the world before and of
// both sides after, enough to rebuild the text report's side-by-side view,
// written with nlohmann/json. "schema" goes up whenever a field changes
// meaning or disappears; new fields may come without it.
#include <nlohmann/json.hpp>

#include "oracle/known_bugs.h"
#include "report/report.h"
#include "report/trace_text.h"
#include "scenario/scenario_text.h"
#include "scenario/world_view.h"

namespace uf
{

namespace
{

using json = nlohmann::json; // keys sorted: the plain json of nlohmann 3.x everywhere (ordered_json
                             // needs 3.9)

constexpr int JSON_SCHEMA = 1;

json pte_bits_json(uint8_t bits)
{
        json b = json::object();
        b["write"] = (bits & PTE_WRITE) != 0;
        b["dirty"] = (bits & PTE_DIRTY) != 0;
        b["young"] = (bits & PTE_YOUNG) != 0;
        b["soft_dirty"] = (bits & PTE_SOFT_DIRTY) != 0;
        b["uffd_wp"] = (bits & PTE_UFFD_WP) != 0;
        b["protnone"] = (bits & PTE_PROTNONE) != 0;
        b["unused"] = (bits & PTE_UNUSED) != 0;
        b["exclusive"] = (bits & PTE_SWP_EXCLUSIVE) != 0;
        return b;
}

json slot_json(const world &w, int mm, unsigned long addr)
{
        bool huge = false;
        pte_t pte = slot_at(w, mm, addr, &huge);
        json j;
        j["addr"] = addr;
        j["kind"] = pte_kind_name(pte.kind);
        j["huge"] = huge;
        long page = folio_page_of(w, pte);
        j["page"] = page >= 0 ? json(page) : json(nullptr);
        if (is_swap_pte(pte))
                j["offset"] = pte.val;
        else if (!pte_none(pte) && !is_pte_marker(pte))
                j["pfn"] = pte.val;
        j["bits"] = pte_bits_json(pte.bits);
        j["char"] = std::string(1, slot_char(w, mm, addr));
        const tlb_entry *e = tlb_at(w, mm, addr);
        if (e && e->cached)
                j["tlb"] = {
                    {"pfn", e->pfn}, {"dirty", e->dirty != 0}, {"pending", e->pending != 0}};
        return j;
}

json folio_json(const world &w)
{
        const folio &f = w.folio;
        json j;
        j["order"] = f.order;
        j["pfn"] = f.pfn;
        j["anon"] = f.anon;
        j["swapbacked"] = f.swapbacked;
        j["swapcache"] = f.swapcache;
        j["dirty"] = f.dirty;
        j["mlocked"] = f.mlocked;
        j["mlock_count"] = f.mlock_count;
        j["partially_mapped"] = f.partially_mapped;
        j["deferred_split"] = f.on_deferred_split;
        j["split_deferred"] = f.split_deferred;
        j["maybe_dma_pinned"] = folio_maybe_dma_pinned(&f);
        j["pincount"] = f.pincount;
        j["refcount"] = f.refcount;
        j["large_mapcount"] = f.large_mapcount;
        j["entire_mapcount"] = f.entire_mapcount;
        j["unowned_refs"] = w.unowned_refs;
        j["gup_refs"] = w.gup_refs;
        json pages = json::array();
        for (unsigned long p = 0; p < folio_nr_pages(&f); p++)
                pages.push_back({{"page", p},
                                 {"mapcount", f.mapcount[p]},
                                 {"anon_exclusive", f.anon_exclusive.test(p)},
                                 {"hwpoison", f.hwpoison.test(p)},
                                 {"swap_count", w.swap_count[p]}});
        j["pages"] = pages;
        return j;
}

json vmas_json(const world &w)
{
        json vmas = json::array();
        for (int v = 0; v < w.nr_vmas; v++) {
                const vm_area_struct &vma = w.vmas[v];
                int mm = vma_mm_index(w, vma);
                json j;
                j["index"] = v;
                j["mm"] = mm;
                j["start"] = vma.vm_start;
                j["end"] = vma.vm_end;
                j["pgoff"] = vma.vm_pgoff;
                j["locked"] = (vma.vm_flags & VM_LOCKED) != 0;
                j["droppable"] = (vma.vm_flags & VM_DROPPABLE) != 0;
                j["uffd_wp"] = (vma.vm_flags & VM_UFFD_WP) != 0;
                j["uffd_missing"] = (vma.vm_flags & VM_UFFD_MISSING) != 0;
                j["uffd_minor"] = (vma.vm_flags & VM_UFFD_MINOR) != 0;
                j["anonymous"] = vma.anonymous;
                unsigned long start, end;
                row_span(w, v, &start, &end);
                json slots = json::array();
                for (unsigned long addr = start; addr < end; addr += PAGE_SIZE)
                        slots.push_back(slot_json(w, mm, addr));
                j["slots"] = slots;
                vmas.push_back(j);
        }
        return vmas;
}

json mms_json(const world &w)
{
        json mms = json::array();
        for (int m = 0; m < w.nr_mms; m++) {
                json rss = json::object();
                for (int t = 0; t < NR_MM_COUNTERS; t++)
                        rss[mm_counter_name(t)] = w.mms[m].rss_stat[t];
                mms.push_back({{"id", m},
                               {"rss", rss},
                               {"on_mmlist", w.mms[m].on_mmlist},
                               {"tlb_flush_batched", w.mms[m].tlb_flush_batched}});
        }
        return mms;
}

json flush_json(const world &w)
{
        json ranges = json::array();
        for (int i = 0; i < w.nr_pending && i < MAX_PENDING_LOG; i++) {
                const pending_range &p = w.pending_log[i];
                ranges.push_back({{"mm", p.mm},
                                  {"start", p.start},
                                  {"end", p.end},
                                  {"dirty", p.dirty != 0},
                                  {"queued", p.queued != 0}});
        }
        return {{"required_at_return", w.ubc_required_at_return},
                {"writable_at_return", w.ubc_writable_at_return},
                {"required", w.tlb_ubc_flush_required},
                {"writable", w.tlb_ubc_writable},
                {"ranges", ranges},
                {"ranges_total", w.nr_pending}};
}

json pages_set(const std::bitset<MAX_FOLIO_PAGES> &set, unsigned long nr)
{
        json a = json::array();
        for (unsigned long p = 0; p < nr; p++)
                if (set.test(p))
                        a.push_back(p);
        return a;
}

json reclaim_json(const world &w)
{
        static const char *const pageout[] = {"keep", "activate", "success", "clean"};
        unsigned long nr = folio_nr_pages(&w.folio);
        return {{"reclaimed", w.reclaimed},
                {"pageout", w.pageout_result >= 0 && w.pageout_result < 4
                                ? json(pageout[w.pageout_result])
                                : json(nullptr)},
                {"written_back", w.written_back},
                {"writable_at_writeback", pages_set(w.writable_at_writeback, nr)},
                {"written_after_writeback", pages_set(w.written_after_writeback, nr)},
                {"stale_written", pages_set(w.stale_written, nr)}};
}

json trace_json(const world &w)
{
        json a = json::array();
        for (int i = 0; i < w.nr_trace; i++) {
                const trace_rec &t = w.trace[i];
                a.push_back({{"op", trace_op_name(t.op)},
                             {"vma", t.vma == 0xff ? json(nullptr) : json(t.vma)},
                             {"page", t.page < 0 ? json(nullptr) : json(t.page)},
                             {"nr", t.nr},
                             {"addr", t.addr},
                             {"value", t.value},
                             {"kind", t.kind},
                             {"bits", t.bits},
                             {"depth", trace_depth(w, i)},
                             {"text", trace_line(w, i)}});
        }
        return a;
}

json world_json(const world &w)
{
        json j;
        j["folio"] = folio_json(w);
        j["mms"] = mms_json(w);
        j["vmas"] = vmas_json(w);
        j["tlb_flush"] = flush_json(w);
        j["reclaim"] = reclaim_json(w);
        json batches = json::array();
        for (int i = 0; i < w.nr_clears && i < MAX_CLEAR_LOG; i++)
                batches.push_back({{"mm", w.clear_log[i].mm},
                                   {"addr", w.clear_log[i].addr},
                                   {"nr", w.clear_log[i].nr}});
        j["batches"] = batches;
        j["batches_total"] = w.nr_clears;
        json notifier = json::array();
        for (int i = 0; i < w.nr_notifier; i++)
                notifier.push_back({{"mm", w.notifier_log[i].mm},
                                    {"start", w.notifier_log[i].start},
                                    {"end", w.notifier_log[i].end}});
        j["notifier"] = notifier;
        json fired = json::array();
        for (int i = 0; i < w.nr_fired && i < MAX_EVENTS; i++)
                fired.push_back(
                    {{"kind", event_name(w.fired[i].kind)},
                     {"page", w.fired[i].page},
                     {"when", w.fired[i].when},
                     {"vma", w.fired[i].vma == 0xff ? json(nullptr) : json(w.fired[i].vma)}});
        j["events_fired"] = fired;
        j["trace"] = trace_json(w);
        j["trace_dropped"] = w.trace_dropped;
        json violations = json::array();
        for (int i = 0; i < static_cast<int>(mm_violation::NR_MM_VIOLATIONS); i++)
                if (w.violations & (1u << i))
                        violations.push_back(mm_violation_name(static_cast<mm_violation>(i)));
        j["violations"] = violations;
        j["ops"] = {{"pte_reads", w.ops.pte_reads},
                    {"pte_writes", w.ops.pte_writes},
                    {"atomics", w.ops.atomics},
                    {"tlb_flush_calls", w.ops.tlb_flush_calls},
                    {"tlb_flush_pages", w.ops.tlb_flush_pages},
                    {"walk_steps", w.ops.walk_steps},
                    {"rmap_calls", w.ops.rmap_calls},
                    {"notifier_calls", w.ops.notifier_calls}};
        return j;
}

json side_json(const side_result &s)
{
        json classes = json::array();
        for (int c = 0; c < static_cast<int>(invariant::NR_INVARIANTS); c++)
                if (s.inv.has(static_cast<invariant>(c)))
                        classes.push_back(invariant_name(static_cast<invariant>(c)));
        return {{"return", s.ret},
                {"invariants",
                 {{"ok", s.inv.ok()},
                  {"classes", classes},
                  {"first", s.inv.ok() ? json(nullptr) : json(invariant_name(s.inv.first))},
                  {"detail", s.inv.detail}}},
                {"after", world_json(s.after)},
                // Real kernel code's WARN/BUG (kernel mode): counts and the first.
                {"kernel_asserts", s.after.kernel.any()
                                       ? json{{"warns", s.after.kernel.warns},
                                              {"bugs", s.after.kernel.bugs},
                                              {"first",
                                               {{"bug", s.after.kernel.first_is_bug},
                                                {"file", s.after.kernel.file},
                                                {"line", s.after.kernel.line},
                                                {"function", s.after.kernel.func},
                                                {"condition", s.after.kernel.cond}}}}
                                       : json(nullptr)}};
}

} // namespace

std::string json_report(const scenario &s, const run_result &r,
                        const std::vector<expectation> &expect,
                        const std::vector<std::string> &unmet)
{
        json j;
        j["schema"] = JSON_SCHEMA;
        json allowed = json::array();
        for (int d = 0; d < static_cast<int>(allowed_difference::NR_ALLOWED_DIFFERENCES); d++)
                if (r.v.allowed.has(static_cast<allowed_difference>(d)))
                        allowed.push_back(
                            allowed_difference_name(static_cast<allowed_difference>(d)));
        j["verdict"] = {{"ok", r.v.ok()},
                        {"kind", r.v.kind_name()},
                        {"class", r.v.class_name()},
                        {"side", r.v.kind == verdict_kind::invariant ||
                                         r.v.kind == verdict_kind::kernel_warn ||
                                         r.v.kind == verdict_kind::kernel_bug
                                     ? json(implementation_name(r.v.side))
                                     : json(nullptr)},
                        {"detail", r.v.detail},
                        {"allowed", allowed}};
        // A failure (or what the level intends) a known bug explains.
        j["verdict"]["known"] = r.v.known ? json{{"id", r.v.known->id},
                                                 {"zoo", r.v.known->zoo},
                                                 {"line", known_bug_line(*r.v.known)}}
                                          : json(nullptr);
        j["scenario"] = print_scenario(s);
        json e = json::array();
        for (const expectation &x : expect)
                e.push_back({{"line", x.line}, {"text", x.text}});
        j["expectations"] = {{"lines", e}, {"unmet", unmet}};
        j["before"] = world_json(r.before);
        json sides = json::array();
        for (implementation impl : {implementation::reference, implementation::batched})
                sides.push_back(
                    {{"name", implementation_name(impl)},
                     {"result", side_json(impl == implementation::reference ? r.ref : r.bat)}});
        j["sides"] = sides;
        return j.dump() + "\n";
}

} // namespace uf
