// Layer 1 of the oracle: the single-implementation invariants (docs/design.md 6,
// docs/semantics.md 11).
//
// One pass counts what each world's page tables hold (tally), one pass walks
// every VMA slot of the two worlds side by side (slot checks, which also
// gather the per-page facts the data-loss rules need), then the folio-wide
// checks run. Nothing is allocated: the per-page state lives on the stack.
//
// Order of the checks, which decides `first` (and so the crash signature):
// substrate violations, slot checks, bookkeeping (mapcount, refcount, rss,
// swap counts), walk result, TLB, data loss.
//
// Choices beyond the brief, each marked "Choice:" below:
//  - tlb_stale looks at every allocated table; a table no PMD references any
//    longer translates nothing, so any entry cached for it is stale.
//  - A present pte with PTE_UNUSED in a VMA that is not uffd-armed is dropped
//    by the kernel without the lazyfree checks (the s390 guest said the page
//    is unused, docs/semantics.md 4, step F); such a removal is not a "discard" for the
//    lazyfree data-loss rules.
//  - lazyfree_dirty_discard: a dirty before-slot is unsaved data of the
//    mapping that holds it, so it counts when *that* slot was discarded (its
//    pte or its TLB entry was dirty). A clean slot of page p may be discarded
//    while another mapping's dirty slot of p stays mapped (the walk stopped
//    before reaching it): the data is still mapped and the folio is not
//    freed, so that is no loss; the per-PTE kernel does exactly this.
//    stale_written[p] counts only with such a non-droppable dirty path (a
//    write through a droppable mapping's TLB is data the kernel may drop).
//    The folio dirty before counts for any discard of p. hw_dirty of p in a
//    non-droppable VMA, and a gup_redirty, count for discards in the VMA whose
//    call saw the event and in later VMAs (later in rmap_walk_order(): ascending vm_pgoff):
//    discards in earlier VMAs happened while the page was still clean (found
//    by fuzzing: a clean slot of p discarded in VMA 0, then p dirtied through
//    VMA 1's guest-unused slot, which the kernel drops by design).
//  - lazyfree_ref_discard: gup_pin(p) fires when a *present* slot of p is
//    cleared (GUP-fast needs a present pte), so it only condemns discards of
//    slots that were present; a device entry of p may legitimately have been
//    discarded earlier in the walk.
//  - Two classes appended: foreign_slot (a slot that mapped no folio page
//    before must end exactly as it started) and uffd_wp_marker_spurious (a
//    marker in a file VMA that is not uffd-wp registered, or where the old
//    entry had no uffd-wp bit).
#include "oracle/invariants.h"

#include <cstring>
#include <new>

#include <bitset>
#include <cstdarg>
#include <cstdio>

#include "mm/rmap.h"
#include "mm/tlb.h"
#include "scenario/world_view.h"

