#include "kernel/extract/extract.h"

#include <algorithm>
#include <cctype>
#include <deque>
#include <map>
#include <memory>
#include <set>

#include "kernel/extract/learn.h"
#include "kernel/extract/lexer.h"

namespace kx
{

namespace
{

enum class item_kind { function, prototype, macro, type, object, other };

// One top-level #if group around an item: the directives of the group up to
// and including the branch the item sits in.
struct cond_level {
        std::vector<std::string_view> directives;
};

struct item {
        item_kind kind = item_kind::other;
        std::string_view name;
        bool is_static = false;
        size_t first_tok = 0, last_tok = 0; // token range, inclusive
        size_t body_tok = 0;                // functions: the opening brace
        std::vector<cond_level> conds;
};

// Identifiers that look like a name followed by parentheses but are not the
// declarator of a function definition.
const std::set<std::string_view> attribute_words = {"__attribute__",
                                                    "__attribute",
                                                    "__printf",
                                                    "__scanf",
                                                    "__section",
                                                    "__aligned",
                                                    "__acquires",
                                                    "__releases",
                                                    "__must_hold",
                                                    "__cond_acquires",
                                                    "__alloc_size",
                                                    "__nonstring",
                                                    "__assume_aligned",
                                                    "__diagnose_as",
                                                    "__counted_by",
                                                    "__no_sanitize_address",
                                                    "if",
                                                    "while",
                                                    "for",
                                                    "switch",
                                                    "return",
                                                    "sizeof",
                                                    "typeof",
                                                    "__typeof__",
                                                    "_Alignof",
                                                    "__alignof__"};

const std::set<std::string_view> tag_words = {"struct", "union", "enum"};

struct parser {
        std::string_view src;
        const std::vector<token> &t;
        std::vector<item> items;
        std::vector<cond_level> conds;
        std::vector<size_t> cond_toks; // every top-level #if/#elif/#else/#endif
        std::string error;

        bool fail(unsigned line, const std::string &msg)
        {
                error = std::to_string(line) + ": " + msg;
                return false;
        }

        void directive(const token &tk)
        {
                std::string_view d = pp_directive(tk);
                if (d == "if" || d == "ifdef" || d == "ifndef" || d == "elif" || d == "else" ||
                    d == "elifdef" || d == "elifndef" || d == "endif")
                        cond_toks.push_back(cur);
                if (d == "if" || d == "ifdef" || d == "ifndef") {
                        conds.push_back(cond_level{{tk.text}});
                } else if ((d == "elif" || d == "else" || d == "elifdef" || d == "elifndef") &&
                           !conds.empty()) {
                        conds.back().directives.push_back(tk.text);
                } else if (d == "endif" && !conds.empty()) {
                        conds.pop_back();
                } else if (d == "define") {
                        item it;
                        it.kind = item_kind::macro;
                        it.name = pp_macro_name(tk);
                        it.conds = conds;
                        items.push_back(it);
                        items.back().first_tok = items.back().last_tok = cur;
                }
        }

        // The index of the token matching the opener at k ("{", "(", "[").
        bool match(size_t k, size_t *end)
        {
                std::string_view open = t[k].text;
                std::string_view close = open == "{" ? "}" : open == "(" ? ")" : "]";
                int depth = 0;
                for (size_t j = k; j < t.size(); j++) {
                        if (t[j].kind != tok::punct)
                                continue;
                        if (t[j].text == open)
                                depth++;
                        else if (t[j].text == close && --depth == 0) {
                                *end = j;
                                return true;
                        }
                }
                return fail(t[k].line, "unbalanced '" + std::string(open) + "'");
        }

        size_t cur = 0;
        unsigned extern_c = 0; // open extern "C" blocks

        // Classifies the declaration in [first, last] (last is the ';' or the
        // body's '{'), the way kernel style writes them.
        void classify(item &it, size_t first, size_t end, bool has_body)
        {
                it.first_tok = first;
                for (size_t j = first; j < end; j++)
                        if (t[j].kind == tok::ident && t[j].text == "static")
                                it.is_static = true;
                // typedef ... NAME; a file-local type.
                if (t[first].kind == tok::ident && t[first].text == "typedef") {
                        it.kind = item_kind::type;
                        for (size_t j = first; j < end; j++)
                                if (t[j].kind == tok::ident)
                                        it.name = t[j].text;
                        return;
                }
                // A tag definition: struct NAME { ... };
                if (t[first].kind == tok::ident && tag_words.count(t[first].text) &&
                    first + 2 < t.size() && t[first + 1].kind == tok::ident &&
                    t[first + 2].text == "{") {
                        it.kind = item_kind::type;
                        it.name = t[first + 1].text;
                        return;
                }
                // The declarator of a function: the first identifier followed by a
                // parenthesis group at nesting level 0, with no '=' before it.
                for (size_t j = first; j < end; j++) {
                        if (t[j].kind == tok::punct && t[j].text == "=")
                                break;
                        if (t[j].kind == tok::punct && (t[j].text == "(" || t[j].text == "[")) {
                                size_t close;
                                if (!match(j, &close))
                                        return;
                                if (t[j].text == "(" && j > first && t[j - 1].kind == tok::ident &&
                                    !attribute_words.count(t[j - 1].text)) {
                                        it.kind =
                                            has_body ? item_kind::function : item_kind::prototype;
                                        it.name = t[j - 1].text;
                                        return;
                                }
                                j = close;
                        }
                }
                // An object: the last identifier before '=', '[' or the end.
                it.kind = item_kind::object;
                for (size_t j = first; j < end; j++) {
                        if (t[j].kind == tok::punct &&
                            (t[j].text == "=" || t[j].text == "[" || t[j].text == ","))
                                break;
                        if (t[j].kind == tok::ident)
                                it.name = t[j].text;
                }
        }

