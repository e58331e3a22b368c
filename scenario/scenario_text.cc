#include "scenario/scenario_text.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <initializer_list>
#include <span>
#include <vector>

#include "mm/tlb.h"
#include "scenario/reachable.h"

namespace uf
{

namespace
{

constexpr std::string_view MAGIC = "unmapfuzz-scenario";

struct flag_name {
        std::string_view name;
        unsigned bit;
};

// Bit of the vma flag table that stands for vma_spec::pmd rather than a VM_* flag.
constexpr unsigned VMA_PMD = 1u << 8;

constexpr std::array<std::string_view, 5> FOLIO_TYPE_NAMES = {"lazyfree", "anon", "file", "shmem",
                                                              "anon_nocache"};
constexpr std::array<std::string_view, 7> SLOT_KIND_NAMES = {
    "none", "present", "foreign", "swap", "marker", "dev_excl", "dev_priv"};
constexpr std::array<std::string_view, 3> ARCH_NAMES = {"generic", "sparc_adi", "s390"};
constexpr std::array<flag_name, 3> FOLIO_FLAG_NAMES = {
    {{"dirty", FOLIO_DIRTY}, {"mlocked", FOLIO_MLOCKED}, {"pinned", FOLIO_PINNED}}};
constexpr std::array<flag_name, 6> TTU_FLAG_NAMES = {{{"split_huge_pmd", TTU_SPLIT_HUGE_PMD},
                                                      {"ignore_mlock", TTU_IGNORE_MLOCK},
                                                      {"sync", TTU_SYNC},
                                                      {"hwpoison", TTU_HWPOISON},
                                                      {"batch_flush", TTU_BATCH_FLUSH},
                                                      {"rmap_locked", TTU_RMAP_LOCKED}}};
constexpr std::array<flag_name, 6> VMA_FLAG_NAMES = {{{"locked", VM_LOCKED},
                                                      {"droppable", VM_DROPPABLE},
                                                      {"uffd_wp", VM_UFFD_WP},
                                                      {"uffd_missing", VM_UFFD_MISSING},
                                                      {"uffd_minor", VM_UFFD_MINOR},
                                                      {"pmd", VMA_PMD}}};
// "exclusive" comes first: it is the only swap-only bit, so for every kind the
// printed order is the order people write them in ("swap exclusive soft_dirty").
constexpr std::array<flag_name, 8> PTE_BIT_NAMES = {{{"exclusive", PTE_SWP_EXCLUSIVE},
                                                     {"write", PTE_WRITE},
                                                     {"dirty", PTE_DIRTY},
                                                     {"young", PTE_YOUNG},
                                                     {"soft_dirty", PTE_SOFT_DIRTY},
                                                     {"uffd_wp", PTE_UFFD_WP},
                                                     {"protnone", PTE_PROTNONE},
                                                     {"unused", PTE_UNUSED}}};

template <size_t N> constexpr unsigned all_bits(const std::array<flag_name, N> &table)
{
        unsigned bits = 0;
        for (const flag_name &f : table)
                bits |= f.bit;
        return bits;
}

// A flag added to the model without a name here would be silently dropped by
// the printer; these make that a build error instead.
static_assert(FOLIO_TYPE_NAMES.size() == static_cast<size_t>(folio_type::NR_FOLIO_TYPES));
static_assert(SLOT_KIND_NAMES.size() == static_cast<size_t>(slot_kind::NR_SLOT_KINDS));
static_assert(ARCH_NAMES.size() == NR_ARCH_MODES);
static_assert(all_bits(FOLIO_FLAG_NAMES) == FOLIO_ALL_FLAGS);
static_assert(all_bits(TTU_FLAG_NAMES) == TTU_ALL_FLAGS);
static_assert((all_bits(VMA_FLAG_NAMES) & ~VMA_PMD) == VMA_ALL_FLAGS);
static_assert(all_bits(PTE_BIT_NAMES) == 0xff);

std::string header_text()
{
        return std::string(MAGIC) + " v" + std::to_string(SCENARIO_VERSION);
}

template <size_t N> std::string_view name_of(const std::array<std::string_view, N> &names, int i)
{
        return i >= 0 && static_cast<size_t>(i) < N ? names[i] : std::string_view("invalid");
}

template <size_t N> int find_name(const std::array<std::string_view, N> &names, std::string_view s)
{
        auto it = std::find(names.begin(), names.end(), s);
        return it == names.end() ? -1 : static_cast<int>(it - names.begin());
}

template <size_t N>
const flag_name *find_flag(const std::array<flag_name, N> &table, std::string_view s)
{
        for (const flag_name &f : table)
                if (f.name == s)
                        return &f;
        return nullptr;
}

int find_event(std::string_view s)
{
        for (int k = 0; k < static_cast<int>(event_kind::NR_EVENT_KINDS); k++)
                if (s == event_name(static_cast<event_kind>(k)))
                        return k;
        return -1;
}

// ---- printer ----

std::string hex(unsigned long v)
{
        char buf[24];
        auto res = std::to_chars(buf, buf + sizeof(buf), v, 16);
        return "0x" + std::string(buf, res.ptr);
}

std::string page_range(int first, int last)
{
        std::string out = std::to_string(first);
        if (last != first)
                out += "-" + std::to_string(last);
        return out;
}

// Maximal runs of set pages, e.g. "0-3,8,10-15".
std::string page_ranges(const std::bitset<MAX_FOLIO_PAGES> &pages)
{
        std::string out;
        for (int i = 0; i < MAX_FOLIO_PAGES; i++) {
                if (!pages.test(i))
                        continue;
                int j = i;
                while (j + 1 < MAX_FOLIO_PAGES && pages.test(j + 1))
                        j++;
                out += (out.empty() ? "" : ",") + page_range(i, j);
                i = j;
        }
        return out;
}

template <size_t N>
void append_flags(std::string &out, const std::array<flag_name, N> &table, unsigned bits)
{
        for (const flag_name &f : table)
                if (bits & f.bit)
                        out += " " + std::string(f.name);
}

void print_folio(std::string &out, const scenario &s)
{
        out += "folio " + std::string(name_of(FOLIO_TYPE_NAMES, static_cast<int>(s.type)));
        out += " order=" + std::to_string(s.order);
        append_flags(out, FOLIO_FLAG_NAMES, s.folio_flags);
        if (s.extra_refs)
                out += " extra_refs=" + std::to_string(s.extra_refs);
        out += "\n";
}

void print_page_list(std::string &out, std::string_view keyword,
                     const std::bitset<MAX_FOLIO_PAGES> &pages)
{
        if (pages.any())
                out += std::string(keyword) + " " + page_ranges(pages) + "\n";
}

void print_pte(std::string &out, int v, int first, int last, slot_spec slot)
{
        out += "pte vma=" + std::to_string(v) + " pages=" + page_range(first, last) + " ";
        out += name_of(SLOT_KIND_NAMES, static_cast<int>(slot.kind));
        // A marker always carries uffd_wp, so spelling it out would be noise.
        unsigned bits = slot.kind == slot_kind::marker ? slot.bits & ~PTE_UFFD_WP : slot.bits;
        append_flags(out, PTE_BIT_NAMES, bits);
        out += "\n";
}

// One pte line per maximal run of identical non-none slots.
void print_slots(std::string &out, const vma_spec &vma, int v)
{
        for (int i = 0; i < MAX_FOLIO_PAGES; i++) {
                int j = i;
                while (j + 1 < MAX_FOLIO_PAGES && vma.slot[j + 1] == vma.slot[i])
                        j++;
                if (vma.slot[i].kind != slot_kind::none)
                        print_pte(out, v, i, j, vma.slot[i]);
                i = j;
        }
}

void print_vma(std::string &out, const vma_spec &vma, int v)
{
        out += "vma " + std::to_string(v) + " mm=" + std::to_string(vma.mm);
        out +=
            " start=" + hex(vma.start) + " end=" + hex(vma.end) + " folio=" + hex(vma.folio_addr);
        append_flags(out, VMA_FLAG_NAMES, vma.flags | (vma.pmd ? VMA_PMD : 0));
        out += "\n";
        print_slots(out, vma, v);
}

// ---- parser helpers ----

using tokens = std::vector<std::string_view>;
using page_set = std::bitset<MAX_FOLIO_PAGES>;

// A token as an error message quotes it: bytes outside printable ASCII as
// \xNN (a NUL would end the message, a byte-order mark be invisible), and
// at most 80 characters, then the token's length (a megabyte-long token
// would otherwise be a megabyte-long line).
std::string q(std::string_view s)
{
        constexpr size_t max = 80;
        std::string out = "'";
        for (size_t i = 0; i < s.size() && i < max; i++) {
                unsigned char c = static_cast<unsigned char>(s[i]);
                if (c < 0x20 || c >= 0x7f || c == '\\') {
                        static constexpr char digits[] = "0123456789abcdef";
                        out += "\\x";
                        out += digits[c >> 4];
                        out += digits[c & 15];
                } else {
                        out += static_cast<char>(c);
                }
        }
        out += "'";
        if (s.size() > max)
                out += " (cut; " + std::to_string(s.size()) + " bytes)";
        return out;
}

// Splits a line into whitespace-separated tokens, dropping any comment.
tokens tokenize(std::string_view line)
{
        static constexpr std::string_view space = " \t\r\v\f";
        tokens t;
        line = line.substr(0, line.find('#'));
        size_t i = line.find_first_not_of(space);
        while (i != std::string_view::npos) {
                size_t j = line.find_first_of(space, i);
                t.push_back(line.substr(i, j == std::string_view::npos ? j : j - i));
                i = line.find_first_not_of(space, j);
        }
        return t;
}

// Decimal or 0x-prefixed hex and nothing else (no sign, no suffix), so that a
// typo is an error rather than a different value.
bool to_u64(std::string_view t, uint64_t *v)
{
        int base = 10;
        if (t.size() > 2 && t[0] == '0' && t[1] == 'x') {
                t.remove_prefix(2);
                base = 16;
        }
        if (t.empty())
                return false;
        auto res = std::from_chars(t.data(), t.data() + t.size(), *v, base);
        return res.ec == std::errc() && res.ptr == t.data() + t.size();
}

std::string folio_pages_text(int order)
{
        if (order == 0)
                return "an order-0 folio has only page 0";
        return "an order-" + std::to_string(order) + " folio has pages 0-" +
               std::to_string((1 << order) - 1);
}

int first_page_from(const page_set &pages, int from)
{
        for (int i = from; i < MAX_FOLIO_PAGES; i++)
                if (pages.test(i))
                        return i;
        return -1;
}

// The key=value attributes and bare words of one line.
struct attrs {
        std::vector<std::string_view> kv; // whole "key=value" tokens
        std::vector<std::string_view> words;

