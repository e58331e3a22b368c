// Structure-aware mutation and crossover of scenarios, for the engines'
// custom-mutator hooks (fuzz/targets/unmap_diff.cc for libFuzzer,
// fuzz/afl_mutator.cc for AFL++).
//
// Byte-level mutation of the binary format mostly lands in a field that
// sanitize() clamps back or in one that changes nothing the unmap path reads.
// A mutation here decodes the input, makes one semantic change (a slot, a
// PageAnonExclusive range, the folio, a VMA, an event, the TTU flags) with
// values the rules of scenario/reachable.h allow, now and then a few stacked,
// and re-encodes it; a change is kept only if sanitize() does not undo it,
// so every output decodes without a clamp and differs from its input.
// Crossover splices parts of two scenarios (the folio of one with the VMAs,
// slots and events of the other).
//
// All randomness comes from the seed the caller passes (the engine's); no
// state is kept between calls.
#pragma once

#include <cstddef>
#include <cstdint>

#include "scenario/scenario.h"

namespace uf
{

// splitmix64: small, and the same sequence on every platform.
class mutate_rng
{
      public:
        explicit mutate_rng(uint64_t seed) : state_(seed) {}
        uint64_t next();
        // Uniform in [0, n); n > 0.
        unsigned below(unsigned n) { return static_cast<unsigned>(next() % n); }
        bool one_in(unsigned n) { return below(n) == 0; }

      private:
        uint64_t state_;
};

// The kinds of semantic change. Append only (tests name them).
enum class mutation : uint8_t {
        slot_kind,    // one slot becomes another reachable kind
        slot_bit,     // one PTE bit of one slot (of every slot of a PMD mapping)
        slot_run,     // a run of slots of one VMA takes one slot's value
        pae_move,     // a PageAnonExclusive range moves
        pae_resize,   // a PageAnonExclusive range grows, shrinks or splits
        folio_type,   // folio type (anon in or out of the swap cache, file, ...)
        folio_order,  // folio order (the VMAs' slots follow)
        folio_flag,   // dirty, mlocked, pinned
        extra_refs,   // references beyond the mappings
        hwpoison,     // one page's PageHWPoison
        vma_add,      // a VMA mapping part of the folio (a fork's, or a new mm's)
        vma_remove,   // a VMA goes
        vma_split,    // a VMA splits in two (mprotect/mlock of part of it)
        vma_flag,     // one VMA flag, or the PMD mapping
        vma_range,    // a VMA's start, end or folio address moves
        vma_mm,       // a VMA moves to another mm
        event_add,    // a fault or race at some page
        event_remove, // one goes
        event_kind,   // one changes kind
        event_page,   // one fires at another page (its firing point)
        ttu_flag,     // one TTU flag
        arch,         // the architecture
        nr_mms,       // the number of mms
        NR_MUTATIONS,
};

const char *mutation_name(mutation m);

// Applies one change of kind m to the sanitized scenario s. Returns false,
// leaving s as it was, when m does not apply to s or sanitize() would undo
// the change; otherwise s is changed and sanitized.
bool mutate_one(scenario &s, mutation m, mutate_rng &rng);

// One change of some kind (kinds drawn until one applies); returns its kind,
// or NR_MUTATIONS when none applied (s unchanged).
mutation mutate_scenario(scenario &s, mutate_rng &rng);

// A sanitized splice of a and b that differs from both; false when none was
// found (out untouched).
bool crossover_scenarios(const scenario &a, const scenario &b, scenario *out, mutate_rng &rng);

// The engines' entry points on the binary format. Each writes a canonical
// encoding (decodes with zero clamps) of at most max_size bytes into out and
// returns its size, or 0 when no change fit in max_size. mutate_input()'s
// out may be data (the input is decoded before anything is written).
size_t mutate_input(const uint8_t *data, size_t size, uint8_t *out, size_t max_size, uint64_t seed);
size_t crossover_inputs(const uint8_t *a, size_t a_size, const uint8_t *b, size_t b_size,
                        uint8_t *out, size_t max_size, uint64_t seed);

// Rewrites data[0, size) as the canonical encoding of what it decodes to, if
// that fits in max_size; returns the new size (size when it does not fit).
size_t canonicalize_input(uint8_t *data, size_t size, size_t max_size);

} // namespace uf
