#include "oracle/oracle.h"

#include <cstdarg>
#include <cstdio>

#include "oracle/program.h"
#include "scenario/world_view.h"

namespace uf
{

const char *implementation_name(implementation impl)
{
        return impl == implementation::reference ? program().left.label : program().right.label;
}

const char *divergence_name(divergence d)
{
        static const char *const names[] = {
            "return_value", "pte_state",  "mapcount",       "refcount",
            "rss_counter",  "swap_count", "anon_exclusive", "folio_flags",
            "folio_mapped", "mmlist",     "notifier",
        };
        static_assert(sizeof(names) / sizeof(names[0]) ==
                      static_cast<int>(divergence::NR_DIVERGENCES));
        int i = static_cast<int>(d);
        return i < static_cast<int>(divergence::NR_DIVERGENCES) ? names[i] : "unknown";
}

const char *verdict::kind_name() const
{
        switch (kind) {
        case verdict_kind::exact:
        case verdict_kind::legality:
                return "OK";
        case verdict_kind::invariant:
                return "INVARIANT";
        case verdict_kind::divergence:
                return "DIVERGENCE";
        case verdict_kind::kernel_warn:
                return "KERNEL_WARN";
        case verdict_kind::kernel_bug:
                return "KERNEL_BUG";
        }
        return "?";
}

const char *verdict::class_name() const
{
        switch (kind) {
        case verdict_kind::exact:
                return "exact";
        case verdict_kind::legality:
                return "legality";
        case verdict_kind::invariant:
                return invariant_name(inv);
        case verdict_kind::divergence:
                return divergence_name(div);
        case verdict_kind::kernel_warn:
        case verdict_kind::kernel_bug:
                return where;
        }
        return "?";
}

namespace
{

// What fills each slot, for the details.
const char *left()
{
        return implementation_name(implementation::reference);
}

const char *right()
{
        return implementation_name(implementation::batched);
}

// Returns false (and fills the verdict) at the first difference.
struct comparison {
        verdict *v;

