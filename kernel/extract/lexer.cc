#include "kernel/extract/lexer.h"

#include <cctype>
#include <cstring>

namespace kx
{

namespace
{

bool ident_start(char c)
{
        return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}

bool ident_char(char c)
{
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

// Longest first, so "<<=" wins over "<<" and "<".
const char *const puncts[] = {"<<=", ">>=", "...", "->", "++", "--", "<<", ">>",
                              "<=",  ">=",  "==",  "!=", "&&", "||", "+=", "-=",
                              "*=",  "/=",  "%=",  "&=", "|=", "^=", "##"};

struct lexer {
        std::string_view src;
        size_t i = 0;
        unsigned line = 1;
        bool at_line_start = true; // only white space and comments since the last newline
        lex_error *err;

        char peek(size_t k = 0) const { return i + k < src.size() ? src[i + k] : '\0'; }

        void advance()
        {
                if (src[i] == '\n') {
                        line++;
                        at_line_start = true;
                }
                i++;
        }

        bool fail(unsigned at, const char *msg)
        {
                err->line = at;
                err->message = msg;
                return false;
        }

        // Skips a comment at i, if there is one; false on an unterminated one.
        bool skip_comment(bool *skipped)
        {
                *skipped = false;
                if (peek() == '/' && peek(1) == '/') {
                        while (i < src.size() && src[i] != '\n')
                                i++;
                        *skipped = true;
                } else if (peek() == '/' && peek(1) == '*') {
                        unsigned start = line;
                        bool line_start = at_line_start;
                        i += 2;
                        while (i < src.size() && !(src[i] == '*' && peek(1) == '/'))
                                advance();
                        if (i >= src.size())
                                return fail(start, "unterminated comment");
                        i += 2;
                        // A comment does not end "the start of a line" for '#'.
                        at_line_start = at_line_start || line_start;
                        *skipped = true;
                }
                return true;
        }

        bool literal(char quote)
        {
                unsigned start = line;
                i++;
                while (i < src.size() && src[i] != quote) {
                        if (src[i] == '\\' && i + 1 < src.size())
                                i++;
                        if (src[i] == '\n')
                                return fail(start, "unterminated literal");
                        i++;
                }
                if (i >= src.size())
                        return fail(start, "unterminated literal");
                i++;
                return true;
        }

        // A directive runs to the end of its line, backslash-newlines
        // included; a block comment inside it may run over several lines.
        bool directive()
        {
                while (i < src.size() && src[i] != '\n') {
                        if (src[i] == '\\' && peek(1) == '\n') {
                                i++;
                                advance();
                                continue;
                        }
                        bool skipped;
                        if (!skip_comment(&skipped))
                                return false;
                        if (skipped)
                                continue;
                        if (src[i] == '"' || src[i] == '\'') {
                                if (!literal(src[i]))
                                        return false;
                                continue;
                        }
                        i++;
                }
                return true;
        }

        bool run(std::vector<token> *out)
        {
                while (i < src.size()) {
                        char c = src[i];
                        if (c == '\n' || std::isspace(static_cast<unsigned char>(c))) {
                                advance();
                                continue;
                        }
                        bool skipped;
                        if (!skip_comment(&skipped))
                                return false;
                        if (skipped)
                                continue;
                        token t{tok::punct, static_cast<unsigned>(i), 0, line, {}};
                        if (c == '#' && at_line_start) {
                                t.kind = tok::pp;
                                if (!directive())
                                        return false;
                        } else if (ident_start(c)) {
                                t.kind = tok::ident;
                                while (i < src.size() && ident_char(src[i]))
                                        i++;
                        } else if (std::isdigit(static_cast<unsigned char>(c)) ||
                                   (c == '.' &&
                                    std::isdigit(static_cast<unsigned char>(peek(1))))) {
                                t.kind = tok::number;
                                while (i < src.size() && (ident_char(src[i]) || src[i] == '.'))
                                        i++;
                        } else if (c == '"' || c == '\'') {
                                t.kind = tok::string;
                                if (!literal(c))
                                        return false;
                        } else {
                                size_t len = 1;
                                for (const char *p : puncts) {
                                        size_t n = std::strlen(p);
                                        if (src.compare(i, n, p) == 0) {
                                                len = n;
                                                break;
                                        }
                                }
                                i += len;
                        }
                        at_line_start = false;
                        t.end = static_cast<unsigned>(i);
                        t.text = src.substr(t.begin, t.end - t.begin);
                        out->push_back(t);
                }
                return true;
        }
};

std::string_view skip_blanks(std::string_view s)
{
        size_t k = 0;
        while (k < s.size() && (s[k] == ' ' || s[k] == '\t'))
                k++;
        return s.substr(k);
}

std::string_view leading_ident(std::string_view s)
{
        size_t k = 0;
        while (k < s.size() && ident_char(s[k]))
                k++;
        return s.substr(0, k);
}

} // namespace

bool lex(std::string_view src, std::vector<token> *out, lex_error *err)
{
        lexer l{src, 0, 1, true, err};
        return l.run(out);
}

std::string_view pp_directive(const token &t)
{
        if (t.kind != tok::pp)
                return {};
        return leading_ident(skip_blanks(t.text.substr(1)));
}

std::string_view pp_macro_name(const token &t)
{
        std::string_view d = pp_directive(t);
        if (d != "define")
                return {};
        std::string_view rest = skip_blanks(t.text.substr(1));
        return leading_ident(skip_blanks(rest.substr(d.size())));
}

} // namespace kx
