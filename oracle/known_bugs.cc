#include "oracle/known_bugs.h"

#include <string>

#include "oracle/program.h"
#include "oracle/zoo_models.h"
#include "reference/rmap.h"

namespace uf
{

namespace
{

// The per-PTE models first: the bugs of real per-PTE kernels, and B7 is the
// one a 6.12 tree shows most.
const known_bug table[NR_KNOWN_BUGS] = {
    {0, "B7", "b7_lazyfree_swapbacked_on_ref",
     "lazyfree folio made swap-backed on a refcount mismatch",
     "fixed upstream by faeb2831b517 (v6.15)",
     [](unmap_rules *r) { r->lazyfree_ref_sets_swapbacked = true; }, false, semantics_level::K0},
    {1, "B10", "", "swap-backed folio outside the swap cache: WARN, and its cleared PTE left none",
     "the kernel's WARN_ON_ONCE() for a state vmscan never makes; mm-unstable (K5) restores "
     "the PTE",
     [](unmap_rules *r) { r->nocache_restores = false; }, true, semantics_level::K5},
    {2, "B1", "b1_no_pmd_bound", "batch not bounded by the PMD: reads past the PTE table",
     "CVE-2025-38447, fixed by Lance Yang's folio_unmap_pte_batch() (v6.16; 6.15.7)", nullptr,
     false, semantics_level::K0},
    {3, "B1", "b1_no_vma_bound", "batch bounded by the PMD but not by vm_end",
     "CVE-2025-38447, fixed by Lance Yang's folio_unmap_pte_batch() (v6.16; 6.15.7)", nullptr,
     false, semantics_level::K0},
    {4, "B2", "b2_walk_done_any_batch", "walk_done after any batch of more than one page",
     "fixed with B1: walk_done only after a whole-folio batch (v6.16; 6.15.7)", nullptr, false,
     semantics_level::K0},
    {5, "B4", "b4_batch_ignores_write_sd",
     "restore stamps the first PTE's write and soft-dirty bits on the whole batch",
     "CVE-2026-31398, fixed upstream by 29f40594a281 (v7.0; 6.18.20, 6.19.10)", nullptr, false,
     semantics_level::K0},
    {6, "B5", "b5_nr_pages_not_reset", "stale nr_pages reused for a device-exclusive PTE",
     "CVE-2026-63950, fixed by Dev Jain's nr_pages reset (6.18.35, 7.0.12)", nullptr, false,
     semantics_level::K0},
    {7, "B6", "b6_uffd_marker_first_slot", "uffd-wp marker on the first slot of a file batch only",
     "found in review (Dev Jain, 2026-01-16); v7.0 does not batch in uffd-wp VMAs", nullptr, false,
     semantics_level::K0},
    {8, "B8", "b8_no_refcount_check", "lazyfree discard without the refcount check",
     "fixed upstream by 6c8e2a256915 (2022)", nullptr, false, semantics_level::K0},
    {9, "B14", "b14_subbatch_restores_itself", "failing anon sub-batch restores only itself",
     "review finding on Dev Jain's anonymous folio batching (2026)", nullptr, false,
     semantics_level::K0},
    {10, "B20", "b20_file_counter_by_one", "file batch decrements the rss counter by 1",
     "review finding on Baolin Wang's file folio batching (v5, 2025-12)", nullptr, false,
     semantics_level::K0},
    {11, "B20", "b20_shmem_as_filepages", "shmem counted as MM_FILEPAGES",
     "review finding on Baolin Wang's file folio batching (v5, 2025-12)", nullptr, false,
     semantics_level::K0},
    {12, "B23", "b23_dirty_not_propagated",
     "the batch's gathered dirty bit not passed on to the folio",
     "a mutant of get_and_clear_full_ptes()'s dirty gathering (bug-history B23)", nullptr, false,
     semantics_level::K0},
    {13, "B7", "b7_lazyfree_swapbacked_on_ref",
     "lazyfree folio made swap-backed on a refcount mismatch",
     "fixed upstream by faeb2831b517 (v6.15)", nullptr, false, semantics_level::K0},
    {14, "B14", "b14_prefix_not_accounted",
     "failing anon sub-batch leaves the sub-batches converted before it unaccounted",
     "review finding on Dev Jain's anonymous folio batching (2026)", nullptr, false,
     semantics_level::K0},
    // try_share of a page that is not exclusive WARNs in the kernel.
    {15, "B13", "b13_subbatch_from_folio_head",
     "anon sub-batches read PageAnonExclusive from the folio's first page, not the batch's",
     "mprotect's form fixed by Dev Jain, \"mm: Pass page directly instead of using "
     "folio_page\" (2025-08); the 2026 anon unmap series reuses the helper",
     nullptr, true, semantics_level::K0},
};

// A bug's model runs here; every use overwrites it whole. At namespace scope:
// no first-use initialisation for the engines to count.
world model;

// The side a known bug would be in: the kernel's, else the batched slot.
implementation suspect_side()
{
        return program().left.is_kernel ? implementation::reference : implementation::batched;
}

bool explains(const known_bug &k, const run_result &r, unsigned int ttu)
{
        const side_result &s = suspect_side() == implementation::reference ? r.ref : r.bat;
        const kernel_assert_log &ka = s.after.kernel;
        if (ka.bugs || (ka.warns && !k.kernel_warns))
                return false;
        bool (*run)(folio *, unsigned int) = reference::try_to_unmap;
        if (!k.rules) {
                const zoo_model *m = find_zoo_model(k.zoo);
                if (!m)
                        return false; // its patch does not apply to this batched/
                run = m->try_to_unmap;
        }
        model = r.before;
        if (k.rules)
                k.rules(&model.rules);
        bool ret = unmap_and_flush(model, ttu, run);
        invariant_report inv = check_invariants(r.before, r.before_tally, model, ttu, ret);
        if (s.inv.bits & ~inv.bits)
                return false;
        return compare_sides(r.before, model, ret, s.after, s.ret).ok();
}

} // namespace

const known_bug *known_bugs()
{
        return table;
}

const known_bug *explain_failure(const run_result &r, unsigned int ttu)
{
        for (const known_bug &k : table)
                if (explains(k, r, ttu))
                        return &k;
        return nullptr;
}

bool known_bug_intended(const known_bug &k)
{
        return program().semantics < k.intended_below;
}

std::string known_bug_line(const known_bug &k)
{
        std::string who =
            known_bug_intended(k) ? std::string("what a ") + semantics_name(program().semantics) +
                                        " kernel intends, so no failure here"
            : program().left.is_kernel || program().right.is_kernel ? "this tree has the bug"
                                                                    : "batched/ has the bug";
        return std::string(k.id) + ": " + k.title + " \u2014 " + k.status + "; " + who;
}

} // namespace uf
