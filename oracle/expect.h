// Expectations derived by hand from kernel source, written into a scenario
// file's comments and checked against the end state of both implementations.
//
// The differential oracle cannot see a mistake that reference/ and batched/
// share (it lives in mm/, the world builder or the scenario language); an
// expectation can. One per comment line:
//
//   # expect-after: pte vma=0 pages=0-7 none
//   # expect-after: pte vma=1 pages=8 swap exclusive soft_dirty
//   # expect-after: return false
//   # expect-after: folio dirty=0 swapbacked=0 mapped=1 refcount=17
//   # expect-after: flush required=1 writable=1
//   # expect-after: pageout success
//
// `pte` names the slot of each folio page in the VMA's linear mapping and the
// entry it must hold, exactly: present maps that page, swap names the
// folio's own swap slot of it, hwpoison is the page's hwpoison entry, dev_excl
// its device-exclusive entry, foreign any page of another folio; the bits are
// the text format's. `flush` is the deferred TLB flush as try_to_unmap()
// returned it, before reclaim flushed it; `pageout` is what pageout() returned
// (keep, activate, success, clean) or `none` when reclaim did not call it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "oracle/harness.h"
#include "scenario/scenario.h"
#include "scenario/scenario_text.h"

namespace uf
{

struct expectation {
        enum kind_t { slots, ret, folio_state, flush, pageout } kind = slots;
        int line = 0;
        std::string text; // the line as written, for messages
        // slots
        int vma = 0;
        std::vector<int> pages;
        pte_kind pte = pte_kind::none;
        bool foreign = false;
        uint8_t bits = 0;
        // ret, and the folio/flush fields: -1 when not given
        int value = -1;
        int dirty = -1, swapbacked = -1, mapped = -1, refcount = -1;
        int required = -1, writable = -1;
};

// Reads every "# expect-after:" comment of `text`. On a malformed one returns
// false with the error (file:line) in *err. Slots are checked against the
// scenario `s` (the VMA and page must exist).
bool parse_expectations(std::string_view text, const std::string &filename, const scenario &s,
                        std::vector<expectation> *out, parse_error *err);

// Checks every expectation against both sides of r. Returns the failures,
// one line each ("line 7: batched: vma 1 page 0 is present ..."); empty when
// all hold.
std::vector<std::string> check_expectations(const std::vector<expectation> &e, const run_result &r);

} // namespace uf
