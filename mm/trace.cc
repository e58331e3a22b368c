#include "mm/trace.h"

#include "mm/world.h"

namespace uf
{

trace_rec &trace_add(world &w, trace_op op)
{
        trace_rec *t = &w.trace_overflow;
        if (w.nr_trace < MAX_TRACE) {
                t = &w.trace[w.nr_trace++];
        } else {
                w.trace_dropped++;
                if (w.trace_spill)
                        t = &w.trace_spill->emplace_back();
        }
        *t = trace_rec{};
        t->op = op;
        t->vma = static_cast<uint8_t>(w.cur_vma ? w.vma_index(w.cur_vma) : 0xff);
        t->page = -1;
        t->nr = 1;
        t->src_line = w.src_line;
        return *t;
}

uint32_t trace_assert_key(const char *func, const char *cond)
{
        uint32_t h = 2166136261u;
        for (const char *s : {func, "\n", cond})
                for (; s && *s; s++)
                        h = (h ^ static_cast<unsigned char>(*s)) * 16777619u;
        return h;
}

const char *trace_op_name(trace_op op)
{
        static const char *const names[] = {
            "call",          "call_ret",       "walk",        "clear",           "dev_clear",
            "flush_pending", "flush_range",    "set_pte",     "marker",          "dup_swap",
            "put_swap",      "try_share",      "arch_unmap",  "ref_count",       "test_dirty",
            "mark_dirty",    "set_swapbacked", "remove_rmap", "remove_rmap_pmd", "put_refs",
            "mm_counter",    "split_pmd",      "pmd_clear",   "pmd_restore",     "mlock",
            "munlock",       "event",          "flush",       "flush_dirty",     "pageout",
            "kernel_assert",
        };
        static_assert(sizeof(names) / sizeof(names[0]) == static_cast<int>(trace_op::NR_TRACE_OPS));
        int i = static_cast<int>(op);
        return i < static_cast<int>(trace_op::NR_TRACE_OPS) ? names[i] : "unknown";
}

} // namespace uf
