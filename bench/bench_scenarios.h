// Programmatic scenarios for the scaling benchmark and the cost model.
//
// Every scenario built here is already sanitized: make_scenario() runs
// uf::sanitize() on its result and aborts if it changed anything, so a bench
// never measures a world other than the one it describes.
#pragma once

#include <cstdint>

#include "scenario/scenario.h"

namespace uf::bench
{

enum class pae_mode : uint8_t {
        none,  // no PageAnonExclusive (shared anon, or not anon at all)
        all,   // every page exclusive (swap-out of private anon memory)
        mixed, // runs of 3 exclusive and 1 not (sub-batches of equal PAE)
};

struct shape {
        folio_type type = folio_type::file;
        int order = 4;
        int nr_vmas = 1; // each maps the whole folio
        int nr_mms = 1;  // VMA v lives in mm v % nr_mms
        int nr_events = 0;
        pae_mode pae = pae_mode::none;
        bool dirty = false;   // dirty PTEs (anon swap-out: written memory)
        bool write = false;   // writable PTEs (only where the page is exclusive)
        unsigned int ttu = 0; // TTU_* (TTU_SPLIT_HUGE_PMD added for order 9)
        bool pmd = false;     // order 9 only: mapped by a huge PMD instead of PTEs
};

// The world reclaim meets for this shape: nr_vmas VMAs spread over nr_mms
// mms, each mapping every page of the folio with a present, young PTE,
// folio-aligned (an order-9 folio fills one PTE table). nr_events events
// (hw_dirty / hw_young alternately, on distinct pages) that fire during the
// walk without aborting it.
scenario make_scenario(const shape &sh);

} // namespace uf::bench