        // The token giving `key`, or empty.
        std::string_view find(std::string_view key) const
        {
                for (std::string_view tok : kv)
                        if (tok.substr(0, tok.find('=')) == key)
                                return tok;
                return {};
        }
};

std::string_view value_of(std::string_view tok)
{
        return tok.substr(tok.find('=') + 1);
}

class parser
{
      public:
        explicit parser(const std::string &filename) { error.file = filename; }
        bool run(std::string_view text);

        scenario s;
        parse_error error;

      private:
        bool fail(const std::string &msg) { return fail_at(lineno, msg); }
        bool fail_at(int line, const std::string &msg);

        // Phase 1: one line at a time, syntax and value ranges.
        bool item(const tokens &t);
        bool on_header(const tokens &t);
        bool once(int *item_line, std::string_view keyword);
        bool on_folio(const tokens &t);
        bool on_page_list(const tokens &t, int *item_line, page_set *pages);
        bool on_ttu(const tokens &t);
        bool on_arch(const tokens &t);
        bool on_mms(const tokens &t);
        bool on_vma(const tokens &t);
        bool vma_addresses(const attrs &a, vma_spec *vma);
        bool on_pte(const tokens &t);
        bool parse_slot(std::span<const std::string_view> words, slot_spec *slot);
        bool assign_slots(int v, const page_set &pages, slot_spec slot);
        bool on_event(const tokens &t);

