// Known bugs: historical kernel bugs the harness recognises by behaviour, so a
// campaign on a kernel tree names them (bug-history.md) instead of reporting
// them as new, and --ignore-known can look past them for new ones.
//
// A failing side is "explained" by a known bug when a model of that bug ends
// as the side did, by the oracle's own comparison (oracle/oracle.h
// compare_sides()), with every invariant the side breaks broken by the model
// too. The model is the per-PTE reference run with the bug's rules
// (mm/rules.h), for bugs of the per-PTE code, or the bug-zoo entry that
// plants it into batched/ (oracle/zoo_models.h), for bugs of batching. A
// behaviour the program's semantics level intends (B10 below K5) is then no
// failure at all.
#pragma once

#include <string>

#include "oracle/harness.h"
#include "oracle/semantics.h"

namespace uf
{

struct known_bug {
        int index;          // in known_bugs()
        const char *id;     // "B7"
        const char *zoo;    // the bug-zoo entry that plants it in batched/, or ""
        const char *title;  // what goes wrong
        const char *status; // where it was fixed, or what the kernel says of it
        // The model: the rules the reference runs with, on top of the
        // program's; without them, the zoo entry's batched/ (if it applies).
        void (*rules)(unmap_rules *r);
        // The kernel WARNs on the buggy path (the model cannot).
        bool kernel_warns;
        // Levels below this one intend the behaviour (K0: none does).
        semantics_level intended_below;
};

constexpr int NR_KNOWN_BUGS = 16;
const known_bug *known_bugs();

// The known bug that explains r's failing verdict, or null. Runs the models
// on r.before; only called for failures.
const known_bug *explain_failure(const run_result &r, unsigned int ttu);

// One line for reports: "B7: ... — fixed upstream by ... (v6.15); this tree
// has the bug", or, when the program's semantics level intends it, "...;
// what a K0 kernel intends".
std::string known_bug_line(const known_bug &k);
bool known_bug_intended(const known_bug &k);

} // namespace uf
