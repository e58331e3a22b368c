// Known bugs: historical kernel bugs the harness names (docs/bugs.md), so a campaign on a
// kernel tree reports them as what they are instead of as new, and
// --ignore-known can look past them for new ones.
//
// A name is a proof, not a resemblance. A failing side is "explained" by a
// known bug only when
//  1. its run shows the bug's signature: the operation sequence or kernel
//     line that makes the bug, read from the side's trace (mm/trace.h) and,
//     where the bug is what is left behind, its end state. B5, for one, is a
//     device-exclusive PTE handled with the nr_pages of the batch before it,
//     not any refcount that ends one short;
//  2. every kernel assertion of the side is the bug's own WARN (its function
//     and condition text, one line): a WARNing bug excuses that WARN and no
//     other, and no bug excuses a BUG;
//  3. a model of the bug ends as the side did, by the oracle's own comparison
//     (oracle/oracle.h compare_sides()), breaking every invariant the side
//     breaks. The model is the per-PTE reference run with the bug's rules
//     (mm/rules.h), for bugs of per-PTE code, or the bug-zoo entry that plants
//     it into batched/ (oracle/zoo_models.h), for bugs of batching.
// A behaviour the program's semantics level intends (B10 below K5) is then no
// failure at all.
#pragma once

#include <string>

#include "oracle/harness.h"
#include "oracle/semantics.h"

namespace uf
{

// What a signature reads: the world as built and one side's run of it.
struct known_bug_run {
        const world &before;
        const side_result &side;
};

struct known_bug {
        int index;          // in known_bugs()
        const char *id;     // "B7"
        const char *zoo;    // the bug-zoo entry that plants it in batched/, or ""
        const char *title;  // what goes wrong
        const char *status; // where it was fixed, or what the kernel says of it
        // The model: the rules the reference runs with, on top of the
        // program's; without them, the zoo entry's batched/ (if it applies).
        void (*rules)(unmap_rules *r);
        // The signature: true when the run shows the operations that make
        // the bug.
        bool (*signature)(const known_bug_run &run);
        // The kernel's own WARN on the buggy path, by function and condition
        // text as the shim records them ("WARN_ON_ONCE(1)"); null for a bug
        // that makes no WARN.
        bool (*own_warn)(const char *func, const char *cond);
        // For a WARNing bug: the run WARNs on the bug's path and then does
        // what the fixed kernel does, so the WARN is the kernel's own check
        // of a state vmscan never makes, and not this bug.
        bool (*fixed)(const known_bug_run &run);
        // The fix as a rule of the per-PTE reference (mm/rules.h), for a
        // level that intends the bug: what a fixed tree is compared with.
        void (*fix_rules)(unmap_rules *r);
        // Levels below this one intend the behaviour (K0: none does).
        semantics_level intended_below;
};

constexpr int NR_KNOWN_BUGS = 16;
const known_bug *known_bugs();

// The known bug that explains r's failing verdict, or null. Runs the models
// on r.before; only called for failures.
const known_bug *explain_failure(const run_result &r, unsigned int ttu);
// For a KERNEL_WARN no known bug explains: the WARNing known bug whose WARN
// (every assertion of the side) fired, after which the tree did what its fix
// does, or null. The WARN is then excused and the end states are judged.
const known_bug *fixed_warn(const run_result &r);

// For a run whose WARN fixed_warn() excused: "WARN_ON_ONCE(1) in
// try_to_unmap_one() at mm/rmap.c:199 is on B10's path, and the tree then
// does what the fix does ...: not B10"; "" otherwise.
std::string fixed_warn_line(const run_result &r);

// One line for reports: "B7: ... — fixed upstream by ... (v6.15); this tree
// has the bug", or, when the program's semantics level intends it, "...;
// what a K0 kernel intends".
std::string known_bug_line(const known_bug &k);
bool known_bug_intended(const known_bug &k);

} // namespace uf
