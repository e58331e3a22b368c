#include "kernel/extract/extract.h"

#include <algorithm>
#include <map>
#include <set>

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
                        body.append(
                            source.substr(std::max<size_t>(at, b), e - std::max<size_t>(at, b)));
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
        return true;
}

} // namespace kx
