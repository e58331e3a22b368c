// Human and machine reports of one run (docs/design.md 8):
// the scenario, the page tables before and after for both implementations
// side by side with the differing slots marked and every bit of those slots
// spelled out, the swap entries, the bookkeeping, the deferred TLB flush as
// try_to_unmap() left it and what reclaim did with it, each side's trace from
// the substrate, the events that fired, the verdict, the file's expectations
// and a ready regression scenario. Each side's name comes from
// implementation_name() (oracle/oracle.h), nowhere else.
#pragma once

#include <string>
#include <vector>

#include "oracle/expect.h"
#include "oracle/harness.h"
#include "scenario/scenario.h"

namespace uf
{

// One character per slot: '.' none, 'P' present page of the folio, 'W' the
// same but writable, 'D' dirty, 'f' another folio's page, 'S' swap, 'M' uffd-wp
// marker, 'X' device-exclusive, 'V' device-private, 'H' hwpoison entry; '|'
// separates page tables. A PMD mapping shows as '#'. The report prints this
// legend under the rows, and every bit of each slot that differs below it.
char slot_char(const world &w, int mm, unsigned long addr);
// Every bit of the entry at addr: "present pfn 0x40003 (page 3) write dirty",
// "swap offset 0x1003 exclusive soft_dirty", "huge present pfn ... (PMD)".
std::string slot_text(const world &w, int mm, unsigned long addr);
// The slots a row shows for VMA v: the folio's range inside the VMA, with one
// slot of context on each side when the VMA has it.
void row_span(const world &w, int v, unsigned long *start, unsigned long *end);

std::string text_report(const scenario &s, const run_result &r,
                        const std::vector<expectation> &expect = {},
                        const std::vector<std::string> &unmet = {});
// The whole state of both sides, before and after, as JSON ("schema": 1;
// report/report_json.cc).
std::string json_report(const scenario &s, const run_result &r,
                        const std::vector<expectation> &expect = {},
                        const std::vector<std::string> &unmet = {});
// The scenario as a committed regression file, its header naming the class.
std::string regression_draft(const scenario &s, const run_result &r);

} // namespace uf
