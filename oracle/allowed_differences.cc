#include "oracle/allowed_differences.h"

namespace uf
{

const char *allowed_difference_name(allowed_difference d)
{
        switch (d) {
        case allowed_difference::deferred_split:
                return "deferred_split";
        case allowed_difference::tlb_flush_count:
                return "tlb_flush_count";
        case allowed_difference::restore_dirty_young:
                return "restore_dirty_young";
        case allowed_difference::mlock_count:
                return "mlock_count";
        case allowed_difference::pmd_structure:
                return "pmd_structure";
        case allowed_difference::abort_granularity:
                return "abort_granularity";
        case allowed_difference::version_policy:
                return "version_policy";
        case allowed_difference::fixed_warn:
                return "fixed_warn";
        case allowed_difference::NR_ALLOWED_DIFFERENCES:
                break;
        }
        return "unknown";
}

void note_folio_differences(const folio &ref, const folio &bat, allowed_set *seen)
{
        // docs/semantics.md 10.1: removing a whole PTE-mapped folio in one call never makes it
        // partially mapped; removing it page by page does (Barry Song's cover
        // letter: split_deferred 2048 -> 0 per 128 MiB of 64 KiB folios).
        if (ref.partially_mapped != bat.partially_mapped ||
            ref.on_deferred_split != bat.on_deferred_split ||
            ref.split_deferred != bat.split_deferred)
                seen->note(allowed_difference::deferred_split);
        // docs/semantics.md 10.7: munlock_vma_folio() runs once per removal call.
        if (ref.mlock_count != bat.mlock_count)
                seen->note(allowed_difference::mlock_count);
}

void note_counter_differences(const world &ref, const world &bat, allowed_set *seen)
{
        if (ref.ops.tlb_flush_calls != bat.ops.tlb_flush_calls)
                seen->note(allowed_difference::tlb_flush_count);
}

void note_structure_differences(const world &ref, const world &bat, allowed_set *seen)
{
        for (int m = 0; m < ref.nr_mms; m++)
                for (unsigned long p = 0; p < PMDS_PER_MM; p++)
                        if (ref.mms[m].pmd[p].kind != bat.mms[m].pmd[p].kind)
                                seen->note(allowed_difference::pmd_structure);
}

bool batched_may_abort_alone(bool ref_ret, const world &bat, allowed_set *seen)
{
        if (!ref_ret || bat.nr_fired == 0)
                return false;
        seen->note(allowed_difference::abort_granularity);
        return true;
}

bool equal_but_dirty_young(pte_t expect, pte_t got)
{
        if (!pte_present(expect) || !pte_present(got))
                return false;
        pte_t e = pte_mkold(pte_mkclean(expect)), g = pte_mkold(pte_mkclean(got));
        // Gaining is allowed, losing is not.
        return e == g && (!pte_dirty(expect) || pte_dirty(got)) &&
               (!pte_young(expect) || pte_young(got));
}

} // namespace uf