        bool number(std::string_view tok, std::string_view text, uint64_t lo, uint64_t hi,
                    uint64_t *v);
        bool parse_pages(std::string_view tok, std::string_view list, page_set *out);
        bool page_range_item(std::string_view tok, std::string_view part, page_set *out);
        bool split_attrs(const tokens &t, size_t from, std::string_view keyword,
                         std::initializer_list<std::string_view> keys, attrs *a);
        bool num_attr(const attrs &a, std::string_view keyword, std::string_view key, uint64_t lo,
                      uint64_t hi, uint64_t *v);
        bool address(const attrs &a, std::string_view key, unsigned long hi, unsigned long *addr);
        template <size_t N>
        bool flags(std::span<const std::string_view> words, const std::array<flag_name, N> &table,
                   std::string_view what, unsigned *bits);

        // Phase 2: the whole scenario, in the order sanitize() would clamp it.
        bool finish();
        bool check_ranges();
        void check_page_list(int line, const page_set &pages, std::string_view keyword);
        void check_vma_pages(int v);
        bool check_vmas();
        void check_overlap(int v);
        bool check_pmd(int v);
        bool check_pmd_slots(int v);
        bool check_reachable();
        void check_droppable();
        void check_uffd_modes(int v);
        void check_slot_reachable(int v, int i);
        void check_ttu();
        bool check_anon();
        void check_anon_page(int i, int maps, int swaps);
        void check_pmd_pae();
        bool check_sanitized();

