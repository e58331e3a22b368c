// kernel-extract: the build-time half of kernel mode (kernel/extract/extract.h).
//
//   kernel-extract [--entry NAME] [--line-path PATH] [--wrapper NAME] RMAP_C OUT_C
//
// Writes the cut of RMAP_C to OUT_C and lists what it holds on stdout, one
// "kind name first-last" line per item, then "substrate NAME" per substrate
// static the cut calls and "ptep_get LINE" per line whose direct read of
// *pvmw.pte was cut as ptep_get(). Exit 0 on success, 2 on a usage or
// input error (one line on stderr: "RMAP_C:LINE: message").
//
//   kernel-extract --learn TREE --out OUT_H [--shim H]... [--stubs H]...
//                  [--bridge H]... [--shim-expanded I]... NAME...
//
// The learner (kernel/extract/learn.h): writes the pure helpers of TREE's
// headers that NAME... need to OUT_H and says, one line per name,
//   learned NAME PATH:LINE [under #if...]
//   missing NAME PATH:LINE|- REASON
// Exit 0 when it ran (whatever it learned), 2 on a usage or input error.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "kernel/extract/extract.h"
#include "kernel/extract/learn.h"

namespace
{

bool read_file(const std::string &path, std::string *out)
{
        std::ifstream f(path, std::ios::binary);
        if (!f)
                return false;
        out->assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
        return true;
}

// The files under TREE/DIR whose names end in one of EXTS, sorted, as
// tree-relative paths (missing directories give none).
std::vector<std::string> files_under(const std::string &tree, const std::string &dir,
                                     std::initializer_list<const char *> exts)
{
        namespace fs = std::filesystem;
        std::vector<std::string> out;
        std::error_code ec;
        fs::path root = fs::path(tree) / dir;
        if (!fs::is_directory(root, ec))
                return out;
        for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end;
             it.increment(ec)) {
                if (!it->is_regular_file(ec))
                        continue;
                std::string ext = it->path().extension().string();
                for (const char *e : exts)
                        if (ext == e)
                                out.push_back(it->path().lexically_relative(tree).string());
        }
        std::sort(out.begin(), out.end());
        return out;
}

int learn_main(int argc, char **argv)
{
        std::string tree, out;
        std::vector<std::string> names, shim, stubs, bridge, expanded;
        for (int i = 2; i < argc; i++) {
                auto value = [&](const char *name) -> std::string {
                        if (i + 1 >= argc) {
                                std::fprintf(stderr, "kernel-extract: %s needs a value\n", name);
                                std::exit(2);
                        }
                        return argv[++i];
                };
                if (i == 2)
                        tree = argv[i];
                else if (!std::strcmp(argv[i], "--out"))
                        out = value("--out");
                else if (!std::strcmp(argv[i], "--shim"))
                        shim.push_back(value("--shim"));
                else if (!std::strcmp(argv[i], "--stubs"))
                        stubs.push_back(value("--stubs"));
                else if (!std::strcmp(argv[i], "--bridge"))
                        bridge.push_back(value("--bridge"));
                else if (!std::strcmp(argv[i], "--shim-expanded"))
                        expanded.push_back(value("--shim-expanded"));
                else if (argv[i][0] == '-') {
                        std::fprintf(stderr, "kernel-extract: unknown option %s\n", argv[i]);
                        return 2;
                } else
                        names.push_back(argv[i]);
        }
        if (tree.empty() || out.empty()) {
                std::fprintf(stderr, "usage: kernel-extract --learn TREE --out OUT_H [--shim H]... "
                                     "[--stubs H]... [--bridge H]... [--shim-expanded I]... "
                                     "NAME...\n");
                return 2;
        }
        kx::learn_input in;
        auto load = [&](const std::string &path, const std::string &shown,
                        std::vector<kx::source_file> *to) {
                kx::source_file f;
                f.path = shown;
                if (!read_file(path, &f.text)) {
                        std::fprintf(stderr, "kernel-extract: cannot read %s\n", path.c_str());
                        std::exit(2);
                }
                to->push_back(std::move(f));
        };
        for (const std::string &h : shim)
                load(h, h, &in.shim);
        for (const std::string &h : stubs)
                load(h, h, &in.stubs);
        for (const std::string &h : bridge)
                load(h, h, &in.bridge);
        for (const std::string &h : expanded)
                load(h, h, &in.expanded);
        // The headers a pure helper is learned from, in this order; then
        // where else a definition is looked for, to say where it is.
        std::vector<std::string> learnable = {"mm/internal.h", "mm/swap.h"};
        for (const char *d : {"include/linux", "include/asm-generic"})
                for (std::string &p : files_under(tree, d, {".h"}))
                        learnable.push_back(std::move(p));
        for (const std::string &p : learnable) {
                std::error_code ec;
                if (std::filesystem::is_regular_file(tree + "/" + p, ec))
                        load(tree + "/" + p, tree + "/" + p, &in.headers);
        }
        std::vector<std::string> other;
        for (std::string &p : files_under(tree, "arch", {".h"}))
                other.push_back(std::move(p));
        for (std::string &p : files_under(tree, "mm", {".c", ".h"}))
                if (std::find(learnable.begin(), learnable.end(), p) == learnable.end())
                        other.push_back(std::move(p));
        for (const std::string &p : other)
                load(tree + "/" + p, tree + "/" + p, &in.elsewhere);

        kx::learn_result r;
        kx::learn(in, names, &r);
        std::ofstream o(out, std::ios::binary);
        o.write(r.header.data(), static_cast<std::streamsize>(r.header.size()));
        o.close();
        if (!o) {
                std::fprintf(stderr, "kernel-extract: cannot write %s\n", out.c_str());
                return 2;
        }
        for (const kx::learn_verdict &v : r.verdicts) {
                if (v.learned)
                        std::printf("learned %s %s%s%s\n", v.name.c_str(),
                                    v.site.empty() ? "-" : v.site.c_str(), v.why.empty() ? "" : " ",
                                    v.why.c_str());
                else
                        std::printf("missing %s %s %s\n", v.name.c_str(),
                                    v.site.empty() ? "-" : v.site.c_str(), v.why.c_str());
        }
        return 0;
}

} // namespace

int main(int argc, char **argv)
{
        if (argc > 1 && !std::strcmp(argv[1], "--learn"))
                return learn_main(argc, argv);
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
        for (unsigned line : r.ptep_get_reads)
                std::printf("ptep_get %u\n", line);
        return 0;
}
