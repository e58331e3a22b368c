#include "oracle/semantics.h"

#include <cstring>

namespace uf
{

namespace
{
const char *const names[] = {"K0", "K1", "K2", "K2b", "K2c", "K3", "K4", "K5"};
static_assert(sizeof(names) / sizeof(names[0]) == static_cast<int>(semantics_level::NR_LEVELS));
} // namespace

const char *semantics_name(semantics_level l)
{
        int i = static_cast<int>(l);
        return i < static_cast<int>(semantics_level::NR_LEVELS) ? names[i] : "?";
}

bool parse_semantics(const char *name, semantics_level *out)
{
        for (int i = 0; i < static_cast<int>(semantics_level::NR_LEVELS); i++)
                if (!std::strcmp(name, names[i])) {
                        *out = static_cast<semantics_level>(i);
                        return true;
                }
        return false;
}

semantics_level semantics_for_version(int version, int patchlevel)
{
        int v = version * 100 + patchlevel;
        if (v < 615)
                return semantics_level::K0;
        if (v == 615)
                return semantics_level::K1;
        if (v == 616)
                return semantics_level::K2;
        if (v == 617)
                return semantics_level::K2b;
        if (v < 700)
                return semantics_level::K2c;
        if (v == 700)
                return semantics_level::K3;
        // A newer tree is mainline or mm: K4 until the anon_nocache restore
        // lands (ask for K5 with --kernel-semantics K5).
        return semantics_level::K4;
}

} // namespace uf
