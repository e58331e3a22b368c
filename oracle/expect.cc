#include "oracle/expect.h"

#include <charconv>
#include <sstream>

#include "scenario/world_view.h"

namespace uf
{

namespace
{

constexpr std::string_view PREFIX = "expect-after:";

std::vector<std::string_view> split(std::string_view line)
{
        std::vector<std::string_view> out;
        size_t i = line.find_first_not_of(" \t\r");
        while (i != std::string_view::npos) {
                size_t j = line.find_first_of(" \t\r", i);
                out.push_back(line.substr(i, j == std::string_view::npos ? j : j - i));
                i = line.find_first_not_of(" \t\r", j);
        }
        return out;
}

bool number(std::string_view t, int *v)
{
        auto res = std::from_chars(t.data(), t.data() + t.size(), *v);
        return res.ec == std::errc() && res.ptr == t.data() + t.size() && *v >= 0;
}

// "0-7,9": inclusive ranges.
bool pages(std::string_view list, std::vector<int> *out)
{
        while (!list.empty()) {
                size_t comma = list.find(',');
                std::string_view part = list.substr(0, comma);
                size_t dash = part.find('-');
                int lo, hi;
                if (!number(part.substr(0, dash), &lo) ||
                    !number(dash == std::string_view::npos ? part.substr(0, dash)
                                                           : part.substr(dash + 1),
                            &hi) ||
                    hi < lo)
                        return false;
                for (int p = lo; p <= hi; p++)
                        out->push_back(p);
                if (comma == std::string_view::npos)
                        break;
                list.remove_prefix(comma + 1);
        }
        return !out->empty();
}

struct kind_name {
        std::string_view name;
        pte_kind kind;
        bool foreign;
};
constexpr kind_name KINDS[] = {
    {"none", pte_kind::none, false},         {"present", pte_kind::present, false},
    {"foreign", pte_kind::present, true},    {"swap", pte_kind::swap, false},
    {"marker", pte_kind::marker, false},     {"dev_excl", pte_kind::device_exclusive, false},
    {"hwpoison", pte_kind::hwpoison, false},
};

// key=0|1 (or a number for refcount) into *v.
bool key_value(std::string_view tok, std::string_view key, int *v)
{
        if (tok.substr(0, key.size() + 1) != std::string(key) + "=")
                return false;
        return number(tok.substr(key.size() + 1), v);
}

class line_parser
{
      public:
        line_parser(const scenario &s, expectation &e) : s_(s), e_(e) {}
        std::string error;

        bool parse(const std::vector<std::string_view> &t)
        {
                if (t.empty())
                        return fail("empty expectation");
                if (t[0] == "pte")
                        return pte(t);
                if (t[0] == "return")
                        return ret(t);
                if (t[0] == "folio")
                        return fields(t, expectation::folio_state);
                if (t[0] == "flush")
                        return fields(t, expectation::flush);
                if (t[0] == "pageout")
                        return pageout(t);
                return fail("unknown expectation '" + std::string(t[0]) +
                            "' (pte, return, folio, flush, pageout)");
        }

      private:
        const scenario &s_;
        expectation &e_;

        bool fail(const std::string &m)
        {
                error = m;
                return false;
        }

        bool pte(const std::vector<std::string_view> &t)
        {
                e_.kind = expectation::slots;
                if (t.size() < 4 || !key_value(t[1], "vma", &e_.vma) ||
                    t[2].substr(0, 6) != "pages=" || !pages(t[2].substr(6), &e_.pages))
                        return fail("expected 'pte vma=V pages=P KIND [BITS]'");
                if (e_.vma >= s_.nr_vmas)
                        return fail("no vma " + std::to_string(e_.vma));
                for (int p : e_.pages)
                        if (p >= (1 << s_.order))
                                return fail("page " + std::to_string(p) + " is beyond the folio");
                const kind_name *k = nullptr;
                for (const kind_name &n : KINDS)
                        if (n.name == t[3])
                                k = &n;
                if (!k)
                        return fail("unknown entry kind '" + std::string(t[3]) + "'");
                e_.pte = k->kind;
                e_.foreign = k->foreign;
                for (size_t i = 4; i < t.size(); i++) {
                        uint8_t bit = pte_bit_from_name(t[i]);
                        if (!bit)
                                return fail("unknown pte bit '" + std::string(t[i]) + "'");
                        e_.bits |= bit;
                }
                if (e_.pte == pte_kind::marker)
                        e_.bits |= PTE_UFFD_WP;
                return true;
        }

        bool ret(const std::vector<std::string_view> &t)
        {
                e_.kind = expectation::ret;
                if (t.size() != 2 || (t[1] != "true" && t[1] != "false"))
                        return fail("expected 'return true' or 'return false'");
                e_.value = t[1] == "true";
                return true;
        }

        bool fields(const std::vector<std::string_view> &t, expectation::kind_t kind)
        {
                e_.kind = kind;
                if (t.size() < 2)
                        return fail("'" + std::string(t[0]) + "' needs key=value fields");
                for (size_t i = 1; i < t.size(); i++) {
                        bool ok = kind == expectation::folio_state
                                      ? key_value(t[i], "dirty", &e_.dirty) ||
                                            key_value(t[i], "swapbacked", &e_.swapbacked) ||
                                            key_value(t[i], "mapped", &e_.mapped) ||
                                            key_value(t[i], "refcount", &e_.refcount)
                                      : key_value(t[i], "required", &e_.required) ||
                                            key_value(t[i], "writable", &e_.writable);
                        if (!ok)
                                return fail("bad field '" + std::string(t[i]) + "'");
                }
                return true;
        }

