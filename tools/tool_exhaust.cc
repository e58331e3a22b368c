// exhaust: every scenario of a small bound through the oracle (search/exhaust.h),
// with a progress line against the size of the bound and a summary so far
// when interrupted.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <map>
#include <string>

#include "oracle/harness.h"
#include "oracle/known_bugs.h"
#include "report/report.h"
#include "search/exhaust.h"
#include "tools/scenario_io.h"
#include "tools/tool_commands.h"

namespace uf::tool
{

namespace
{

run_result result;

using clock = std::chrono::steady_clock;

double seconds_since(clock::time_point start)
{
        return std::chrono::duration<double>(clock::now() - start).count();
}

void print_counts(FILE *out, const char *what, const exhaust_counts &c, double total, double secs)
{
        std::fprintf(out,
                     "exhaust: %s%llu of %.0f points (%.1f%%), %llu scenarios run (the rest "
                     "non-canonical duplicates), %llu failures, %.1f s, %.0f scenarios/s\n",
                     what, static_cast<unsigned long long>(c.enumerated), total,
                     total > 0 ? 100.0 * static_cast<double>(c.enumerated) / total : 100.0,
                     static_cast<unsigned long long>(c.run),
                     static_cast<unsigned long long>(c.failures), secs,
                     secs > 0 ? static_cast<double>(c.run) / secs : 0.0);
}

int exhaust_cmd(const cli::command_spec &spec, const cli::parsed &args)
{
        exhaust_options opt;
        long order = opt.max_order, vmas = opt.max_vmas, events = opt.max_events, every = 10;
        long mid = opt.mid_folio;
        if (const char *v = args.value("--max-order");
            v && !cli::parse_number(spec, "--max-order", v, 0, 9, &order))
                return cli::ERROR;
        if (const char *v = args.value("--max-vmas");
            v && !cli::parse_number(spec, "--max-vmas", v, 1, 2, &vmas))
                return cli::ERROR;
        if (const char *v = args.value("--max-events");
            v && !cli::parse_number(spec, "--max-events", v, 0, 3, &events))
                return cli::ERROR;
        if (const char *v = args.value("--mid-folio");
            v && !cli::parse_number(spec, "--mid-folio", v, 0, 1, &mid))
                return cli::ERROR;
        if (const char *v = args.value("--progress");
            v && !cli::parse_number(spec, "--progress", v, 0, 3600, &every))
                return cli::ERROR;
        opt.max_order = static_cast<int>(order);
        opt.max_vmas = static_cast<int>(vmas);
        opt.max_events = static_cast<int>(events);
        opt.mid_folio = mid != 0;
        // A failure a known bug explains is counted by class but is no failure.
        const bool ignore_known = args.has("--ignore-known");
        // Also the first failure of every class after the first 20: one
        // reproducer per class for ./unmapfuzz review.
        const bool each_class = args.has("--each-class");
        const double total = exhaust_points(opt);
        std::printf(
            "exhaust: max-order %d, max-vmas %d, max-events %d, mid-folio %d: %.0f points\n",
            opt.max_order, opt.max_vmas, opt.max_events, opt.mid_folio, total);
        std::fflush(stdout);
        cli::watch_interrupts();
        exhaust_counts counts;
        // Failures by class and the known bug that explains them, and the
        // verdicts a known bug explains that the program's level intends.
        std::map<std::string, uint64_t> by_class;
        const auto start = clock::now();
        auto next = start + std::chrono::seconds(every);
        exhaust(opt, &counts, [&](const scenario &s) {
                run_scenario(s, &result);
                bool first_of_class = false;
                if (result.v.known || !result.v.ok()) {
                        std::string key = result.v.ok() ? std::string("OK (what the level intends)")
                                                        : std::string(result.v.kind_name()) + " " +
                                                              result.v.class_name();
                        if (result.v.known)
                                key += std::string(" [known ") + result.v.known->id + "]";
                        first_of_class = ++by_class[key] == 1;
                }
                if (!result.v.ok() && !(ignore_known && result.v.known)) {
                        counts.failures++;
                        if (counts.failures <= 20 || (each_class && first_of_class))
                                std::printf("---- failure %llu: %s %s\n%s",
                                            static_cast<unsigned long long>(counts.failures),
                                            result.v.kind_name(), result.v.class_name(),
                                            regression_draft(s, result).c_str());
                }
                // The clock only every 256 scenarios: a progress line, never a verdict.
                if (every > 0 && (counts.run & 255) == 0 && clock::now() >= next) {
                        double secs = seconds_since(start);
                        double done = static_cast<double>(counts.enumerated) / total;
                        std::fprintf(stderr,
                                     "exhaust: %.0f s, %.1f%% of %.0f points, %llu run, "
                                     "%llu failures; about %.0f s in all, %.0f s left\n",
                                     secs, 100 * done, total,
                                     static_cast<unsigned long long>(counts.run),
                                     static_cast<unsigned long long>(counts.failures), secs / done,
                                     secs / done - secs);
                        next = clock::now() + std::chrono::seconds(every);
                }
                return !cli::interrupted();
        });
        double secs = seconds_since(start);
        if (const char *facts = args.value("--summary")) {
                // The facts of ./unmapfuzz exhaust --json (tools/tool_summary.cc).
                std::string f = "count\tpoints\t" + std::to_string(static_cast<uint64_t>(total)) +
                                "\ncount\tenumerated\t" + std::to_string(counts.enumerated) +
                                "\ncount\trun\t" + std::to_string(counts.run) +
                                "\ncount\tfailures\t" + std::to_string(counts.failures) +
                                "\ntable\tclasses\n";
                for (const auto &[key, n] : by_class) {
                        std::string what = key, known;
                        size_t at = what.find(" [known ");
                        if (at != std::string::npos) {
                                known = what.substr(at + 8, what.size() - at - 9);
                                what.resize(at);
                                f += "list\tknown_bugs\t" + known + "\n";
                        }
                        size_t sp = what.find(' ');
                        f += "row\tclasses\tkind=" + what.substr(0, sp) +
                             "\tclass=" + (sp == std::string::npos ? "" : what.substr(sp + 1)) +
                             "\tknown_bug=" + known + "\tscenarios=" + std::to_string(n) + "\n";
                }
                if (!io::write_file(facts, f))
                        return cli::ERROR;
        }
        for (const auto &[key, n] : by_class)
                std::printf("exhaust: %10llu  %s\n", static_cast<unsigned long long>(n),
                            key.c_str());
        std::fflush(stdout);
        if (cli::interrupted()) {
                char what[64];
                std::snprintf(what, sizeof(what), "interrupted after %.0f s: ", secs);
                print_counts(stdout, what, counts, total, secs);
                return cli::finish_stdout(spec, cli::INTERRUPTED);
        }
        print_counts(stdout, "", counts, total, secs);
        return cli::finish_stdout(spec, counts.failures ? cli::FOUND : cli::OK);
}

} // namespace

const command exhaust_command = {
    {"exhaust",
     "[--max-order N] [--max-vmas N] [--max-events N] [--mid-folio N] [--progress S] "
     "[--ignore-known] [--each-class] [--summary FILE]",
     "run every canonical scenario of a small bound through the oracle",
     {{"--max-order", "N", "folio orders 0..N, 0-9 (default 1)"},
      {"--max-vmas", "N", "1 or 2 VMAs (default 2: a split or a fork)"},
      {"--max-events", "N", "0..N events, 0-3 (default 1)"},
      {"--mid-folio", "N", "1: also order 2's mid-folio layout below --max-order 2 (default 1)"},
      {"--progress", "S", "a progress line on stderr every S seconds, 0 = none (default 10)"},
      {"--ignore-known", nullptr, "a failure a known bug explains is no failure (still counted)"},
      {"--each-class", nullptr, "also print the first failure of every class, after the first 20"},
      {"--summary", "FILE", "write the counts as ./unmapfuzz --json facts to FILE"}},
     0,
     0},
    exhaust_cmd};

} // namespace uf::tool
