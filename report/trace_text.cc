#include "report/trace_text.h"

#include <cerrno>
#include <cstdarg>
#include <cstdio>

#include "scenario/scenario_text.h"

namespace uf
{

namespace
{

std::string format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
std::string format(const char *fmt, ...)
{
        char buf[256];
        va_list ap;
        va_start(ap, fmt);
        std::vsnprintf(buf, sizeof(buf), fmt, ap);
        va_end(ap);
        return buf;
}

// "page 3" or "pages 3-5".
std::string pages(int first, int nr)
{
        if (nr <= 1)
                return format("page %d", first);
        return format("pages %d-%d", first, first + nr - 1);
}

// Folio pages as slot numbers of the batch ("slots 0-1"): the report's
// rows count slots by folio page too.
std::string slots(int first, int nr)
{
        if (nr <= 1)
                return format("slot %d", first);
        return format("slots %d-%d", first, first + nr - 1);
}

std::string bits(uint8_t b)
{
        std::string t = pte_bits_text(b);
        return t.empty() ? "" : t;
}

// The restore that follows a failure at record i, if the next records of the
// same call hold one (set_pte of present folio pages).
std::string restore_after(const world &w, int i)
{
        for (int k = i + 1; k < w.nr_trace && k < i + 4; k++) {
                const trace_rec &t = w.trace[k];
                if (t.op == trace_op::call_ret || t.op == trace_op::walk)
                        break;
                if (t.op == trace_op::set_pte &&
                    t.kind == static_cast<uint8_t>(pte_kind::present) && t.page >= 0)
                        return " -> restore " + slots(t.page, t.nr);
        }
        return "";
}

const char *pageout_name(int v)
{
        switch (v) {
        case PAGE_KEEP:
                return "PAGE_KEEP (kept: references beyond the cache's, or no mapping to write to)";
        case PAGE_ACTIVATE:
                return "PAGE_ACTIVATE";
        case PAGE_SUCCESS:
                return "PAGE_SUCCESS (written out: the writeback snapshot)";
        case PAGE_CLEAN:
                return "PAGE_CLEAN";
        }
        return "?";
}

} // namespace

int trace_depth(const world &w, int i)
{
        const trace_rec &t = w.trace[i];
        if (t.op == trace_op::call || t.op == trace_op::call_ret)
                return 0;
        return t.vma == 0xff ? 0 : 1;
}

std::string trace_line(const world &w, int i)
{
        const trace_rec &t = w.trace[i];
        switch (t.op) {
        case trace_op::call: {
                const vm_area_struct &vma = w.vmas[t.vma < MAX_VMAS ? t.vma : 0];
                return format("try_to_unmap_one(vma %d, mm %d) range [0x%x, 0x%x)", t.vma,
                              vma.vm_mm ? vma.vm_mm->id : 0, t.addr,
                              static_cast<unsigned>(t.value));
        }
        case trace_op::call_ret:
                return format("try_to_unmap_one(vma %d) returned %s", t.vma,
                              t.value ? "true" : "false: the rmap walk stops");
        case trace_op::walk:
                if (t.bits)
                        return format("page_vma_mapped_walk() -> PMD at 0x%x", t.addr);
                return format("page_vma_mapped_walk() -> 0x%x (page %d)", t.addr, t.page);
        case trace_op::clear:
                return format("get_and_clear_ptes(0x%x, nr=%u) -> %s, pteval%s", t.addr, t.nr,
                              pages(t.page, t.nr).c_str(),
                              bits(t.bits).empty() ? " clean" : bits(t.bits).c_str());
        case trace_op::dev_clear:
                return format("pte_clear(0x%x) of the device-exclusive entry of page %d", t.addr,
                              t.page);
        case trace_op::flush_pending:
                if (!t.kind)
                        return format("set_tlb_ubc_flush_pending([0x%x, 0x%x)): not accessible, "
                                      "nothing to flush",
                                      t.addr, static_cast<unsigned>(t.value));
                return format("set_tlb_ubc_flush_pending([0x%x, 0x%x), pteval %s)%s", t.addr,
                              static_cast<unsigned>(t.value),
                              (t.bits & PTE_DIRTY) ? "dirty" : "clean",
                              (t.bits & PTE_DIRTY) ? ": the batch is writable" : "");
        case trace_op::flush_range:
                return format("flush_tlb_range([0x%x, 0x%x))", t.addr,
                              static_cast<unsigned>(t.value));
        case trace_op::set_pte: {
                pte_kind k = static_cast<pte_kind>(t.kind);
                std::string what;
                if (k == pte_kind::present && t.page >= 0)
                        what = "present " + pages(t.page, t.nr) + bits(t.bits) + " (restore)";
                else if (k == pte_kind::swap)
                        what =
                            format("swap offset 0x%x", static_cast<unsigned>(t.value)) +
                            (t.nr > 1 ? format("-0x%x", static_cast<unsigned>(t.value) + t.nr - 1)
                                      : "") +
                            bits(t.bits);
                else if (k == pte_kind::hwpoison)
                        what = "hwpoison entry of page " + std::to_string(t.page);
                else
                        what = std::string(pte_kind_name(k)) + bits(t.bits);
                // Consecutive set_pte_at() calls (the swap entries of a
                // sub-batch: set_ptes() cannot advance a swap offset) share
                // one record.
                if (k != pte_kind::present && t.nr > 1)
                        return format("set_pte_at() x%u from 0x%x: %s", t.nr, t.addr, what.c_str());
                return format("%s(0x%x, nr=%u) %s", t.nr > 1 ? "set_ptes" : "set_pte_at", t.addr,
                              t.nr, what.c_str());
        }
        case trace_op::marker:
                return format("uffd-wp marker%s at 0x%x (%u slot%s)", t.nr > 1 ? "s" : "", t.addr,
                              t.nr, t.nr > 1 ? "s" : "");
        case trace_op::dup_swap:
                if (t.value)
                        return format("folio_dup_swap_pages(page %d, %u) failed (-ENOMEM)", t.page,
                                      t.nr) +
                               restore_after(w, i);
                return format("folio_dup_swap_pages(page %d, %u)", t.page, t.nr);
        case trace_op::put_swap:
                return format("folio_put_swap_pages(page %d, %u)", t.page, t.nr);
        case trace_op::try_share:
                if (t.value)
                        return format("folio_try_share_anon_rmap_ptes(page %d, %u) failed (-EBUSY: "
                                      "maybe pinned)",
                                      t.page, t.nr) +
                               restore_after(w, i);
                return format("folio_try_share_anon_rmap_ptes(page %d, %u)", t.page, t.nr);
        case trace_op::arch_unmap:
                return format("arch_unmap_one() failed for page %d", t.page) + restore_after(w, i);
        case trace_op::ref_count:
                return format("folio_ref_count() = %d, folio_mapcount() = %u%s", t.value, t.nr,
                              t.value != 1 + t.nr ? ": extra references" : "");
        case trace_op::test_dirty:
                return format("folio_test_dirty() = %d", t.value);
        case trace_op::mark_dirty:
                return "folio_mark_dirty()";
        case trace_op::set_swapbacked:
                return "folio_set_swapbacked()";
        case trace_op::remove_rmap:
                return format("folio_remove_rmap_ptes(page %d, %u)", t.page, t.nr);
        case trace_op::remove_rmap_pmd:
                return "folio_remove_rmap_pmd()";
        case trace_op::put_refs:
                return format("folio_put_refs(%u) -> refcount %d", t.nr, t.value);
        case trace_op::mm_counter:
                return format("add_mm_counter(mm %u, %s, %+d)", t.bits, mm_counter_name(t.kind),
                              t.value);
        case trace_op::split_pmd:
                return format("split_huge_pmd_locked(0x%x)", t.addr);
        case trace_op::pmd_clear:
                return format("pmdp_huge_clear_flush(0x%x)", t.addr);
        case trace_op::pmd_restore:
                return format("set_pmd_at(0x%x) restores the huge entry", t.addr);
        case trace_op::mlock:
                return "mlock_vma_folio()";
        case trace_op::munlock:
                return "munlock_vma_folio()";
        case trace_op::event:
                return format("event %s page=%d fires", event_name(static_cast<event_kind>(t.kind)),
                              t.page);
        case trace_op::flush:
                return format("try_to_unmap_flush(): %u slot%s flushed", t.nr,
                              t.nr == 1 ? "" : "s");
        case trace_op::flush_dirty:
                return t.value ? "try_to_unmap_flush_dirty(): writable, flushes"
                               : "try_to_unmap_flush_dirty(): not writable, no flush";
        case trace_op::pageout:
                return format("pageout() = %s", pageout_name(t.value));
        case trace_op::kernel_assert:
                return format("%s at line %u", t.kind ? "BUG" : "WARN", t.src_line);
        case trace_op::NR_TRACE_OPS:
                break;
        }
        return trace_op_name(t.op);
}

} // namespace uf
