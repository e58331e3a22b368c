// The learner: the names a cut of mm/rmap.c uses that the shim lacks, taken
// from the tree's own headers when they are pure helpers, the way the
// extractor takes the static functions of rmap.c (docs/kernel-trees.md, "What
// the shim learns from a tree").
//
// A definition is learned when it is
//   - a function-like or object-like macro, or a static inline function, of a
//     header the learner reads (mm/internal.h, mm/swap.h, include/linux/,
//     include/asm-generic/ of the tree), the first of them that defines it;
//   - and every definition of the name in that header is pure: it computes
//     from its arguments only. Its body names only its parameters and locals,
//     C keywords and builtins, CONFIG_ options, names the shim provides
//     purely, and other names the learner learns (transitively); it accesses
//     no member ('.' or '->'), subscripts nothing ('['), dereferences no
//     pointer (unary '*'), holds no static object and no asm. A shim name is
//     pure unless it is a stub (locks, barriers, WARN and BUG: stubs.h), an
//     object, or reaches the bridge into the model (kshim_abi.h), directly or
//     through other shim definitions: everything with a model effect stays a
//     hand-mapped primitive.
// Each learned definition keeps the #if/#ifdef groups around it in its
// header, so the compiler still picks the branch the shim's configuration
// selects, and a #line directive naming the header's own line.
//
// Nothing of the kernel's text is ever stored by this project: the learned
// header is written into a build directory.
#pragma once

#include <string>
#include <vector>

namespace kx
{

struct source_file {
        std::string path; // as reports name it
        std::string text;
};

struct learn_input {
        std::vector<source_file> headers;   // learnable, in search order
        std::vector<source_file> elsewhere; // searched for definition sites only
        std::vector<source_file> shim;      // the shim's headers (and the user's)
        std::vector<source_file> stubs;     // the shim's stubs: never pure
        std::vector<source_file> bridge;    // kshim_abi.h: the model's entry points
        std::vector<source_file> expanded;  // the shim preprocessed (cc -E -P)
};

struct learn_verdict {
        std::string name;
        bool learned = false;
        std::string site; // "PATH:LINE" of the (first) definition, or ""
        std::string why;  // not learned: the reason, one line
};

struct learn_result {
        std::string header; // the learned definitions, dependencies first
        // One per name asked for, in the order asked; then the names learned
        // on the way (learned = true), in the header's order.
        std::vector<learn_verdict> verdicts;
};

void learn(const learn_input &in, const std::vector<std::string> &names, learn_result *out);

} // namespace kx
