#include "oracle/semantics.h"

#include <cctype>
#include <cstring>
#include <string_view>

namespace uf
{

namespace
{
const char *const names[] = {"K0", "K1", "K2", "K2b", "K2c", "K3", "K4", "K5", "K6"};
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
        if (v < 703)
                return semantics_level::K4;
        // 7.3 and newer: K6 is a posted series, no release has it yet; a tree
        // that has it is recognised by its code (semantics_for_cut()).
        return semantics_level::K5;
}

namespace
{

// The text of function `name` in the cut, from its definition's name to the
// closing brace at the start of a line (kernel style), or an empty view: the
// definition is the occurrence followed by '{' before any ';'.
std::string_view function_text(std::string_view cut, std::string_view name)
{
        std::string head = std::string(name) + "(";
        for (size_t at = cut.find(head); at != std::string_view::npos;
             at = cut.find(head, at + 1)) {
                size_t brace = cut.find('{', at), semi = cut.find(';', at);
                if (brace == std::string_view::npos ||
                    (semi != std::string_view::npos && semi < brace))
                        continue;
                size_t end = cut.find("\n}", brace);
                return cut.substr(at, end == std::string_view::npos ? std::string_view::npos
                                                                    : end + 2 - at);
        }
        return {};
}

bool calls(std::string_view text, const char *name)
{
        std::string call = std::string(name) + "(";
        for (size_t at = text.find(call); at != std::string_view::npos;
             at = text.find(call, at + 1)) {
                char before = at ? text[at - 1] : ' ';
                if (!(std::isalnum(static_cast<unsigned char>(before)) || before == '_'))
                        return true;
        }
        return false;
}

} // namespace

semantics_level semantics_for_cut(const char *cut, int version, int patchlevel, std::string *why)
{
        semantics_level l = semantics_for_version(version, patchlevel);
        std::string base = std::to_string(version) + "." + std::to_string(patchlevel);
        std::string_view text(cut);
        std::string_view batch = function_text(text, "folio_unmap_pte_batch");
        // K6: swap-backed anon batched. The series turns one page's swap
        // count, PageAnonExclusive share and swap PTE into nr pages' (its
        // folio_dup_swap_pages(), page_anon_exclusive_batch() sub-batches), and
        // folio_unmap_pte_batch() stops returning 1 for swap-backed anon.
        bool anon_batching = calls(text, "folio_dup_swap_pages") ||
                             calls(text, "page_anon_exclusive_sub_batch") ||
                             calls(text, "page_anon_exclusive_batch");
        if (l < semantics_level::K6 && anon_batching) {
                *why =
                    "the Makefile says " + base + ", but the code batches swap-backed anon (" +
                    (calls(text, "folio_dup_swap_pages") ? "folio_dup_swap_pages()"
                                                         : "anon-exclusive sub-batches") +
                    (batch.empty() || batch.find("folio_test_swapbacked") == std::string_view::npos
                         ? ", folio_unmap_pte_batch() no longer refuses it"
                         : "") +
                    "): the level that intends anon batching; --kernel-semantics to choose";
                return semantics_level::K6;
        }
        // K5: the caller restores every failed anon unmap (7.3's ttu_anon_folio()),
        // the swap-backed-outside-swap-cache WARN included.
        if (l < semantics_level::K5 && calls(text, "ttu_anon_folio")) {
                *why = "the Makefile says " + base +
                       ", but the code has 7.3's ttu_anon_folio() (every failure restored by the "
                       "caller); --kernel-semantics to choose";
                return semantics_level::K5;
        }
        *why = "the Makefile's " + base +
               (!has_vm_droppable(version, patchlevel)
                    ? ", which has no VM_DROPPABLE (6.11): a droppable VMA is an ordinary one"
                    : "") +
               "; --kernel-semantics to choose";
        return l;
}

} // namespace uf