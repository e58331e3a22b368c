// Binary scenario encoding: what libFuzzer and AFL++ mutate (docs/design.md 7).
//
// Every byte string, including the empty one, decodes to a valid, sanitized
// scenario: the decoder clamps and never rejects, never reads out of bounds and
// never allocates. What it had to change is counted (decode_stats::clamps), so
// the statistics show how much of a campaign's input was junk.
//
// Layout, version 2 (all multi-byte integers little-endian):
//
//   byte 0        format version (SCENARIO_BINARY_VERSION). Another value is
//                 decoded as version 2 anyway and counts one clamp.
//   bytes 1..10   section table: 5 x u16, the byte lengths of the sections
//                 below, in this order. The sections follow the table back to
//                 back; a length running past the end of the input is cut to
//                 what is there (one clamp). Bytes after the last section are
//                 ignored.
//
//   [0] header    9 x u8: folio_type, order, folio_flags, extra_refs, ttu,
//                 arch, nr_mms, nr_vmas, nr_events.
//   [1] vmas      per VMA (nr_vmas of them, at most MAX_VMAS), 9 bytes:
//                 mm u8, start u16, end u16, folio_addr u16 (the three in
//                 pages), flags u8, pmd u8 (bit 0; other bits: a clamp).
//   [2] ptes      per VMA, the slots of folio pages 0, 1, 2... as a run list:
//                 nruns u16 (more than MAX_FOLIO_PAGES: a clamp), then nruns
//                 runs of 3 bytes: count-1 u8, slot_kind u8, bits u8. The list
//                 always spans 2 + 3 * nruns bytes, so the next VMA's list does
//                 not move when the folio order or a VMA range changes. Pages
//                 past the last run are `none`; runs past page MAX_FOLIO_PAGES
//                 are a clamp. The encoder drops trailing `none` pages and
//                 splits runs longer than 256.
//   [3] pages     the PageAnonExclusive and PageHWPoison bitmaps interleaved a
//                 byte at a time: byte 2k holds pae bits 8k..8k+7 (bit 0 =
//                 page 8k), byte 2k+1 the hwpoison bits of the same pages. A
//                 page's bits sit at the same offset whatever the order; a
//                 short section means zeros (the encoder drops trailing zero
//                 pairs).
//   [4] events    per event (nr_events of them, at most MAX_EVENTS), 3 bytes:
//                 event_kind u8, page u16.
//
// Version 2 has version 1's layout; what changed is what the
// bytes mean, so a version-1 input decodes with version-2 meanings and one
// clamp: the pinned folio flag brings the references a FOLL_PIN pin holds
// (GUP_PIN_COUNTING_BIAS for a small folio, one and _pincount for a large
// one); VMA flag bits 3 and 4 are VM_UFFD_MISSING and VM_UFFD_MINOR; arch 2 is
// s390; and sanitize() maps every state no caller of try_to_unmap() can
// produce onto one it can (device-private slots, device entries of page-cache
// folios, TTU_HWPOISON beyond memory_failure()'s folios and flags, PTE bits
// the architecture lacks, ...; scenario/scenario.cc).
//
// Fixed-size fields (the header, VMA records, runs, events) that the input
// does not hold take the scenario's default values and set
// decode_stats::truncated. Enum tags (folio_type, slot_kind, event_kind,
// arch_mode) are stored as their numeric values; they are append-only, and an
// unknown value maps to a known one by modulo (one clamp). Everything else
// out of range is left to sanitize(), whose clamps are added to the count.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "scenario/scenario.h"

namespace uf
{

constexpr uint8_t SCENARIO_BINARY_VERSION = 2;

// Inputs are capped at this size (also the engines' max_len in the .options
// file); the decoder ignores anything beyond it. Every encoded scenario fits.
constexpr size_t MAX_INPUT_SIZE = 16384;

// The sections of the binary format, in the order of the section table. Append only.
enum binary_section : uint8_t {
        SECTION_HEADER,
        SECTION_VMAS,
        SECTION_PTES,
        SECTION_PAGES,
        SECTION_EVENTS,
        NR_BINARY_SECTIONS,
};

// Byte offset of the first section: the version byte and the section table.
constexpr size_t BINARY_PREAMBLE_SIZE = 1 + 2 * NR_BINARY_SECTIONS;

struct decode_stats {
        // sanitize() clamps plus decode-level ones: a wrong version byte, an
        // unknown enum tag, a section length or run count too large, runs past
        // the last folio page, a pmd byte other than 0 or 1.
        int clamps = 0;
        // The input ended inside a fixed-size field or a declared section, or
        // was longer than MAX_INPUT_SIZE: something took its default value or
        // was ignored.
        bool truncated = false;
};

// Decodes any byte string into a valid, sanitized scenario.
scenario decode_scenario(const uint8_t *data, size_t size, decode_stats *stats = nullptr);

// Encodes a scenario (sanitized first, on a copy; a sanitized scenario is
// unchanged by that). decode_scenario() of the result gives back the
// sanitized scenario exactly, with 0 clamps and not truncated.
std::vector<uint8_t> encode_scenario(const scenario &s);

} // namespace uf