        bool run()
        {
                size_t first = SIZE_MAX; // the pending declaration's first token
                for (cur = 0; cur < t.size(); cur++) {
                        const token &tk = t[cur];
                        if (tk.kind == tok::pp) {
                                directive(tk);
                                continue;
                        }
                        // extern "C" { ... } (a header shared with C++): its
                        // declarations are top-level ones.
                        if (tk.kind == tok::ident && tk.text == "extern" && cur + 2 < t.size() &&
                            t[cur + 1].kind == tok::string && t[cur + 2].text == "{") {
                                extern_c++;
                                cur += 2;
                                first = SIZE_MAX;
                                continue;
                        }
                        if (first == SIZE_MAX)
                                first = cur;
                        if (tk.kind != tok::punct)
                                continue;
                        if (tk.text == "(" || tk.text == "[") {
                                size_t close;
                                if (!match(cur, &close))
                                        return false;
                                cur = close;
                                continue;
                        }
                        if (tk.text == "}" && extern_c > 0) {
                                extern_c--;
                                first = SIZE_MAX;
                                continue;
                        }
                        if (tk.text == "}")
                                return fail(tk.line, "unbalanced '}'");
                        if (tk.text == "{") {
                                item it;
                                it.conds = conds;
                                classify(it, first, cur, true);
                                if (!error.empty())
                                        return false;
                                size_t close;
                                if (!match(cur, &close))
                                        return false;
                                if (it.kind == item_kind::function) {
                                        it.body_tok = cur;
                                        it.last_tok = close;
                                        items.push_back(it);
                                        first = SIZE_MAX;
                                }
                                // A struct, union, enum or initializer body: the
                                // declaration goes on to its ';'.
                                cur = close;
                                continue;
                        }
                        if (tk.text == ";") {
                                item it;
                                it.conds = conds;
                                classify(it, first, cur, false);
                                if (!error.empty())
                                        return false;
                                it.last_tok = cur;
                                if (!it.name.empty())
                                        items.push_back(it);
                                first = SIZE_MAX;
                        }
                }
                if (!conds.empty())
                        return fail(t.empty() ? 1 : t.back().line, "unterminated #if");
                return true;
        }
};

// The identifiers an item names: not member names (after '.' or '->'), and
// struct/union/enum tags apart.
void references(const std::vector<token> &t, size_t first, size_t last,
                std::set<std::string_view> *idents, std::set<std::string_view> *tags)
{
        for (size_t j = first; j <= last; j++) {
                if (t[j].kind == tok::pp) {
                        // A macro's body: identifiers in its text.
                        std::vector<token> sub;
                        lex_error e;
                        std::string_view body = t[j].text.substr(1);
                        if (lex(body, &sub, &e) && !sub.empty())
                                references(sub, 0, sub.size() - 1, idents, tags);
                        continue;
                }
                if (t[j].kind != tok::ident)
                        continue;
                if (j > first && t[j - 1].kind == tok::punct &&
                    (t[j - 1].text == "." || t[j - 1].text == "->"))
                        continue;
                if (j > first && t[j - 1].kind == tok::ident && tag_words.count(t[j - 1].text)) {
                        tags->insert(t[j].text);
                        continue;
                }
                idents->insert(t[j].text);
        }
}

} // namespace

bool extract(std::string_view source, const extract_options &opt, extract_result *out,
             std::string *error)
{
        std::vector<token> toks;
        lex_error le;
        if (!lex(source, &toks, &le)) {
                *error = std::to_string(le.line) + ": " + le.message;
                return false;
        }
        parser p{source, toks, {}, {}, {}, {}};
        if (!p.run()) {
                *error = p.error;
                return false;
        }
        std::multimap<std::string_view, size_t> by_name, tag_items;
        for (size_t i = 0; i < p.items.size(); i++) {
                const item &it = p.items[i];
                if (it.kind == item_kind::type && toks[it.first_tok].text != "typedef")
                        tag_items.emplace(it.name, i);
                else if (it.kind != item_kind::prototype && it.kind != item_kind::other)
                        by_name.emplace(it.name, i);
        }
        std::set<std::string_view> excluded(opt.substrate.begin(), opt.substrate.end());
        bool found = false;
        for (auto [b, e] = by_name.equal_range(opt.entry); b != e; ++b)
                found |= p.items[b->second].kind == item_kind::function;
        if (!found) {
                *error = "0: no definition of " + opt.entry + "()";
                return false;
        }

        // Closure over what the cut code names. A non-static function of the
        // file is the substrate's (the shim declares it); every definition of
        // a static name is taken, whichever #if branch it sits in.
        std::set<size_t> taken;
        std::set<std::string_view> seen_names, seen_tags, substrate_used;
        std::vector<size_t> work;
        auto want = [&](std::string_view name, bool entry) {
                if (!seen_names.insert(name).second)
                        return;
                if (excluded.count(name)) {
                        if (by_name.count(name))
                                substrate_used.insert(name);
                        return;
                }
                for (auto [b, e] = by_name.equal_range(name); b != e; ++b) {
                        const item &it = p.items[b->second];
                        bool wanted =
                            entry || it.kind == item_kind::macro || it.kind == item_kind::type ||
                            (it.is_static &&
                             (it.kind == item_kind::function || it.kind == item_kind::object));
                        if (wanted && taken.insert(b->second).second)
                                work.push_back(b->second);
                }
        };
        auto want_tag = [&](std::string_view tag) {
                if (!seen_tags.insert(tag).second)
                        return;
                for (auto [b, e] = tag_items.equal_range(tag); b != e; ++b)
                        if (taken.insert(b->second).second)
                                work.push_back(b->second);
        };
        want(opt.entry, true);
        while (!work.empty()) {
                size_t i = work.back();
                work.pop_back();
                std::set<std::string_view> idents, tags;
                references(toks, p.items[i].first_tok, p.items[i].last_tok, &idents, &tags);
                for (std::string_view n : idents)
                        want(n, false);
                for (std::string_view n : tags)
                        want_tag(n);
        }

        // Prototypes in the file of the functions taken, and the macros the
        // top-level #if conditions name (they decide which definitions count).
        std::set<std::string_view> taken_functions;
        for (size_t i : taken)
                if (p.items[i].kind == item_kind::function)
                        taken_functions.insert(p.items[i].name);
        for (size_t i = 0; i < p.items.size(); i++)
                if (p.items[i].kind == item_kind::prototype &&
                    taken_functions.count(p.items[i].name))
                        taken.insert(i);
        for (size_t k : p.cond_toks) {
                std::set<std::string_view> idents, tags;
                references(toks, k, k, &idents, &tags);
                for (std::string_view n : idents)
                        for (auto [b, e] = by_name.equal_range(n); b != e; ++b)
                                if (p.items[b->second].kind == item_kind::macro)
                                        taken.insert(b->second);
        }

        std::vector<size_t> order(taken.begin(), taken.end());
        std::sort(order.begin(), order.end());

        // The cut keeps every taken item and every top-level #if/#else/#endif
        // where the file has it, and only the line ends of the rest: line N of
        // the cut is line N of the file, so compiler messages, sanitizer
        // traces and coverage (which maps physical lines) all name the file's
        // own lines. The #line directive on line 1 (the file's own line 1, a
        // licence comment in the kernel, is dropped for it) gives them its name.
        // The direct reads of the walk's entry, `*X.pte` or `*X->pte` where
        // the '*' is unary (after an operator or punctuator other than ')' and
        // ']', or after return) and the entry is not assigned to: cut as
        // ptep_get(X.pte) (extract.h). A write through it stays as it is and
        // faults, as every other dereference of a shim pointer does.
        struct edit {
                unsigned at, len;
                const char *text;
        };
        std::vector<edit> edits;
        std::set<unsigned> read_lines;
        auto assigns = [](const token &t) {
                static const std::set<std::string_view> ops = {
                    "=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<=", ">>=", "++", "--"};
                return t.kind == tok::punct && ops.count(t.text);
        };
        for (size_t i : order) {
                const item &it = p.items[i];
                if (it.kind != item_kind::function)
                        continue;
                for (size_t k = it.first_tok + 1; k + 3 <= it.last_tok; k++) {
                        const token &star = toks[k], &prev = toks[k - 1];
                        bool unary =
                            (prev.kind == tok::punct && prev.text != ")" && prev.text != "]") ||
                            (prev.kind == tok::ident && prev.text == "return");
                        if (!unary || star.kind != tok::punct || star.text != "*" ||
                            toks[k + 1].kind != tok::ident || toks[k + 2].kind != tok::punct ||
                            (toks[k + 2].text != "." && toks[k + 2].text != "->") ||
                            toks[k + 3].kind != tok::ident || toks[k + 3].text != "pte" ||
                            (k + 4 <= it.last_tok && assigns(toks[k + 4])))
                                continue;
                        edits.push_back(edit{star.begin, star.end - star.begin, "ptep_get("});
                        edits.push_back(edit{toks[k + 3].end, 0, ")"});
                        read_lines.insert(star.line);
                }
        }
        std::sort(edits.begin(), edits.end(),
                  [](const edit &a, const edit &b) { return a.at < b.at; });
        size_t next_edit = 0;
        auto append = [&](std::string *to, size_t from, size_t end) {
                while (next_edit < edits.size() && edits[next_edit].at < from)
                        next_edit++;
                for (; next_edit < edits.size() && edits[next_edit].at <= end; next_edit++) {
                        const edit &ed = edits[next_edit];
                        if (ed.at + ed.len > end)
                                break;
                        to->append(source.substr(from, ed.at - from));
                        to->append(ed.text);
                        from = ed.at + ed.len;
                }
                to->append(source.substr(from, end - from));
        };

        std::vector<std::pair<unsigned, unsigned>> keep; // byte ranges
        for (size_t i : order)
                keep.emplace_back(toks[p.items[i].first_tok].begin, toks[p.items[i].last_tok].end);
        for (size_t k : p.cond_toks)
                keep.emplace_back(toks[k].begin, toks[k].end);
        std::sort(keep.begin(), keep.end());
        std::string body;
        body.reserve(source.size());
        size_t at = 0;
        for (auto [b, e] : keep) {
                for (; at < b; at++)
                        if (source[at] == '\n')
                                body += '\n';
                if (e > at) {
                        append(&body, std::max<size_t>(at, b), e);
                        at = e;
                }
        }
        for (; at < source.size(); at++)
                if (source[at] == '\n')
                        body += '\n';
        const std::string note = " /* cut out of " + opt.line_path +
                                 " by unmapfuzz's kernel-extract at build time; never commit it */";
        std::string text;
        size_t nl = body.find('\n');
        if (nl != std::string::npos && body.find_first_not_of(" \t", 0) >= nl) {
                text = "#line 2 \"" + opt.line_path + "\"" + note + body.substr(nl);
        } else {
                // Kept text on line 1: one line of shift, the price of a name.
                text = "#line 1 \"" + opt.line_path + "\"" + note + "\n" + body;
        }
        if (!text.empty() && text.back() != '\n')
                text += '\n';
        text += "#line 1 \"<unmapfuzz extract: entry wrapper>\"\n";
        text += "bool " + opt.wrapper +
                "(struct folio *folio, struct vm_area_struct *vma, unsigned long address, "
                "void *arg)\n{\n\treturn " +
                opt.entry + "(folio, vma, address, arg);\n}\n";

        out->text = std::move(text);
        out->items.clear();
        for (size_t i : order) {
                const item &it = p.items[i];
                if (it.kind == item_kind::prototype)
                        continue;
                const char *kind = it.kind == item_kind::function ? "function"
                                   : it.kind == item_kind::macro  ? "macro"
                                   : it.kind == item_kind::type   ? "type"
                                                                  : "object";
                out->items.push_back(extracted_item{
                    std::string(it.name), kind, toks[it.first_tok].line, toks[it.last_tok].line});
        }
        out->substrate.assign(substrate_used.begin(), substrate_used.end());
        out->ptep_get_reads.assign(read_lines.begin(), read_lines.end());
        return true;
}

} // namespace kx

