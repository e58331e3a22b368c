// The default program: the per-PTE reference against the batched model.
#include "batched/rmap.h"
#include "oracle/program.h"
#include "reference/rmap.h"

namespace uf
{

namespace
{
constexpr program_config config = {
    {"reference", reference::try_to_unmap, false},
    {"batched", batched::try_to_unmap, false},
    semantics_level::K5,
    rules_for(semantics_level::K5),
    "",
    "",
};
} // namespace

const program_config &program()
{
        return config;
}

} // namespace uf