        int lineno = 0;
        bool failed = false;
        int header_line = 0, folio_line = 0, pae_line = 0, hwpoison_line = 0;
        int ttu_line = 0, arch_line = 0, mms_line = 0;
        page_set pae, hwpoison;
        int vma_line[MAX_VMAS] = {};
        int event_line[MAX_EVENTS] = {};
        // The line that set each slot, 0 when none did.
        std::vector<std::array<int, MAX_FOLIO_PAGES>> slot_line =
            std::vector<std::array<int, MAX_FOLIO_PAGES>>(MAX_VMAS);
};

// Keeps the error with the lowest line, so that a whole-scenario check that
// finds several problems reports the one a reader meets first.
bool parser::fail_at(int line, const std::string &msg)
{
        if (!failed || line < error.line) {
                error.line = line;
                error.message = msg;
        }
        failed = true;
        return false;
}

bool parser::run(std::string_view text)
{
        size_t pos = 0;
        while (pos < text.size()) {
                size_t nl = text.find('\n', pos);
                std::string_view line =
                    text.substr(pos, nl == std::string_view::npos ? nl : nl - pos);
                pos = nl == std::string_view::npos ? text.size() : nl + 1;
                lineno++;
                tokens t = tokenize(line);
                if (!t.empty() && !item(t))
                        return false;
        }
        return finish();
}

bool parser::item(const tokens &t)
{
        if (!header_line)
                return on_header(t);
        std::string_view kw = t[0];
        if (kw == "folio")
                return on_folio(t);
        if (kw == "pae")
                return on_page_list(t, &pae_line, &pae);
        if (kw == "hwpoison")
                return on_page_list(t, &hwpoison_line, &hwpoison);
        if (kw == "ttu")
                return on_ttu(t);
        if (kw == "arch")
                return on_arch(t);
        if (kw == "mms")
                return on_mms(t);
        if (kw == "vma")
                return on_vma(t);
        if (kw == "pte")
                return on_pte(t);
        if (kw == "event")
                return on_event(t);
        if (kw == MAGIC)
                return fail("duplicate header (first on line " + std::to_string(header_line) + ")");
        return fail("unknown keyword " + q(kw));
}

bool parser::on_header(const tokens &t)
{
        if (t[0] != MAGIC)
                return fail("missing header " + q(header_text()) + " before " + q(t[0]));
        if (t.size() < 2)
                return fail("header needs a version: " + q(header_text()));
        std::string version = "v" + std::to_string(SCENARIO_VERSION);
        if (t[1] != version)
                return fail("unsupported version " + q(t[1]) + " (expected " + version + ")");
        if (t.size() > 2)
                return fail("unexpected " + q(t[2]) + " after the header");
        header_line = lineno;
        return true;
}

// Items that state one property of the world may appear only once.
bool parser::once(int *item_line, std::string_view keyword)
{
        if (*item_line)
                return fail("duplicate " + q(keyword) + " line (first on line " +
                            std::to_string(*item_line) + ")");
        *item_line = lineno;
        return true;
}

bool parser::number(std::string_view tok, std::string_view text, uint64_t lo, uint64_t hi,
                    uint64_t *v)
{
        if (!to_u64(text, v))
                return fail("bad number " + q(tok));
        if (*v < lo || *v > hi)
                return fail(q(tok) + " out of range (" + std::to_string(lo) + "-" +
                            std::to_string(hi) + ")");
        return true;
}

// `list` (part of token `tok`) is a comma-separated list of N or N-M, inclusive.
bool parser::parse_pages(std::string_view tok, std::string_view list, page_set *out)
{
        if (list.empty())
                return fail("empty page list in " + q(tok));
        size_t pos = 0;
        while (true) {
                size_t comma = list.find(',', pos);
                std::string_view part =
                    list.substr(pos, comma == std::string_view::npos ? comma : comma - pos);
                if (!page_range_item(tok, part, out))
                        return false;
                if (comma == std::string_view::npos)
                        return true;
                pos = comma + 1;
        }
}

bool parser::page_range_item(std::string_view tok, std::string_view part, page_set *out)
{
        size_t dash = part.find('-');
        std::string_view lo_text = part.substr(0, dash);
        std::string_view hi_text = dash == std::string_view::npos ? lo_text : part.substr(dash + 1);
        uint64_t lo, hi;
        if (!to_u64(lo_text, &lo) || !to_u64(hi_text, &hi))
                return fail("bad page range " + q(part) + (part == tok ? "" : " in " + q(tok)));
        if (hi < lo)
                return fail("bad page range " + q(part) + ": end before start");
        if (hi >= MAX_FOLIO_PAGES)
                return fail("page " + std::to_string(hi) + " is beyond any folio (" +
                            folio_pages_text(MAX_ORDER_MODEL) + ")");
        for (uint64_t i = lo; i <= hi; i++) {
                if (out->test(i))
                        return fail("page " + std::to_string(i) + " listed twice in " + q(tok));
                out->set(i);
        }
        return true;
}

// Sorts the tokens from `from` on into key=value attributes (only `keys`
// allowed, each once) and bare words, which the caller interprets.
bool parser::split_attrs(const tokens &t, size_t from, std::string_view keyword,
                         std::initializer_list<std::string_view> keys, attrs *a)
{
        for (size_t i = from; i < t.size(); i++) {
                size_t eq = t[i].find('=');
                if (eq == std::string_view::npos) {
                        a->words.push_back(t[i]);
                        continue;
                }
                std::string_view key = t[i].substr(0, eq);
                if (std::find(keys.begin(), keys.end(), key) == keys.end())
                        return fail("unknown " + std::string(keyword) + " attribute " + q(t[i]));
                if (!a->find(key).empty())
                        return fail("duplicate " + q(std::string(key) + "="));
                a->kv.push_back(t[i]);
        }
        return true;
}

// The required attribute `key` as a number in [lo, hi].
bool parser::num_attr(const attrs &a, std::string_view keyword, std::string_view key, uint64_t lo,
                      uint64_t hi, uint64_t *v)
{
        std::string_view tok = a.find(key);
        if (tok.empty())
                return fail(q(keyword) + " line needs " + q(std::string(key) + "="));
        return number(tok, value_of(tok), lo, hi, v);
}

template <size_t N>
bool parser::flags(std::span<const std::string_view> words, const std::array<flag_name, N> &table,
                   std::string_view what, unsigned *bits)
{
        for (std::string_view w : words) {
                const flag_name *f = find_flag(table, w);
                if (!f)
                        return fail("unknown " + std::string(what) + " " + q(w));
                if (*bits & f->bit)
                        return fail("duplicate " + std::string(what) + " " + q(w));
                *bits |= f->bit;
        }
        return true;
}

bool parser::on_folio(const tokens &t)
{
        if (!once(&folio_line, "folio"))
                return false;
        if (t.size() < 2)
                return fail("'folio' line needs a type");
        int type = find_name(FOLIO_TYPE_NAMES, t[1]);
        if (type < 0)
                return fail("unknown folio type " + q(t[1]));
        attrs a;
        uint64_t order, refs = 0;
        unsigned bits = 0;
        if (!split_attrs(t, 2, "folio", {"order", "extra_refs"}, &a) ||
            !num_attr(a, "folio", "order", 0, MAX_ORDER_MODEL, &order) ||
            !flags(a.words, FOLIO_FLAG_NAMES, "folio flag", &bits))
                return false;
        if (!a.find("extra_refs").empty() &&
            !num_attr(a, "folio", "extra_refs", 0, MAX_EXTRA_REFS, &refs))
                return false;
        s.type = static_cast<folio_type>(type);
        s.order = static_cast<uint8_t>(order);
        s.folio_flags = static_cast<uint8_t>(bits);
        s.extra_refs = static_cast<uint8_t>(refs);
        return true;
}

bool parser::on_page_list(const tokens &t, int *item_line, page_set *out)
{
        if (!once(item_line, t[0]))
                return false;
        if (t.size() != 2)
                return fail(q(t[0]) + " line needs one page list, like 0-3,8");
        return parse_pages(t[1], t[1], out);
}

bool parser::on_ttu(const tokens &t)
{
        if (!once(&ttu_line, "ttu"))
                return false;
        if (t.size() < 2)
                return fail("'ttu' line needs flags or 'none'");
        if (t.size() == 2 && t[1] == "none")
                return true;
        std::span<const std::string_view> words(t.begin() + 1, t.end());
        if (std::find(words.begin(), words.end(), "none") != words.end())
                return fail("'none' cannot be combined with ttu flags");
        return flags(words, TTU_FLAG_NAMES, "ttu flag", &s.ttu);
}

bool parser::on_arch(const tokens &t)
{
        if (!once(&arch_line, "arch"))
                return false;
        if (t.size() != 2)
                return fail("'arch' line needs one of: generic sparc_adi s390");
        int arch = find_name(ARCH_NAMES, t[1]);
        if (arch < 0)
                return fail("unknown arch " + q(t[1]));
        s.arch = static_cast<arch_mode>(arch);
        return true;
}

bool parser::on_mms(const tokens &t)
{
        if (!once(&mms_line, "mms"))
                return false;
        if (t.size() != 2)
                return fail("'mms' line needs a count (1-" + std::to_string(MAX_MMS) + ")");
        uint64_t n;
        if (!number(t[1], t[1], 1, MAX_MMS, &n))
                return false;
        s.nr_mms = static_cast<uint8_t>(n);
        return true;
}

bool parser::on_vma(const tokens &t)
{
        if (t.size() < 2)
                return fail("'vma' line needs an index");
        uint64_t idx;
        if (!number(t[1], t[1], 0, UINT64_MAX, &idx))
                return false;
        if (s.nr_vmas == MAX_VMAS)
                return fail("too many vmas (max " + std::to_string(MAX_VMAS) + ")");
        if (idx != s.nr_vmas)
                return fail("vma index " + std::to_string(idx) + " out of order (expected " +
                            std::to_string(s.nr_vmas) + ")");
        vma_spec &vma = s.vmas[idx];
        attrs a;
        uint64_t mm;
        unsigned bits = 0;
        if (!split_attrs(t, 2, "vma", {"mm", "start", "end", "folio"}, &a) ||
            !num_attr(a, "vma", "mm", 0, MAX_MMS - 1, &mm) || !vma_addresses(a, &vma) ||
            !flags(a.words, VMA_FLAG_NAMES, "vma flag", &bits))
                return false;
        vma.mm = static_cast<uint8_t>(mm);
        vma.flags = static_cast<uint8_t>(bits & ~VMA_PMD);
        vma.pmd = bits & VMA_PMD;
        vma_line[idx] = lineno;
        s.nr_vmas++;
        return true;
}

bool parser::vma_addresses(const attrs &a, vma_spec *vma)
{
        if (!address(a, "start", TASK_SIZE - PAGE_SIZE, &vma->start) ||
            !address(a, "end", TASK_SIZE, &vma->end) ||
            !address(a, "folio", TASK_SIZE - PAGE_SIZE, &vma->folio_addr))
                return false;
        if (vma->end <= vma->start)
                return fail(q(a.find("end")) + " must be above " + q(a.find("start")));
        return true;
}

// The required page-aligned address attribute `key`, at most `hi`.
bool parser::address(const attrs &a, std::string_view key, unsigned long hi, unsigned long *addr)
{
        uint64_t v;
        if (!num_attr(a, "vma", key, 0, UINT64_MAX, &v))
                return false;
        std::string_view tok = a.find(key);
        if (v & (PAGE_SIZE - 1))
                return fail(q(tok) + " is not page aligned");
        if (v > hi)
                return fail(q(tok) + " out of range (max " + hex(hi) + ")");
        *addr = v;
        return true;
}

bool parser::on_pte(const tokens &t)
{
        attrs a;
        uint64_t v;
        if (!split_attrs(t, 1, "pte", {"vma", "pages"}, &a) ||
            !num_attr(a, "pte", "vma", 0, UINT64_MAX, &v))
                return false;
        if (v >= s.nr_vmas)
                return fail("pte references undefined vma " + std::to_string(v));
        std::string_view pages_tok = a.find("pages");
        if (pages_tok.empty())
                return fail("'pte' line needs 'pages='");
        page_set set;
        slot_spec slot;
        if (!parse_pages(pages_tok, value_of(pages_tok), &set) || !parse_slot(a.words, &slot))
                return false;
        return assign_slots(static_cast<int>(v), set, slot);
}

bool parser::parse_slot(std::span<const std::string_view> words, slot_spec *slot)
{
        if (words.empty())
                return fail("'pte' line needs a slot kind");
        int kind = find_name(SLOT_KIND_NAMES, words[0]);
        if (kind < 0)
                return fail("unknown slot kind " + q(words[0]));
        unsigned bits = 0, allowed = slot_kind_bits(static_cast<slot_kind>(kind));
        if (!flags(words.subspan(1), PTE_BIT_NAMES, "pte bit", &bits))
                return false;
        for (std::string_view w : words.subspan(1)) {
                if (find_flag(PTE_BIT_NAMES, w)->bit & allowed)
                        continue;
                std::string list;
                append_flags(list, PTE_BIT_NAMES, allowed);
                return fail("bit " + q(w) + " not allowed for " + std::string(words[0]) +
                            " (allowed:" + (list.empty() ? " none" : list) + ")" +
                            (kind == static_cast<int>(slot_kind::device_exclusive)
                                 ? ": make_device_exclusive() makes the entry from a writable "
                                   "PTE and keeps only its soft-dirty bit"
                                 : ""));
        }
        // A uffd-wp marker always carries the bit; writing it is optional.
        if (kind == static_cast<int>(slot_kind::marker))
                bits |= PTE_UFFD_WP;
        *slot = slot_spec{static_cast<slot_kind>(kind), static_cast<uint8_t>(bits)};
        return true;
}

bool parser::assign_slots(int v, const page_set &set, slot_spec slot)
{
        for (int i = 0; i < MAX_FOLIO_PAGES; i++) {
                if (!set.test(i))
                        continue;
                int &owner = slot_line[v][i];
                if (owner)
                        return fail("page " + std::to_string(i) + " of vma " + std::to_string(v) +
                                    " already set on line " + std::to_string(owner));
                owner = lineno;
                s.vmas[v].slot[i] = slot;
        }
        return true;
}

bool parser::on_event(const tokens &t)
{
        if (s.nr_events == MAX_EVENTS)
                return fail("too many events (max " + std::to_string(MAX_EVENTS) + ")");
        if (t.size() < 2)
                return fail("'event' line needs an event name");
        int kind = find_event(t[1]);
        if (kind < 0)
                return fail("unknown event " + q(t[1]));
        attrs a;
        uint64_t page;
        if (!split_attrs(t, 2, "event", {"page"}, &a) ||
            !num_attr(a, "event", "page", 0, MAX_FOLIO_PAGES - 1, &page))
                return false;
        if (!a.words.empty())
                return fail("unexpected " + q(a.words[0]) + " in 'event' line");
        event_line[s.nr_events] = lineno;
        s.events[s.nr_events++] = event{static_cast<event_kind>(kind), static_cast<uint16_t>(page)};
        return true;
}

// ---- phase 2 ----

// Each stage assumes the ones before it passed, so the error reported is the
// root cause rather than a consequence of it.
bool parser::finish()
{
        int last = std::max(lineno, 1);
        if (!header_line)
                return fail_at(last, "missing header " + q(header_text()));
        if (!folio_line)
                return fail_at(last, "missing 'folio' line");
        s.pae = pae;
        s.hwpoison = hwpoison;
        return check_ranges() && check_vmas() && check_reachable() && check_anon() &&
               check_sanitized();
}

// Everything that names a page or an mm names one that exists.
bool parser::check_ranges()
{
        check_page_list(pae_line, pae, "pae");
        check_page_list(hwpoison_line, hwpoison, "hwpoison");
        if (pae_line && !folio_type_is_anon(s.type))
                fail_at(pae_line,
                        "'pae' needs an anon folio type, not " +
                            std::string(name_of(FOLIO_TYPE_NAMES, static_cast<int>(s.type))));
        for (int e = 0; e < s.nr_events; e++)
                if (s.events[e].page >= (1 << s.order))
                        fail_at(event_line[e], "event page " + std::to_string(s.events[e].page) +
                                                   " is beyond the folio (" +
                                                   folio_pages_text(s.order) + ")");
        for (int v = 0; v < s.nr_vmas; v++) {
                if (s.vmas[v].mm >= s.nr_mms)
                        fail_at(vma_line[v], "mm=" + std::to_string(s.vmas[v].mm) +
                                                 " out of range (mms is " +
                                                 std::to_string(s.nr_mms) + ")");
                check_vma_pages(v);
        }
        return !failed;
}

void parser::check_page_list(int line, const page_set &set, std::string_view keyword)
{
        int page = first_page_from(set, 1 << s.order);
        if (page >= 0)
                fail_at(line, q(keyword) + " page " + std::to_string(page) +
                                  " is beyond the folio (" + folio_pages_text(s.order) + ")");
}

// A pte line may only set slots the VMA's linear mapping puts a folio page in.
void parser::check_vma_pages(int v)
{
        int first, last;
        vma_folio_pages(s, v, &first, &last);
        for (int i = 0; i < MAX_FOLIO_PAGES; i++) {
                int line = slot_line[v][i];
                if (!line || (i >= first && i < last))
                        continue;
                std::string page = "page " + std::to_string(i);
                if (i >= (1 << s.order))
                        fail_at(line,
                                page + " is beyond the folio (" + folio_pages_text(s.order) + ")");
                else if (first == last)
                        fail_at(line, page + " is outside vma " + std::to_string(v) +
                                          " (it maps no page of the folio)");
                else
                        fail_at(line, page + " is outside vma " + std::to_string(v) +
                                          " (it maps folio pages " + page_range(first, last - 1) +
                                          ")");
        }
}

bool parser::check_vmas()
{
        for (int v = 0; v < s.nr_vmas; v++) {
                check_overlap(v);
                if (s.vmas[v].pmd)
                        check_pmd(v);
        }
        return !failed;
}

void parser::check_overlap(int v)
{
        const vma_spec &b = s.vmas[v];
        for (int u = 0; u < v; u++) {
                const vma_spec &a = s.vmas[u];
                if (a.mm == b.mm && a.start < b.end && b.start < a.end)
                        fail_at(vma_line[v], "vma " + std::to_string(v) + " overlaps vma " +
                                                 std::to_string(u) + " (line " +
                                                 std::to_string(vma_line[u]) + ") in mm " +
                                                 std::to_string(b.mm));
        }
}

bool parser::check_pmd(int v)
{
        const vma_spec &vma = s.vmas[v];
        int line = vma_line[v];
        if (s.order != HPAGE_PMD_ORDER)
                return fail_at(line, "pmd mapping needs an order-" +
                                         std::to_string(HPAGE_PMD_ORDER) + " folio, not order " +
                                         std::to_string(s.order));
        if (vma.folio_addr & ~PMD_MASK)
                return fail_at(line, "pmd mapping needs folio= aligned to " + hex(PMD_SIZE));
        if (vma.folio_addr < vma.start || vma.folio_addr + PMD_SIZE > vma.end)
                return fail_at(line, "pmd mapping needs the whole folio inside the vma");
        // Reclaim passes TTU_SPLIT_HUGE_PMD for every PMD-mappable folio.
        if (!(s.ttu & TTU_SPLIT_HUGE_PMD))
                return fail_at(line, "pmd mapping needs 'ttu split_huge_pmd'");
        // Memory failure splits a THP before unmapping it with TTU_HWPOISON.
        if (s.ttu & TTU_HWPOISON)
                return fail_at(line, "pmd mapping cannot be unmapped with 'ttu hwpoison'");
        return check_pmd_slots(v);
}

// A huge PMD is one present entry: every page has the same bits, and none of
// the PTE-only ones.
bool parser::check_pmd_slots(int v)
{
        const vma_spec &vma = s.vmas[v];
        std::string who = "pmd-mapped vma " + std::to_string(v);
        for (int i = 0; i < (1 << s.order); i++) {
                std::string page = "page " + std::to_string(i);
                int line = slot_line[v][i];
                if (!line)
                        return fail_at(vma_line[v], who + " needs every page present; " + page +
                                                        " has no pte line");
                if (vma.slot[i].kind != slot_kind::present)
                        return fail_at(line, who + " needs " + page + " 'present'");
                if (vma.slot[i].bits & (PTE_PROTNONE | PTE_UNUSED))
                        return fail_at(line, who + " cannot have protnone or unused bits");
                if (vma.slot[i] != vma.slot[0])
                        return fail_at(line, who + " needs the same bits on every page; " + page +
                                                 " differs from page 0");
        }
        return true;
}

// What no caller of try_to_unmap() can hand it (sanitize_reachable() in
// scenario/scenario.cc maps each such input onto a state that exists; the text
// says what and why instead).
bool parser::check_reachable()
{
        check_droppable();
        for (int v = 0; v < s.nr_vmas; v++) {
                check_uffd_modes(v);
                for (int i = 0; i < (1 << s.order); i++)
                        if (s.vmas[v].slot[i].kind != slot_kind::none)
                                check_slot_reachable(v, i);
        }
        check_ttu();
        return !failed;
}

std::string arch_text(arch_mode arch)
{
        return "arch " + std::string(name_of(ARCH_NAMES, arch));
}

void parser::check_droppable()
{
        int first = -1;
        for (int v = 0; v < s.nr_vmas; v++) {
                const vma_spec &vma = s.vmas[v];
                int lo, hi;
                vma_folio_pages(s, v, &lo, &hi);
                if (!(vma.flags & VM_DROPPABLE))
                        continue;
                std::string who = "droppable vma " + std::to_string(v);
                if (lo == hi)
                        fail_at(vma_line[v], who + " maps no page of the folio");
                if (s.type != folio_type::lazyfree)
                        fail_at(vma_line[v],
                                who + " needs a lazyfree folio: VM_DROPPABLE exists only for "
                                      "private anonymous mappings, whose folios never become "
                                      "swap-backed (folio_add_new_anon_rmap())");
                if (vma.flags & VM_LOCKED)
                        fail_at(vma_line[v], who + " cannot be locked: mlock_fixup() never sets "
                                                   "VM_LOCKED on a VM_DROPPABLE VMA");
                if (first < 0)
                        first = v;
        }
        if (first < 0)
                return;
        for (int v = 0; v < s.nr_vmas; v++) {
                int lo, hi;
                vma_folio_pages(s, v, &lo, &hi);
                if (lo == hi || v == first)
                        continue;
                if (!(s.vmas[v].flags & VM_DROPPABLE) || s.vmas[v].mm != s.vmas[first].mm)
                        fail_at(vma_line[v],
                                "vma " + std::to_string(v) + " maps the folio of droppable vma " +
                                    std::to_string(first) +
                                    ", so it must be a droppable vma of the same mm (a "
                                    "droppable mapping is VM_WIPEONFORK: no child shares it)");
        }
}

void parser::check_uffd_modes(int v)
{
        const vma_spec &vma = s.vmas[v];
        uint8_t wrong = vma.flags & VM_UFFD_FLAGS & ~uffd_modes_allowed(s.type, vma.flags, s.arch);
        for (const flag_name &f : VMA_FLAG_NAMES) {
                if (!(wrong & f.bit))
                        continue;
                std::string who = q(f.name) + " on vma " + std::to_string(v);
                std::string why;
                if (vma.flags & VM_DROPPABLE)
                        why = "a droppable VMA cannot be registered (vma_can_userfault())";
                else if (s.arch != ARCH_GENERIC && f.bit != VM_UFFD_MISSING)
                        why = arch_text(s.arch) + " has no " +
                              (f.bit == VM_UFFD_WP ? "HAVE_ARCH_USERFAULTFD_WP"
                                                   : "HAVE_ARCH_USERFAULTFD_MINOR");
                else if (f.bit == VM_UFFD_MISSING)
                        why = "MISSING mode needs an anonymous or shmem VMA, not a page-cache "
                              "file one (vma_can_userfault())";
                else
                        why = "MINOR mode needs a shmem VMA (vma_can_userfault())";
                fail_at(vma_line[v], who + ": " + why);
        }
}

void parser::check_slot_reachable(int v, int i)
{
        const vma_spec &vma = s.vmas[v];
        slot_spec slot = vma.slot[i];
        int line = slot_line[v][i];
        std::string page = "page " + std::to_string(i) + " of vma " + std::to_string(v);
        if (slot.kind == slot_kind::device_private) {
                fail_at(line, page + ": dev_priv cannot occur: a device-private entry maps a "
                                     "ZONE_DEVICE page, which is not on the LRU and reaches "
                                     "try_to_migrate(), never try_to_unmap() (use dev_excl "
                                     "for a non-present entry that maps the folio)");
                return;
        }
        if (!slot_kind_reachable(s.type, slot.kind)) {
                fail_at(line, page + ": dev_excl needs an anonymous folio "
                                     "(make_device_exclusive() refuses other folios)");
                return;
        }
        uint8_t arch_bits = arch_pte_bits(s.arch);
        for (const flag_name &f : PTE_BIT_NAMES) {
                if (!(slot.bits & f.bit) ||
                    (slot.kind == slot_kind::marker && f.bit == PTE_UFFD_WP))
                        continue;
                if (!(arch_bits & f.bit))
                        fail_at(line, page + ": bit " + q(f.name) + " does not exist on " +
                                          arch_text(s.arch) +
                                          (f.bit == PTE_UNUSED ? " (pte_unused() is s390's; "
                                                                 "write 'arch s390')"
                                                               : ""));
                else if (f.bit == PTE_UFFD_WP && !(vma.flags & VM_UFFD_WP))
                        fail_at(line, page + ": bit 'uffd_wp' in a VMA not registered for "
                                             "uffd-wp (unregistering and fork clear it: "
                                             "uffd_wp_range(), copy_present_pte())");
        }
        if (!slot_bits_consistent(slot.kind, slot.bits))
                fail_at(line, page + ": a " +
                                  std::string(slot.bits & PTE_UFFD_WP ? "uffd_wp" : "protnone") +
                                  " pte is never writable (pte_mkuffd_wp() and pte_modify() to "
                                  "PAGE_NONE write-protect it)");
        if (slot.kind == slot_kind::marker && !(arch_bits & PTE_UFFD_WP))
                fail_at(line, page + ": a uffd-wp marker does not exist on " + arch_text(s.arch) +
                                  " (no HAVE_ARCH_USERFAULTFD_WP)");
        else if (slot.kind == slot_kind::marker && !(vma.flags & VM_UFFD_WP))
                fail_at(line, page + ": a uffd-wp marker in a VMA not registered for uffd-wp "
                                     "(unregistering removes them: uffd_wp_range())");
}

void parser::check_ttu()
{
        int line = ttu_line ? ttu_line : folio_line;
        if (s.ttu & TTU_HWPOISON) {
                if (s.order > 0)
                        fail_at(line, "'ttu hwpoison' needs an order-0 folio: memory_failure() "
                                      "splits a large folio first (try_to_split_thp_page()) or "
                                      "gives up");
                else if (s.type == folio_type::anon)
                        fail_at(line, "'ttu hwpoison' cannot meet a folio in the swap cache: "
                                      "unmap_poisoned_folio() keeps it there and unmaps without "
                                      "TTU_HWPOISON");
                else if (!s.hwpoison.test(0))
                        fail_at(line, "'ttu hwpoison' needs 'hwpoison 0': memory_failure() "
                                      "poisons the page before it unmaps it");
                else if (s.ttu != (TTU_HWPOISON | TTU_IGNORE_MLOCK | TTU_SYNC))
                        fail_at(line, "'ttu hwpoison' comes as 'ttu ignore_mlock sync hwpoison' "
                                      "(unmap_poisoned_folio())");
        }
        if ((s.ttu & TTU_IGNORE_MLOCK) && s.order > 0 && folio_type_is_anon(s.type))
                fail_at(line, "'ttu ignore_mlock' cannot meet a large anonymous folio: only "
                              "memory_failure() (small folios) and unmap_folio() (page-cache "
                              "folios; anon ones take try_to_migrate()) pass TTU_IGNORE_MLOCK");
}

// Anon pages obey the exclusivity rules sanitize() enforces (see there).
bool parser::check_anon()
{
        if (!folio_type_is_anon(s.type))
                return true;
        for (int i = 0; i < (1 << s.order); i++) {
                int maps = 0, swaps = 0;
                for (int v = 0; v < s.nr_vmas; v++) {
                        maps += slot_maps_folio_page(s.vmas[v].slot[i].kind);
                        swaps += s.vmas[v].slot[i].kind == slot_kind::swap;
                }
                check_anon_page(i, maps, swaps);
        }
        check_pmd_pae();
        return !failed;
}

// __split_huge_pmd_locked() hands the head page's PageAnonExclusive to every
// subpage, so a PMD-mapped folio is exclusive as a whole or not at all.
void parser::check_pmd_pae()
{
        int nr = 1 << s.order;
        bool pmd = std::any_of(s.vmas, s.vmas + s.nr_vmas, [](const vma_spec &v) { return v.pmd; });
        if (pmd && s.pae.any() && static_cast<int>(s.pae.count()) != nr)
                fail_at(pae_line, "'pae' of a pmd-mapped folio must be " + page_range(0, nr - 1) +
                                      " or omitted (one exclusivity for the whole folio)");
}

void parser::check_anon_page(int i, int maps, int swaps)
{
        std::string page = "page " + std::to_string(i);
        std::string refs = std::to_string(maps) + " mapping(s) and " + std::to_string(swaps) +
                           " swap entr" + (swaps == 1 ? "y" : "ies");
        if (s.pae.test(i) && !(maps == 1 && swaps == 0))
                fail_at(pae_line, "'pae' " + page +
                                      " needs exactly one mapping and no swap entry; it has " +
                                      refs);
        for (int v = 0; v < s.nr_vmas; v++) {
                slot_spec slot = s.vmas[v].slot[i];
                int line = slot_line[v][i];
                if (slot.kind == slot_kind::device_exclusive && !(maps == 1 && swaps == 0))
                        fail_at(line, "dev_excl " + page +
                                          " must be the page's only reference; "
                                          "it has " +
                                          refs +
                                          " (make_device_exclusive() converts the "
                                          "page's one writable mapping)");
                else if (slot.kind == slot_kind::device_exclusive && !s.pae.test(i))
                        fail_at(line, "dev_excl " + page + " needs 'pae' " + std::to_string(i) +
                                          " (make_device_exclusive() converts a writable, "
                                          "hence exclusive, mapping)");
                if (slot_maps_folio_page(slot.kind) && (slot.bits & PTE_WRITE) && !s.pae.test(i))
                        fail_at(line, page + " is writable but not in 'pae' (a writable anon "
                                             "page must be exclusive)");
                if (slot.kind == slot_kind::swap && (slot.bits & PTE_SWP_EXCLUSIVE) &&
                    !(maps == 0 && swaps == 1))
                        fail_at(line, "exclusive swap entry of " + page +
                                          " must be its only reference; it has " + refs);
        }
}

// The checks above mirror sanitize(); this catches any rule they miss.
bool parser::check_sanitized()
{
        scenario copy = s;
        int n = sanitize(copy);
        if (n)
                return fail_at(header_line, "scenario is not canonical: " + std::to_string(n) +
                                                " field(s) would be clamped");
        return true;
}

bool read_all(const std::string &path, std::string *text, std::string *why)
{
        std::FILE *f = std::fopen(path.c_str(), "rb");
        if (!f) {
                *why = std::strerror(errno);
                return false;
        }
        char buf[4096];
        size_t n;
        while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0)
                text->append(buf, n);
        bool ok = !std::ferror(f);
        if (!ok)
                *why = std::strerror(errno);
        std::fclose(f);
        return ok;
}

} // namespace