// ---- the learner (learn.h) ----------------------------------------------------

namespace kx
{

namespace
{

// C keywords, GNU C words, and what the shim's standard headers (stdbool.h,
// stddef.h, stdint.h) define: a body may name them freely.
const std::set<std::string_view> c_words = {
    "auto",           "break",         "case",          "char",
    "const",          "continue",      "default",       "do",
    "double",         "else",          "enum",          "extern",
    "float",          "for",           "goto",          "if",
    "inline",         "int",           "long",          "register",
    "restrict",       "return",        "short",         "signed",
    "sizeof",         "static",        "struct",        "switch",
    "typedef",        "union",         "unsigned",      "void",
    "volatile",       "while",         "_Bool",         "_Generic",
    "_Static_assert", "_Alignof",      "__alignof__",   "typeof",
    "__typeof__",     "__typeof",      "__inline",      "__inline__",
    "__restrict",     "__restrict__",  "__volatile__",  "__const",
    "__const__",      "__extension__", "__attribute__", "__attribute",
    "__auto_type",    "__label__",     "__func__",      "__FUNCTION__",
    "__FILE__",       "__LINE__",      "__COUNTER__",   "__VA_ARGS__",
    "defined",        "bool",          "true",          "false",
    "NULL",           "size_t",        "ptrdiff_t",     "uint8_t",
    "uint16_t",       "uint32_t",      "uint64_t",      "int8_t",
    "int16_t",        "int32_t",       "int64_t",       "uintptr_t",
    "intptr_t",       "offsetof"};

// Words after which an identifier is an operand, not a declared name.
const std::set<std::string_view> expr_words = {"return", "case",   "else",       "sizeof",  "goto",
                                               "do",     "typeof", "__typeof__", "__typeof"};

const std::set<std::string_view> inline_words = {"inline", "__inline", "__inline__",
                                                 "__always_inline"};

bool is_punct(const token &t, std::string_view s)
{
        return t.kind == tok::punct && t.text == s;
}

bool starts_with(std::string_view s, std::string_view p)
{
        return s.size() >= p.size() && s.compare(0, p.size(), p) == 0;
}

struct parsed_file {
        const source_file *src = nullptr;
        std::vector<token> toks;
        std::unique_ptr<parser> p;
        bool ok = false;
        const char *guard = nullptr; // the include guard's #ifndef (its text)
        std::multimap<std::string_view, size_t> by_name;