namespace uf
{

static_assert(static_cast<int>(mm_violation::NR_MM_VIOLATIONS) == 10,
              "a new mm_violation needs its invariant class (oracle/invariants.h), mapped 1:1");
static_assert(static_cast<int>(invariant::zero_nr) == static_cast<int>(mm_violation::zero_nr));

const char *invariant_name(invariant c)
{
        switch (c) {
        case invariant::table_bounds:
        case invariant::vma_bounds:
        case invariant::notifier_range:
        case invariant::page_out_of_folio:
        case invariant::mapcount_underflow:
        case invariant::refcount_underflow:
        case invariant::swap_count_underflow:
        case invariant::bad_set_ptes:
        case invariant::marker_not_none:
        case invariant::zero_nr:
                return mm_violation_name(static_cast<mm_violation>(c));
        case invariant::mapcount:
                return "mapcount";
        case invariant::refcount:
                return "refcount";
        case invariant::rss_counter:
                return "rss_counter";
        case invariant::swap_count:
                return "swap_count";
        case invariant::swap_offset:
                return "swap_offset";
        case invariant::swap_exclusive:
                return "swap_exclusive";
        case invariant::pae_stale:
                return "pae_stale";
        case invariant::pte_pfn:
                return "pte_pfn";
        case invariant::write_upgrade:
                return "write_upgrade";
        case invariant::pte_bits:
                return "pte_bits";
        case invariant::dirty_lost:
                return "dirty_lost";
        case invariant::uffd_wp_lost:
                return "uffd_wp_lost";
        case invariant::uffd_wp_marker_anon:
                return "uffd_wp_marker_anon";
        case invariant::soft_dirty_lost:
                return "soft_dirty_lost";
        case invariant::walk_result:
                return "walk_result";
        case invariant::tlb_stale:
                return "tlb_stale";
        case invariant::mlocked_unmapped:
                return "mlocked_unmapped";
        case invariant::lazyfree_dirty_discard:
                return "lazyfree_dirty_discard";
        case invariant::lazyfree_ref_discard:
                return "lazyfree_ref_discard";
        case invariant::lazyfree_clean_swapbacked:
                return "lazyfree_clean_swapbacked";
        case invariant::folio_dirty_unjustified:
                return "folio_dirty_unjustified";
        case invariant::file_dirty_lost:
                return "file_dirty_lost";
        case invariant::pinned_exclusive_unmapped:
                return "pinned_exclusive_unmapped";
        case invariant::foreign_slot:
                return "foreign_slot";
        case invariant::uffd_wp_marker_spurious:
                return "uffd_wp_marker_spurious";
        case invariant::write_after_writeback:
                return "write_after_writeback";
        case invariant::swap_mm_not_on_mmlist:
                return "swap_mm_not_on_mmlist";
        case invariant::NR_INVARIANTS:
                break;
        }
        return "unknown";
}

namespace
{

using page_set = std::bitset<MAX_FOLIO_PAGES>;

const char *kind_name(pte_t pte)
{
        return pte_kind_name(pte.kind);
}

bool huge_maps_folio(const world &w, const pmd_t &pmd)
{
        unsigned long pfn = pte_pfn(pmd.huge), first = folio_pfn(&w.folio);
        return pfn < first + folio_nr_pages(&w.folio) && pfn + HPAGE_PMD_NR > first;
}

bool tlb_stale_at(const world &w, int t, unsigned long idx, bool live)
{
        const tlb_entry &e = w.tlb[t][idx];
        if (!e.cached)
                return false;
        pte_t pte = live ? w.tables[t][idx] : pte_t{};
        return !pte_present(pte) || pte.val != e.pfn;
}

void note_stale_tlb(world_tally &c, int t, unsigned long idx)
{
        if (!c.stale_tlb++) {
                c.stale_table = t;
                c.stale_idx = idx;
        }
}

// One pass over a table: what its slots map, and (with_tlb) whether its
// cached translations still match them.
void count_table(const world &w, int mm, int t, world_tally &c, bool with_tlb)
{
        unsigned long nr = folio_nr_pages(&w.folio);
        const pte_t *table = w.tables[t].get();
        if (with_tlb) {
                const tlb_entry *tlb = w.tlb[t].get();
                for (unsigned long idx = 0; idx < PTRS_PER_PTE; idx++)
                        if (tlb[idx].cached && tlb_stale_at(w, t, idx, true))
                                note_stale_tlb(c, t, idx);
        }
        for (unsigned long idx = 0; idx < PTRS_PER_PTE; idx++) {
                pte_t pte = table[idx];
                if (pte_none(pte))
                        continue;
                long p = folio_page_of(w, pte);
                if (p >= 0) {
                        c.pte_maps[p]++;
                        c.folio_maps[mm]++;
                } else if (is_swap_pte(pte)) {
                        c.swap_entries[mm]++;
                        unsigned long off = swp_offset_pte(pte);
                        if (off >= FOLIO_SWAP && off < FOLIO_SWAP + nr)
                                c.swap_ptes[off - FOLIO_SWAP]++;
                }
        }
}

// Every table a PMD of kind table references, and every huge PMD.
void count_world_into(const world &w, world_tally &c, bool with_tlb)
{
        unsigned long nr = folio_nr_pages(&w.folio);
        for (unsigned long p = 0; p < nr; p++)
                c.pte_maps[p] = c.swap_ptes[p] = 0;
        int nr_mms = w.nr_mms < MAX_MMS ? w.nr_mms : MAX_MMS;
        for (int m = 0; m < nr_mms; m++)
                for (unsigned long i = 0; i < PMDS_PER_MM; i++) {
                        const pmd_t &pmd = w.mms[m].pmd[i];
                        if (pmd.kind == pmd_kind::huge && huge_maps_folio(w, pmd)) {
                                c.huge_maps++;
                                c.folio_maps[m] += HPAGE_PMD_NR;
                        } else if (pmd.kind == pmd_kind::table && pmd.table < w.nr_tables) {
                                c.live_tables |= 1u << pmd.table;
                                count_table(w, m, pmd.table, c, with_tlb);
                        }
                }
}

// One slot of one VMA in both worlds.
struct slot_pair {
        int vma;
        const vm_area_struct *v;
        int mm;
        unsigned long addr;
        pte_t b, a; // before, after
        long p;     // the folio page b maps, or -1
};

struct checker {
        const world &b; // before
        const world &a; // after
        unsigned int ttu;
        bool walk_ret;
        invariant_report &r;
        unsigned long nr;
        bool lazyfree;

        const world_tally &tb; // before, counted once for both sides
        world_tally ta;

        // Each VMA's place in the rmap walk (rmap_walk_order(): ascending
        // vm_pgoff), so that "this VMA or a later one" means later in the walk.
        int rank[MAX_VMAS] = {};

