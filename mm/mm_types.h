// The folio, its pages, the VMA and the mm (include/linux/mm_types.h), reduced
// to what try_to_unmap_one() reads and writes (docs/semantics.md 1.1, 1.2).
#pragma once

#include <bitset>
#include <cstdint>

#include "mm/pgtable.h"

namespace uf
{

struct world;

constexpr int MAX_ORDER_MODEL = 9;
constexpr int MAX_FOLIO_PAGES = 1 << MAX_ORDER_MODEL;
constexpr int MAX_MMS = 4;
constexpr int MAX_VMAS = 8;

// The folio under reclaim lives at this pfn; present entries that map any other
// pfn belong to some other folio ("foreign" pages) and never match the walk.
constexpr unsigned long FOLIO_PFN = 0x40000;
constexpr unsigned long FOREIGN_PFN = 0x80000;
// The folio's swap slots (folio->swap) start here when it is in the swap cache;
// swap entries of other folios use offsets from FOREIGN_SWAP up.
constexpr unsigned long FOLIO_SWAP = 0x1000;
constexpr unsigned long FOREIGN_SWAP = 0x8000;
// The folio's index (page->index / folio_pgoff) in its mapping or anon_vma.
constexpr unsigned long FOLIO_PGOFF = 0x100000;

struct folio;

// struct page: the model hands out page handles (folio + index) rather than raw
// pointers, so "subpage + nr" walking off the folio (B5) is caught by the rmap
// primitives as a bookkeeping error instead of corrupting memory.
struct page {
        struct folio *folio = nullptr;
        long idx = 0;

        page operator+(long n) const { return page{folio, idx + n}; }
        bool operator==(const page &) const = default;
};

struct folio {
        world *w = nullptr;
        unsigned long pfn = FOLIO_PFN;
        unsigned int order = 0;

        // PG_* flags
        bool anon = false;
        bool swapbacked = false;
        bool swapcache = false;
        bool dirty = false;
        bool mlocked = false;
        bool device_private = false;
        bool partially_mapped = false;  // PG_partially_mapped
        bool on_deferred_split = false; // on the deferred split queue

        int pincount = 0; // folio->_pincount: FOLL_PIN pins of a large folio
        int refcount = 0;
        int large_mapcount = 0; // PTE mappings plus one per PMD mapping
        int entire_mapcount = 0;
        int mlock_count = 0;
        int split_deferred = 0; // THP_SPLIT_DEFERRED events (vmstat)

        int16_t mapcount[MAX_FOLIO_PAGES] = {};      // page->_mapcount + 1, PTE mappings only
        std::bitset<MAX_FOLIO_PAGES> anon_exclusive; // PageAnonExclusive
        std::bitset<MAX_FOLIO_PAGES> hwpoison;       // PageHWPoison