        void parse(const source_file &f)
        {
                src = &f;
                lex_error le;
                if (!lex(f.text, &toks, &le))
                        return;
                p = std::make_unique<parser>(parser{f.text, toks, {}, {}, {}, {}});
                if (!p->run())
                        return;
                ok = true;
                // "#ifndef G" then "#define G" first: the include guard, which
                // no learned definition carries with it.
                std::vector<size_t> pps;
                for (size_t j = 0; j < toks.size() && pps.size() < 2; j++)
                        if (toks[j].kind == tok::pp)
                                pps.push_back(j);
                if (pps.size() == 2 && pp_directive(toks[pps[0]]) == "ifndef" &&
                    pp_macro_name(toks[pps[1]]) == std::string_view(pp_ifdef_name(toks[pps[0]])))
                        guard = toks[pps[0]].text.data();
                for (size_t i = 0; i < p->items.size(); i++)
                        if (!p->items[i].name.empty())
                                by_name.emplace(p->items[i].name, i);
        }

        static std::string_view pp_ifdef_name(const token &t)
        {
                std::string_view d = pp_directive(t);
                std::string_view rest = t.text.substr(1);
                size_t at = rest.find(d);
                rest = rest.substr(at + d.size());
                size_t k = 0;
                while (k < rest.size() && (rest[k] == ' ' || rest[k] == '\t'))
                        k++;
                size_t n = k;
                while (n < rest.size() &&
                       (std::isalnum(static_cast<unsigned char>(rest[n])) || rest[n] == '_'))
                        n++;
                return rest.substr(k, n - k);
        }