        bool fail(divergence d, const char *fmt, ...) __attribute__((format(printf, 3, 4)))
        {
                v->kind = verdict_kind::divergence;
                v->div = d;
                va_list ap;
                va_start(ap, fmt);
                std::vsnprintf(v->detail, sizeof(v->detail), fmt, ap);
                va_end(ap);
                return false;
        }
};

// Every slot of the folio's span in every VMA, through the slot view (PMD
// mappings as 512 slots).
template <typename Fn> bool each_slot(const world &before, Fn fn)
{
        for (int i = 0; i < before.nr_vmas; i++) {
                const vm_area_struct &vma = before.vmas[i];
                int mm = vma.vm_mm->id;
                unsigned long start, end;
                vma_folio_span(before, i, &start, &end);
                for (unsigned long addr = start; addr < end; addr += PAGE_SIZE)
                        if (!fn(i, mm, addr))
                                return false;
        }
        return true;
}

bool compare_slots_exact(comparison &c, const world &before, const world &ref, const world &bat)
{
        return each_slot(before, [&](int v, int mm, unsigned long addr) {
                pte_t r = slot_at(ref, mm, addr), b = slot_at(bat, mm, addr);
                if (r == b)
                        return true;
                return c.fail(divergence::pte_state,
                              "vma %d mm %d slot 0x%lx: %s kind %d bits 0x%x val 0x%x, "
                              "%s kind %d bits 0x%x val 0x%x",
                              v, mm, addr, left(), static_cast<int>(r.kind), r.bits, r.val, right(),
                              static_cast<int>(b.kind), b.bits, b.val);
        });
}

bool compare_folio_exact(comparison &c, const folio &r, const folio &b)
{
        for (unsigned long p = 0; p < folio_nr_pages(&r); p++)
                if (r.mapcount[p] != b.mapcount[p])
                        return c.fail(divergence::mapcount, "page %lu: %s %d, %s %d", p, left(),
                                      r.mapcount[p], right(), b.mapcount[p]);
        if (r.large_mapcount != b.large_mapcount || r.entire_mapcount != b.entire_mapcount)
                return c.fail(divergence::mapcount, "large %d/%d entire %d/%d", r.large_mapcount,
                              b.large_mapcount, r.entire_mapcount, b.entire_mapcount);
        if (r.refcount != b.refcount)
                return c.fail(divergence::refcount, "%s %d, %s %d", left(), r.refcount, right(),
                              b.refcount);
        if (r.anon_exclusive != b.anon_exclusive)
                return c.fail(divergence::anon_exclusive, "PageAnonExclusive differs");
        if (r.dirty != b.dirty || r.swapbacked != b.swapbacked || r.mlocked != b.mlocked)
                return c.fail(divergence::folio_flags, "dirty %d/%d swapbacked %d/%d mlocked %d/%d",
                              r.dirty, b.dirty, r.swapbacked, b.swapbacked, r.mlocked, b.mlocked);
        if (folio_mapped(&r) != folio_mapped(&b))
                return c.fail(divergence::folio_mapped, "%s %d, %s %d", left(), folio_mapped(&r),
                              right(), folio_mapped(&b));
        return true;
}

bool compare_mms_exact(comparison &c, const world &ref, const world &bat)
{
        for (int m = 0; m < ref.nr_mms; m++) {
                for (int t = 0; t < NR_MM_COUNTERS; t++)
                        if (ref.mms[m].rss_stat[t] != bat.mms[m].rss_stat[t])
                                return c.fail(divergence::rss_counter,
                                              "mm %d counter %d: %s %ld, %s %ld", m, t, left(),
                                              ref.mms[m].rss_stat[t], right(),
                                              bat.mms[m].rss_stat[t]);
                if (ref.mms[m].on_mmlist != bat.mms[m].on_mmlist)
                        return c.fail(divergence::mmlist, "mm %d", m);
        }
        for (unsigned long p = 0; p < folio_nr_pages(&ref.folio); p++)
                if (ref.swap_count[p] != bat.swap_count[p])
                        return c.fail(divergence::swap_count, "page %lu: %s %d, %s %d", p, left(),
                                      ref.swap_count[p], right(), bat.swap_count[p]);
        if (ref.nr_notifier != bat.nr_notifier)
                return c.fail(divergence::notifier, "%d ranges vs %d", ref.nr_notifier,
                              bat.nr_notifier);
        for (int i = 0; i < ref.nr_notifier; i++)
                if (!(ref.notifier_log[i] == bat.notifier_log[i]))
                        return c.fail(divergence::notifier, "range %d differs", i);
        return true;
}

// Layer 3: after an abort each slot and PAE bit of the batched side must be
// what the reference left or what the world started with (a restored slot may
// gain dirty/young). Counts (mapcount, refcount, rss, swap counts) are not
// compared: a page mapped in several places sums outcomes of different slots,
// and invariants I3-I6 already tie each side's counts to its own slots.
bool compare_legality(comparison &c, const world &before, const world &ref, const world &bat,
                      allowed_set *seen)
{
        bool ok = each_slot(before, [&](int v, int mm, unsigned long addr) {
                pte_t i = slot_at(before, mm, addr), r = slot_at(ref, mm, addr),
                      b = slot_at(bat, mm, addr);
                if (b == r)
                        return true;
                bool from_initial = b == i || equal_but_dirty_young(i, b);
                if (from_initial || equal_but_dirty_young(r, b)) {
                        if (from_initial && !(r == i))
                                seen->note(allowed_difference::abort_granularity);
                        if (!(b == i))
                                seen->note(allowed_difference::restore_dirty_young);
                        return true;
                }
                return c.fail(divergence::pte_state,
                              "vma %d mm %d slot 0x%lx: %s kind %d bits 0x%x val 0x%x is "
                              "neither the %s's (kind %d bits 0x%x) nor the initial "
                              "(kind %d bits 0x%x)",
                              v, mm, addr, right(), static_cast<int>(b.kind), b.bits, b.val, left(),
                              static_cast<int>(r.kind), r.bits, static_cast<int>(i.kind), i.bits);
        });
        if (!ok)
                return false;
        for (unsigned long p = 0; p < folio_nr_pages(&before.folio); p++) {
                bool pi = before.folio.anon_exclusive.test(p),
                     pr = ref.folio.anon_exclusive.test(p), pb = bat.folio.anon_exclusive.test(p);
                if (pb != pr && pb != pi)
                        return c.fail(divergence::anon_exclusive, "page %lu", p);
        }
        // PG_mlocked is not compared: the first rmap removal in a VM_LOCKED
        // VMA munlocks, and after an abort the sides removed different sets.
        if (ref.folio.mlocked != bat.folio.mlocked)
                seen->note(allowed_difference::mlock_count);
        return true;
}

verdict invariant_verdict(implementation side, const invariant_report &r)
{
        verdict v;
        v.kind = verdict_kind::invariant;
        v.side = side;
        v.inv = r.first;
        std::snprintf(v.detail, sizeof(v.detail), "%s: %s", implementation_name(side), r.detail);
        return v;
}

// A kernel assertion of one side: the kernel's own words come first.
verdict kernel_verdict(implementation side, const kernel_assert_log &k)
{
        verdict v;
        v.kind = k.first_is_bug ? verdict_kind::kernel_bug : verdict_kind::kernel_warn;
        v.side = side;
        std::snprintf(v.where, sizeof(v.where), "%s:%u", k.file, k.line);
        std::snprintf(v.detail, sizeof(v.detail), "%s: %s in %s() at %s (%u WARN, %u BUG)",
                      implementation_name(side), k.cond, k.func, v.where, k.warns, k.bugs);
        return v;
}

} // namespace

verdict judge(const world &before, const world &ref, bool ref_ret, const invariant_report &ref_inv,
              const world &bat, bool bat_ret, const invariant_report &bat_inv)
{
        // Layer 0: real kernel code asserting (a BUG before a WARN) says most,
        // in the kernel's own words and lines.
        for (bool bugs : {true, false}) {
                if (ref.kernel.any() && ref.kernel.first_is_bug == bugs)
                        return kernel_verdict(implementation::reference, ref.kernel);
                if (bat.kernel.any() && bat.kernel.first_is_bug == bugs)
                        return kernel_verdict(implementation::batched, bat.kernel);
        }
        // Layer 1: a side that breaks an invariant on its own is the
        // clearest report. The reference is checked first because a broken
        // reference means the model, not the patch, is wrong.
        if (!ref_inv.ok())
                return invariant_verdict(implementation::reference, ref_inv);
        if (!bat_inv.ok())
                return invariant_verdict(implementation::batched, bat_inv);
        return compare_sides(before, ref, ref_ret, bat, bat_ret);
}

verdict compare_sides(const world &before, const world &ref, bool ref_ret, const world &bat,
                      bool bat_ret)
{
        verdict v;
        comparison c{&v};
        note_folio_differences(ref.folio, bat.folio, &v.allowed);
        note_counter_differences(ref, bat, &v.allowed);
        note_structure_differences(ref, bat, &v.allowed);

        if (ref_ret && bat_ret) {
                v.kind = verdict_kind::exact;
                if (compare_slots_exact(c, before, ref, bat) &&
                    compare_folio_exact(c, ref.folio, bat.folio) && compare_mms_exact(c, ref, bat))
                        return v;
                return v;
        }
        v.kind = verdict_kind::legality;
        if (ref_ret != bat_ret && !batched_may_abort_alone(ref_ret, bat, &v.allowed)) {
                c.fail(divergence::return_value, "%s returned %d, %s %d", left(), ref_ret, right(),
                       bat_ret);
                return v;
        }
        compare_legality(c, before, ref, bat, &v.allowed);
        return v;
}

} // namespace uf