        // Facts from the event trace, as walk ranks.
        // The first VMA whose call saw hw_dirty fire for p in a non-droppable
        // VMA (MAX_VMAS: none).
        uint8_t hw_dirty_vma[MAX_FOLIO_PAGES];
        page_set gup_pin, spec_ref;
        bool any_hw_dirty = false, any_gup_redirty = false, any_stale_write = false;
        int redirty_vma = MAX_VMAS; // the first VMA whose call saw gup_redirty

        // Facts the slot pass gathers, per folio page.
        page_set discarded;     // a slot that mapped p is now none or a marker
        page_set discarded_nd;  // ... in a non-droppable VMA
        page_set dirty_gone;    // ... and that slot itself was dirty (pte or TLB entry)
        page_set redirty_gone;  // ... in the VMA of a gup_redirty or a later one
        page_set hw_dirty_gone; // ... in the VMA of p's hw_dirty or a later one
        page_set present_gone;  // a slot of p that was present before is now none or a marker
        bool any_dirty_before = false;
        bool dirty_slot_gone = false; // a dirty slot of the folio is no longer present

        checker(const world &before, const world_tally &before_tally, const world &after,
                unsigned int flags, bool ret, invariant_report &report)
            : b(before), a(after), ttu(flags), walk_ret(ret), r(report),
              nr(folio_nr_pages(&before.folio)), lazyfree(folio_test_lazyfree(&before.folio)),
              tb(before_tally)
        {
                std::memset(hw_dirty_vma, MAX_VMAS, sizeof(hw_dirty_vma));
                int order[MAX_VMAS];
                int n = rmap_walk_order(before, order);
                for (int k = 0; k < n; k++)
                        rank[order[k]] = k;
        }

        // The walk rank of an event's VMA; an event outside any call (vma
        // 0xff) counts as the first.
        int event_rank(const fired_event &e) const { return e.vma < a.nr_vmas ? rank[e.vma] : 0; }