        unsigned line_of(size_t item) const { return toks[p->items[item].first_tok].line; }
        std::string site(size_t item) const
        {
                return src->path + ":" + std::to_string(line_of(item));
        }
};

// A macro: its parameters and its body's tokens.
struct macro_parts {
        bool function_like = false;
        std::set<std::string_view> params;
        std::vector<token> body;
};

macro_parts split_macro(const token &t)
{
        macro_parts m;
        std::string_view name = pp_macro_name(t);
        size_t at = static_cast<size_t>(name.data() - t.text.data()) + name.size();
        std::string_view rest = t.text.substr(at);
        if (!rest.empty() && rest[0] == '(') {
                m.function_like = true;
                size_t close = rest.find(')');
                if (close == std::string_view::npos)
                        close = rest.size() - 1;
                std::vector<token> ps;
                lex_error e;
                if (lex(rest.substr(1, close - 1), &ps, &e)) {
                        for (const token &p : ps) {
                                if (p.kind == tok::ident)
                                        m.params.insert(p.text);
                                else if (p.kind == tok::punct && p.text == "...")
                                        m.params.insert("__VA_ARGS__");
                        }
                }
                rest = rest.substr(close + 1);
        }
        std::vector<token> body;
        lex_error e;
        if (lex(rest, &body, &e))
                for (const token &b : body)
                        if (!(b.kind == tok::punct && b.text == "\\"))
                                m.body.push_back(b);
        return m;
}

// What a definition's tokens [b, e] need, or why it is not pure.
struct needs {
        std::string why;
        std::set<std::string_view> refs, tags, paste_prefixes;
};

needs analyse(const std::vector<token> &t, size_t b, size_t e, std::set<std::string_view> declared,
              std::string_view self, size_t body_tok)
{
        needs n;
        auto prev = [&](size_t j) -> const token * { return j > b ? &t[j - 1] : nullptr; };
        auto next = [&](size_t j) -> const token * { return j < e ? &t[j + 1] : nullptr; };
        // Declared names: an identifier after a type (an identifier, a '*'
        // after one, or typeof(...)) and before '=', ';', ',', ')' or '['.
        for (size_t j = b; j <= e; j++) {
                if (t[j].kind != tok::ident || c_words.count(t[j].text))
                        continue;
                const token *nx = next(j), *pv = prev(j);
                if (!nx || !pv || nx->kind != tok::punct ||
                    !(nx->text == "=" || nx->text == ";" || nx->text == "," || nx->text == ")" ||
                      nx->text == "["))
                        continue;
                size_t k = j - 1;
                while (k > b && is_punct(t[k], "*"))
                        k--;
                bool typed = false;
                if (t[k].kind == tok::ident && !expr_words.count(t[k].text) &&
                    !(k > b && (is_punct(t[k - 1], "->") || is_punct(t[k - 1], "."))))
                        typed = k < j - 1 || !tag_words.count(t[k].text);
                if (is_punct(t[k], ")") && k > b) {
                        // typeof(x) name = ...
                        int depth = 0;
                        size_t o = k;
                        for (; o > b; o--) {
                                if (is_punct(t[o], ")"))
                                        depth++;
                                else if (is_punct(t[o], "(") && --depth == 0)
                                        break;
                        }
                        typed = o > b && t[o - 1].kind == tok::ident &&
                                (t[o - 1].text == "typeof" || t[o - 1].text == "__typeof__" ||
                                 t[o - 1].text == "__typeof");
                }
                if (typed && k < j && (t[k].kind == tok::ident || is_punct(t[k], ")")))
                        declared.insert(t[j].text);
        }
        for (size_t j = b; j <= e; j++) {
                const token &tk = t[j];
                const token *pv = prev(j);
                if (tk.kind == tok::punct) {
                        if (tk.text == "->" || tk.text == ".") {
                                n.why = "it accesses a member ('" + std::string(tk.text) + "')";
                                return n;
                        }
                        if (tk.text == "[") {
                                n.why = "it subscripts ('[')";
                                return n;
                        }
                        if (tk.text == "*" &&
                            (!pv ||
                             (pv->kind == tok::punct && pv->text != ")" && pv->text != "]") ||
                             (pv->kind == tok::ident && expr_words.count(pv->text)))) {
                                n.why = "it dereferences a pointer (unary '*')";
                                return n;
                        }
                        continue;
                }
                if (tk.kind != tok::ident)
                        continue;
                if (tk.text == "asm" || tk.text == "__asm__" || tk.text == "__asm") {
                        n.why = "it contains asm";
                        return n;
                }
                if (tk.text == "static" && body_tok != SIZE_MAX && j > body_tok) {
                        n.why = "it holds a static object";
                        return n;
                }
                if (pv && pv->kind == tok::ident && tag_words.count(pv->text)) {
                        n.tags.insert(tk.text);
                        continue;
                }
                const token *nx = next(j);
                if (nx && is_punct(*nx, "##") && !declared.count(tk.text)) {
                        n.paste_prefixes.insert(tk.text);
                        continue;
                }
                if (pv && (is_punct(*pv, "##") || is_punct(*pv, "#")))
                        continue;
                if (tk.text == self || declared.count(tk.text) || c_words.count(tk.text) ||
                    starts_with(tk.text, "CONFIG_") || starts_with(tk.text, "__builtin_"))
                        continue;
                n.refs.insert(tk.text);
        }
        return n;
}

struct learner {
        const learn_input &in;
        std::deque<parsed_file> headers, elsewhere, shim_files, stub_files, bridge_files,
            expanded_files;
        std::vector<bool> header_parsed, elsewhere_parsed;

