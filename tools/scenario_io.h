// Scenario files as the tool reads and writes them: text (*.scn) or binary
// (what the engines write), told apart by looks_like_text(), and every read
// or write error reported in one line.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "scenario/scenario.h"

namespace uf::io
{

// Reads a whole regular file. On error (no such file, a directory, a read
// error) fills *error ("PATH: cannot read: Is a directory") and returns false.
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
bool write_file(const std::string &path, const std::string &bytes);

} // namespace uf::io
