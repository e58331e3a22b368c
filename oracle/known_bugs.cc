#include "oracle/known_bugs.h"

#include <cstring>
#include <string>

#include "mm/pte_ops.h"
#include "oracle/program.h"
#include "oracle/zoo_models.h"
#include "reference/rmap.h"

namespace uf
{

namespace
{

// ---- Reading a side's trace and end state ----

// The side's trace: the records the world kept, then the rest from the rerun
// (side_result::trace_rest) when it overflowed.
const trace_rec &rec(const side_result &s, int i)
{
        return i < s.after.nr_trace ? s.after.trace[i]
                                    : s.trace_rest[static_cast<size_t>(i - s.after.nr_trace)];
}

int nr_recs(const side_result &s)
{
        return s.after.nr_trace + static_cast<int>(s.trace_rest.size());
}

// Records of the run that are in neither.
bool trace_incomplete(const side_result &s)
{
        return static_cast<size_t>(s.after.trace_dropped) > s.trace_rest.size();
}

const trace_rec &rec(const known_bug_run &r, int i)
{
        return rec(r.side, i);
}

int nr_recs(const known_bug_run &r)
{
        return nr_recs(r.side);
}

bool starts_iteration(trace_op op)
{
        return op == trace_op::walk || op == trace_op::call || op == trace_op::call_ret;
}

// One past the last record of the loop iteration record i is in (the next
// page_vma_mapped_walk() step or the end of the call), or -1 when the kept
// trace ends first and records were dropped: what follows is unknown.
int iteration_end(const known_bug_run &r, int i)
{
        for (int j = i + 1; j < nr_recs(r); j++)
                if (starts_iteration(rec(r, j).op))
                        return j;
        return trace_incomplete(r.side) ? -1 : nr_recs(r);
}

// The same, where only records seen so far count (positive evidence).
int iteration_end_seen(const known_bug_run &r, int i)
{
        int end = iteration_end(r, i);
        return end < 0 ? nr_recs(r) : end;
}

// The PTE batch cleared earlier in record i's iteration
// (get_and_clear_full_ptes() or pte_clear() of a device entry), or -1.
int batch_of(const known_bug_run &r, int i)
{
        for (int j = i - 1; j >= 0; j--) {
                trace_op op = rec(r, j).op;
                if (op == trace_op::clear || op == trace_op::dev_clear)
                        return j;
                if (starts_iteration(op))
                        return -1;
        }
        return -1;
}

pte_t slot_at(const world &w, int vma, unsigned long addr)
{
        if (vma < 0 || vma >= w.nr_vmas || !w.vmas[vma].vm_mm)
                return pte_t{};
        return pte_peek(w, w.table_index(w.vmas[vma].vm_mm, addr >> PMD_SHIFT),
                        static_cast<long>((addr >> PAGE_SHIFT) & (PTRS_PER_PTE - 1)));
}

bool maps_folio(const world &w, pte_t pte)
{
        return pte.kind == pte_kind::present && pte.val >= folio_pfn(&w.folio) &&
               pte.val < folio_pfn(&w.folio) + folio_nr_pages(&w.folio);
}

bool lazyfree_before(const known_bug_run &r)
{
        return r.before.folio.anon && !r.before.folio.swapbacked;
}

unsigned long batch_addr(const trace_rec &t, int k)
{
        return t.addr + static_cast<unsigned long>(k) * PAGE_SIZE;
}

// ---- Signatures ----

// B7 (before faeb2831b517): the lazyfree check reads the references, finds
// more than the mappings account for, and folio_set_swapbacked() follows in
// the same iteration with no folio_test_dirty() answering "dirty" in between;
// the folio ends clean.
bool sig_b7(const known_bug_run &r)
{
        if (!lazyfree_before(r) || r.side.after.folio.dirty)
                return false;
        for (int i = 0; i < nr_recs(r); i++) {
                const trace_rec &t = rec(r, i);
                if (t.op != trace_op::ref_count || t.value == 1 + t.nr)
                        continue;
                for (int j = i + 1, end = iteration_end_seen(r, i); j < end; j++) {
                        if (rec(r, j).op == trace_op::test_dirty && rec(r, j).value)
                                break;
                        if (rec(r, j).op == trace_op::set_swapbacked)
                                return true;
                }
        }
        return false;
}

// B10's WARN: the K0..K4 try_to_unmap_one() WARN_ON_ONCE(1) under the
// swap-backed != swap-cache test, or the test itself as the WARN's condition
// (v7.3 moved it into a helper as WARN_ON_ONCE(folio_test_swapbacked(folio)
// != folio_test_swapcache(folio))).
std::string squeeze(const char *s)
{
        std::string out;
        for (; *s; s++)
                if (*s != ' ' && *s != '\t' && *s != '\n')
                        out += *s;
        return out;
}

bool b10_warn(const char *func, const char *cond)
{
        std::string c = squeeze(cond);
        if (!std::strcmp(func, "try_to_unmap_one") &&
            (c == "WARN_ON_ONCE(1)" || c == "WARN_ON_ONCE(true)" || c == "WARN_ON(1)" ||
             c == "WARN_ON(true)"))
                return true;
        return c.find("folio_test_swapbacked(folio)!=folio_test_swapcache(folio)") !=
               std::string::npos;
}

// The B10 WARN's batch: the state it checks (an anon folio swap-backed but not
// in the swap cache), the WARN in the trace, and the PTEs cleared before it in
// its iteration. Counts the batch's slots that end none; -1 when there is no
// such WARN.
int b10_slots_left_none(const known_bug_run &r)
{
        const folio &f = r.before.folio;
        if (!f.anon || f.swapbacked == f.swapcache)
                return -1;
        for (int i = 0; i < nr_recs(r); i++) {
                if (rec(r, i).op != trace_op::kernel_assert || rec(r, i).kind)
                        continue;
                int b = batch_of(r, i);
                if (b < 0)
                        continue;
                const trace_rec &t = rec(r, b);
                int none = 0;
                for (int k = 0; k < t.nr; k++)
                        none +=
                            slot_at(r.side.after, t.vma, batch_addr(t, k)).kind == pte_kind::none;
                return none;
        }
        return -1;
}

// B10: the WARN, and its cleared PTE left none.
bool sig_b10(const known_bug_run &r)
{
        return b10_slots_left_none(r) > 0;
}

// The fix (mm-unstable's anon_nocache restore; v7.3 restores at the caller):
// the same WARN, every PTE of the batch given back.
bool fixed_b10(const known_bug_run &r)
{
        return b10_slots_left_none(r) == 0;
}

// B1 (no PMD bound): a batch whose last PTE lies in another page table, or a
// batch scan that read past its table (the substrate's table_bounds, caught
// at the access).
bool sig_b1_pmd(const known_bug_run &r)
{
        if (r.side.after.has(mm_violation::table_bounds))
                return true;
        for (int i = 0; i < nr_recs(r); i++) {
                const trace_rec &t = rec(r, i);
                if (t.op == trace_op::clear && t.nr > 1 &&
                    (t.addr >> PMD_SHIFT) != (batch_addr(t, t.nr - 1) >> PMD_SHIFT))
                        return true;
        }
        return false;
}

// B1 (no VMA bound): a batch running past vm_end of its VMA, or a slot
// outside the VMA touched during the call (vma_bounds, caught at the access).
bool sig_b1_vma(const known_bug_run &r)
{
        if (r.side.after.has(mm_violation::vma_bounds))
                return true;
        for (int i = 0; i < nr_recs(r); i++) {
                const trace_rec &t = rec(r, i);
                if (t.op == trace_op::clear && t.nr > 1 && t.vma < r.before.nr_vmas &&
                    batch_addr(t, t.nr) > r.before.vmas[t.vma].vm_end)
                        return true;
        }
        return false;
}

// B2: a partial batch (more than one page, less than the folio) is the last
// thing the call did (it returned true with no further walk step), and the
// VMA still maps a page of the folio.
bool sig_b2(const known_bug_run &r)
{
        const world &w = r.side.after;
        for (int i = 0; i < nr_recs(r); i++) {
                const trace_rec &t = rec(r, i);
                if (t.op != trace_op::clear || t.nr <= 1 ||
                    t.nr >= folio_nr_pages(&r.before.folio) || t.vma >= w.nr_vmas)
                        continue;
                int end = iteration_end(r, i);
                if (end < 0 || end >= nr_recs(r) || rec(r, end).op != trace_op::call_ret ||
                    !rec(r, end).value)
                        continue;
                const vm_area_struct &vma = w.vmas[t.vma];
                for (unsigned long a = vma.vm_start; a < vma.vm_end; a += PAGE_SIZE)
                        if (maps_folio(w, slot_at(w, t.vma, a)))
                                return true;
        }
        return false;
}

// B4: one batch over PTEs that differ in write or soft-dirty (the fix,
// FPB_RESPECT_WRITE | FPB_RESPECT_SOFT_DIRTY, never batches those).
bool sig_b4(const known_bug_run &r)
{
        for (int i = 0; i < nr_recs(r); i++) {
                const trace_rec &t = rec(r, i);
                if (t.op != trace_op::clear || t.nr <= 1)
                        continue;
                int first = -1;
                for (int k = 0; k < t.nr; k++) {
                        pte_t p = slot_at(r.before, t.vma, batch_addr(t, k));
                        if (p.kind != pte_kind::present)
                                continue;
                        int b = p.bits & (PTE_WRITE | PTE_SOFT_DIRTY);
                        if (first < 0)
                                first = b;
                        else if (b != first)
                                return true;
                }
        }
        return false;
}

// B5 (CVE-2026-63950): a device-exclusive PTE cleared one page at a time, then
// its rmap, references or counter moved by the nr_pages of the batch before it
// in the same call.
bool sig_b5(const known_bug_run &r)
{
        for (int i = 0; i < nr_recs(r); i++) {
                if (rec(r, i).op != trace_op::dev_clear)
                        continue;
                int stale = 0;
                for (int j = i - 1; j >= 0 && rec(r, j).op != trace_op::call; j--)
                        if (rec(r, j).op == trace_op::clear) {
                                stale = rec(r, j).nr;
                                break;
                        }
                if (stale <= 1)
                        continue;
                for (int j = i + 1, end = iteration_end_seen(r, i); j < end; j++) {
                        const trace_rec &t = rec(r, j);
                        if (((t.op == trace_op::remove_rmap || t.op == trace_op::put_refs) &&
                             t.nr == stale) ||
                            (t.op == trace_op::mm_counter && t.value == -stale))
                                return true;
                }
        }
        return false;
}

// B6: a batch of more than one PTE in a uffd-wp VMA, and a PTE of it that
// was uffd-wp ends none (no marker).
bool sig_b6(const known_bug_run &r)
{
        for (int i = 0; i < nr_recs(r); i++) {
                const trace_rec &t = rec(r, i);
                if (t.op != trace_op::clear || t.nr <= 1 || t.vma >= r.before.nr_vmas ||
                    !userfaultfd_wp(&r.before.vmas[t.vma]))
                        continue;
                for (int k = 0; k < t.nr; k++)
                        if ((slot_at(r.before, t.vma, batch_addr(t, k)).bits & PTE_UFFD_WP) &&
                            slot_at(r.side.after, t.vma, batch_addr(t, k)).kind == pte_kind::none)
                                return true;
        }
        return false;
}

// B8 (before 6c8e2a256915): a lazyfree batch discarded (its rmap removed with
// no restore in between) although the references read after the clear did not
// match the mappings, or without reading them at all while a reference was
// held (the side's own lazyfree_ref_discard).
bool sig_b8(const known_bug_run &r)
{
        if (!lazyfree_before(r))
                return false;
        for (int i = 0; i < nr_recs(r); i++) {
                if (rec(r, i).op != trace_op::clear)
                        continue;
                const trace_rec *refs = nullptr;
                for (int j = i + 1, end = iteration_end_seen(r, i); j < end; j++) {
                        const trace_rec &t = rec(r, j);
                        if (t.op == trace_op::set_pte &&
                            t.kind == static_cast<uint8_t>(pte_kind::present))
                                break;
                        if (t.op == trace_op::ref_count)
                                refs = &t;
                        if (t.op == trace_op::remove_rmap)
                                return refs ? refs->value != 1 + refs->nr
                                            : r.side.inv.has(invariant::lazyfree_ref_discard);
                }
        }
        return false;
}

// B14: a sub-batch of a swap-backed anon batch fails (folio_dup_swap_pages()
// or folio_try_share_anon_rmap_ptes()), and a PTE of the batch after the
// failing sub-batch ends none: only the failing sub-batch was restored.
bool sig_b14(const known_bug_run &r)
{
        for (int i = 0; i < nr_recs(r); i++) {
                const trace_rec &f = rec(r, i);
                if ((f.op != trace_op::dup_swap && f.op != trace_op::try_share) || !f.value)
                        continue;
                int b = batch_of(r, i);
                if (b < 0 || rec(r, b).op != trace_op::clear)
                        continue;
                const trace_rec &t = rec(r, b);
                for (int q = f.page + f.nr; q < t.page + t.nr; q++)
                        if (slot_at(r.side.after, t.vma, batch_addr(t, q - t.page)).kind ==
                            pte_kind::none)
                                return true;
        }
        return false;
}

// B14 (prefix): a later sub-batch of a swap-backed anon batch fails after
// the sub-batches before it were converted to swap entries, and no
// folio_remove_rmap_ptes() follows in that iteration: the converted prefix
// stays mapped and referenced in the folio's accounting.
bool sig_b14_prefix(const known_bug_run &r)
{
        for (int i = 0; i < nr_recs(r); i++) {
                const trace_rec &f = rec(r, i);
                if ((f.op != trace_op::dup_swap && f.op != trace_op::try_share) || !f.value)
                        continue;
                int b = batch_of(r, i);
                if (b < 0 || rec(r, b).op != trace_op::clear || f.page <= rec(r, b).page)
                        continue;
                int end = iteration_end(r, i);
                if (end < 0)
                        continue;
                bool removed = false;
                for (int j = i + 1; j < end; j++)
                        removed |= rec(r, j).op == trace_op::remove_rmap;
                if (!removed)
                        return true;
        }
        return false;
}

// B13: a sub-batch handed to folio_dup_swap_pages() or
// folio_try_share_anon_rmap_ptes() spans pages of both PageAnonExclusive
// states as the world was built: a correct split never makes one.
bool sig_b13(const known_bug_run &r)
{
        const auto &pae = r.before.folio.anon_exclusive;
        for (int i = 0; i < nr_recs(r); i++) {
                const trace_rec &f = rec(r, i);
                if (f.op != trace_op::dup_swap && f.op != trace_op::try_share)
                        continue;
                int first = f.page, last = f.page + f.nr - 1;
                if (first < 0 || last >= static_cast<int>(pae.size()) || f.nr < 2)
                        continue;
                for (int q = first + 1; q <= last; q++)
                        if (pae[static_cast<size_t>(q)] != pae[static_cast<size_t>(first)])
                                return true;
        }
        return false;
}

// B20 (by one): a file batch of more than one page, and its file counter
// moved by one page.
bool sig_b20_by_one(const known_bug_run &r)
{
        if (r.before.folio.anon)
                return false;
        for (int i = 0; i < nr_recs(r); i++) {
                const trace_rec &t = rec(r, i);
                if (t.op != trace_op::clear || t.nr <= 1)
                        continue;
                for (int j = i + 1, end = iteration_end_seen(r, i); j < end; j++) {
                        const trace_rec &c = rec(r, j);
                        if (c.op == trace_op::mm_counter && c.value == -1 &&
                            (c.kind == MM_FILEPAGES || c.kind == MM_SHMEMPAGES))
                                return true;
                }
        }
        return false;
}

// B20 (shmem): a shmem folio's pages taken off MM_FILEPAGES.
bool sig_b20_shmem(const known_bug_run &r)
{
        if (r.before.folio.anon || !r.before.folio.swapbacked)
                return false;
        for (int i = 0; i < nr_recs(r); i++)
                if (rec(r, i).op == trace_op::mm_counter && rec(r, i).kind == MM_FILEPAGES &&
                    rec(r, i).value < 0)
                        return true;
        return false;
}

// B23: a batch whose gathered pteval is dirty, on a clean folio, and no
// folio_mark_dirty() by the end of its iteration.
bool sig_b23(const known_bug_run &r)
{
        if (r.before.folio.dirty)
                return false;
        for (int i = 0; i < nr_recs(r); i++) {
                const trace_rec &t = rec(r, i);
                if (t.op == trace_op::mark_dirty)
                        return false; // the folio is dirty from here on
                if (t.op != trace_op::clear || !(t.bits & PTE_DIRTY))
                        continue;
                int end = iteration_end(r, i);
                if (end < 0)
                        return false;
                bool marked = false;
                for (int j = i + 1; j < end; j++)
                        marked |= rec(r, j).op == trace_op::mark_dirty;
                if (!marked)
                        return true;
        }
        return false;
}

// The per-PTE models first: the bugs of real per-PTE kernels, and B7 is the
// one a 6.12 tree shows most.
const known_bug table[NR_KNOWN_BUGS] = {
    {0, "B7", "b7_lazyfree_swapbacked_on_ref",
     "lazyfree folio made swap-backed on a refcount mismatch",
     "fixed upstream by faeb2831b517 (v6.15)",
     [](unmap_rules *r) { r->lazyfree_ref_sets_swapbacked = true; }, sig_b7, nullptr, nullptr,
     nullptr, semantics_level::K0},
    {1, "B10", "", "swap-backed folio outside the swap cache: WARN, and its cleared PTE left none",
     "the kernel's WARN_ON_ONCE() for a state vmscan never makes; mm-unstable (K5) restores "
     "the PTE",
     [](unmap_rules *r) { r->nocache_restores = false; }, sig_b10, b10_warn, fixed_b10,
     [](unmap_rules *r) { r->nocache_restores = true; }, semantics_level::K5},
    {2, "B1", "b1_no_pmd_bound", "batch not bounded by the PMD: reads past the PTE table",
     "CVE-2025-38447, fixed by Lance Yang's folio_unmap_pte_batch() (v6.16; 6.15.7)", nullptr,
     sig_b1_pmd, nullptr, nullptr, nullptr, semantics_level::K0},
    {3, "B1", "b1_no_vma_bound", "batch bounded by the PMD but not by vm_end",
     "CVE-2025-38447, fixed by Lance Yang's folio_unmap_pte_batch() (v6.16; 6.15.7)", nullptr,
     sig_b1_vma, nullptr, nullptr, nullptr, semantics_level::K0},
    {4, "B2", "b2_walk_done_any_batch", "walk_done after any batch of more than one page",
     "fixed with B1: walk_done only after a whole-folio batch (v6.16; 6.15.7)", nullptr, sig_b2,
     nullptr, nullptr, nullptr, semantics_level::K0},
    {5, "B4", "b4_batch_ignores_write_sd",
     "restore stamps the first PTE's write and soft-dirty bits on the whole batch",
     "CVE-2026-31398, fixed upstream by 29f40594a281 (v7.0; 6.18.20, 6.19.10)", nullptr, sig_b4,
     nullptr, nullptr, nullptr, semantics_level::K0},
    {6, "B5", "b5_nr_pages_not_reset", "stale nr_pages reused for a device-exclusive PTE",
     "CVE-2026-63950, fixed by Dev Jain's nr_pages reset (6.18.35, 7.0.12)", nullptr, sig_b5,
     nullptr, nullptr, nullptr, semantics_level::K0},
    {7, "B6", "b6_uffd_marker_first_slot", "uffd-wp marker on the first slot of a file batch only",
     "found in review (Dev Jain, 2026-01-16); v7.0 does not batch in uffd-wp VMAs", nullptr, sig_b6,
     nullptr, nullptr, nullptr, semantics_level::K0},
    {8, "B8", "b8_no_refcount_check", "lazyfree discard without the refcount check",
     "fixed upstream by 6c8e2a256915 (2022)", nullptr, sig_b8, nullptr, nullptr, nullptr,
     semantics_level::K0},
    {9, "B14", "b14_subbatch_restores_itself", "failing anon sub-batch restores only itself",
     "review finding on Dev Jain's anonymous folio batching (2026)", nullptr, sig_b14, nullptr,
     nullptr, nullptr, semantics_level::K0},
    {10, "B20", "b20_file_counter_by_one", "file batch decrements the rss counter by 1",
     "review finding on Baolin Wang's file folio batching (v5, 2025-12)", nullptr, sig_b20_by_one,
     nullptr, nullptr, nullptr, semantics_level::K0},
    {11, "B20", "b20_shmem_as_filepages", "shmem counted as MM_FILEPAGES",
     "review finding on Baolin Wang's file folio batching (v5, 2025-12)", nullptr, sig_b20_shmem,
     nullptr, nullptr, nullptr, semantics_level::K0},
    {12, "B23", "b23_dirty_not_propagated",
     "the batch's gathered dirty bit not passed on to the folio",
     "a mutant of get_and_clear_full_ptes()'s dirty gathering", nullptr, sig_b23, nullptr, nullptr,
     nullptr, semantics_level::K0},
    {13, "B7", "b7_lazyfree_swapbacked_on_ref",
     "lazyfree folio made swap-backed on a refcount mismatch",
     "fixed upstream by faeb2831b517 (v6.15)", nullptr, sig_b7, nullptr, nullptr, nullptr,
     semantics_level::K0},
    {14, "B14", "b14_prefix_not_accounted",
     "failing anon sub-batch leaves the sub-batches converted before it unaccounted",
     "review finding on Dev Jain's anonymous folio batching (2026)", nullptr, sig_b14_prefix,
     nullptr, nullptr, nullptr, semantics_level::K0},
    {15, "B13", "b13_subbatch_from_folio_head",
     "anon sub-batches read PageAnonExclusive from the folio's first page, not the batch's",
     "mprotect's form fixed by Dev Jain, \"mm: Pass page directly instead of using "
     "folio_page\" (2025-08); the 2026 anon unmap series reuses the helper",
     nullptr, sig_b13, nullptr, nullptr, nullptr, semantics_level::K0},
};

// A bug's model runs here; every use overwrites it whole. At namespace scope:
// no first-use initialisation for the engines to count.
world model;

// The side a known bug would be in: the kernel's, else the batched slot.
const side_result &suspect(const run_result &r)
{
        return program().left.is_kernel ? r.ref : r.bat;
}

// Every kernel assertion of the side is k's own WARN: k makes one, the first
// assertion is it by function and condition text, and every assertion in the
// trace has the same key and line (and none was dropped from the trace).
bool only_own_warns(const known_bug &k, const side_result &s)
{
        const kernel_assert_log &ka = s.after.kernel;
        if (!ka.any())
                return true;
        if (ka.bugs || !k.own_warn || !k.own_warn(ka.func, ka.cond))
                return false;
        int n = 0;
        const trace_rec *first = nullptr;
        for (int i = 0; i < nr_recs(s); i++) {
                const trace_rec &t = rec(s, i);
                if (t.op != trace_op::kernel_assert)
                        continue;
                if (!first)
                        first = &t;
                else if (t.value != first->value || t.src_line != first->src_line)
                        return false;
                n++;
        }
        return n == ka.warns;
}

bool explains(const known_bug &k, const run_result &r, unsigned int ttu)
{
        const side_result &s = suspect(r);
        if (!only_own_warns(k, s) || !k.signature(known_bug_run{r.before, s}))
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

const known_bug *fixed_warn(const run_result &r)
{
        const side_result &s = suspect(r);
        if (!s.after.kernel.warns)
                return nullptr;
        for (const known_bug &k : table)
                if (k.fixed && only_own_warns(k, s) && k.fixed(known_bug_run{r.before, s}))
                        return &k;
        return nullptr;
}

std::string fixed_warn_line(const run_result &r)
{
        if (!r.v.allowed.has(allowed_difference::fixed_warn))
                return "";
        const known_bug *k = fixed_warn(r);
        if (!k)
                return "";
        const kernel_assert_log &ka = suspect(r).after.kernel;
        return std::string(ka.cond) + " in " + ka.func + "() at " + ka.file + ":" +
               std::to_string(ka.line) + " is on the path of " + k->id +
               ", and the tree then does what its fix does (" + k->status + "): not " + k->id;
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