        // The shim: every name it provides, and which of them are pure.
        std::set<std::string_view> shim_names, shim_impure, shim_tags, shim_stubs;

        enum class state { in_progress, learned, failed };
        struct entry {
                state st = state::in_progress;
                std::string site, why, cond;
        };
        std::map<std::string, entry> seen;
        // Learned definitions, in the order they go into the header.
        std::vector<std::pair<size_t, size_t>> emitted; // (header file, item)
        std::set<std::pair<size_t, size_t>> emitted_set;
        std::vector<std::string> learned_order;

        explicit learner(const learn_input &i) : in(i)
        {
                for (const source_file &f : in.shim)
                        shim_files.emplace_back().parse(f);
                for (const source_file &f : in.stubs)
                        stub_files.emplace_back().parse(f);
                for (const source_file &f : in.bridge)
                        bridge_files.emplace_back().parse(f);
                for (const source_file &f : in.expanded)
                        expanded_files.emplace_back().parse(f);
                headers.resize(in.headers.size());
                elsewhere.resize(in.elsewhere.size());
                header_parsed.assign(in.headers.size(), false);
                elsewhere_parsed.assign(in.elsewhere.size(), false);
                classify_shim();
        }

        static void enumerators(const parsed_file &f, std::set<std::string_view> *out)
        {
                const std::vector<token> &t = f.toks;
                for (size_t j = 0; j + 1 < t.size(); j++) {
                        if (t[j].kind != tok::ident || t[j].text != "enum")
                                continue;
                        size_t k = j + 1;
                        if (t[k].kind == tok::ident)
                                k++;
                        if (k >= t.size() || !is_punct(t[k], "{"))
                                continue;
                        bool expect = true;
                        int depth = 0;
                        for (size_t m = k; m < t.size(); m++) {
                                if (is_punct(t[m], "{") || is_punct(t[m], "("))
                                        depth++;
                                else if (is_punct(t[m], "}") || is_punct(t[m], ")")) {
                                        if (--depth == 0)
                                                break;
                                } else if (depth == 1 && is_punct(t[m], ","))
                                        expect = true;
                                else if (depth == 1 && expect && t[m].kind == tok::ident) {
                                        out->insert(t[m].text);
                                        expect = false;
                                }
                        }
                }
        }

        // "enum { A, B };" and the like: the parser takes it for an object
        // named after its first enumerator.
        static bool tag_declaration(const parsed_file &f, const item &it)
        {
                const token &t = f.toks[it.first_tok];
                return it.kind == item_kind::object && t.kind == tok::ident &&
                       tag_words.count(t.text);
        }

        static void item_refs(const parsed_file &f, size_t i, std::set<std::string_view> *refs)
        {
                std::set<std::string_view> tags;
                references(f.toks, f.p->items[i].first_tok, f.p->items[i].last_tok, refs, &tags);
        }

        void classify_shim()
        {
                // Everything the bridge declares is the model's: impure.
                for (parsed_file &f : bridge_files) {
                        if (!f.ok)
                                continue;
                        // Its types and enum constants are the shim's, pure.
                        enumerators(f, &shim_names);
                        for (const item &it : f.p->items) {
                                if (it.name.empty() || it.kind == item_kind::other)
                                        continue;
                                shim_names.insert(it.name);
                                if (it.kind == item_kind::prototype ||
                                    (it.kind == item_kind::object && !tag_declaration(f, it)))
                                        shim_impure.insert(it.name);
                        }
                        std::set<std::string_view> refs;
                        references(f.toks, 0, f.toks.empty() ? 0 : f.toks.size() - 1, &refs,
                                   &shim_tags);
                }
                std::vector<std::pair<const parsed_file *, size_t>> defs;
                auto add = [&](std::deque<parsed_file> &files, bool stubs) {
                        for (parsed_file &f : files) {
                                if (!f.ok)
                                        continue;
                                enumerators(f, &shim_names);
                                std::set<std::string_view> refs;
                                if (!f.toks.empty())
                                        references(f.toks, 0, f.toks.size() - 1, &refs, &shim_tags);
                                for (size_t i = 0; i < f.p->items.size(); i++) {
                                        const item &it = f.p->items[i];
                                        if (it.name.empty() || it.kind == item_kind::other)
                                                continue;
                                        shim_names.insert(it.name);
                                        if (tag_declaration(f, it))
                                                continue; // enum { A, B }; not an object
                                        if (it.kind == item_kind::object ||
                                            (stubs && it.kind != item_kind::type))
                                                shim_impure.insert(it.name);
                                        if (stubs && it.kind != item_kind::type)
                                                shim_stubs.insert(it.name);
                                        if (it.kind == item_kind::function ||
                                            it.kind == item_kind::macro)
                                                defs.emplace_back(&f, i);
                                }
                        }
                };
                add(shim_files, false);
                add(stub_files, true);
                // The shim preprocessed: the definitions its own macros write
                // (pte bit accessors and the like) under their real names. A
                // function it only declares is the model's (the bridge, glue).
                add(expanded_files, false);
                for (parsed_file &f : expanded_files) {
                        if (!f.ok)
                                continue;
                        std::set<std::string_view> defined;
                        for (const item &it : f.p->items)
                                if (it.kind == item_kind::function)
                                        defined.insert(it.name);
                        for (const item &it : f.p->items)
                                if (it.kind == item_kind::prototype && !defined.count(it.name))
                                        shim_impure.insert(it.name);
                }
                // A shim definition reaching an impure name is impure.
                for (bool changed = true; changed;) {
                        changed = false;
                        for (auto [f, i] : defs) {
                                std::string_view name = f->p->items[i].name;
                                if (shim_impure.count(name))
                                        continue;
                                std::set<std::string_view> refs;
                                item_refs(*f, i, &refs);
                                for (std::string_view r : refs)
                                        if (r != name && shim_impure.count(r)) {
                                                shim_impure.insert(name);
                                                changed = true;
                                                break;
                                        }
                        }
                }
        }