        bool pageout(const std::vector<std::string_view> &t)
        {
                e_.kind = expectation::pageout;
                static constexpr std::string_view names[] = {"keep", "activate", "success",
                                                             "clean"};
                if (t.size() == 2 && t[1] == "none")
                        return true;
                for (int i = 0; i < 4; i++)
                        if (t.size() == 2 && t[1] == names[i]) {
                                e_.value = i;
                                return true;
                        }
                return fail("expected 'pageout keep|activate|success|clean|none'");
        }
};

std::string describe(const world &w, pte_t pte)
{
        long page = folio_page_of(w, pte);
        std::string out;
        switch (pte.kind) {
        case pte_kind::none:
                return "none";
        case pte_kind::present:
                out = page >= 0 ? "present (page " + std::to_string(page) + ")" : "foreign";
                break;
        case pte_kind::swap:
                out = "swap (offset 0x" + (std::ostringstream() << std::hex << pte.val).str() + ")";
                break;
        case pte_kind::marker:
                return "marker";
        case pte_kind::device_exclusive:
                out = "dev_excl";
                break;
        case pte_kind::device_private:
                out = "dev_priv";
                break;
        case pte_kind::hwpoison:
                out = "hwpoison";
                break;
        }
        return out + pte_bits_text(pte.bits);
}

// Does slot value `got` of folio page p meet expectation e?
bool slot_meets(const world &w, const expectation &e, int p, pte_t got)
{
        if (got.kind != e.pte || (e.pte != pte_kind::none && got.bits != e.bits))
                return false;
        unsigned long pfn = folio_pfn(&w.folio) + static_cast<unsigned long>(p);
        switch (e.pte) {
        case pte_kind::present:
                return e.foreign ? folio_page_of(w, got) < 0 : got.val == pfn;
        case pte_kind::swap:
                return got.val == FOLIO_SWAP + static_cast<unsigned long>(p);
        case pte_kind::device_exclusive:
        case pte_kind::hwpoison:
                return got.val == pfn;
        default:
                return true;
        }
}

void check_side(const expectation &e, const run_result &r, implementation impl,
                std::vector<std::string> *out)
{
        const side_result &side = impl == implementation::reference ? r.ref : r.bat;
        const world &w = side.after;
        std::string who =
            "line " + std::to_string(e.line) + ": " + implementation_name(impl) + ": ";
        auto fail = [&](const std::string &m) { out->push_back(who + m + "  (" + e.text + ")"); };
        auto field = [&](const char *name, int want, int got) {
                if (want >= 0 && want != got)
                        fail(std::string(name) + " is " + std::to_string(got) + ", expected " +
                             std::to_string(want));
        };
        switch (e.kind) {
        case expectation::slots: {
                const vm_area_struct &vma = r.before.vmas[e.vma];
                int mm = vma_mm_index(r.before, vma);
                for (int p : e.pages) {
                        unsigned long addr =
                            vma.vm_start +
                            (r.before.folio.index + static_cast<unsigned long>(p) - vma.vm_pgoff) *
                                PAGE_SIZE;
                        pte_t got = slot_at(w, mm, addr);
                        if (!slot_meets(w, e, p, got)) {
                                fail("vma " + std::to_string(e.vma) + " page " + std::to_string(p) +
                                     " is " + describe(w, got));
                                return;
                        }
                }
                return;
        }
        case expectation::ret:
                field("the return value", e.value, side.ret);
                return;
        case expectation::folio_state:
                field("folio dirty", e.dirty, w.folio.dirty);
                field("folio swapbacked", e.swapbacked, w.folio.swapbacked);
                field("folio_mapped()", e.mapped, folio_mapped(&w.folio));
                field("the refcount", e.refcount, w.folio.refcount);
                return;
        case expectation::flush:
                field("flush required", e.required, w.ubc_required_at_return);
                field("flush writable", e.writable, w.ubc_writable_at_return);
                return;
        case expectation::pageout:
                field("pageout()", e.value, w.pageout_result);
                return;
        }
}

} // namespace

bool parse_expectations(std::string_view text, const std::string &filename, const scenario &s,
                        std::vector<expectation> *out, parse_error *err)
{
        int lineno = 0;
        while (!text.empty()) {
                size_t nl = text.find('\n');
                std::string_view line = text.substr(0, nl);
                text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
                lineno++;
                size_t hash = line.find('#');
                if (hash == std::string_view::npos)
                        continue;
                std::string_view c = line.substr(hash + 1);
                c.remove_prefix(std::min(c.find_first_not_of(" \t"), c.size()));
                if (c.substr(0, PREFIX.size()) != PREFIX)
                        continue;
                expectation e;
                e.line = lineno;
                e.text = std::string(c);
                line_parser p(s, e);
                if (!p.parse(split(c.substr(PREFIX.size())))) {
                        if (err)
                                *err = parse_error{filename, lineno, p.error};
                        return false;
                }
                out->push_back(e);
        }
        return true;
}

std::vector<std::string> check_expectations(const std::vector<expectation> &e, const run_result &r)
{
        std::vector<std::string> out;
        for (const expectation &x : e)
                for (implementation impl : {implementation::reference, implementation::batched})
                        check_side(x, r, impl, &out);
        return out;
}

} // namespace uf
