#include "fuzz/report.h"

#include <cstdarg>
#include <cstdio>

#include "fuzz/scenario_text.h"
#include "fuzz/world_view.h"

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

const char *const counter_names[NR_MM_COUNTERS] = {"MM_FILEPAGES", "MM_ANONPAGES", "MM_SWAPENTS",
                                                   "MM_SHMEMPAGES"};

// The slots a row shows for a VMA: the folio's range inside the VMA, with one
// slot of context on each side when the VMA has it.
void row_span(const world &w, int v, unsigned long *start, unsigned long *end)
{
        const vm_area_struct &vma = w.vmas[v];
        unsigned long first, last;
        vma_folio_span(w, v, &first, &last);
        *start = first > vma.vm_start ? first - PAGE_SIZE : first;
        *end = last < vma.vm_end ? last + PAGE_SIZE : last;
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

std::string diff_row(const run_result &r, int mm, unsigned long start, unsigned long end)
{
        std::string out;
        bool any = false;
        for (unsigned long addr = start; addr < end; addr += PAGE_SIZE) {
                if (addr != start && !(addr & ~PMD_MASK))
                        out += ' ';
                bool differs = !(slot_at(r.ref.after, mm, addr) == slot_at(r.bat.after, mm, addr));
                any |= differs;
                out += differs ? '^' : ' ';
        }
        return any ? out : std::string();
}

void page_tables(std::string &out, const run_result &r)
{
        out += "== page tables ('^': the implementations differ; '|': page-table edge)\n";
        for (int v = 0; v < r.before.nr_vmas; v++) {
                const vm_area_struct &vma = r.before.vmas[v];
                int mm = vma.vm_mm->id;
                unsigned long start, end;
                row_span(r.before, v, &start, &end);
                appendf(out, "vma %d mm %d [0x%lx, 0x%lx)\n", v, mm, vma.vm_start, vma.vm_end);
                // Rows of at most 64 slots, so a 512-page folio stays readable.
                for (unsigned long a = start; a < end; a += 64 * PAGE_SIZE) {
                        unsigned long e = a + 64 * PAGE_SIZE < end ? a + 64 * PAGE_SIZE : end;
                        appendf(out, "  0x%06lx\n", a);
                        out += "    before     " + row(r.before, mm, a, e) + "\n";
                        out += "    reference  " + row(r.ref.after, mm, a, e) + "\n";
                        out += "    batched    " + row(r.bat.after, mm, a, e) + "\n";
                        std::string d = diff_row(r, mm, a, e);
                        if (!d.empty())
                                out += "    differs    " + d + "\n";
                }
        }
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

void bookkeeping_line(std::string &out, const char *name, const std::string &b,
                      const std::string &r, const std::string &t)
{
        char label[32];
        std::snprintf(label, sizeof(label), "%-22s", name);
        out += std::string(label) + " before: " + b + "\n";
        out += std::string(22, ' ') + " ref:    " + r + "\n";
        out += std::string(22, ' ') + " bat:    " + t + (r == t ? "" : "   <-- differs") + "\n";
}

std::string folio_flags(const folio &f)
{
        std::string out;
        appendf(out,
                "dirty=%d swapbacked=%d swapcache=%d mlocked=%d partially_mapped=%d "
                "deferred_split=%d pinned=%d",
                f.dirty, f.swapbacked, f.swapcache, f.mlocked, f.partially_mapped,
                f.on_deferred_split, f.maybe_dma_pinned);
        return out;
}

void bookkeeping(std::string &out, const run_result &r)
{
        const world *w[3] = {&r.before, &r.ref.after, &r.bat.after};
        unsigned long nr = folio_nr_pages(&r.before.folio);
        out += "== bookkeeping\n";
        appendf(out, "%-22s ref: %s  bat: %s\n", "return", r.ref.ret ? "true" : "false",
                r.bat.ret ? "true" : "false");
        std::string s[3];
        for (int i = 0; i < 3; i++)
                s[i] = std::to_string(w[i]->folio.refcount);
        bookkeeping_line(out, "refcount", s[0], s[1], s[2]);
        for (int i = 0; i < 3; i++)
                s[i] = runs(nr, [&](unsigned long p) { return int{w[i]->folio.mapcount[p]}; });
        bookkeeping_line(out, "mapcount", s[0], s[1], s[2]);
        for (int i = 0; i < 3; i++)
                s[i] = runs(nr, [&](unsigned long p) { return int{w[i]->swap_count[p]}; });
        bookkeeping_line(out, "swap counts", s[0], s[1], s[2]);
        for (int i = 0; i < 3; i++)
                s[i] = runs(nr, [&](unsigned long p) {
                        return static_cast<int>(w[i]->folio.anon_exclusive.test(p));
                });
        bookkeeping_line(out, "PageAnonExclusive", s[0], s[1], s[2]);
        for (int i = 0; i < 3; i++)
                s[i] = folio_flags(w[i]->folio);
        bookkeeping_line(out, "folio", s[0], s[1], s[2]);
        for (int m = 0; m < r.before.nr_mms; m++)
                for (int t = 0; t < NR_MM_COUNTERS; t++) {
                        for (int i = 0; i < 3; i++)
                                s[i] = std::to_string(w[i]->mms[m].rss_stat[t]);
                        char name[40];
                        std::snprintf(name, sizeof(name), "mm %d %s", m, counter_names[t]);
                        bookkeeping_line(out, name, s[0], s[1], s[2]);
                }
}

void events(std::string &out, const char *side, const world &w)
{
        for (int i = 0; i < w.nr_fired; i++)
                appendf(out, "%-10s %s page=%u at pte access %u (vma %d)\n", side,
                        event_name(w.fired[i].kind), w.fired[i].page, w.fired[i].when,
                        w.fired[i].vma == 0xff ? -1 : w.fired[i].vma);
}

std::string verdict_line(const verdict &v)
{
        std::string out;
        appendf(out, "%s %s", v.kind_name(), v.class_name());
        return out;
}

std::string json_escape(const std::string &in)
{
        std::string out;
        for (char c : in) {
                if (c == '"' || c == '\\')
                        out += '\\', out += c;
                else if (c == '\n')
                        out += "\\n";
                else
                        out += c;
        }
        return out;
}

std::string json_side(const side_result &s)
{
        std::string out;
        const folio &f = s.after.folio;
        appendf(out,
                "{\"ret\": %s, \"refcount\": %d, \"large_mapcount\": %d, \"dirty\": %s, "
                "\"swapbacked\": %s, \"invariants_ok\": %s, \"events_fired\": %d}",
                s.ret ? "true" : "false", f.refcount, f.large_mapcount, f.dirty ? "true" : "false",
                f.swapbacked ? "true" : "false", s.inv.ok() ? "true" : "false", s.after.nr_fired);
        return out;
}

} // namespace

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

std::string text_report(const scenario &s, const run_result &r)
{
        std::string out;
        appendf(out, "== verdict: %s\n", verdict_line(r.v).c_str());
        if (r.v.detail[0])
                appendf(out, "   %s\n", r.v.detail);
        out += "== scenario\n";
        out += print_scenario(s);
        page_tables(out, r);
        bookkeeping(out, r);
        out += "== events fired\n";
        events(out, "reference", r.ref.after);
        events(out, "batched", r.bat.after);
        out += "== allowed differences relied on:";
        for (int d = 0; d < static_cast<int>(allowed_difference::NR_ALLOWED_DIFFERENCES); d++)
                if (r.v.allowed.has(static_cast<allowed_difference>(d)))
                        appendf(out, " %s",
                                allowed_difference_name(static_cast<allowed_difference>(d)));
        out += "\n";
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

std::string json_report(const scenario &s, const run_result &r)
{
        std::string out;
        appendf(
            out,
            "{\"verdict\": {\"ok\": %s, \"kind\": \"%s\", \"class\": \"%s\", \"detail\": \"%s\"",
            r.v.ok() ? "true" : "false", r.v.kind_name(), r.v.class_name(),
            json_escape(r.v.detail).c_str());
        out += ", \"allowed\": [";
        bool first = true;
        for (int d = 0; d < static_cast<int>(allowed_difference::NR_ALLOWED_DIFFERENCES); d++)
                if (r.v.allowed.has(static_cast<allowed_difference>(d))) {
                        appendf(out, "%s\"%s\"", first ? "" : ", ",
                                allowed_difference_name(static_cast<allowed_difference>(d)));
                        first = false;
                }
        out += "]}, \"scenario\": \"" + json_escape(print_scenario(s)) + "\"";
        out +=
            ", \"reference\": " + json_side(r.ref) + ", \"batched\": " + json_side(r.bat) + "}\n";
        return out;
}

} // namespace uf