std::string print_scenario(const scenario &s)
{
        std::string out = header_text() + "\n";
        print_folio(out, s);
        print_page_list(out, "pae", s.pae);
        print_page_list(out, "hwpoison", s.hwpoison);
        if (s.ttu) {
                out += "ttu";
                append_flags(out, TTU_FLAG_NAMES, s.ttu);
                out += "\n";
        }
        if (s.arch != ARCH_GENERIC)
                out += "arch " + std::string(name_of(ARCH_NAMES, s.arch)) + "\n";
        if (s.nr_mms != 1)
                out += "mms " + std::to_string(s.nr_mms) + "\n";
        for (int v = 0; v < s.nr_vmas && v < MAX_VMAS; v++)
                print_vma(out, s.vmas[v], v);
        for (int e = 0; e < s.nr_events && e < MAX_EVENTS; e++)
                out += "event " + std::string(event_name(s.events[e].kind)) +
                       " page=" + std::to_string(s.events[e].page) + "\n";
        return out;
}

uint8_t pte_bit_from_name(std::string_view name)
{
        const flag_name *f = find_flag(PTE_BIT_NAMES, name);
        return f ? static_cast<uint8_t>(f->bit) : 0;
}

std::string pte_bits_text(uint8_t bits)
{
        std::string out;
        append_flags(out, PTE_BIT_NAMES, bits);
        return out;
}

std::string parse_error::what() const
{
        return file + ":" + std::to_string(line) + ": " + message;
}

bool parse_scenario(std::string_view text, const std::string &filename, scenario *out,
                    parse_error *err)
{
        parser p(filename);
        // A UTF-8 byte-order mark, as some editors write one, is no part of
        // the scenario: skipped (line numbers stay those of the file).
        constexpr std::string_view bom = "\xef\xbb\xbf";
        if (text.substr(0, bom.size()) == bom)
                text.remove_prefix(bom.size());
        if (!p.run(text)) {
                if (err)
                        *err = p.error;
                return false;
        }
        *out = p.s;
        return true;
}

bool load_scenario_file(const std::string &path, scenario *out, parse_error *err)
{
        std::string text, why;
        if (!read_all(path, &text, &why)) {
                if (err)
                        *err = parse_error{path, 0, "cannot read file: " + why};
                return false;
        }
        return parse_scenario(text, path, out, err);
}

} // namespace uf
