// Human and machine reports of one run (design §8): the scenario, the page
// tables before and after for both implementations side by side with the
// differing slots marked, the bookkeeping, the events that fired, the verdict
// and a ready regression scenario.
#pragma once

#include <string>

#include "fuzz/harness.h"
#include "fuzz/scenario.h"

namespace uf
{

// One character per slot: '.' none, 'P' present page of the folio, 'W' the
// same but writable, 'D' dirty, 'f' another folio's page, 'S' swap, 'M' uffd-wp
// marker, 'X' device-exclusive, 'V' device-private, 'H' hwpoison entry; '|'
// separates page tables. A PMD mapping shows as '#'.
char slot_char(const world &w, int mm, unsigned long addr);

std::string text_report(const scenario &s, const run_result &r);
std::string json_report(const scenario &s, const run_result &r);
// The scenario as a committed regression file, its header naming the class.
std::string regression_draft(const scenario &s, const run_result &r);

} // namespace uf
