#include "scenario/world_builder.h"

#include "mm/gup.h"

namespace uf
{

// f is a default folio (build_world() has just reset the world).
static void init_folio(const scenario &s, folio &f)
{
        f.order = s.order;
        f.anon = folio_type_is_anon(s.type);
        f.swapbacked = s.type == folio_type::anon || s.type == folio_type::shmem ||
                       s.type == folio_type::anon_nocache;
        f.swapcache = s.type == folio_type::anon;
        f.dirty = s.folio_flags & FOLIO_DIRTY;
        f.mlocked = s.folio_flags & FOLIO_MLOCKED;
        f.mlock_count = f.mlocked ? 1 : 0;
        f.anon_exclusive = s.pae;
        f.hwpoison = s.hwpoison;
}

// The page table covering addr in mm, allocated on first use.
static int table_for(world &w, int mm, unsigned long addr)
{
        unsigned long pmd_idx = addr >> PMD_SHIFT;
        pmd_t &pmd = w.mms[mm].pmd[pmd_idx];
        if (pmd.kind == pmd_kind::table)
                return pmd.table;
        int t = w.alloc_table(mm, pmd_idx);
        pmd.kind = pmd_kind::table;
        pmd.table = static_cast<uint8_t>(t);
        return t;
}

static void account_mapping(world &w, int mm, int page)
{
        folio &f = w.folio;
        f.mapcount[page]++;
        f.large_mapcount++;
        f.refcount++;
        w.mms[mm].rss_stat[mm_counter(&f)]++;
}

static pte_t slot_pte(const scenario &s, int v, int page, slot_spec slot)
{
        switch (slot.kind) {
        case slot_kind::present:
                return pfn_pte(FOLIO_PFN + page, slot.bits);
        case slot_kind::foreign:
                return pfn_pte(FOREIGN_PFN + static_cast<unsigned long>(v) * MAX_FOLIO_PAGES + page,
                               slot.bits);
        case slot_kind::swap: {
                unsigned long base = s.type == folio_type::anon ? FOLIO_SWAP : FOREIGN_SWAP;
                pte_t pte = swp_entry_to_pte(swp_entry_t{base + page});
                pte.bits = slot.bits;
                return pte;
        }
        case slot_kind::marker:
                return make_pte_marker_uffd_wp();
        case slot_kind::device_exclusive:
                return pte_t{pte_kind::device_exclusive, slot.bits,
                             static_cast<uint32_t>(FOLIO_PFN + page)};
        case slot_kind::device_private:
                return pte_t{pte_kind::device_private, slot.bits,
                             static_cast<uint32_t>(FOLIO_PFN + page)};
        default:
                return pte_t{};
        }
}

static void build_pmd_mapping(world &w, const vma_spec &vs)
{
        pmd_t &pmd = w.mms[vs.mm].pmd[vs.folio_addr >> PMD_SHIFT];
        pmd.kind = pmd_kind::huge;
        pmd.huge = pfn_pte(FOLIO_PFN, vs.slot[0].bits);
        // pgtable_trans_huge_deposit(): the table a later split will use.
        pmd.deposit = static_cast<uint8_t>(w.alloc_table(vs.mm, vs.folio_addr >> PMD_SHIFT));
        folio &f = w.folio;
        f.entire_mapcount++;
        f.large_mapcount++;
        f.refcount++;
        w.mms[vs.mm].rss_stat[mm_counter(&f)] += HPAGE_PMD_NR;
}

static void build_vma(const scenario &s, world &w, int v)
{
        const vma_spec &vs = s.vmas[v];
        vm_area_struct &vma = w.vmas[v];
        vma.vm_start = vs.start;
        vma.vm_end = vs.end;
        // The linear mapping puts folio page 0 (index FOLIO_PGOFF) at folio_addr.
        vma.vm_pgoff = FOLIO_PGOFF + (vs.start >> PAGE_SHIFT) - (vs.folio_addr >> PAGE_SHIFT);
        vma.vm_flags = vs.flags;
        vma.anonymous = folio_type_is_anon(s.type);
        vma.pmd_mapped = vs.pmd;
        vma.vm_mm = &w.mms[vs.mm];

        if (vs.pmd) {
                build_pmd_mapping(w, vs);
                return;
        }
        // Every table the VMA spans exists, so the walk and the batch bounds see
        // real tables even where the folio is not mapped.
        for (unsigned long addr = vs.start & PMD_MASK; addr < vs.end; addr += PMD_SIZE)
                table_for(w, vs.mm, addr);
        int first, last;
        vma_folio_pages(s, v, &first, &last);
        for (int i = first; i < last; i++) {
                slot_spec slot = vs.slot[i];
                if (slot.kind == slot_kind::none)
                        continue;
                unsigned long addr = vs.folio_addr + static_cast<unsigned long>(i) * PAGE_SIZE;
                int t = table_for(w, vs.mm, addr);
                long idx = static_cast<long>(pte_index(addr));
                pte_t pte = slot_pte(s, v, i, slot);
                w.tables[t][idx] = pte;
                if (pte_accessible(pte))
                        w.tlb[t][idx] = tlb_entry{1, static_cast<uint8_t>(pte_write_cached(pte)), 0,
                                                  static_cast<uint32_t>(pte.val)};
                if (slot.kind == slot_kind::present || slot.kind == slot_kind::device_exclusive ||
                    slot.kind == slot_kind::device_private)
                        account_mapping(w, vs.mm, i);
                else if (slot.kind == slot_kind::swap) {
                        w.mms[vs.mm].rss_stat[MM_SWAPENTS]++;
                        if (s.type == folio_type::anon)
                                w.swap_count[i]++;
                }
        }
}

// The default world every build starts from. At namespace scope, not a
// function-local static: its one-time initialisation guard would be an edge
// that only the first fuzz input of a process takes (AFL++ counts that as
// instability).
static const world empty_world;

void build_world(const scenario &s, world &w, const unmap_rules &rules)
{
        // Back to the default world in place: a copy of empty_world, so no
        // world-sized temporary is built and zeroed per input (copy_from()
        // fixes the internal pointers). nr_tables is 0 again and alloc_table()
        // clears each table it hands out, so only the tables this world uses
        // are touched.
        w = empty_world;
        w.rules = rules;
        init_folio(s, w.folio);
        w.arch = s.arch;
        w.nr_mms = s.nr_mms;
        for (int m = 0; m < MAX_MMS; m++)
                w.mms[m].id = m;
        w.nr_vmas = s.nr_vmas;
        for (int v = 0; v < s.nr_vmas; v++)
                build_vma(s, w, v);

        // Isolation reference of reclaim and the cache's references; then
        // the GUP references the scenario names, and its pin, which brings
        // the references a pin holds (try_grab_folio()).
        unsigned long nr = folio_nr_pages(&w.folio);
        int cache = (w.folio.swapcache || !w.folio.anon) ? static_cast<int>(nr) : 0;
        w.unowned_refs = 1 + cache;
        w.folio.refcount += w.unowned_refs;
        if (s.extra_refs)
                try_grab_folio(&w.folio, s.extra_refs, FOLL_GET);
        if (s.folio_flags & FOLIO_PINNED)
                try_grab_folio(&w.folio, 1, FOLL_PIN);
        w.ops = op_counters{};

        w.nr_events = s.nr_events;
        for (int e = 0; e < s.nr_events; e++)
                w.events[e] = s.events[e];
}

} // namespace uf