        static bool mentions(const std::string &text, std::string_view name)
        {
                for (size_t at = text.find(name); at != std::string::npos;
                     at = text.find(name, at + 1)) {
                        auto word = [](char c) {
                                return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
                        };
                        if ((at == 0 || !word(text[at - 1])) &&
                            (at + name.size() >= text.size() || !word(text[at + name.size()])))
                                return true;
                }
                return false;
        }

        parsed_file &header(size_t k)
        {
                if (!header_parsed[k]) {
                        header_parsed[k] = true;
                        headers[k].parse(in.headers[k]);
                }
                return headers[k];
        }

        // The first definition of NAME anywhere (for a report), preferring
        // a function or macro to a prototype; "" when the tree has none.
        std::string find_site(std::string_view name, std::string *kind)
        {
                std::string proto;
                auto scan = [&](std::deque<parsed_file> &files, std::vector<bool> &parsed,
                                const std::vector<source_file> &srcs, const char *where) {
                        for (size_t k = 0; k < srcs.size(); k++) {
                                if (!mentions(srcs[k].text, name))
                                        continue;
                                if (!parsed[k]) {
                                        parsed[k] = true;
                                        files[k].parse(srcs[k]);
                                }
                                parsed_file &f = files[k];
                                if (!f.ok)
                                        continue;
                                for (auto [b, e] = f.by_name.equal_range(name); b != e; ++b) {
                                        item_kind ik = f.p->items[b->second].kind;
                                        if (ik == item_kind::function || ik == item_kind::macro) {
                                                *kind = where;
                                                return f.site(b->second);
                                        }
                                        if (ik == item_kind::prototype && proto.empty())
                                                proto = f.site(b->second);
                                }
                        }
                        return std::string();
                };
                std::string s = scan(headers, header_parsed, in.headers, "header");
                if (s.empty())
                        s = scan(elsewhere, elsewhere_parsed, in.elsewhere, "elsewhere");
                if (s.empty() && !proto.empty()) {
                        *kind = "prototype";
                        return proto;
                }
                return s;
        }

        std::string find_site_elsewhere(std::string_view name)
        {
                for (size_t k = 0; k < in.elsewhere.size(); k++) {
                        if (!mentions(in.elsewhere[k].text, name))
                                continue;
                        if (!elsewhere_parsed[k]) {
                                elsewhere_parsed[k] = true;
                                elsewhere[k].parse(in.elsewhere[k]);
                        }
                        parsed_file &f = elsewhere[k];
                        if (!f.ok)
                                continue;
                        for (auto [b, e] = f.by_name.equal_range(name); b != e; ++b) {
                                item_kind ik = f.p->items[b->second].kind;
                                if (ik == item_kind::function || ik == item_kind::macro)
                                        return f.site(b->second);
                        }
                }
                return {};
        }

        std::string cond_text(const parsed_file &f, const item &it)
        {
                std::string s;
                for (const cond_level &c : it.conds) {
                        if (!c.directives.empty() && c.directives[0].data() == f.guard)
                                continue;
                        for (std::string_view d : c.directives) {
                                std::string_view one = d.substr(0, d.find('\n'));
                                s += (s.empty() ? "" : " / ") + std::string(one);
                        }
                }
                return s;
        }

