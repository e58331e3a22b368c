// Scenario files as the tool reads and writes them: text (*.scn) or binary
// (what the engines write), told apart by looks_like_text(), and every read
// or write error reported in one line.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "scenario/scenario.h"

namespace uf::io
{

// The largest inputs: a binary scenario as the engines bound theirs
// (-max_len=16384 in every campaign), a text scenario (a canonical text of
// the largest world is far smaller; the rest is room for comments).
constexpr size_t MAX_BINARY_BYTES = 16384;
constexpr size_t MAX_TEXT_BYTES = 1 << 20;

// Reads a whole file of at most MAX_TEXT_BYTES (a binary one at most
// MAX_BINARY_BYTES); a device or a pipe is read no further than that. On
// error (no such file, a directory, a read error, too large) fills *error
// ("PATH: cannot read: Is a directory") and returns false.
bool read_file(const std::string &path, std::vector<uint8_t> *out, std::string *error);

// A file is read as text when its name ends in .scn, when it is empty, or when
// it holds no control bytes and either a '#' or a line starting with a
// scenario keyword. Binary inputs start with the format version byte
// (1), so the encoder's files never look like text; a text file that lost or
// misspelled its header gets a "file:line:" error instead of being decoded
// as an unrelated binary world.
bool looks_like_text(const std::string &path, const std::vector<uint8_t> &bytes);

// Loads text or binary; prints "file:line: message" or the read error and
// returns false on bad input. A text's whole content goes to *text (for its
// "# expect-after:" lines), when asked for.
bool load(const std::string &path, scenario *s, std::string *text = nullptr);

// Writes `bytes` to `path` and checks that all of them reached the file
// (a full disk fails at close, not at write); prints the error otherwise.
// TEXT as an error message shows it: bytes outside printable ASCII (and the
// backslash) as \xNN, cut after MAX bytes with the length.
std::string escape_bytes(std::string_view text, size_t max);

bool write_file(const std::string &path, const std::string &bytes);

} // namespace uf::io
