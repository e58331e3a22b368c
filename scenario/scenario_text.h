// Text encoding of a scenario (*.scn): what people write, review and commit.
//
// One item per line, `#` comments, and a canonical spelling that the printer
// produces and the parser reproduces exactly:
//
//   unmapfuzz-scenario v1
//   folio anon order=4 dirty extra_refs=2
//   pae 0-3
//   hwpoison 9
//   ttu split_huge_pmd sync
//   arch sparc_adi
//   mms 2
//   vma 0 mm=0 start=0x200000 end=0x210000 folio=0x200000 locked
//   pte vma=0 pages=0-3 present write dirty young
//   pte vma=0 pages=4-7 swap exclusive
//   event hw_dirty page=3
//
// The parser rejects any text that does not describe a valid (sanitized)
// world exactly, because a committed scenario that sanitize() silently
// changed would no longer test what its author wrote.
#pragma once

#include <string>
#include <string_view>

#include "scenario/scenario.h"

namespace uf
{

// Canonical text of a sanitized scenario: parse(print(s)) == s, and
// print(parse(t)) == t for canonical t.
std::string print_scenario(const scenario &s);

struct parse_error {
        std::string file;
        int line = 0; // 1-based; 0 when the file could not be read at all
        std::string message;

        std::string what() const; // "file:line: message"
};

// Parses `text`. On error returns false, fills *err with the first error and
// leaves *out untouched. `filename` is only used in the error.
bool parse_scenario(std::string_view text, const std::string &filename, scenario *out,
                    parse_error *err);

// Reads and parses a file; an unreadable file is an error at line 0.
bool load_scenario_file(const std::string &path, scenario *out, parse_error *err);

// The text format's PTE bit names: the bit called `name` (0 if none), and
// " write dirty ..." for a set of bits, in canonical order.
uint8_t pte_bit_from_name(std::string_view name);
std::string pte_bits_text(uint8_t bits);

} // namespace uf