        const entry &resolve(const std::string &name)
        {
                auto found = seen.find(name);
                if (found != seen.end())
                        return found->second;
                entry &en = seen[name];
                en.st = state::in_progress;
                auto fail = [&](std::string why) -> const entry & {
                        en.st = state::failed;
                        en.why = std::move(why);
                        return en;
                };
                if (shim_names.count(name)) {
                        if (!shim_impure.count(name)) {
                                en.st = state::learned; // the shim's own, pure
                                return en;
                        }
                        return fail("the shim's " + name +
                                    (shim_stubs.count(name)
                                         ? " is a stub (a lock, barrier, WARN or BUG)"
                                         : " has a model effect") +
                                    ": never learned");
                }
                for (size_t k = 0; k < in.headers.size(); k++) {
                        if (!mentions(in.headers[k].text, name))
                                continue;
                        parsed_file &f = header(k);
                        if (!f.ok)
                                continue;
                        std::vector<size_t> defs;
                        for (auto [b, e] = f.by_name.equal_range(name); b != e; ++b) {
                                item_kind ik = f.p->items[b->second].kind;
                                if (ik == item_kind::function || ik == item_kind::macro)
                                        defs.push_back(b->second);
                        }
                        if (defs.empty())
                                continue;
                        std::sort(defs.begin(), defs.end());
                        en.site = f.site(defs[0]);
                        en.cond = cond_text(f, f.p->items[defs[0]]);
                        for (size_t i : defs) {
                                const item &it = f.p->items[i];
                                needs nd;
                                if (it.kind == item_kind::macro) {
                                        macro_parts m = split_macro(f.toks[it.first_tok]);
                                        if (!m.body.empty())
                                                nd = analyse(m.body, 0, m.body.size() - 1, m.params,
                                                             name, SIZE_MAX);
                                } else {
                                        bool is_inline = false;
                                        for (size_t j = it.first_tok; j < it.body_tok; j++)
                                                is_inline |= f.toks[j].kind == tok::ident &&
                                                             inline_words.count(f.toks[j].text);
                                        if (!it.is_static || !is_inline)
                                                return fail(f.site(i) +
                                                            " defines it as a function that is "
                                                            "not static inline");
                                        nd = analyse(f.toks, it.first_tok, it.last_tok, {}, name,
                                                     it.body_tok);
                                }
                                if (!nd.why.empty())
                                        return fail("not pure: " + nd.why +
                                                    (i == defs[0] ? "" : " (" + f.site(i) + ")"));
                                for (std::string_view tag : nd.tags)
                                        if (!shim_tags.count(tag))
                                                return fail(
                                                    "not pure: it names struct/union/enum " +
                                                    std::string(tag) +
                                                    ", which the shim does not define");
                                for (std::string_view r : nd.refs) {
                                        const entry &dep = resolve(std::string(r));
                                        if (dep.st == state::failed)
                                                return fail("not pure: uses " + std::string(r) +
                                                            ": " +
                                                            (dep.why.size() > 160
                                                                 ? dep.why.substr(0, 160) + "..."
                                                                 : dep.why));
                                }
                                // name##x: the header's macros that start so.
                                for (std::string_view pre : nd.paste_prefixes)
                                        for (auto b = f.by_name.lower_bound(pre);
                                             b != f.by_name.end() && starts_with(b->first, pre);
                                             ++b) {
                                                if (f.p->items[b->second].kind != item_kind::macro)
                                                        continue;
                                                const entry &dep = resolve(std::string(b->first));
                                                if (dep.st == state::failed)
                                                        return fail("not pure: uses " +
                                                                    std::string(b->first) + ": " +
                                                                    dep.why);
                                        }
                        }
                        en.st = state::learned;
                        for (size_t i : defs)
                                if (emitted_set.insert({k, i}).second)
                                        emitted.emplace_back(k, i);
                        learned_order.push_back(name);
                        return en;
                }
                std::string kind;
                en.site = find_site(name, &kind);
                if (en.site.empty())
                        return fail("the tree's headers and mm/ do not define it");
                if (kind == "prototype")
                        return fail("only declared in the tree's headers; its definition is out "
                                    "of line");
                return fail("defined outside the headers the shim learns from (architecture "
                            "code, or a .c file)");
        }

        std::string header_text()
        {
                std::string s = "/* Pure helpers learned from the kernel tree by unmapfuzz's "
                                "kernel-extract at build time; never commit this file. */\n";
                for (auto [k, i] : emitted) {
                        const parsed_file &f = headers[k];
                        const item &it = f.p->items[i];
                        unsigned levels = 0;
                        for (const cond_level &c : it.conds) {
                                if (!c.directives.empty() && c.directives[0].data() == f.guard)
                                        continue;
                                for (std::string_view d : c.directives) {
                                        s.append(d);
                                        s += '\n';
                                }
                                levels++;
                        }
                        s += "#line " + std::to_string(f.toks[it.first_tok].line) + " \"" +
                             f.src->path + "\"\n";
                        size_t b = f.toks[it.first_tok].begin, e = f.toks[it.last_tok].end;
                        s.append(f.src->text, b, e - b);
                        s += '\n';
                        for (unsigned l = 0; l < levels; l++)
                                s += "#endif\n";
                }
                return s;
        }
};

} // namespace

void learn(const learn_input &in, const std::vector<std::string> &names, learn_result *out)
{
        learner l(in);
        out->verdicts.clear();
        std::set<std::string> asked;
        for (const std::string &n : names) {
                if (!asked.insert(n).second)
                        continue;
                const auto &e = l.resolve(n);
                learn_verdict v;
                v.name = n;
                v.learned = e.st != learner::state::failed;
                v.site = e.site;
                v.why = e.why;
                if (v.learned && !e.cond.empty()) {
                        // Only under a condition: if the shim's configuration
                        // leaves it out, where else the tree defines it.
                        v.why = "under " + e.cond;
                        std::string other = l.find_site_elsewhere(n);
                        if (!other.empty())
                                v.why += "; also defined at " + other;
                }
                out->verdicts.push_back(v);
        }
        for (const std::string &n : l.learned_order) {
                if (asked.count(n))
                        continue;
                const auto &e = l.seen[n];
                out->verdicts.push_back(learn_verdict{n, true, e.site, {}});
        }
        out->header = l.header_text();
}

} // namespace kx
