#include "tools/scenario_io.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <string_view>
#include <sys/stat.h>
#include <unistd.h>

#include "scenario/scenario_binary.h"
#include "scenario/scenario_text.h"

namespace uf::io
{

namespace
{

std::string shown_path(const std::string &path)
{
        return escape_bytes(path, 200);
}

} // namespace

std::string escape_bytes(std::string_view text, size_t max)
{
        std::string out;
        size_t n = 0;
        for (unsigned char c : text) {
                if (n++ == max) {
                        out += "... (" + std::to_string(text.size()) + " bytes)";
                        break;
                }
                if (c < 0x20 || c >= 0x7f || c == '\\') {
                        char hex[5];
                        std::snprintf(hex, sizeof(hex), "\\x%02x", c);
                        out += hex;
                } else {
                        out += static_cast<char>(c);
                }
        }
        return out;
}

bool read_file(const std::string &path, std::vector<uint8_t> *out, std::string *error)
{
        const std::string shown = shown_path(path);
        struct stat st;
        if (stat(path.c_str(), &st) != 0) {
                *error = shown + ": cannot read: " + std::strerror(errno);
                return false;
        }
        if (S_ISDIR(st.st_mode)) {
                *error = shown + ": cannot read: " + std::strerror(EISDIR);
                return false;
        }
        if (S_ISREG(st.st_mode) && st.st_size > static_cast<off_t>(MAX_TEXT_BYTES)) {
                *error = shown + ": " + std::to_string(st.st_size) +
                         " bytes, more than any scenario (" + std::to_string(MAX_BINARY_BYTES) +
                         " bytes binary, " + std::to_string(MAX_TEXT_BYTES) +
                         " bytes text); not read";
                return false;
        }
        // O_NONBLOCK: a FIFO without a writer reads as empty instead of
        // blocking in open(); the reads themselves block as usual.
        int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0) {
                *error = shown + ": cannot read: " + std::strerror(errno);
                return false;
        }
        ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
        out->clear();
        // At most one byte past the text bound, whatever the file is: a
        // device such as /dev/zero or a pipe ends here.
        uint8_t buf[65536];
        bool failed = false;
        int err = 0;
        while (out->size() <= MAX_TEXT_BYTES) {
                size_t want = std::min(sizeof(buf), MAX_TEXT_BYTES + 1 - out->size());
                ssize_t n = ::read(fd, buf, want);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        failed = true;
                        err = errno;
                        break;
                }
                if (n == 0)
                        break;
                out->insert(out->end(), buf, buf + n);
        }
        ::close(fd);
        if (failed) {
                *error = shown + ": cannot read: " + std::strerror(err);
                return false;
        }
        if (out->size() > MAX_TEXT_BYTES) {
                *error = shown + ": more than " + std::to_string(MAX_TEXT_BYTES) +
                         " bytes, larger than any scenario (" + std::to_string(MAX_BINARY_BYTES) +
                         " bytes binary, " + std::to_string(MAX_TEXT_BYTES) +
                         " bytes text); not read further";
                return false;
        }
        if (out->size() > MAX_BINARY_BYTES && !looks_like_text(path, *out)) {
                *error = shown + ": " + std::to_string(out->size()) +
                         " bytes of binary, more than the " + std::to_string(MAX_BINARY_BYTES) +
                         " bytes the engines write (-max_len); not a scenario";
                return false;
        }
        return true;
}

bool looks_like_text(const std::string &path, const std::vector<uint8_t> &bytes)
{
        if (path.size() >= 4 && path.compare(path.size() - 4, 4, ".scn") == 0)
                return true;
        if (bytes.empty())
                return true;
        // A UTF-8 byte-order mark: a text editor's file (the parser skips it).
        if (bytes.size() >= 3 && bytes[0] == 0xef && bytes[1] == 0xbb && bytes[2] == 0xbf)
                return true;
        for (uint8_t c : bytes)
                if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f') || c == 0x7f)
                        return false;
        // Printable: text if it holds a comment or a line starting with a
        // scenario keyword (a misspelled header still has its other lines).
        std::string_view text(reinterpret_cast<const char *>(bytes.data()), bytes.size());
        if (text.find('#') != std::string_view::npos)
                return true;
        static constexpr std::string_view keywords[] = {"unmapfuzz-scenario",
                                                        "folio",
                                                        "pae",
                                                        "hwpoison",
                                                        "ttu",
                                                        "arch",
                                                        "mms",
                                                        "vma",
                                                        "pte",
                                                        "event"};
        for (size_t at = 0; at < text.size();) {
                size_t eol = text.find('\n', at);
                std::string_view line =
                    text.substr(at, eol == std::string_view::npos ? eol : eol - at);
                size_t b = line.find_first_not_of(" \t\r\f");
                if (b != std::string_view::npos) {
                        std::string_view word =
                            line.substr(b, line.find_first_of(" \t\r\f", b) - b);
                        for (std::string_view k : keywords)
                                if (word == k)
                                        return true;
                }
                if (eol == std::string_view::npos)
                        break;
                at = eol + 1;
        }
        return false;
}

bool load(const std::string &path, scenario *s, std::string *out_text)
{
        std::vector<uint8_t> bytes;
        std::string error;
        if (!read_file(path, &bytes, &error)) {
                std::fprintf(stderr, "%s\n", error.c_str());
                return false;
        }
        if (!looks_like_text(path, bytes)) {
                *s = decode_scenario(bytes.data(), bytes.size());
                return true;
        }
        if (bytes.empty()) {
                std::fprintf(stderr,
                             "%s:1: empty file (a text scenario starts with 'unmapfuzz-scenario "
                             "v1')\n",
                             shown_path(path).c_str());
                return false;
        }
        parse_error err;
        std::string text(bytes.begin(), bytes.end());
        if (!parse_scenario(text, path, s, &err)) {
                std::fprintf(stderr, "%s\n", err.what().c_str());
                return false;
        }
        if (out_text)
                *out_text = std::move(text);
        return true;
}

bool write_file(const std::string &path, const std::string &bytes)
{
        FILE *f = std::fopen(path.c_str(), "wb");
        if (!f) {
                std::fprintf(stderr, "%s: cannot write: %s\n", shown_path(path).c_str(),
                             std::strerror(errno));
                return false;
        }
        bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
        int err = errno;
        if (std::fclose(f) != 0 && ok) {
                ok = false;
                err = errno;
        }
        if (!ok) {
                std::fprintf(stderr, "%s: cannot write: %s\n", shown_path(path).c_str(),
                             std::strerror(err));
                // No truncated file left to be mistaken for a result (only a
                // regular file: the path may be a device such as /dev/full).
                struct stat st;
                if (stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode))
                        std::remove(path.c_str());
        }
        return ok;
}

} // namespace uf::io
