// unmapfuzz-tool: the commands behind ./unmapfuzz that work on scenarios.
//   repro [--json] FILE   run both implementations on a scenario (.scn text or binary)
//   print FILE            binary -> text
//   encode FILE OUT       text -> binary
// Exit status: 0 when the verdict is OK, 1 on a failure verdict, 2 on bad input.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz/exhaust.h"
#include "fuzz/harness.h"
#include "fuzz/minimize.h"
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

// Runs every scenario of the bound through the oracle; prints the count, the
// rate and each failure as a regression draft (the first 20 in full).
int exhaust_cmd(int argc, char **argv)
{
        uf::exhaust_options opt;
        for (int i = 0; i + 1 < argc; i += 2) {
                int value = std::atoi(argv[i + 1]);
                if (!std::strcmp(argv[i], "--max-order") && value >= 0 && value <= 9)
                        opt.max_order = value;
                else if (!std::strcmp(argv[i], "--max-vmas") && value >= 1 && value <= 2)
                        opt.max_vmas = value;
                else if (!std::strcmp(argv[i], "--max-events") && value >= 0 && value <= 3)
                        opt.max_events = value;
                else {
                        std::fprintf(stderr,
                                     "unmapfuzz exhaust: bad option %s %s (--max-order 0-9, "
                                     "--max-vmas 1-2, --max-events 0-3)\n",
                                     argv[i], argv[i + 1]);
                        return 2;
                }
        }
        if (argc % 2) {
                std::fprintf(stderr, "unmapfuzz exhaust: option %s needs a value\n",
                             argv[argc - 1]);
                return 2;
        }
        std::printf("exhaust: max-order %d, max-vmas %d, max-events %d\n", opt.max_order,
                    opt.max_vmas, opt.max_events);
        std::fflush(stdout);
        static uf::run_result r;
        uf::exhaust_counts counts;
        auto start = std::chrono::steady_clock::now();
        uf::exhaust(opt, &counts, [&](const uf::scenario &s) {
                uf::run_scenario(s, &r);
                if (!r.v.ok()) {
                        counts.failures++;
                        if (counts.failures <= 20)
                                std::printf("---- failure %llu: %s %s\n%s",
                                            static_cast<unsigned long long>(counts.failures),
                                            r.v.kind_name(), r.v.class_name(),
                                            uf::regression_draft(s, r).c_str());
                }
                return true;
        });
        double secs =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::printf("exhaust: %llu scenarios run (%llu points, the rest non-canonical duplicates), "
                    "%llu failures, %.1f s, %.0f scenarios/s\n",
                    static_cast<unsigned long long>(counts.run),
                    static_cast<unsigned long long>(counts.enumerated),
                    static_cast<unsigned long long>(counts.failures), secs,
                    secs > 0 ? static_cast<double>(counts.run) / secs : 0.0);
        return counts.failures ? 1 : 0;
}

} // namespace

// minimize FILE OUT: the structural pass of ./unmapfuzz minimize and
// ./unmapfuzz triage (fuzz/minimize.h). Writes the smallest scenario that
// fails with the same kind and class as FILE to OUT, as a regression draft
// (text, "# expect: KIND class"). Exit 0 when written, 1 when FILE does not
// fail (nothing written), 2 on bad input or an unwritable OUT.
static int minimize_cmd(int argc, char **argv)
{
        if (argc != 2) {
                std::fprintf(stderr, "usage: unmapfuzz-tool minimize FILE OUT\n");
                return 2;
        }
        uf::scenario s;
        if (!load(argv[0], &s))
                return 2;
        static uf::run_result r;
        uf::run_scenario(s, &r);
        if (r.v.ok()) {
                std::fprintf(
                    stderr, "%s: the scenario does not fail (verdict %s %s); nothing to minimise\n",
                    argv[0], r.v.kind_name(), r.v.class_name());
                return 1;
        }
        const uf::verdict target = r.v;
        const std::string want = std::string(r.v.kind_name()) + " " + r.v.class_name();
        uf::minimize_stats st;
        auto start = std::chrono::steady_clock::now();
        uf::scenario m = uf::minimize_scenario(s, &st);
        double secs =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        uf::run_scenario(m, &r);
        if (!uf::same_failure(r.v, target)) { // minimize_scenario() keeps only such steps
                std::fprintf(stderr, "%s: minimised scenario fails as %s %s, not %s\n", argv[0],
                             r.v.kind_name(), r.v.class_name(), want.c_str());
                return 2;
        }
        std::string text = uf::regression_draft(m, r);
        std::string note =
            "# minimised by unmapfuzz-tool minimize from " + std::string(argv[0]) + "\n";
        size_t at = text.find('\n', text.find("# expect:"));
        text.insert(at == std::string::npos ? text.size() : at + 1, note);
        std::ofstream out(argv[1], std::ios::binary);
        out.write(text.data(), static_cast<std::streamsize>(text.size()));
        if (!out) {
                std::fprintf(stderr, "%s: cannot write\n", argv[1]);
                return 2;
        }
        uf::scenario_size a = uf::measure_scenario(s), b = uf::measure_scenario(m);
        std::string before = uf::print_scenario(s), after = uf::print_scenario(m);
        std::printf("minimize: %s: order %d->%d, vmas %d->%d, mms %d->%d, events %d->%d, "
                    "slots %d->%d, pte bits %d->%d; text %zu->%zu bytes, binary %zu->%zu "
                    "bytes (%lu candidates, %lu kept, %.1f s)\n",
                    want.c_str(), a.order, b.order, a.vmas, b.vmas, a.mms, b.mms, a.events,
                    b.events, a.slots, b.slots, a.bits, b.bits, before.size(), after.size(),
                    uf::encode_scenario(s).size(), uf::encode_scenario(m).size(), st.tried, st.kept,
                    secs);
        return 0;
}

int main(int argc, char **argv)
{
        if (argc >= 2 && !std::strcmp(argv[1], "minimize"))
                return minimize_cmd(argc - 2, argv + 2);
        if (argc >= 2 && !std::strcmp(argv[1], "repro"))
                return repro(argc - 2, argv + 2);
        if (argc >= 2 && !std::strcmp(argv[1], "print"))
                return print(argc - 2, argv + 2);
        if (argc >= 2 && !std::strcmp(argv[1], "encode"))
                return encode(argc - 2, argv + 2);
        if (argc >= 2 && !std::strcmp(argv[1], "exhaust"))
                return exhaust_cmd(argc - 2, argv + 2);
        std::fprintf(
            stderr,
            "usage: unmapfuzz-tool exhaust [--max-order N] [--max-vmas N] [--max-events N] | "
            "repro [--json] FILE | print FILE | encode FILE OUT\n");
        return 2;
}
