// A C tokenizer just deep enough to cut functions out of a kernel source file
// (docs/design.md 11.1): identifiers, punctuators, literals and whole
// preprocessor directives, with their byte ranges and line numbers, so the
// extractor can copy text verbatim and point #line directives at it.
// Comments and white space are skipped; string and character literals are
// single tokens, so braces inside them never count.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace kx
{

enum class tok : unsigned char {
        ident,
        number,
        string, // "..." or '...'
        punct,  // one operator or punctuator, e.g. "{", "->", "=="
        pp,     // a whole preprocessor directive, continuation lines included
};

struct token {
        tok kind;
        unsigned begin, end; // byte range in the source
        unsigned line;       // 1-based line of the first byte
        std::string_view text;
};

struct lex_error {
        unsigned line = 0;
        std::string message;
};

// Tokenizes src; false (with *err filled) on an unterminated comment or literal.
bool lex(std::string_view src, std::vector<token> *out, lex_error *err);

// For a pp token: the directive name ("if", "ifdef", "define", ...) and, for
// "define", the macro's name.
std::string_view pp_directive(const token &t);
std::string_view pp_macro_name(const token &t);

} // namespace kx
