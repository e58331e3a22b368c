#include "scenario/mutate.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "mm/tlb.h"
#include "scenario/reachable.h"
#include "scenario/scenario_binary.h"

namespace uf
{

uint64_t mutate_rng::next()
{
        uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
}

namespace
{

constexpr const char *MUTATION_NAMES[] = {
    "slot_kind",   "slot_bit",   "slot_run",   "pae_move", "pae_resize", "folio_type",
    "folio_order", "folio_flag", "extra_refs", "hwpoison", "vma_add",    "vma_remove",
    "vma_split",   "vma_flag",   "vma_range",  "vma_mm",   "event_add",  "event_remove",
    "event_kind",  "event_page", "ttu_flag",   "arch",     "nr_mms",
};
static_assert(std::size(MUTATION_NAMES) == static_cast<size_t>(mutation::NR_MUTATIONS));

constexpr unsigned long PAGES_IN_TASK = TASK_SIZE / PAGE_SIZE;

int nr_pages(const scenario &s)
{
        return 1 << s.order;
}

unsigned long pfn(unsigned long addr)
{
        return addr >> PAGE_SHIFT;
}

unsigned long addr_of(long pfn_)
{
        return static_cast<unsigned long>(pfn_) << PAGE_SHIFT;
}

// The folio pages VMA v maps, as [first, last).
struct page_range {
        int first = 0, last = 0;
        bool empty() const { return first >= last; }
};

page_range mapped(const scenario &s, int v)
{
        page_range r;
        vma_folio_pages(s, v, &r.first, &r.last);
        return r;
}

// A signed step: mostly small (a batch boundary moves by a page or two),
// sometimes up to the folio's size.
int step(mutate_rng &rng, int nr)
{
        static constexpr int SMALL[] = {1, 1, 2, 3, 4, 8};
        int d = rng.one_in(4) ? 1 + static_cast<int>(rng.below(static_cast<unsigned>(nr)))
                              : SMALL[rng.below(std::size(SMALL))];
        return rng.one_in(2) ? d : -d;
}

// A page of the folio, half the time one where something changes: a VMA's
// first or last mapped page, a slot that differs from its neighbour, a
// PageAnonExclusive boundary (where batches end); now and then one next to
// such a page.
int pick_page(const scenario &s, mutate_rng &rng)
{
        int nr = nr_pages(s);
        if (nr == 1 || rng.one_in(2))
                return static_cast<int>(rng.below(static_cast<unsigned>(nr)));
        std::vector<int> at{0, nr - 1};
        for (int i = 1; i < nr; i++)
                if (s.pae.test(i) != s.pae.test(i - 1) ||
                    s.hwpoison.test(i) != s.hwpoison.test(i - 1))
                        at.push_back(i);
        for (int v = 0; v < s.nr_vmas; v++) {
                page_range r = mapped(s, v);
                if (r.empty())
                        continue;
                at.push_back(r.first);
                at.push_back(r.last - 1);
                for (int i = r.first + 1; i < r.last; i++)
                        if (s.vmas[v].slot[i] != s.vmas[v].slot[i - 1])
                                at.push_back(i);
        }
        int p = at[rng.below(static_cast<unsigned>(at.size()))];
        if (rng.one_in(3))
                p += rng.one_in(2) ? 1 : -1;
        return std::clamp(p, 0, nr - 1);
}

// A VMA that maps at least one folio page, or -1.
int pick_mapping_vma(const scenario &s, mutate_rng &rng)
{
        int n = 0, pick = -1;
        for (int v = 0; v < s.nr_vmas; v++)
                if (!mapped(s, v).empty() && rng.below(static_cast<unsigned>(++n)) == 0)
                        pick = v;
        return pick;
}

// A page VMA v maps, preferring pick_page()'s.
int pick_page_in(const scenario &s, int v, mutate_rng &rng)
{
        page_range r = mapped(s, v);
        int p = pick_page(s, rng);
        if (p >= r.first && p < r.last)
                return p;
        return r.first + static_cast<int>(rng.below(static_cast<unsigned>(r.last - r.first)));
}

// Random bits out of `allowed`, made consistent (slot_bits_consistent()).
uint8_t random_bits(slot_kind kind, uint8_t allowed, mutate_rng &rng)
{
        if (kind == slot_kind::marker)
                return PTE_UFFD_WP;
        uint8_t bits = static_cast<uint8_t>(rng.next()) & allowed;
        if (!slot_bits_consistent(kind, bits))
                bits &= ~PTE_WRITE;
        return bits;
}

// A kind a slot of this VMA can hold, other than `not_this`.
bool pick_slot_kind(const scenario &s, const vma_spec &vma, slot_kind not_this, mutate_rng &rng,
                    slot_kind *out)
{
        slot_kind kinds[static_cast<int>(slot_kind::NR_SLOT_KINDS)];
        int n = 0;
        for (int k = 0; k < static_cast<int>(slot_kind::NR_SLOT_KINDS); k++) {
                slot_kind kind = static_cast<slot_kind>(k);
                if (kind == not_this || !slot_kind_reachable(s.type, kind))
                        continue;
                if (kind == slot_kind::marker && !(slot_bits_allowed(s, vma, kind) & PTE_UFFD_WP))
                        continue;
                kinds[n++] = kind;
        }
        if (!n)
                return false;
        *out = kinds[rng.below(static_cast<unsigned>(n))];
        return true;
}

// A writable or device-exclusive anon slot needs its page exclusive; ask for
// it (sanitize() drops it again where the page has other references).
void want_exclusive(scenario &s, int page, slot_spec slot)
{
        if (!folio_type_is_anon(s.type))
                return;
        if (slot.kind == slot_kind::device_exclusive ||
            (slot_maps_folio_page(slot.kind) && (slot.bits & PTE_WRITE)))
                s.pae.set(page);
}

bool set_slot_kind(scenario &s, mutate_rng &rng)
{
        int v = pick_mapping_vma(s, rng);
        if (v < 0)
                return false;
        vma_spec &vma = s.vmas[v];
        int i = pick_page_in(s, v, rng);
        slot_kind kind;
        if (!pick_slot_kind(s, vma, vma.slot[i].kind, rng, &kind))
                return false;
        vma.pmd = false; // a PTE of its own: the PMD mapping was split
        vma.slot[i] = {kind, random_bits(kind, slot_bits_allowed(s, vma, kind), rng)};
        want_exclusive(s, i, vma.slot[i]);
        return true;
}

bool flip_slot_bit(scenario &s, mutate_rng &rng)
{
        int v = pick_mapping_vma(s, rng);
        if (v < 0)
                return false;
        vma_spec &vma = s.vmas[v];
        int i = pick_page_in(s, v, rng);
        slot_spec slot = vma.slot[i];
        uint8_t allowed = slot.kind == slot_kind::marker ? 0 : slot_bits_allowed(s, vma, slot.kind);
        if (!allowed)
                return false;
        uint8_t bit;
        do
                bit = static_cast<uint8_t>(1u << rng.below(8));
        while (!(allowed & bit));
        slot.bits ^= bit;
        if (!slot_bits_consistent(slot.kind, slot.bits))
                slot.bits &= (bit == PTE_WRITE) ? ~(PTE_UFFD_WP | PTE_PROTNONE) : ~PTE_WRITE;
        if (vma.pmd) {
                // One huge PMD: every page carries the same bits.
                page_range r = mapped(s, v);
                for (int p = r.first; p < r.last; p++)
                        vma.slot[p].bits = slot.bits;
        } else {
                vma.slot[i] = slot;
        }
        want_exclusive(s, i, slot);
        return true;
}

bool set_slot_run(scenario &s, mutate_rng &rng)
{
        int v = pick_mapping_vma(s, rng);
        if (v < 0)
                return false;
        vma_spec &vma = s.vmas[v];
        page_range r = mapped(s, v);
        int a = pick_page_in(s, v, rng);
        int len = 1 + static_cast<int>(rng.below(static_cast<unsigned>(r.last - r.first)));
        if (!rng.one_in(3))
                len = std::min(len, 1 << rng.below(5));
        slot_spec slot = vma.slot[a];
        if (rng.one_in(2)) {
                slot_kind kind;
                if (pick_slot_kind(s, vma, slot_kind::NR_SLOT_KINDS, rng, &kind))
                        slot = {kind, random_bits(kind, slot_bits_allowed(s, vma, kind), rng)};
        }
        int b = std::min(r.last, a + len);
        if (rng.one_in(2)) // backwards: the run ends at a
                a = std::max(r.first, a + 1 - len), b = a + len <= r.last ? a + len : r.last;
        vma.pmd = false;
        for (int p = a; p < b; p++) {
                vma.slot[p] = slot;
                want_exclusive(s, p, slot);
        }
        return true;
}

// The PageAnonExclusive runs [a, b).
std::vector<page_range> pae_runs(const scenario &s)
{
        std::vector<page_range> runs;
        int nr = nr_pages(s);
        for (int i = 0; i < nr;) {
                if (!s.pae.test(i)) {
                        i++;
                        continue;
                }
                int j = i;
                while (j < nr && s.pae.test(j))
                        j++;
                runs.push_back({i, j});
                i = j;
        }
        return runs;
}

bool move_pae(scenario &s, mutate_rng &rng)
{
        if (!folio_type_is_anon(s.type))
                return false;
        int nr = nr_pages(s);
        std::vector<page_range> runs = pae_runs(s);
        if (runs.empty()) {
                int a = pick_page(s, rng);
                int len = 1 + static_cast<int>(rng.below(static_cast<unsigned>(nr - a)));
                for (int p = a; p < a + len; p++)
                        s.pae.set(p);
                return true;
        }
        page_range r = runs[rng.below(static_cast<unsigned>(runs.size()))];
        int d = step(rng, nr);
        for (int p = r.first; p < r.last; p++)
                s.pae.reset(p);
        for (int p = std::max(0, r.first + d); p < std::min(nr, r.last + d); p++)
                s.pae.set(p);
        return true;
}

bool resize_pae(scenario &s, mutate_rng &rng)
{
        if (!folio_type_is_anon(s.type))
                return false;
        int nr = nr_pages(s);
        std::vector<page_range> runs = pae_runs(s);
        if (runs.empty() || rng.one_in(4)) {
                // PageAnonExclusive changes at one page: splits a run or
                // starts one (a page shared by fork, or exclusive again).
                s.pae.flip(static_cast<size_t>(pick_page(s, rng)));
                return true;
        }
        page_range r = runs[rng.below(static_cast<unsigned>(runs.size()))];
        int d = step(rng, nr);
        if (rng.one_in(2))
                r.first = std::clamp(r.first + d, 0, nr);
        else
                r.last = std::clamp(r.last + d, 0, nr);
        for (int p = 0; p < nr; p++)
                if (p >= std::min(r.first, r.last) && p < std::max(r.first, r.last))
                        s.pae.set(p, r.first < r.last);
        if (r.first >= r.last) // shrunk to nothing, or past itself: gone
                for (page_range x : runs)
                        if (x.first <= r.first && r.first < x.last)
                                for (int p = x.first; p < x.last; p++)
                                        s.pae.reset(p);
        return true;
}

bool set_folio_type(scenario &s, mutate_rng &rng)
{
        int n = static_cast<int>(folio_type::NR_FOLIO_TYPES);
        s.type =
            static_cast<folio_type>((static_cast<int>(s.type) + 1 +
                                     static_cast<int>(rng.below(static_cast<unsigned>(n - 1)))) %
                                    n);
        return true;
}

bool set_folio_order(scenario &s, mutate_rng &rng)
{
        int old = s.order;
        int order = rng.one_in(2) ? old + (rng.one_in(2) ? 1 : -1)
                                  : static_cast<int>(rng.below(MAX_ORDER_MODEL + 1));
        if (order < 0 || order > MAX_ORDER_MODEL || order == old)
                return false;
        s.order = static_cast<uint8_t>(order);
        int old_nr = 1 << old, nr = 1 << order;
        // The new pages of a larger folio are mapped like its old last page
        // where the VMA covers them.
        for (int v = 0; v < s.nr_vmas && nr > old_nr; v++) {
                vma_spec &vma = s.vmas[v];
                for (int p = old_nr; p < nr; p++)
                        vma.slot[p] = vma.slot[old_nr - 1];
                if (s.pae.test(old_nr - 1))
                        for (int p = old_nr; p < nr; p++)
                                s.pae.set(p);
        }
        return true;
}

bool flip_folio_flag(scenario &s, mutate_rng &rng)
{
        s.folio_flags ^= static_cast<uint8_t>(1u << rng.below(3));
        static_assert(FOLIO_ALL_FLAGS == 7);
        return true;
}

bool set_extra_refs(scenario &s, mutate_rng &rng)
{
        int refs;
        switch (rng.below(3)) {
        case 0:
                refs = static_cast<int>(rng.below(4));
                break;
        case 1:
                refs = s.extra_refs + (rng.one_in(2) ? 1 : -1);
                break;
        default:
                refs = static_cast<int>(rng.below(MAX_EXTRA_REFS + 1));
        }
        if (refs < 0 || refs > MAX_EXTRA_REFS)
                return false;
        s.extra_refs = static_cast<uint8_t>(refs);
        return true;
}

bool flip_hwpoison(scenario &s, mutate_rng &rng)
{
        s.hwpoison.flip(static_cast<size_t>(pick_page(s, rng)));
        return true;
}

bool overlaps_any(const scenario &s, const vma_spec &vma, int except)
{
        for (int v = 0; v < s.nr_vmas; v++)
                if (v != except && s.vmas[v].mm == vma.mm && s.vmas[v].start < vma.end &&
                    vma.start < s.vmas[v].end)
                        return true;
        return false;
}

bool add_vma(scenario &s, mutate_rng &rng)
{
        if (s.nr_vmas >= MAX_VMAS)
                return false;
        int nr = nr_pages(s);
        vma_spec vma;
        int mms = std::min<int>(s.nr_mms + 1, MAX_MMS);
        vma.mm = static_cast<uint8_t>(rng.below(static_cast<unsigned>(mms)));
        int from = s.nr_vmas ? static_cast<int>(rng.below(s.nr_vmas)) : -1;
        if (from >= 0 && rng.one_in(2)) {
                // A fork's copy, or another part of the same mapping.
                vma.folio_addr = s.vmas[from].folio_addr;
                vma.flags = s.vmas[from].flags;
                std::copy(std::begin(s.vmas[from].slot), std::end(s.vmas[from].slot), vma.slot);
        } else {
                unsigned long slots = PAGES_IN_TASK / static_cast<unsigned long>(nr);
                unsigned long base =
                    rng.below(static_cast<unsigned>(slots)) * static_cast<unsigned long>(nr);
                if (rng.one_in(4)) // not naturally aligned
                        base = std::min(base + rng.below(static_cast<unsigned>(nr)),
                                        PAGES_IN_TASK - nr);
                vma.folio_addr = addr_of(static_cast<long>(base));
                uint8_t bits = random_bits(slot_kind::present,
                                           slot_bits_allowed(s, vma, slot_kind::present), rng);
                for (int p = 0; p < nr; p++)
                        vma.slot[p] = {slot_kind::present, bits};
        }
        int a = rng.one_in(2) ? 0 : static_cast<int>(rng.below(static_cast<unsigned>(nr)));
        int b =
            rng.one_in(2) ? nr : a + 1 + static_cast<int>(rng.below(static_cast<unsigned>(nr - a)));
        long start = static_cast<long>(pfn(vma.folio_addr)) + a;
        long end = static_cast<long>(pfn(vma.folio_addr)) + b;
        if (rng.one_in(4))
                start -= 1 + rng.below(16);
        if (rng.one_in(4))
                end += 1 + rng.below(16);
        start = std::max(start, 0L);
        end = std::min(end, static_cast<long>(PAGES_IN_TASK));
        if (start >= end)
                return false;
        vma.start = addr_of(start);
        vma.end = addr_of(end);
        if (overlaps_any(s, vma, -1))
                return false;
        if (vma.mm >= s.nr_mms)
                s.nr_mms = static_cast<uint8_t>(vma.mm + 1);
        int at = static_cast<int>(rng.below(s.nr_vmas + 1u));
        for (int v = s.nr_vmas; v > at; v--)
                s.vmas[v] = s.vmas[v - 1];
        s.vmas[at] = vma;
        s.nr_vmas++;
        return true;
}

void erase_vma(scenario &s, int v)
{
        for (int u = v; u + 1 < s.nr_vmas; u++)
                s.vmas[u] = s.vmas[u + 1];
        s.nr_vmas--;
        s.vmas[s.nr_vmas] = vma_spec{};
}

bool remove_vma(scenario &s, mutate_rng &rng)
{
        if (!s.nr_vmas)
                return false;
        erase_vma(s, static_cast<int>(rng.below(s.nr_vmas)));
        return true;
}

// One VMA flag a VMA of this scenario can carry, or the PMD mapping (0).
bool flip_vma_flag_of(scenario &s, int v, bool pmd_too, mutate_rng &rng)
{
        vma_spec &vma = s.vmas[v];
        uint8_t allowed = VM_LOCKED | uffd_modes_allowed(s.type, vma.flags, s.arch) | vma.flags;
        if (s.type == folio_type::lazyfree)
                allowed |= VM_DROPPABLE;
        bool pmd_ok = pmd_too && s.order == HPAGE_PMD_ORDER && !(s.ttu & TTU_HWPOISON);
        unsigned choices = 8 + pmd_ok;
        unsigned c = rng.below(choices);
        if (c == 8) {
                if (vma.pmd) {
                        vma.pmd = false;
                        return true;
                }
                // A huge PMD mapping the whole folio.
                unsigned long fa = vma.folio_addr & PMD_MASK;
                vma.folio_addr = fa;
                vma.start = std::min(vma.start, fa);
                vma.end = std::max(vma.end, fa + PMD_SIZE);
                vma.pmd = true;
                slot_spec head = vma.slot[0];
                if (head.kind != slot_kind::present)
                        head = {slot_kind::present, 0};
                head.bits &= ~(PTE_PROTNONE | PTE_UNUSED);
                for (int p = 0; p < nr_pages(s); p++)
                        vma.slot[p] = head;
                s.ttu |= TTU_SPLIT_HUGE_PMD;
                return !overlaps_any(s, vma, v);
        }
        uint8_t bit = static_cast<uint8_t>(1u << c);
        if (!(allowed & bit & VMA_ALL_FLAGS))
                return false;
        vma.flags ^= bit;
        if (bit == VM_DROPPABLE) {
                // Every mapping of a droppable folio is droppable (sanitize_droppable()).
                for (int u = 0; u < s.nr_vmas; u++)
                        if (u != v && s.vmas[u].mm == vma.mm && !mapped(s, u).empty())
                                s.vmas[u].flags =
                                    (s.vmas[u].flags & ~VM_DROPPABLE) | (vma.flags & VM_DROPPABLE);
                if (vma.flags & VM_DROPPABLE)
                        vma.flags &= ~(VM_LOCKED | VM_UFFD_FLAGS);
        }
        return true;
}

bool flip_vma_flag(scenario &s, mutate_rng &rng)
{
        if (!s.nr_vmas)
                return false;
        return flip_vma_flag_of(s, static_cast<int>(rng.below(s.nr_vmas)), true, rng);
}

bool split_vma(scenario &s, mutate_rng &rng)
{
        if (!s.nr_vmas || s.nr_vmas >= MAX_VMAS)
                return false;
        int v = pick_mapping_vma(s, rng);
        if (v < 0)
                return false;
        vma_spec &vma = s.vmas[v];
        long a = static_cast<long>(pfn(vma.start)), b = static_cast<long>(pfn(vma.end));
        if (b - a < 2)
                return false;
        // Split at a folio page (where a batch must stop), or anywhere.
        long at = static_cast<long>(pfn(vma.folio_addr)) + pick_page_in(s, v, rng);
        if (at <= a || at >= b || rng.one_in(4))
                at = a + 1 + static_cast<long>(rng.below(static_cast<unsigned>(b - a - 1)));
        vma_spec hi = vma;
        vma.end = addr_of(at);
        hi.start = addr_of(at);
        vma.pmd = hi.pmd = false;
        for (int u = s.nr_vmas; u > v + 1; u--)
                s.vmas[u] = s.vmas[u - 1];
        s.vmas[v + 1] = hi;
        s.nr_vmas++;
        // What split it: mlock() or userfaultfd registration of one part.
        if (rng.one_in(2))
                flip_vma_flag_of(s, v + static_cast<int>(rng.below(2)), false, rng);
        return true;
}

bool move_vma_range(scenario &s, mutate_rng &rng)
{
        if (!s.nr_vmas)
                return false;
        int v = static_cast<int>(rng.below(s.nr_vmas));
        vma_spec &vma = s.vmas[v];
        page_range before = mapped(s, v);
        int d = step(rng, nr_pages(s));
        long start = static_cast<long>(pfn(vma.start)), end = static_cast<long>(pfn(vma.end));
        long fa = static_cast<long>(pfn(vma.folio_addr));
        switch (rng.below(3)) {
        case 0:
                start += d;
                break;
        case 1:
                end += d;
                break;
        default:
                fa += d;
        }
        long top = static_cast<long>(PAGES_IN_TASK);
        if (start < 0 || end > top || start >= end || fa < 0 || fa >= top)
                return false;
        slot_spec old[MAX_FOLIO_PAGES];
        std::copy(std::begin(vma.slot), std::end(vma.slot), old);
        vma.start = addr_of(start);
        vma.end = addr_of(end);
        unsigned long old_fa = vma.folio_addr;
        vma.folio_addr = addr_of(fa);
        vma.pmd = false;
        if (overlaps_any(s, vma, v))
                return false;
        page_range after = mapped(s, v);
        // The slots stay at their addresses; pages newly inside the VMA take
        // the nearest old one's value.
        long shift = static_cast<long>(pfn(vma.folio_addr)) - static_cast<long>(pfn(old_fa));
        for (int p = after.first; p < after.last; p++) {
                long q = p + shift;
                if (before.empty())
                        vma.slot[p] = {slot_kind::present, 0};
                else
                        vma.slot[p] = old[std::clamp<long>(q, before.first, before.last - 1)];
        }
        return true;
}

bool move_vma_mm(scenario &s, mutate_rng &rng)
{
        if (!s.nr_vmas)
                return false;
        int v = static_cast<int>(rng.below(s.nr_vmas));
        int mms = std::min<int>(s.nr_mms + 1, MAX_MMS);
        uint8_t mm = static_cast<uint8_t>(rng.below(static_cast<unsigned>(mms)));
        if (mm == s.vmas[v].mm)
                return false;
        s.vmas[v].mm = mm;
        if (overlaps_any(s, s.vmas[v], v))
                return false;
        if (mm >= s.nr_mms)
                s.nr_mms = static_cast<uint8_t>(mm + 1);
        return true;
}

// Whether the unmap path of this scenario can fire an event of this kind:
// spec_ref and gup_redirty only on the lazyfree path (the refcount and dirty
// re-checks after the clear), dup_swap_fail only where folio_dup_swap()
// raises a swap count (an anon folio in the swap cache), arch_unmap_fail
// only where arch_unmap_one() exists (sparc64 ADI), stale_tlb_write only
// while a deferred flush is pending (TTU_BATCH_FLUSH).
bool event_can_fire(const scenario &s, event_kind kind)
{
        switch (kind) {
        case event_kind::spec_ref:
        case event_kind::gup_redirty:
                return s.type == folio_type::lazyfree;
        case event_kind::dup_swap_fail:
                return s.type == folio_type::anon;
        case event_kind::arch_unmap_fail:
                return folio_type_is_anon(s.type) && s.arch == ARCH_SPARC_ADI;
        case event_kind::stale_tlb_write:
                return (s.ttu & TTU_BATCH_FLUSH) != 0;
        default:
                return true;
        }
}

// An event kind; half the time one this scenario's path can fire, so that
// a failure the folio type reaches is not diluted by the kinds it cannot.
event_kind random_event_kind(const scenario &s, mutate_rng &rng)
{
        constexpr unsigned N = static_cast<unsigned>(event_kind::NR_EVENT_KINDS);
        if (rng.one_in(2))
                return static_cast<event_kind>(rng.below(N));
        event_kind kinds[N];
        unsigned n = 0;
        for (unsigned k = 0; k < N; k++)
                if (event_can_fire(s, static_cast<event_kind>(k)))
                        kinds[n++] = static_cast<event_kind>(k);
        return kinds[rng.below(n)];
}

bool add_event(scenario &s, mutate_rng &rng)
{
        if (s.nr_events >= MAX_EVENTS)
                return false;
        int at = static_cast<int>(rng.below(s.nr_events + 1u));
        for (int e = s.nr_events; e > at; e--)
                s.events[e] = s.events[e - 1];
        s.events[at] = {random_event_kind(s, rng), static_cast<uint16_t>(pick_page(s, rng))};
        s.nr_events++;
        return true;
}

bool remove_event(scenario &s, mutate_rng &rng)
{
        if (!s.nr_events)
                return false;
        for (int e = static_cast<int>(rng.below(s.nr_events)); e + 1 < s.nr_events; e++)
                s.events[e] = s.events[e + 1];
        s.nr_events--;
        s.events[s.nr_events] = event{};
        return true;
}

bool set_event_kind(scenario &s, mutate_rng &rng)
{
        if (!s.nr_events)
                return false;
        s.events[rng.below(s.nr_events)].kind = random_event_kind(s, rng);
        return true;
}

bool set_event_page(scenario &s, mutate_rng &rng)
{
        if (!s.nr_events)
                return false;
        event &ev = s.events[rng.below(s.nr_events)];
        int p = rng.one_in(3) ? ev.page + step(rng, 2) : pick_page(s, rng);
        if (p < 0 || p >= nr_pages(s))
                return false;
        ev.page = static_cast<uint16_t>(p);
        return true;
}

bool flip_ttu_flag(scenario &s, mutate_rng &rng)
{
        unsigned bit = 1u << rng.below(6);
        static_assert(TTU_ALL_FLAGS == (1 << 6) - 1);
        unsigned ttu = s.ttu ^ bit;
        if (bit == TTU_HWPOISON && (ttu & TTU_HWPOISON)) {
                // memory_failure(): the page is poisoned first, and the
                // flags come as unmap_poisoned_folio() passes them.
                s.hwpoison.set(0);
                ttu = TTU_HWPOISON | TTU_IGNORE_MLOCK | TTU_SYNC;
        } else if (s.ttu & TTU_HWPOISON) {
                ttu &= ~TTU_HWPOISON;
        }
        if (!ttu_reachable(s, ttu))
                return false;
        s.ttu = ttu;
        return true;
}

bool set_arch(scenario &s, mutate_rng &rng)
{
        s.arch =
            static_cast<arch_mode>((s.arch + 1 + rng.below(NR_ARCH_MODES - 1)) % NR_ARCH_MODES);
        return true;
}

bool set_nr_mms(scenario &s, mutate_rng &rng)
{
        int n = s.nr_mms + (rng.one_in(2) ? 1 : -1);
        if (n < 1 || n > MAX_MMS)
                return false;
        // Fewer mms: the last one's VMAs go with it.
        for (int v = s.nr_vmas - 1; v >= 0; v--)
                if (s.vmas[v].mm >= n)
                        erase_vma(s, v);
        s.nr_mms = static_cast<uint8_t>(n);
        return true;
}

using mutator_fn = bool (*)(scenario &, mutate_rng &);
constexpr mutator_fn MUTATORS[] = {
    set_slot_kind,   flip_slot_bit,   set_slot_run,   move_pae,      resize_pae, set_folio_type,
    set_folio_order, flip_folio_flag, set_extra_refs, flip_hwpoison, add_vma,    remove_vma,
    split_vma,       flip_vma_flag,   move_vma_range, move_vma_mm,   add_event,  remove_event,
    set_event_kind,  set_event_page,  flip_ttu_flag,  set_arch,      set_nr_mms,
};
static_assert(std::size(MUTATORS) == static_cast<size_t>(mutation::NR_MUTATIONS));

// How often each kind is drawn: the unmap path's decisions are per slot and
// per batch, so slots, PageAnonExclusive, VMAs and events come first.
constexpr unsigned WEIGHTS[] = {
    6, 6, 4, 4, 4, 2, // slot_kind slot_bit slot_run pae_move pae_resize folio_type
    2, 2, 2, 1, 3, 2, // folio_order folio_flag extra_refs hwpoison vma_add vma_remove
    3, 3, 3, 1, 3, 2, // vma_split vma_flag vma_range vma_mm event_add event_remove
    2, 3, 2, 1, 1,    // event_kind event_page ttu_flag arch nr_mms
};
static_assert(std::size(WEIGHTS) == static_cast<size_t>(mutation::NR_MUTATIONS));

mutation draw_kind(mutate_rng &rng)
{
        unsigned total = 0;
        for (unsigned w : WEIGHTS)
                total += w;
        unsigned x = rng.below(total);
        int m = 0;
        while (x >= WEIGHTS[m])
                x -= WEIGHTS[m++];
        return static_cast<mutation>(m);
}

// Changes per mutant: one, then another with probability 1/STACK_ONE_IN
// each time, up to MAX_STACKED (as AFL++'s havoc stacks its own). A bug
// that needs two things at once is then one mutant away instead of two, the
// first of which survives only if it happens to add coverage. Chosen by
// measurement: from the seeds that do not trigger them, -seed=1..10, the
// median executions to find b17_flush_pending_first_pte fell from about
// 6,000 to 1,700 and k_b14_subbatch_restores_itself from 1,800 to 1,200.
constexpr int MAX_STACKED = 4;
constexpr unsigned STACK_ONE_IN = 2;

size_t emit(const scenario &s, uint8_t *out, size_t max_size)
{
        std::vector<uint8_t> bytes = encode_scenario(s);
        if (bytes.size() > max_size)
                return 0;
        std::memcpy(out, bytes.data(), bytes.size());
        return bytes.size();
}

} // namespace

const char *mutation_name(mutation m)
{
        int i = static_cast<int>(m);
        return i < static_cast<int>(mutation::NR_MUTATIONS) ? MUTATION_NAMES[i] : "none";
}

bool mutate_one(scenario &s, mutation m, mutate_rng &rng)
{
        int i = static_cast<int>(m);
        if (i >= static_cast<int>(mutation::NR_MUTATIONS))
                return false;
        scenario t = s;
        if (!MUTATORS[i](t, rng))
                return false;
        sanitize(t);
        if (t == s)
                return false;
        s = t;
        return true;
}

mutation mutate_scenario(scenario &s, mutate_rng &rng)
{
        for (int attempt = 0; attempt < 64; attempt++) {
                mutation m = draw_kind(rng);
                if (mutate_one(s, m, rng))
                        return m;
        }
        return mutation::NR_MUTATIONS;
}

bool crossover_scenarios(const scenario &a, const scenario &b, scenario *out, mutate_rng &rng)
{
        for (int attempt = 0; attempt < 8; attempt++) {
                bool swap = rng.one_in(2);
                const scenario &x = swap ? b : a, &y = swap ? a : b;
                scenario t = y;
                switch (rng.below(4)) {
                case 0: // the folio of x, the VMAs, slots and events of y
                        t.type = x.type;
                        t.order = x.order;
                        t.folio_flags = x.folio_flags;
                        t.extra_refs = x.extra_refs;
                        t.pae = x.pae;
                        t.hwpoison = x.hwpoison;
                        break;
                case 1: // the mms, VMAs and slots of x
                        t.nr_mms = x.nr_mms;
                        t.nr_vmas = x.nr_vmas;
                        std::copy(std::begin(x.vmas), std::end(x.vmas), t.vmas);
                        break;
                case 2: // the events (and TTU flags) of x
                        t.nr_events = x.nr_events;
                        std::copy(std::begin(x.events), std::end(x.events), t.events);
                        if (rng.one_in(2))
                                t.ttu = x.ttu;
                        break;
                default: { // the first VMAs of x, then those of y
                        int k = static_cast<int>(rng.below(x.nr_vmas + 1u));
                        int n = k;
                        vma_spec vmas[MAX_VMAS];
                        std::copy(x.vmas, x.vmas + k, vmas);
                        for (int v = 0; v < y.nr_vmas && n < MAX_VMAS; v++)
                                vmas[n++] = y.vmas[v];
                        std::copy(vmas, vmas + n, t.vmas);
                        for (int v = n; v < MAX_VMAS; v++)
                                t.vmas[v] = vma_spec{};
                        t.nr_vmas = static_cast<uint8_t>(n);
                        t.nr_mms = std::max(x.nr_mms, y.nr_mms);
                }
                }
                sanitize(t);
                if (t != a && t != b) {
                        *out = t;
                        return true;
                }
        }
        return false;
}

size_t mutate_input(const uint8_t *data, size_t size, uint8_t *out, size_t max_size, uint64_t seed)
{
        mutate_rng rng(seed);
        const scenario parent = decode_scenario(data, size);
        for (int attempt = 0; attempt < 8; attempt++) {
                scenario s = parent;
                if (mutate_scenario(s, rng) == mutation::NR_MUTATIONS)
                        return 0;
                for (int more = 1; more < MAX_STACKED && rng.one_in(STACK_ONE_IN); more++)
                        mutate_scenario(s, rng);
                if (s != parent) // two changes can undo each other
                        if (size_t n = emit(s, out, max_size))
                                return n;
        }
        return 0;
}

size_t crossover_inputs(const uint8_t *a, size_t a_size, const uint8_t *b, size_t b_size,
                        uint8_t *out, size_t max_size, uint64_t seed)
{
        mutate_rng rng(seed);
        scenario x = decode_scenario(a, a_size), y = decode_scenario(b, b_size), t;
        for (int attempt = 0; attempt < 4; attempt++)
                if (crossover_scenarios(x, y, &t, rng))
                        if (size_t n = emit(t, out, max_size))
                                return n;
        return 0;
}

size_t canonicalize_input(uint8_t *data, size_t size, size_t max_size)
{
        std::vector<uint8_t> bytes = encode_scenario(decode_scenario(data, size));
        if (bytes.size() > max_size)
                return size;
        std::memcpy(data, bytes.data(), bytes.size());
        return bytes.size();
}

} // namespace uf
