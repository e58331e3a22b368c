#include "fuzz/crash.h"

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

void crash(const verdict &v)
{
        std::fprintf(stderr, "unmapfuzz: %s %s\n", v.kind_name(), v.class_name());
        std::fprintf(stderr, "unmapfuzz: %s\n", v.detail);
        std::fflush(stderr);
        if (v.kind == verdict_kind::invariant)
                dispatch_invariant(
                    v.inv,
                    std::make_index_sequence<static_cast<std::size_t>(invariant::NR_INVARIANTS)>{});
        dispatch_divergence(
            v.div,
            std::make_index_sequence<static_cast<std::size_t>(divergence::NR_DIVERGENCES)>{});
}

} // namespace uf
