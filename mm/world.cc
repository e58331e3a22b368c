#include "mm/world.h"

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <cstring>

namespace uf
{

world::world()
{
        for (int t = 0; t < MAX_TABLES; t++) {
                tables[t] = std::make_unique<pte_t[]>(PTRS_PER_PTE);
                tlb[t] = std::make_unique<tlb_entry[]>(PTRS_PER_PTE);
        }
}

world::world(const world &other) : world()
{
        copy_from(other);
}

world &world::operator=(const world &other)
{
        if (this != &other)
                copy_from(other);
        return *this;
}

// Copies every field and fixes up the internal pointers (folio->w, mm->w,
// vma->vm_mm, cur_vma). Only the tables the source uses are copied.
void world::copy_from(const world &o)
{
        folio = o.folio;
        folio.w = this;
        nr_mms = o.nr_mms;
        for (int i = 0; i < MAX_MMS; i++) {
                mms[i] = o.mms[i];
                mms[i].w = this;
        }
        nr_vmas = o.nr_vmas;
        for (int i = 0; i < MAX_VMAS; i++) {
                vmas[i] = o.vmas[i];
                if (o.vmas[i].vm_mm)
                        vmas[i].vm_mm = &mms[o.vmas[i].vm_mm - o.mms];
        }
        arch = o.arch;
        rules = o.rules;
        std::memcpy(swap_count, o.swap_count, sizeof(swap_count));
        unowned_refs = o.unowned_refs;
        gup_refs = o.gup_refs;
        for (int t = 0; t < o.nr_tables; t++) {
                std::memcpy(tables[t].get(), o.tables[t].get(), sizeof(pte_t) * PTRS_PER_PTE);
                std::memcpy(tlb[t].get(), o.tlb[t].get(), sizeof(tlb_entry) * PTRS_PER_PTE);
        }
        nr_tables = o.nr_tables;
        std::memcpy(table_mm, o.table_mm, sizeof(table_mm));
        std::memcpy(table_pmd, o.table_pmd, sizeof(table_pmd));
        tlb_ubc_flush_required = o.tlb_ubc_flush_required;
        tlb_ubc_writable = o.tlb_ubc_writable;
        nr_pending = o.nr_pending;
        std::memcpy(pending_log, o.pending_log, sizeof(pending_log));
        ubc_required_at_return = o.ubc_required_at_return;
        ubc_writable_at_return = o.ubc_writable_at_return;
        reclaimed = o.reclaimed;
        written_back = o.written_back;
        pageout_result = o.pageout_result;
        writable_at_writeback = o.writable_at_writeback;
        written_after_writeback = o.written_after_writeback;
        nr_notifier = o.nr_notifier;
        std::memcpy(notifier_log, o.notifier_log, sizeof(notifier_log));
        cur_vma = o.cur_vma ? &vmas[o.cur_vma - o.vmas] : nullptr;
        cur_start = o.cur_start;
        cur_end = o.cur_end;
        nr_events = o.nr_events;
        std::memcpy(events, o.events, sizeof(events));
        event_fired = o.event_fired;
        nr_fired = o.nr_fired;
        std::memcpy(fired, o.fired, sizeof(fired));
        page_cleared = o.page_cleared;
        stale_written = o.stale_written;
        ops = o.ops;
        nr_clears = o.nr_clears;
        std::memcpy(clear_log, o.clear_log, sizeof(clear_log));
        nr_trace = o.nr_trace;
        trace_dropped = o.trace_dropped;
        src_line = o.src_line;
        // Only the records in use: a world as built has none.
        std::memcpy(trace, o.trace, sizeof(trace_rec) * static_cast<size_t>(o.nr_trace));
        violations = o.violations;
        std::memcpy(violation_detail, o.violation_detail, sizeof(violation_detail));
        kernel = o.kernel;
}

int world::table_index(const mm_struct *mm, unsigned long pmd_idx) const
{
        if (pmd_idx >= PMDS_PER_MM)
                return -1;
        const pmd_t &pmd = mm->pmd[pmd_idx];
        return pmd.kind == pmd_kind::table ? pmd.table : -1;
}

// Allocates a fresh, empty table owned by (mm, pmd_idx); -1 when full.
int world::alloc_table(int mm, unsigned long pmd_idx)
{
        if (nr_tables >= MAX_TABLES)
                return -1;
        int t = nr_tables++;
        std::fill(tables[t].get(), tables[t].get() + PTRS_PER_PTE, pte_t{});
        std::fill(tlb[t].get(), tlb[t].get() + PTRS_PER_PTE, tlb_entry{});
        table_mm[t] = static_cast<uint8_t>(mm);
        table_pmd[t] = static_cast<uint8_t>(pmd_idx);
        return t;
}

bool world::fire(event_kind kind, long page)
{
        for (int i = 0; i < nr_events; i++) {
                if ((event_fired & (1u << i)) || events[i].kind != kind || events[i].page != page)
                        continue;
                event_fired |= 1u << i;
                fired[nr_fired++] = fired_event{
                    kind, events[i].page, static_cast<uint32_t>(ops.pte_reads + ops.pte_writes),
                    static_cast<uint8_t>(cur_vma ? cur_vma - vmas : 0xff)};
                trace_rec &t = trace_add(*this, trace_op::event);
                t.kind = static_cast<uint8_t>(kind);
                t.page = static_cast<int16_t>(events[i].page);
                return true;
        }
        return false;
}

long world::fire_after_clear(event_kind kind)
{
        for (int i = 0; i < nr_events; i++) {
                if ((event_fired & (1u << i)) || events[i].kind != kind ||
                    !page_cleared.test(events[i].page % MAX_FOLIO_PAGES))
                        continue;
                long page = events[i].page;
                fire(kind, page);
                return page;
        }
        return -1;
}

void world::report(mm_violation v, const char *fmt, ...)
{
        uint32_t bit = 1u << static_cast<int>(v);
        if (!violations) {
                va_list ap;
                va_start(ap, fmt);
                std::vsnprintf(violation_detail, sizeof(violation_detail), fmt, ap);
                va_end(ap);
        }
        violations |= bit;
}

const char *mm_violation_name(mm_violation v)
{
        switch (v) {
        case mm_violation::table_bounds:
                return "table_bounds";
        case mm_violation::vma_bounds:
                return "vma_bounds";
        case mm_violation::notifier_range:
                return "notifier_range";
        case mm_violation::page_out_of_folio:
                return "page_out_of_folio";
        case mm_violation::mapcount_underflow:
                return "mapcount_underflow";
        case mm_violation::refcount_underflow:
                return "refcount_underflow";
        case mm_violation::swap_count_underflow:
                return "swap_count_underflow";
        case mm_violation::bad_set_ptes:
                return "bad_set_ptes";
        case mm_violation::marker_not_none:
                return "marker_not_none";
        case mm_violation::zero_nr:
                return "zero_nr";
        case mm_violation::NR_MM_VIOLATIONS:
                break;
        }
        return "unknown";
}

const char *event_name(event_kind kind)
{
        switch (kind) {
        case event_kind::hw_dirty:
                return "hw_dirty";
        case event_kind::hw_young:
                return "hw_young";
        case event_kind::gup_pin:
                return "gup_pin";
        case event_kind::spec_ref:
                return "spec_ref";
        case event_kind::gup_redirty:
                return "gup_redirty";
        case event_kind::stale_tlb_write:
                return "stale_tlb_write";
        case event_kind::dup_swap_fail:
                return "dup_swap_fail";
        case event_kind::arch_unmap_fail:
                return "arch_unmap_fail";
        case event_kind::NR_EVENT_KINDS:
                break;
        }
        return "unknown";
}

} // namespace uf
