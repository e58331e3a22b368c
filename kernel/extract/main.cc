// kernel-extract: the build-time half of kernel mode (kernel/extract/extract.h).
//
//   kernel-extract [--entry NAME] [--line-path PATH] [--wrapper NAME] RMAP_C OUT_C
//
// Writes the cut of RMAP_C to OUT_C and lists what it holds on stdout, one
// "kind name first-last" line per item. Exit 0 on success, 2 on a usage or
// input error (one line on stderr: "RMAP_C:LINE: message").
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>

#include "kernel/extract/extract.h"

int main(int argc, char **argv)
{
        kx::extract_options opt;
        const char *in = nullptr, *out = nullptr;
        bool line_path_given = false;
        for (int i = 1; i < argc; i++) {
                auto value = [&](const char *name) -> const char * {
                        if (i + 1 >= argc) {
                                std::fprintf(stderr, "kernel-extract: %s needs a value\n", name);
                                std::exit(2);
                        }
                        return argv[++i];
                };
                if (!std::strcmp(argv[i], "--entry")) {
                        opt.entry = value("--entry");
                } else if (!std::strcmp(argv[i], "--line-path")) {
                        opt.line_path = value("--line-path");
                        line_path_given = true;
                } else if (!std::strcmp(argv[i], "--wrapper")) {
                        opt.wrapper = value("--wrapper");
                } else if (argv[i][0] == '-') {
                        std::fprintf(stderr, "kernel-extract: unknown option %s\n", argv[i]);
                        return 2;
                } else if (!in) {
                        in = argv[i];
                } else if (!out) {
                        out = argv[i];
                } else {
                        std::fprintf(stderr, "kernel-extract: one input and one output only\n");
                        return 2;
                }
        }
        if (!in || !out) {
                std::fprintf(stderr, "usage: kernel-extract [--entry NAME] [--line-path PATH] "
                                     "[--wrapper NAME] RMAP_C OUT_C\n");
                return 2;
        }
        if (!line_path_given)
                opt.line_path = in;
        std::ifstream f(in, std::ios::binary);
        std::string src;
        if (f)
                src.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
        if (!f || src.empty()) {
                std::fprintf(stderr, "%s:0: cannot read the file (or it is empty)\n", in);
                return 2;
        }
        kx::extract_result r;
        std::string error;
        if (!kx::extract(src, opt, &r, &error)) {
                std::fprintf(stderr, "%s:%s\n", in, error.c_str());
                return 2;
        }
        std::ofstream o(out, std::ios::binary);
        o.write(r.text.data(), static_cast<std::streamsize>(r.text.size()));
        o.close();
        if (!o) {
                std::fprintf(stderr, "kernel-extract: cannot write %s\n", out);
                return 2;
        }
        for (const kx::extracted_item &it : r.items)
                std::printf("%s %s %u-%u\n", it.kind.c_str(), it.name.c_str(), it.first_line,
                            it.last_line);
        for (const std::string &s : r.substrate)
                std::printf("substrate %s\n", s.c_str());
        return 0;
}
