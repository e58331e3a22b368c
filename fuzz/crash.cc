#include "fuzz/crash.h"

#include "oracle/known_bugs.h"

#include <cstdio>
#include <cstdlib>
#include <utility>

namespace uf
{

namespace
{

// One distinct, never-inlined function per class: its symbol
// (uf::invariant_abort<(uf::invariant)N>) is the top frame under abort().
template <invariant C> [[noreturn]] __attribute__((noinline)) void invariant_abort()
{
        std::abort();
}

template <divergence C> [[noreturn]] __attribute__((noinline)) void divergence_abort()
{
        std::abort();
}

// Real kernel code's own assertions: one function per kind (the class, the
// kernel's file:line, is in the signature line).
[[noreturn]] __attribute__((noinline)) void kernel_warn_abort()
{
        std::abort();
}

[[noreturn]] __attribute__((noinline)) void kernel_bug_abort()
{
        std::abort();
}

template <std::size_t... I>
[[noreturn]] void dispatch_invariant(invariant c, std::index_sequence<I...>)
{
        using fn = void (*)();
        static constexpr fn table[] = {invariant_abort<static_cast<invariant>(I)>...};
        table[static_cast<std::size_t>(c) % sizeof...(I)]();
        std::abort();
}

template <std::size_t... I>
[[noreturn]] void dispatch_divergence(divergence c, std::index_sequence<I...>)
{
        using fn = void (*)();
        static constexpr fn table[] = {divergence_abort<static_cast<divergence>(I)>...};
        table[static_cast<std::size_t>(c) % sizeof...(I)]();
        std::abort();
}

} // namespace

void print_signature(FILE *out, const verdict &v)
{
        // A reproducer prints the scenario and trace on stdout and the verdict
        // on stderr; flush stdout first so that `2>&1` never splits a line.
        if (out != stdout)
                std::fflush(stdout);
        std::fprintf(out, "unmapfuzz: %s %s\n", v.kind_name(), v.class_name());
        if (v.known)
                std::fprintf(out, "unmapfuzz: known bug %s\n", known_bug_line(*v.known).c_str());
}

void crash(const verdict &v)
{
        print_signature(stderr, v);
        std::fprintf(stderr, "unmapfuzz: %s\n", v.detail);
        std::fflush(stderr);
        if (v.kind == verdict_kind::kernel_warn)
                kernel_warn_abort();
        if (v.kind == verdict_kind::kernel_bug)
                kernel_bug_abort();
        if (v.kind == verdict_kind::invariant)
                dispatch_invariant(
                    v.inv,
                    std::make_index_sequence<static_cast<std::size_t>(invariant::NR_INVARIANTS)>{});
        dispatch_divergence(
            v.div,
            std::make_index_sequence<static_cast<std::size_t>(divergence::NR_DIVERGENCES)>{});
}

} // namespace uf
