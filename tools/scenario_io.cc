#include "tools/scenario_io.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string_view>
#include <sys/stat.h>

#include "scenario/scenario_binary.h"
#include "scenario/scenario_text.h"

namespace uf::io
{

bool read_file(const std::string &path, std::vector<uint8_t> *out, std::string *error)
{
        struct stat st;
        if (stat(path.c_str(), &st) != 0) {
                *error = path + ": cannot read: " + std::strerror(errno);
                return false;
        }
        if (S_ISDIR(st.st_mode)) {
                *error = path + ": cannot read: " + std::strerror(EISDIR);
                return false;
        }
        FILE *f = std::fopen(path.c_str(), "rb");
        if (!f) {
                *error = path + ": cannot read: " + std::strerror(errno);
                return false;
        }
        out->clear();
        uint8_t buf[65536];
        size_t n;
        while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0)
                out->insert(out->end(), buf, buf + n);
        bool failed = std::ferror(f);
        int err = errno;
        std::fclose(f);
        if (failed) {
                *error = path + ": cannot read: " + std::strerror(err);
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
                             path.c_str());
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
                std::fprintf(stderr, "%s: cannot write: %s\n", path.c_str(), std::strerror(errno));
                return false;
        }
        bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
        int err = errno;
        if (std::fclose(f) != 0 && ok) {
                ok = false;
                err = errno;
        }
        if (!ok) {
                std::fprintf(stderr, "%s: cannot write: %s\n", path.c_str(), std::strerror(err));
                // No truncated file left to be mistaken for a result (only a
                // regular file: the path may be a device such as /dev/full).
                struct stat st;
                if (stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode))
                        std::remove(path.c_str());
        }
        return ok;
}

} // namespace uf::io
