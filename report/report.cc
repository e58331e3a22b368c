#include "report/report.h"

#include <cstdarg>
#include <cstdio>

#include "oracle/known_bugs.h"
#include "oracle/program.h"
#include "report/trace_text.h"
#include "scenario/scenario_text.h"
#include "scenario/world_view.h"

namespace uf
{

namespace
{

void appendf(std::string &out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void appendf(std::string &out, const char *fmt, ...)
{
        char buf[512];
        va_list ap;
        va_start(ap, fmt);
        std::vsnprintf(buf, sizeof(buf), fmt, ap);
        va_end(ap);
        out += buf;
}

constexpr implementation SIDES[] = {implementation::reference, implementation::batched};

const side_result &side_of(const run_result &r, implementation impl)
{
        return impl == implementation::reference ? r.ref : r.bat;
}

// A label column as wide as the longest side name (and "before").
std::string label(const char *name)
{
        char buf[32];
        std::snprintf(buf, sizeof(buf), "%-10s", name);
        return buf;
}

std::string row(const world &w, int mm, unsigned long start, unsigned long end)
{
        std::string out;
        for (unsigned long addr = start; addr < end; addr += PAGE_SIZE) {
                if (addr != start && !(addr & ~PMD_MASK))
                        out += '|';
                out += slot_char(w, mm, addr);
        }
        return out;
}

bool sides_differ(const run_result &r, int mm, unsigned long addr)
{
        return !(slot_at(r.ref.after, mm, addr) == slot_at(r.bat.after, mm, addr));
}

std::string diff_row(const run_result &r, int mm, unsigned long start, unsigned long end)
{
        std::string out;
        bool any = false;
        for (unsigned long addr = start; addr < end; addr += PAGE_SIZE) {
                if (addr != start && !(addr & ~PMD_MASK))
                        out += ' ';
                bool differs = sides_differ(r, mm, addr);
                any |= differs;
                out += differs ? '^' : ' ';
        }
        return any ? out : std::string();
}

const char LEGEND[] =
    "  legend: . none  P present  W writable  D dirty  f another folio's page  S swap entry\n"
    "          M uffd-wp marker  X device-exclusive  V device-private  H hwpoison entry\n"
    "          # PMD mapping  | page-table edge  ^ the sides differ (every bit below)\n";

void page_tables(std::string &out, const run_result &r)
{
        out += "== page tables\n";
        for (int v = 0; v < r.before.nr_vmas; v++) {
                const vm_area_struct &vma = r.before.vmas[v];
                int mm = vma.vm_mm->id;
                unsigned long start, end;
                row_span(r.before, v, &start, &end);
                appendf(out, "vma %d mm %d [0x%lx, 0x%lx) pgoff 0x%lx\n", v, mm, vma.vm_start,
                        vma.vm_end, vma.vm_pgoff);
                // Rows of at most 64 slots, so a 512-page folio stays readable.
                for (unsigned long a = start; a < end; a += 64 * PAGE_SIZE) {
                        unsigned long e = a + 64 * PAGE_SIZE < end ? a + 64 * PAGE_SIZE : end;
                        appendf(out, "  0x%06lx\n", a);
                        out += "    " + label("before") + " " + row(r.before, mm, a, e) + "\n";
                        for (implementation impl : SIDES)
                                out += "    " + label(implementation_name(impl)) + " " +
                                       row(side_of(r, impl).after, mm, a, e) + "\n";
                        std::string d = diff_row(r, mm, a, e);
                        if (!d.empty())
                                out += "    " + label("differs") + " " + d + "\n";
                }
        }
        out += LEGEND;
}

// Every bit of each slot the two sides left differently; when they agree
// everywhere but the verdict failed, the slots that changed at all (so a
// shared wrong end state still shows its bits). At most 32 slots.
void slot_details(std::string &out, const run_result &r)
{
        const int max = 32;
        for (int pass = 0; pass < 2; pass++) {
                int shown = 0, more = 0;
                for (int v = 0; v < r.before.nr_vmas; v++) {
                        int mm = r.before.vmas[v].vm_mm->id;
                        unsigned long start, end;
                        vma_folio_span(r.before, v, &start, &end);
                        for (unsigned long addr = start; addr < end; addr += PAGE_SIZE) {
                                pte_t b = slot_at(r.before, mm, addr);
                                bool pick = pass == 0 ? sides_differ(r, mm, addr)
                                                      : !(slot_at(r.ref.after, mm, addr) == b);
                                if (!pick)
                                        continue;
                                if (shown == 0)
                                        out += pass == 0
                                                   ? "== slots that differ\n"
                                                   : "== slots that changed (the sides agree)\n";
                                if (shown++ >= max) {
                                        more++;
                                        continue;
                                }
                                long page = folio_page_of(r.before, b);
                                appendf(out, "vma %d mm %d 0x%lx", v, mm, addr);
                                if (page >= 0)
                                        appendf(out, " (page %ld)", page);
                                out += "\n    " + label("before") + " " +
                                       slot_text(r.before, mm, addr) + "\n";
                                for (implementation impl : SIDES)
                                        out += "    " + label(implementation_name(impl)) + " " +
                                               slot_text(side_of(r, impl).after, mm, addr) + "\n";
                        }
                }
                if (more)
                        appendf(out, "  ... and %d more\n", more);
                if (shown || r.v.ok())
                        return;
        }
}

// Each side's swap entries over the folio spans, as runs of consecutive
// slots with consecutive offsets and the same bits.
void swap_entries(std::string &out, const run_result &r)
{
        std::string body;
        for (implementation impl : SIDES) {
                const world &w = side_of(r, impl).after;
                for (int v = 0; v < r.before.nr_vmas; v++) {
                        int mm = r.before.vmas[v].vm_mm->id;
                        unsigned long start, end;
                        vma_folio_span(r.before, v, &start, &end);
                        unsigned long addr = start;
                        while (addr < end) {
                                pte_t p = slot_at(w, mm, addr);
                                if (!is_swap_pte(p)) {
                                        addr += PAGE_SIZE;
                                        continue;
                                }
                                unsigned long n = 1;
                                while (addr + n * PAGE_SIZE < end) {
                                        pte_t q = slot_at(w, mm, addr + n * PAGE_SIZE);
                                        if (!is_swap_pte(q) || q.bits != p.bits ||
                                            q.val != p.val + n)
                                                break;
                                        n++;
                                }
                                appendf(body, "%s vma %d 0x%lx",
                                        label(implementation_name(impl)).c_str(), v, addr);
                                if (n > 1)
                                        appendf(body, "-0x%lx", addr + (n - 1) * PAGE_SIZE);
                                appendf(body, ": offset 0x%x", p.val);
                                if (n > 1)
                                        appendf(body, "-0x%lx",
                                                static_cast<unsigned long>(p.val) + n - 1);
                                std::string b = pte_bits_text(p.bits);
                                body += (b.empty() ? " (no bits)" : b) + "\n";
                                addr += n * PAGE_SIZE;
                        }
                }
        }
        if (!body.empty())
                out += "== swap entries\n" + body;
}

// "0-15:1 16-31:0": runs of equal per-page values.
template <typename Get> std::string runs(unsigned long nr, Get get)
{
        std::string out;
        unsigned long i = 0;
        while (i < nr) {
                unsigned long j = i;
                while (j + 1 < nr && get(j + 1) == get(i))
                        j++;
                if (!out.empty())
                        out += ' ';
                if (i == j)
                        appendf(out, "%lu:%d", i, get(i));
                else
                        appendf(out, "%lu-%lu:%d", i, j, get(i));
                i = j + 1;
        }
        return out;
}

// "1,4-7", or "none".
std::string page_list(const std::bitset<MAX_FOLIO_PAGES> &set, unsigned long nr)
{
        std::string out;
        for (unsigned long p = 0; p < nr; p++) {
                if (!set.test(p))
                        continue;
                unsigned long q = p;
                while (q + 1 < nr && set.test(q + 1))
                        q++;
                if (!out.empty())
                        out += ',';
                appendf(out, q == p ? "%lu" : "%lu-%lu", p, q);
                p = q;
        }
        return out.empty() ? "none" : out;
}

void bookkeeping_line(std::string &out, const char *name, const std::string *v)
{
        char head[32];
        std::snprintf(head, sizeof(head), "%-22s", name);
        out += std::string(head) + " before: " + v[0] + "\n";
        for (int i = 0; i < 2; i++) {
                std::string l = label(implementation_name(SIDES[i]));
                out += std::string(22, ' ') + " " + l.substr(0, 3) + ":    " + v[i + 1] +
                       (i == 1 && v[1] != v[2] ? "   <-- differs" : "") + "\n";
        }
}

std::string folio_flags(const folio &f)
{
        std::string out;
        appendf(out,
                "dirty=%d swapbacked=%d swapcache=%d mlocked=%d partially_mapped=%d "
                "deferred_split=%d maybe_pinned=%d pincount=%d",
                f.dirty, f.swapbacked, f.swapcache, f.mlocked, f.partially_mapped,
                f.on_deferred_split, folio_maybe_dma_pinned(&f), f.pincount);
        return out;
}

void bookkeeping(std::string &out, const run_result &r)
{
        const world *w[3] = {&r.before, &r.ref.after, &r.bat.after};
        unsigned long nr = folio_nr_pages(&r.before.folio);
        out += "== bookkeeping\n";
        appendf(out, "%-22s %s: %s  %s: %s\n", "return", implementation_name(SIDES[0]),
                r.ref.ret ? "true" : "false", implementation_name(SIDES[1]),
                r.bat.ret ? "true" : "false");
        // A row whose three values are all `skip` says nothing: left out.
        auto line = [&](const char *name, auto get, const std::string &skip = "") {
                std::string s[3];
                for (int i = 0; i < 3; i++)
                        s[i] = get(*w[i]);
                if (!skip.empty() && s[0] == skip && s[1] == skip && s[2] == skip)
                        return;
                bookkeeping_line(out, name, s);
        };
        const std::string zeros = runs(nr, [](unsigned long) { return 0; });
        line("refcount", [](const world &x) { return std::to_string(x.folio.refcount); });
        line("mapcount", [&](const world &x) {
                return runs(nr, [&](unsigned long p) { return int{x.folio.mapcount[p]}; });
        });
        line("swap counts", [&](const world &x) {
                return runs(nr, [&](unsigned long p) { return int{x.swap_count[p]}; });
        });
        line("PageAnonExclusive", [&](const world &x) {
                return runs(nr, [&](unsigned long p) {
                        return static_cast<int>(x.folio.anon_exclusive.test(p));
                });
        });
        line(
            "PageHWPoison",
            [&](const world &x) {
                    return runs(nr, [&](unsigned long p) {
                            return static_cast<int>(x.folio.hwpoison.test(p));
                    });
            },
            zeros);
        line("folio", [](const world &x) { return folio_flags(x.folio); });
        for (int m = 0; m < r.before.nr_mms; m++) {
                for (int t = 0; t < NR_MM_COUNTERS; t++) {
                        char name[40];
                        std::snprintf(name, sizeof(name), "mm %d %s", m, mm_counter_name(t));
                        line(
                            name,
                            [&](const world &x) { return std::to_string(x.mms[m].rss_stat[t]); },
                            "0");
                }
                char name[40];
                std::snprintf(name, sizeof(name), "mm %d mmlist, batched", m);
                line(name, [&](const world &x) {
                        return std::string(x.mms[m].on_mmlist ? "on mmlist" : "off mmlist") +
                               ", tlb_flush_batched " + std::to_string(x.mms[m].tlb_flush_batched);
                });
        }
}

// The deferred flush as try_to_unmap() returned it, and what reclaim (or the
// other caller) did next.
void flush_and_reclaim(std::string &out, const run_result &r)
{
        out += "== deferred TLB flush, as try_to_unmap() returned it\n";
        for (implementation impl : SIDES) {
                const world &w = side_of(r, impl).after;
                appendf(out, "%s required=%d writable=%d", label(implementation_name(impl)).c_str(),
                        w.ubc_required_at_return, w.ubc_writable_at_return);
                int n = w.nr_pending < MAX_PENDING_LOG ? w.nr_pending : MAX_PENDING_LOG;
                for (int i = 0; i < n; i++) {
                        const pending_range &p = w.pending_log[i];
                        appendf(out, "%s mm %d [0x%lx, 0x%lx) %s%s", i ? ";" : ":", p.mm, p.start,
                                p.end, p.dirty ? "dirty" : "clean",
                                p.queued ? "" : " (not queued)");
                }
                if (w.nr_pending > n)
                        appendf(out, "; %d more", w.nr_pending - n);
                out += "\n";
        }
        out += "== after try_to_unmap()\n";
        for (implementation impl : SIDES) {
                const world &w = side_of(r, impl).after;
                std::string steps;
                if (!w.reclaimed)
                        steps = "not reclaim (TTU_IGNORE_MLOCK: memory failure or a split), no "
                                "writeback";
                else if (folio_mapped(&w.folio))
                        steps = "reclaim: folio still mapped, kept (activate_locked), no writeback";
                else if (folio_maybe_dma_pinned(&w.folio))
                        steps = "reclaim: folio maybe pinned, kept (activate_locked), no writeback";
                else if (w.pageout_result < 0)
                        steps = "reclaim: folio clean, nothing to write out";
                else
                        steps = "reclaim: folio dirty";
                bool flushed = false;
                for (int i = 0; i < w.nr_trace; i++) {
                        trace_op op = w.trace[i].op;
                        bool last_flush = op == trace_op::flush && trace_depth(w, i) == 0;
                        if (op == trace_op::flush_dirty || op == trace_op::pageout || last_flush)
                                steps += "; " + trace_line(w, i);
                        flushed |= last_flush;
                }
                if (!flushed)
                        steps += "; try_to_unmap_flush(): nothing pending";
                out += label(implementation_name(impl)) + " " + steps + "\n";
                if (w.writable_at_writeback.any() || w.written_after_writeback.any())
                        appendf(
                            out,
                            "%s pages a stale dirty TLB entry could still write at the "
                            "snapshot: %s; written after it: %s\n",
                            std::string(10, ' ').c_str(),
                            page_list(w.writable_at_writeback, folio_nr_pages(&w.folio)).c_str(),
                            page_list(w.written_after_writeback, folio_nr_pages(&w.folio)).c_str());
        }
}

void traces(std::string &out, const run_result &r)
{
        out += "== trace (from the substrate: mm/trace.h; for kernel code, the line of its "
               "source that made each call)\n";
        for (implementation impl : SIDES) {
                const world &w = side_of(r, impl).after;
                out += std::string(implementation_name(impl)) + ":\n";
                bool kernel = impl == implementation::reference ? program().left.is_kernel
                                                                : program().right.is_kernel;
                for (int i = 0; i < w.nr_trace; i++) {
                        // Kernel code: the line of mm/rmap.c that made the call.
                        std::string at;
                        if (kernel)
                                at = w.trace[i].src_line
                                         ? "mm/rmap.c:" + std::to_string(w.trace[i].src_line)
                                         : "";
                        if (kernel)
                                at.resize(16, ' ');
                        out += "  " + at +
                               std::string(2 * static_cast<size_t>(trace_depth(w, i)), ' ') +
                               trace_line(w, i) + "\n";
                }
                if (w.trace_dropped)
                        appendf(out, "  ... %d more records not kept (MAX_TRACE %d)\n",
                                w.trace_dropped, MAX_TRACE);
        }
}

void events(std::string &out, const run_result &r)
{
        out += "== events fired\n";
        if (!r.ref.after.nr_fired && !r.bat.after.nr_fired)
                out += "(none)\n";
        for (implementation impl : SIDES) {
                const world &w = side_of(r, impl).after;
                for (int i = 0; i < w.nr_fired; i++)
                        appendf(out, "%s %s page=%u at pte access %u (vma %d)\n",
                                label(implementation_name(impl)).c_str(),
                                event_name(w.fired[i].kind), w.fired[i].page, w.fired[i].when,
                                w.fired[i].vma == 0xff ? -1 : w.fired[i].vma);
        }
}

std::string verdict_line(const verdict &v)
{
        std::string out;
        appendf(out, "%s %s", v.kind_name(), v.class_name());
        return out;
}

} // namespace

void row_span(const world &w, int v, unsigned long *start, unsigned long *end)
{
        const vm_area_struct &vma = w.vmas[v];
        unsigned long first, last;
        vma_folio_span(w, v, &first, &last);
        *start = first > vma.vm_start ? first - PAGE_SIZE : first;
        *end = last < vma.vm_end ? last + PAGE_SIZE : last;
}

char slot_char(const world &w, int mm, unsigned long addr)
{
        bool huge = false;
        pte_t pte = slot_at(w, mm, addr, &huge);
        if (huge)
                return '#';
        switch (pte.kind) {
        case pte_kind::none:
                return '.';
        case pte_kind::present:
                if (folio_page_of(w, pte) < 0)
                        return 'f';
                return pte_dirty(pte) ? 'D' : pte_write(pte) ? 'W' : 'P';
        case pte_kind::swap:
                return 'S';
        case pte_kind::marker:
                return 'M';
        case pte_kind::device_exclusive:
                return 'X';
        case pte_kind::device_private:
                return 'V';
        case pte_kind::hwpoison:
                return 'H';
        }
        return '?';
}

std::string slot_text(const world &w, int mm, unsigned long addr)
{
        bool huge = false;
        pte_t pte = slot_at(w, mm, addr, &huge);
        std::string out = huge ? "huge " : "";
        out += pte_kind_name(pte.kind);
        long page = folio_page_of(w, pte);
        switch (pte.kind) {
        case pte_kind::none:
                return out;
        case pte_kind::swap:
                appendf(out, " offset 0x%x", pte.val);
                if (pte.val >= FOLIO_SWAP && pte.val < FOLIO_SWAP + folio_nr_pages(&w.folio))
                        appendf(out, " (page %lu's slot)", pte.val - FOLIO_SWAP);
                break;
        case pte_kind::marker:
                break;
        default:
                appendf(out, " pfn 0x%x", pte.val);
                if (page >= 0)
                        appendf(out, " (page %ld)", page);
                else
                        out += " (another folio)";
        }
        std::string bits = pte_bits_text(pte.bits);
        out += bits.empty() ? " (no bits)" : bits;
        if (huge)
                out += " (PMD)";
        return out;
}

std::string text_report(const scenario &s, const run_result &r,
                        const std::vector<expectation> &expect,
                        const std::vector<std::string> &unmet)
{
        std::string out;
        appendf(out, "== verdict: %s\n", verdict_line(r.v).c_str());
        if (r.v.detail[0])
                appendf(out, "   %s\n", r.v.detail);
        if (r.v.known)
                appendf(out, "   known bug %s\n", known_bug_line(*r.v.known).c_str());
        if (std::string excused = fixed_warn_line(r); !excused.empty())
                appendf(out, "   excused WARN: %s\n", excused.c_str());
        out += "== scenario\n";
        out += print_scenario(s);
        page_tables(out, r);
        slot_details(out, r);
        swap_entries(out, r);
        bookkeeping(out, r);
        flush_and_reclaim(out, r);
        traces(out, r);
        events(out, r);
        out += "== allowed differences relied on:";
        for (int d = 0; d < static_cast<int>(allowed_difference::NR_ALLOWED_DIFFERENCES); d++)
                if (r.v.allowed.has(static_cast<allowed_difference>(d)))
                        appendf(out, " %s",
                                allowed_difference_name(static_cast<allowed_difference>(d)));
        out += r.v.allowed.bits ? "\n" : " none\n";
        if (!expect.empty()) {
                appendf(out, "== expectations from the file (# expect-after:): %zu, %s\n",
                        expect.size(), unmet.empty() ? "all met" : "NOT met:");
                for (const std::string &u : unmet)
                        out += "   " + u + "\n";
        }
        if (!r.v.ok()) {
                out += "== regression draft (save as corpus/regression/<name>.scn)\n";
                out += regression_draft(s, r);
        }
        return out;
}

std::string regression_draft(const scenario &s, const run_result &r)
{
        std::string text = print_scenario(s);
        std::string out;
        // The header line stays first; the class goes in a comment after it.
        size_t nl = text.find('\n');
        out += text.substr(0, nl + 1);
        appendf(out, "# expect: %s\n", verdict_line(r.v).c_str());
        out += text.substr(nl + 1);
        return out;
}

} // namespace uf
