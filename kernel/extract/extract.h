// The extractor (docs/design.md 11.1): cuts one function and every
// static function, macro, type and static object of the same file that it
// reaches, transitively, out of a kernel source file, and writes them as one
// C file that keeps each of them on its own line of the file (the rest is
// blank lines) under a #line directive naming the file, so that compiler
// errors, sanitizer traces and coverage name the real file and line. The
// top-level #if/#ifdef lines stay where they are, so the compiler still
// picks the right definition.
// Functions the substrate models (the TLB-batching statics of mm/rmap.c) are
// left out; the shim provides them.
// One change is made to the text: a read of the walk's entry by a direct
// dereference, `*pvmw.pte` (trees before the ptep_get() conversion of 6.5),
// is cut as `ptep_get(pvmw.pte)`, the same read through the shim (the
// shim's pte_t * points into an inaccessible window, so the dereference
// itself would fault). Each such line is listed.
//
// Nothing of the kernel's text is ever stored by this project: the output is
// written into a build directory.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace kx
{

struct extract_options {
        std::string entry = "try_to_unmap_one";
        // Statics of the file the substrate provides instead (mm/tlb.h).
        std::vector<std::string> substrate = {"should_defer_flush", "set_tlb_ubc_flush_pending",
                                              "flush_tlb_batched_pending"};
        // The file name the #line directives give (the path a user reads).
        std::string line_path = "mm/rmap.c";
        // The non-static wrapper the harness calls: bool NAME(folio, vma, address, arg).
        std::string wrapper = "kshim_extracted_try_to_unmap_one";
};

struct extracted_item {
        std::string name;
        std::string kind; // "function", "macro", "type", "object"
        unsigned first_line = 0, last_line = 0;
};

struct extract_result {
        std::string text;                   // the C file
        std::vector<extracted_item> items;  // what it holds, in source order
        std::vector<std::string> substrate; // excluded names the cut code calls
        // Lines where a direct read of the walk's entry (*pvmw.pte) was cut
        // as ptep_get(pvmw.pte): the shim's pte_t * cannot be dereferenced.
        std::vector<unsigned> ptep_get_reads;
};

// False with *error set ("file:line: message" without the file) when the
// source cannot be tokenized, its braces do not balance, or it defines no
// function named opt.entry.
bool extract(std::string_view source, const extract_options &opt, extract_result *out,
             std::string *error);

} // namespace kx
