// unmapfuzz-tool: the commands behind ./unmapfuzz that work on scenarios.
//   repro [--json] FILE   run both implementations on a scenario (.scn text or binary)
//   print FILE            binary -> text
//   encode FILE OUT       text -> binary
// Exit status: 0 when the verdict is OK, 1 on a failure verdict, 2 on bad input.
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz/harness.h"
#include "fuzz/report.h"
#include "fuzz/scenario_binary.h"
#include "fuzz/scenario_text.h"

namespace
{

bool read_file(const char *path, std::vector<uint8_t> *out)
{
        std::ifstream in(path, std::ios::binary);
        if (!in)
                return false;
        out->assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
        return true;
}

bool is_text_scenario(const std::vector<uint8_t> &bytes)
{
        static const char header[] = "unmapfuzz-scenario";
        std::string head(bytes.begin(), bytes.begin() + std::min<size_t>(bytes.size(), 512));
        // Leading comments and blank lines may precede the header.
        return head.find(header) != std::string::npos;
}

// Loads text or binary; text errors print "file:line: message".
bool load(const char *path, uf::scenario *s)
{
        std::vector<uint8_t> bytes;
        if (!read_file(path, &bytes)) {
                std::fprintf(stderr, "%s:0: cannot read file\n", path);
                return false;
        }
        if (is_text_scenario(bytes)) {
                uf::parse_error err;
                std::string text(bytes.begin(), bytes.end());
                if (!uf::parse_scenario(text, path, s, &err)) {
                        std::fprintf(stderr, "%s\n", err.what().c_str());
                        return false;
                }
                return true;
        }
        *s = uf::decode_scenario(bytes.data(), bytes.size());
        return true;
}

int repro(int argc, char **argv)
{
        bool json = false;
        const char *path = nullptr;
        for (int i = 0; i < argc; i++) {
                if (!std::strcmp(argv[i], "--json"))
                        json = true;
                else
                        path = argv[i];
        }
        if (!path) {
                std::fprintf(stderr, "usage: unmapfuzz repro [--json] FILE\n");
                return 2;
        }
        uf::scenario s;
        if (!load(path, &s))
                return 2;
        static uf::run_result r;
        uf::run_scenario(s, &r);
        std::string report = json ? uf::json_report(s, r) : uf::text_report(s, r);
        std::fwrite(report.data(), 1, report.size(), stdout);
        if (!r.v.ok())
                std::fprintf(stderr, "unmapfuzz: %s %s\n", r.v.kind_name(), r.v.class_name());
        return r.v.ok() ? 0 : 1;
}

int print(int argc, char **argv)
{
        if (argc != 1) {
                std::fprintf(stderr, "usage: unmapfuzz print FILE\n");
                return 2;
        }
        uf::scenario s;
        if (!load(argv[0], &s))
                return 2;
        std::string text = uf::print_scenario(s);
        std::fwrite(text.data(), 1, text.size(), stdout);
        return 0;
}

int encode(int argc, char **argv)
{
        if (argc != 2) {
                std::fprintf(stderr, "usage: unmapfuzz encode FILE OUT\n");
                return 2;
        }
        uf::scenario s;
        if (!load(argv[0], &s))
                return 2;
        std::vector<uint8_t> bytes = uf::encode_scenario(s);
        std::ofstream out(argv[1], std::ios::binary);
        out.write(reinterpret_cast<const char *>(bytes.data()),
                  static_cast<std::streamsize>(bytes.size()));
        if (!out) {
                std::fprintf(stderr, "%s: cannot write\n", argv[1]);
                return 2;
        }
        return 0;
}

} // namespace

int main(int argc, char **argv)
{
        if (argc >= 2 && !std::strcmp(argv[1], "repro"))
                return repro(argc - 2, argv + 2);
        if (argc >= 2 && !std::strcmp(argv[1], "print"))
                return print(argc - 2, argv + 2);
        if (argc >= 2 && !std::strcmp(argv[1], "encode"))
                return encode(argc - 2, argv + 2);
        std::fprintf(stderr,
                     "usage: unmapfuzz-tool repro [--json] FILE | print FILE | encode FILE OUT\n");
        return 2;
}