        unsigned long swap = FOLIO_SWAP; // folio->swap, valid when swapcache
        unsigned long index = FOLIO_PGOFF;
};

inline unsigned long folio_nr_pages(const folio *f)
{
        return 1UL << f->order;
}
inline unsigned long folio_pfn(const folio *f)
{
        return f->pfn;
}
inline bool folio_test_large(const folio *f)
{
        return f->order > 0;
}
inline bool folio_test_pmd_mappable(const folio *f)
{
        return f->order >= HPAGE_PMD_ORDER;
}
inline bool folio_test_anon(const folio *f)
{
        return f->anon;
}
inline bool folio_test_swapbacked(const folio *f)
{
        return f->swapbacked;
}
inline bool folio_test_swapcache(const folio *f)
{
        return f->swapcache;
}
inline bool folio_test_lazyfree(const folio *f)
{
        return f->anon && !f->swapbacked;
}
inline bool folio_test_mlocked(const folio *f)
{
        return f->mlocked;
}
inline bool folio_is_device_private(const folio *f)
{
        return f->device_private;
}
// Defined in mm/rmap.cc: it leaves a trace record (mm/trace.h).
void folio_set_swapbacked(folio *f);
inline page folio_page(folio *f, long idx)
{
        return page{f, idx};
}
inline long folio_page_idx(const folio *, page p)
{
        return p.idx;
}
// folio_mapcount(): every PTE mapping plus one per PMD mapping.
inline int folio_mapcount(const folio *f)
{
        return f->large_mapcount;
}
inline bool folio_mapped(const folio *f)
{
        return folio_mapcount(f) > 0;
}
inline bool folio_test_partially_mapped(const folio *f)
{
        return f->partially_mapped;
}

// include/linux/mm.h: a FOLL_PIN pin of a small folio adds this many
// references instead of one, so that the refcount alone tells pins apart.
constexpr int GUP_PIN_COUNTING_BIAS = 1024;

// folio_maybe_dma_pinned() (include/linux/mm.h): a large folio counts its pins
// in _pincount; a small folio is maybe pinned once its refcount reaches the
// bias. A pin therefore always brings references with it (try_grab_folio()).
inline bool folio_maybe_dma_pinned(const folio *f)
{
        if (folio_test_large(f))
                return f->pincount > 0;
        return static_cast<unsigned int>(f->refcount) >= GUP_PIN_COUNTING_BIAS;
}

// ---- VMA ----
// The order of these bits is part of the binary scenario format: append only.
enum : uint8_t {
        VM_LOCKED = 1 << 0,
        VM_DROPPABLE = 1 << 1,
        VM_UFFD_WP = 1 << 2,
        VM_UFFD_MISSING = 1 << 3,
        VM_UFFD_MINOR = 1 << 4,
        VM_UFFD_FLAGS = VM_UFFD_WP | VM_UFFD_MISSING | VM_UFFD_MINOR, // __VM_UFFD_FLAGS
};

struct mm_struct;

struct vm_area_struct {
        unsigned long vm_start = 0;
        unsigned long vm_end = 0;
        unsigned long vm_pgoff = 0;
        uint8_t vm_flags = 0;
        bool anonymous = false;  // vma_is_anonymous(): no vm_ops
        bool pmd_mapped = false; // the scenario mapped the folio with a huge PMD here
        struct mm_struct *vm_mm = nullptr;
};

inline bool vma_is_anonymous(const vm_area_struct *vma)
{
        return vma->anonymous;
}
inline bool userfaultfd_wp(const vm_area_struct *vma)
{
        return vma->vm_flags & VM_UFFD_WP;
}
inline bool userfaultfd_missing(const vm_area_struct *vma)
{
        return vma->vm_flags & VM_UFFD_MISSING;
}
inline bool userfaultfd_minor(const vm_area_struct *vma)
{
        return vma->vm_flags & VM_UFFD_MINOR;
}
// userfaultfd_armed() (include/linux/userfaultfd_k.h): registered in any mode.
inline bool userfaultfd_armed(const vm_area_struct *vma)
{
        return vma->vm_flags & VM_UFFD_FLAGS;
}

// ---- mm ----
enum mm_counter_type { MM_FILEPAGES, MM_ANONPAGES, MM_SWAPENTS, MM_SHMEMPAGES, NR_MM_COUNTERS };

struct mm_struct {
        world *w = nullptr;
        int id = 0;
        long rss_stat[NR_MM_COUNTERS] = {};
        bool on_mmlist = false;
        int tlb_flush_batched = 0;
        pmd_t pmd[PMDS_PER_MM];
};

inline const char *mm_counter_name(int member)
{
        static const char *const names[NR_MM_COUNTERS] = {"MM_FILEPAGES", "MM_ANONPAGES",
                                                          "MM_SWAPENTS", "MM_SHMEMPAGES"};
        return member >= 0 && member < NR_MM_COUNTERS ? names[member] : "?";
}

inline int mm_counter_file(const folio *f)
{
        return f->swapbacked ? MM_SHMEMPAGES : MM_FILEPAGES;
}
inline int mm_counter(const folio *f)
{
        return f->anon ? MM_ANONPAGES : mm_counter_file(f);
}

} // namespace uf