        void fail(invariant c, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
};

void checker::fail(invariant c, const char *fmt, ...)
{
        if (!r.bits) {
                r.first = c;
                va_list ap;
                va_start(ap, fmt);
                std::vsnprintf(r.detail, sizeof(r.detail), fmt, ap);
                va_end(ap);
        }
        r.bits |= uint64_t{1} << static_cast<int>(c);
}

bool had_uffd_wp(pte_t pte)
{
        return (pte_present(pte) && pte_uffd_wp(pte)) || pte_swp_uffd_wp_any(pte);
}

bool uffd_wp_file_vma(const vm_area_struct *v)
{
        return userfaultfd_wp(v) && !vma_is_anonymous(v);
}

bool droppable(const vm_area_struct *v)
{
        return v->vm_flags & VM_DROPPABLE;
}

// ---- substrate violations ----

// Each mm_violation bit becomes the invariant class of the same number. The
// substrate keeps the detail of its chronologically first violation only, so
// with several bits set the detail may belong to another than `first`.
void check_substrate(checker &c)
{
        for (int i = 0; i < static_cast<int>(mm_violation::NR_MM_VIOLATIONS); i++)
                if (c.a.violations & (1u << i))
                        c.fail(static_cast<invariant>(i), "%s", c.a.violation_detail);
}

// ---- event trace ----

void collect_events(checker &c)
{
        int n = c.a.nr_fired < MAX_EVENTS ? c.a.nr_fired : MAX_EVENTS;
        for (int i = 0; i < n; i++) {
                const fired_event &e = c.a.fired[i];
                bool in_folio = e.page < c.nr;
                switch (e.kind) {
                case event_kind::hw_dirty:
                        c.any_hw_dirty = true;
                        // An event outside any call (vma 0xff) counts as non-droppable.
                        if (in_folio && !(e.vma < c.a.nr_vmas && droppable(&c.a.vmas[e.vma]))) {
                                int v = c.event_rank(e);
                                if (v < c.hw_dirty_vma[e.page])
                                        c.hw_dirty_vma[e.page] = static_cast<uint8_t>(v);
                        }
                        break;
                case event_kind::gup_redirty:
                        c.any_gup_redirty = true;
                        // Outside any call (vma 0xff) it counts for every VMA.
                        if (c.event_rank(e) < c.redirty_vma)
                                c.redirty_vma = c.event_rank(e);
                        break;
                case event_kind::stale_tlb_write:
                        c.any_stale_write = true;
                        break;
                case event_kind::gup_pin:
                        if (in_folio)
                                c.gup_pin.set(e.page);
                        break;
                case event_kind::spec_ref:
                        if (in_folio)
                                c.spec_ref.set(e.page);
                        break;
                default:
                        break;
                }
        }
}

// ---- slot checks ----

// A slot that mapped no page of the folio: nothing may touch it.
void check_foreign_slot(checker &c, const slot_pair &s)
{
        if (s.a == s.b)
                return;
        if (pte_present(s.a))
                c.fail(invariant::pte_pfn, "vma %d slot 0x%lx: present pfn 0x%x appeared over %s",
                       s.vma, s.addr, s.a.val, kind_name(s.b));
        else if (is_pte_marker(s.a) && vma_is_anonymous(s.v))
                c.fail(invariant::uffd_wp_marker_anon,
                       "vma %d slot 0x%lx: marker installed over %s in an anonymous VMA", s.vma,
                       s.addr, kind_name(s.b));
        else if (is_pte_marker(s.a))
                c.fail(invariant::uffd_wp_marker_spurious,
                       "vma %d slot 0x%lx: marker installed over %s, which mapped no folio page",
                       s.vma, s.addr, kind_name(s.b));
        else
                c.fail(invariant::foreign_slot,
                       "vma %d slot 0x%lx: %s (val 0x%x bits 0x%x) became %s (val 0x%x bits 0x%x)",
                       s.vma, s.addr, kind_name(s.b), s.b.val, s.b.bits, kind_name(s.a), s.a.val,
                       s.a.bits);
}

// An anon page mapped writable must be exclusive and mapped once (I8,
// page_table_check counts PTE and PMD mappings alike).
void check_anon_writable(checker &c, const slot_pair &s, long p)
{
        if (!folio_test_anon(&c.b.folio) || !pte_write(s.a) || p < 0)
                return;
        int maps = c.a.folio.mapcount[p] + c.a.folio.entire_mapcount;
        if (maps != 1 || !c.a.folio.anon_exclusive.test(p))
                c.fail(invariant::write_upgrade,
                       "vma %d slot 0x%lx: anon page %ld writable with %d mapping(s), PAE %d",
                       s.vma, s.addr, p, maps, int{c.a.folio.anon_exclusive.test(p)});
}

// Present before (or device) and present after.
void check_kept_present(checker &c, const slot_pair &s)
{
        if (s.a.val != s.b.val) {
                c.fail(invariant::pte_pfn, "vma %d slot 0x%lx: maps pfn 0x%x, mapped 0x%x before",
                       s.vma, s.addr, s.a.val, s.b.val);
        } else if (!pte_present(s.b)) {
                c.fail(invariant::pte_bits, "vma %d slot 0x%lx: %s entry became present", s.vma,
                       s.addr, kind_name(s.b));
        } else {
                if (pte_write(s.a) && !pte_write(s.b))
                        c.fail(invariant::write_upgrade,
                               "vma %d slot 0x%lx (page %ld): writable, was read-only", s.vma,
                               s.addr, s.p);
                // Dirty and young may be gained (docs/semantics.md 10.4); write only dropped
                // here, a gained write is write_upgrade.
                uint8_t changed = (s.a.bits ^ s.b.bits) & ~(PTE_DIRTY | PTE_YOUNG | PTE_WRITE);
                if (changed || (pte_write(s.b) && !pte_write(s.a)))
                        c.fail(invariant::pte_bits,
                               "vma %d slot 0x%lx (page %ld): bits 0x%x, were 0x%x", s.vma, s.addr,
                               s.p, s.a.bits, s.b.bits);
                if (pte_dirty(s.b) && !pte_dirty(s.a) && !c.a.folio.dirty)
                        c.fail(invariant::dirty_lost,
                               "vma %d slot 0x%lx (page %ld): dirty bit dropped, folio clean",
                               s.vma, s.addr, s.p);
        }
        check_anon_writable(c, s, folio_page_of(c.a, s.a));
}

// A device entry after: the same entry as before.
void check_kept_device(checker &c, const slot_pair &s)
{
        if (s.a.val != s.b.val)
                c.fail(invariant::pte_pfn, "vma %d slot 0x%lx: %s entry of pfn 0x%x, was 0x%x",
                       s.vma, s.addr, kind_name(s.a), s.a.val, s.b.val);
        else if (s.a.kind != s.b.kind || s.a.bits != s.b.bits)
                c.fail(invariant::pte_bits,
                       "vma %d slot 0x%lx (page %ld): %s bits 0x%x, was %s bits 0x%x", s.vma,
                       s.addr, s.p, kind_name(s.a), s.a.bits, kind_name(s.b), s.b.bits);
}

// The mapping itself had written the page: its pte, or the TLB entry a CPU
// could still write through, was dirty.
bool slot_was_dirty(const checker &c, const slot_pair &s)
{
        if (pte_dirty(s.b))
                return true;
        const tlb_entry *e = tlb_at(c.b, s.mm, s.addr);
        return e && e->cached && e->dirty && e->pfn == s.b.val;
}

// Choice: a guest-unused pte dropped outside a uffd-armed VMA (docs/semantics.md 4, step F).
bool guest_unused_drop(const slot_pair &s)
{
        return pte_unused(s.b) && !userfaultfd_armed(s.v);
}

// The slot no longer maps the page: none, or a uffd-wp marker.
void check_removed(checker &c, const slot_pair &s)
{
        bool wp = had_uffd_wp(s.b);
        if (pte_none(s.a)) {
                if (wp && uffd_wp_file_vma(s.v))
                        c.fail(invariant::uffd_wp_lost,
                               "vma %d slot 0x%lx (page %ld): uffd-wp %s entry became none, "
                               "no marker",
                               s.vma, s.addr, s.p, kind_name(s.b));
        } else if (vma_is_anonymous(s.v)) {
                c.fail(invariant::uffd_wp_marker_anon,
                       "vma %d slot 0x%lx (page %ld): marker in an anonymous VMA", s.vma, s.addr,
                       s.p);
        } else if (!wp || !uffd_wp_file_vma(s.v)) {
                c.fail(invariant::uffd_wp_marker_spurious,
                       "vma %d slot 0x%lx (page %ld): marker, but %s", s.vma, s.addr, s.p,
                       wp ? "the VMA is not uffd-wp registered" : "the old entry had no uffd-wp");
        } else if (!(s.a.bits & PTE_UFFD_WP)) {
                c.fail(invariant::uffd_wp_lost,
                       "vma %d slot 0x%lx (page %ld): marker without PTE_UFFD_WP", s.vma, s.addr,
                       s.p);
        }
        if (guest_unused_drop(s))
                return;
        c.discarded.set(s.p);
        if (pte_present(s.b))
                c.present_gone.set(s.p);
        if (droppable(s.v))
                return;
        c.discarded_nd.set(s.p);
        if (slot_was_dirty(c, s))
                c.dirty_gone.set(s.p);
        if (c.rank[s.vma] >= c.redirty_vma)
                c.redirty_gone.set(s.p);
        if (c.rank[s.vma] >= c.hw_dirty_vma[s.p])
                c.hw_dirty_gone.set(s.p);
}

// The slot became a swap pte (docs/semantics.md 4, step F, swap ok).
void check_swapped(checker &c, const slot_pair &s)
{
        long p = s.p;
        if (!c.b.folio.swapcache || swp_offset_pte(s.a) != FOLIO_SWAP + p)
                c.fail(invariant::swap_offset,
                       "vma %d slot 0x%lx (page %ld): swap offset 0x%lx, expected 0x%lx%s", s.vma,
                       s.addr, p, swp_offset_pte(s.a), FOLIO_SWAP + p,
                       c.b.folio.swapcache ? "" : " (folio not in the swap cache)");
        bool pae = c.b.folio.anon_exclusive.test(p);
        if (pte_swp_exclusive(s.a) != pae)
                c.fail(invariant::swap_exclusive,
                       "vma %d slot 0x%lx (page %ld): swap pte exclusive %d, PAE before %d", s.vma,
                       s.addr, p, int{pte_swp_exclusive(s.a)}, int{pae});
        if (c.a.folio.anon_exclusive.test(p))
                c.fail(invariant::pae_stale, "page %ld swapped out (slot 0x%lx) but still PAE", p,
                       s.addr);
        if (pte_soft_dirty(s.b) && !pte_swp_soft_dirty(s.a))
                c.fail(invariant::soft_dirty_lost,
                       "vma %d slot 0x%lx (page %ld): swap pte lost soft-dirty", s.vma, s.addr, p);
        if (had_uffd_wp(s.b) && !pte_swp_uffd_wp(s.a))
                c.fail(invariant::uffd_wp_lost,
                       "vma %d slot 0x%lx (page %ld): swap pte lost uffd-wp", s.vma, s.addr, p);
        uint8_t gained = s.a.bits & (PTE_SOFT_DIRTY | PTE_UFFD_WP) & ~s.b.bits;
        if (gained)
                c.fail(invariant::pte_bits,
                       "vma %d slot 0x%lx (page %ld): swap pte gained bits 0x%x", s.vma, s.addr, p,
                       gained);
        if (pae && (folio_maybe_dma_pinned(&c.b.folio) || c.gup_pin.test(p)))
                c.fail(invariant::pinned_exclusive_unmapped,
                       "page %ld: exclusive and maybe pinned, yet swapped out (slot 0x%lx)", p,
                       s.addr);
}

// The slot became a hwpoison entry: only for a poisoned page under TTU_HWPOISON.
void check_poisoned(checker &c, const slot_pair &s)
{
        if (s.a.val != s.b.val)
                c.fail(invariant::pte_pfn,
                       "vma %d slot 0x%lx: hwpoison entry of pfn 0x%x, was 0x%x", s.vma, s.addr,
                       s.a.val, s.b.val);
        else if (!(c.ttu & TTU_HWPOISON) || !c.b.folio.hwpoison.test(s.p))
                c.fail(invariant::pte_pfn, "vma %d slot 0x%lx: hwpoison entry for page %ld (%s)",
                       s.vma, s.addr, s.p,
                       c.ttu & TTU_HWPOISON ? "page not poisoned" : "without TTU_HWPOISON");
}

// Without TTU_IGNORE_MLOCK a VM_LOCKED VMA keeps every slot (dirty/young may be gained).
void check_mlocked(checker &c, const slot_pair &s)
{
        if ((c.ttu & TTU_IGNORE_MLOCK) || !(s.v->vm_flags & VM_LOCKED))
                return;
        const uint8_t dy = PTE_DIRTY | PTE_YOUNG;
        bool same = s.a.kind == s.b.kind && s.a.val == s.b.val &&
                    (s.a.bits & ~dy) == (s.b.bits & ~dy) && !(s.b.bits & dy & ~s.a.bits);
        if (!same)
                c.fail(invariant::mlocked_unmapped,
                       "vma %d slot 0x%lx: VM_LOCKED slot %s bits 0x%x became %s bits 0x%x", s.vma,
                       s.addr, kind_name(s.b), s.b.bits, kind_name(s.a), s.a.bits);
}

// Facts about the before state for the dirtiness rules.
void note_before(checker &c, const slot_pair &s)
{
        if (pte_dirty(s.b)) {
                c.any_dirty_before = true;
                if (!pte_present(s.a))
                        c.dirty_slot_gone = true;
        }
}

void check_slot(checker &c, const slot_pair &s)
{
        check_mlocked(c, s);
        if (s.p < 0) {
                check_foreign_slot(c, s);
                return;
        }
        note_before(c, s);
        switch (s.a.kind) {
        case pte_kind::present:
                check_kept_present(c, s);
                break;
        case pte_kind::device_exclusive:
        case pte_kind::device_private:
                check_kept_device(c, s);
                break;
        case pte_kind::none:
        case pte_kind::marker:
                check_removed(c, s);
                break;
        case pte_kind::swap:
                check_swapped(c, s);
                break;
        case pte_kind::hwpoison:
                check_poisoned(c, s);
                break;
        }
}

// Every slot of the folio's span in each VMA, before and after, side by side.
void check_slots(checker &c)
{
        for (int v = 0; v < c.b.nr_vmas; v++) {
                const vm_area_struct &vma = c.b.vmas[v];
                slot_pair s{};
                s.vma = v;
                s.v = &vma;
                s.mm = vma_mm_index(c.b, vma);
                unsigned long span_end;
                vma_folio_span(c.b, v, &s.addr, &span_end);
                while (s.addr < span_end) {
                        // One PMD at a time: resolve it once in each world.
                        unsigned long end = pmd_addr_end(s.addr, span_end);
                        pmd_view vb = pmd_view_at(c.b, s.mm, s.addr);
                        pmd_view va = pmd_view_at(c.a, s.mm, s.addr);
                        for (; s.addr < end; s.addr += PAGE_SIZE) {
                                s.b = vb.at(s.addr);
                                s.a = va.at(s.addr);
                                s.p = folio_page_of(c.b, s.b);
                                // The common case: a slot of no folio page, untouched.
                                if (s.p < 0 && s.a == s.b)
                                        continue;
                                check_slot(c, s);
                        }
                }
        }
}

// ---- bookkeeping ----

// I3: per-page mapcount == the PTE slots mapping the page; entire == huge PMDs.
void check_mapcount(checker &c)
{
        const folio &f = c.a.folio;
        long sum = 0;
        for (unsigned long p = 0; p < c.nr; p++) {
                sum += f.mapcount[p];
                if (f.mapcount[p] != c.ta.pte_maps[p])
                        c.fail(invariant::mapcount, "page %lu: mapcount %d, %d slot(s) map it", p,
                               f.mapcount[p], c.ta.pte_maps[p]);
        }
        if (f.entire_mapcount != c.ta.huge_maps)
                c.fail(invariant::mapcount, "entire mapcount %d, %d huge PMD(s) map the folio",
                       f.entire_mapcount, c.ta.huge_maps);
        if (f.large_mapcount != sum + f.entire_mapcount)
                c.fail(invariant::mapcount,
                       "large mapcount %d, page mapcounts sum to %ld plus entire %d",
                       f.large_mapcount, sum, f.entire_mapcount);
}

// I4: every reference is owned by a mapping or accounted as unowned.
void check_refcount(checker &c)
{
        long ptes = 0;
        for (unsigned long p = 0; p < c.nr; p++)
                ptes += c.ta.pte_maps[p];
        long expected = c.a.unowned_refs + ptes + c.ta.huge_maps;
        if (c.a.folio.refcount != expected)
                c.fail(invariant::refcount,
                       "refcount %d, expected %ld (%d unowned + %ld PTE + %d PMD mappings)",
                       c.a.folio.refcount, expected, c.a.unowned_refs, ptes, c.ta.huge_maps);
}

long expected_rss(const world_tally &t, int mm, int counter, int folio_counter)
{
        if (counter == folio_counter)
                return t.folio_maps[mm];
        if (counter == MM_SWAPENTS)
                return t.swap_entries[mm];
        return 0;
}

// I5: each counter moved by exactly what the mappings and swap ptes moved.
void check_rss(checker &c)
{
        int fc = mm_counter(&c.b.folio);
        int nr_mms = c.b.nr_mms < MAX_MMS ? c.b.nr_mms : MAX_MMS;
        for (int m = 0; m < nr_mms; m++)
                for (int t = 0; t < NR_MM_COUNTERS; t++) {
                        long moved = c.a.mms[m].rss_stat[t] - c.b.mms[m].rss_stat[t];
                        long due = expected_rss(c.ta, m, t, fc) - expected_rss(c.tb, m, t, fc);
                        if (moved != due)
                                c.fail(invariant::rss_counter,
                                       "mm %d %s moved by %ld, its %s by %ld", m,
                                       mm_counter_name(t), moved,
                                       t == MM_SWAPENTS ? "swap ptes" : "folio mappings", due);
                }
}

// I6: a swap count moves only with the swap ptes that reference the slot.
void check_swap_count(checker &c)
{
        for (unsigned long p = 0; p < c.nr; p++) {
                int moved = c.a.swap_count[p] - c.b.swap_count[p];
                int due = c.ta.swap_ptes[p] - c.tb.swap_ptes[p];
                if (moved != due)
                        c.fail(invariant::swap_count,
                               "page %lu: swap count moved by %d, its swap ptes by %d", p, moved,
                               due);
        }
}

// I11: the walk succeeded exactly when the folio ended unmapped.
void check_walk_result(checker &c)
{
        bool mapped = folio_mapped(&c.a.folio);
        if (c.walk_ret == mapped)
                c.fail(invariant::walk_result, "try_to_unmap returned %s, folio %s (mapcount %d)",
                       c.walk_ret ? "true" : "false", mapped ? "still mapped" : "unmapped",
                       c.a.folio.large_mapcount);
}

// I12: after the flush, a cached translation exists only for a slot that still
// maps that pfn. The tally pass checked the live tables. Choice: every
// allocated table counts; one no PMD references translates nothing, so
// anything cached for it is stale.
void check_tlb(checker &c)
{
        world_tally &ta = c.ta;
        for (int t = 0; t < c.a.nr_tables && t < MAX_TABLES; t++) {
                if (ta.live_tables & (1u << t))
                        continue;
                for (unsigned long idx = 0; idx < PTRS_PER_PTE; idx++)
                        if (tlb_stale_at(c.a, t, idx, false))
                                note_stale_tlb(ta, t, idx);
        }
        if (!ta.stale_tlb)
                return;
        int t = ta.stale_table;
        const tlb_entry &e = c.a.tlb[t][ta.stale_idx];
        bool live = ta.live_tables & (1u << t);
        pte_t pte = live ? c.a.tables[t][ta.stale_idx] : pte_t{};
        c.fail(invariant::tlb_stale,
               "mm %d slot 0x%lx%s: TLB still translates to pfn 0x%x%s, slot is %s (%d stale)",
               c.a.table_mm[t], c.a.table_pmd[t] * PMD_SIZE + ta.stale_idx * PAGE_SIZE,
               live ? "" : " (table unlinked)", e.pfn, e.dirty ? " (dirty)" : "", kind_name(pte),
               ta.stale_tlb);
}

// ---- data loss ----

// A lazyfree page with unsaved data discarded from a non-droppable slot, and
// the folio not made swap-backed to keep it.
void check_lazyfree_dirty_discard(checker &c)
{
        if (!c.lazyfree || c.a.folio.swapbacked || c.discarded_nd.none())
                return;
        for (unsigned long p = 0; p < c.nr; p++) {
                if (!c.discarded_nd.test(p))
                        continue;
                const char *why =
                    c.b.folio.dirty ? "folio dirty before"
                    : c.a.stale_written.test(p) && (c.dirty_gone.test(p) || c.hw_dirty_gone.test(p))
                        ? "written through a stale TLB entry"
                    : c.dirty_gone.test(p)    ? "the discarded slot was dirty"
                    : c.hw_dirty_gone.test(p) ? "hardware dirtied it"
                    : c.redirty_gone.test(p)  ? "a GUP user redirtied the folio"
                                              : nullptr;
                if (why)
                        c.fail(invariant::lazyfree_dirty_discard,
                               "page %lu discarded with unsaved data (%s), folio not swap-backed",
                               p, why);
        }
}

// B8: a lazyfree page discarded while someone else holds a reference.
void check_lazyfree_ref_discard(checker &c)
{
        if (!c.lazyfree || c.discarded.none())
                return;
        for (unsigned long p = 0; p < c.nr; p++) {
                if (!c.discarded.test(p))
                        continue;
                const char *why = c.b.unowned_refs > 1 ? "extra references from the start"
                                  : c.gup_pin.test(p) && c.present_gone.test(p)
                                      ? "gup_pin fired for it"
                                  : c.spec_ref.test(p) ? "spec_ref fired for it"
                                                       : nullptr;
                if (why)
                        c.fail(invariant::lazyfree_ref_discard, "page %lu discarded despite %s", p,
                               why);
        }
}

// B7: only a dirty lazyfree folio may become swap-backed.
void check_lazyfree_clean_swapbacked(checker &c)
{
        if (c.lazyfree && c.a.folio.swapbacked && !c.a.folio.dirty)
                c.fail(invariant::lazyfree_clean_swapbacked,
                       "clean lazyfree folio became swap-backed");
}

void check_folio_dirty_unjustified(checker &c)
{
        if (!c.a.folio.dirty || c.b.folio.dirty)
                return;
        if (c.any_dirty_before || c.any_hw_dirty || c.any_gup_redirty || c.any_stale_write)
                return;
        c.fail(invariant::folio_dirty_unjustified,
               "folio became dirty, but no slot was dirty and no dirtying event fired");
}

// A dirty page-cache page must leave the folio dirty, or the write is lost.
// Reclaim wrote the folio out while a CPU could still write a page of it
// through a stale dirty TLB entry: that write reaches neither the copy
// written out nor the folio's dirty flag, and the clean folio is then freed
// or dropped (try_to_unmap_flush_dirty() must run before pageout(); it
// flushes only when set_tlb_ubc_flush_pending() saw a dirty pteval).
void check_write_after_writeback(checker &c)
{
        page_set loss = c.a.written_after_writeback | c.a.writable_at_writeback;
        if (loss.none())
                return;
        unsigned long p = 0;
        while (!loss.test(p))
                p++;
        c.fail(invariant::write_after_writeback,
               "page %lu %s after pageout() took its snapshot; the deferred flush was%s writable "
               "when try_to_unmap() returned",
               p,
               c.a.written_after_writeback.test(p)
                   ? "written through a stale TLB entry"
                   : "still writable through a stale dirty TLB entry",
               c.a.ubc_writable_at_return ? "" : " not");
}

// An mm that gained swap entries must be on the mmlist, or swapoff
// (try_to_unuse()) never visits it and the entries outlive their swap device.
void check_mmlist(checker &c)
{
        int nr_mms = c.b.nr_mms < MAX_MMS ? c.b.nr_mms : MAX_MMS;
        for (int m = 0; m < nr_mms; m++) {
                long before = c.tb.swap_entries[m], after = c.ta.swap_entries[m];
                if (after > before && !c.a.mms[m].on_mmlist)
                        c.fail(invariant::swap_mm_not_on_mmlist,
                               "mm %d gained %ld swap entr%s but is not on the mmlist", m,
                               after - before, after - before == 1 ? "y" : "ies");
        }
}

void check_file_dirty_lost(checker &c)
{
        // pageout() cleaning a folio it wrote out keeps the data: the write
        // reached the file (a write after the snapshot is write_after_writeback).
        if (folio_test_anon(&c.b.folio) || c.a.folio.dirty || c.a.written_back)
                return;
        if (c.dirty_slot_gone || c.any_hw_dirty || c.any_stale_write)
                c.fail(invariant::file_dirty_lost, "page-cache folio clean after %s",
                       c.dirty_slot_gone ? "a dirty slot was unmapped"
                       : c.any_hw_dirty  ? "hardware dirtied a slot"
                                         : "a write through a stale TLB entry");
}

} // namespace

void count_world(const world &w, world_tally *t, bool with_tlb)
{
        // Default-initialised anew: the scalars reset, the per-page arrays left
        // for count_world_into(), which clears the folio's pages (the only ones
        // read), so no 4 KiB is zeroed per input.
        new (t) world_tally;
        count_world_into(w, *t, with_tlb);
}

invariant_report check_invariants(const world &before, const world &after, unsigned int ttu,
                                  bool walk_ret)
{
        world_tally tb;
        count_world(before, &tb, false);
        return check_invariants(before, tb, after, ttu, walk_ret);
}

invariant_report check_invariants(const world &before, const world_tally &before_tally,
                                  const world &after, unsigned int ttu, bool walk_ret)
{
        invariant_report r;
        checker c(before, before_tally, after, ttu, walk_ret, r);
        count_world_into(after, c.ta, true);
        collect_events(c);

        check_substrate(c);
        check_slots(c);
        check_mapcount(c);
        check_refcount(c);
        check_rss(c);
        check_swap_count(c);
        check_walk_result(c);
        check_tlb(c);
        check_lazyfree_dirty_discard(c);
        check_lazyfree_ref_discard(c);
        check_lazyfree_clean_swapbacked(c);
        check_folio_dirty_unjustified(c);
        check_file_dirty_lost(c);
        check_write_after_writeback(c);
        check_mmlist(c);
        return r;
}

} // namespace uf
