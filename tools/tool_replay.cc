// repro, check, print, encode, format: one scenario file (or many) in, a
// report, a verdict or another encoding out.
#include <cstdio>
#include <string>
#include <vector>

#include "fuzz/crash.h"
#include "oracle/expect.h"
#include "oracle/harness.h"
#include "oracle/known_bugs.h"
#include "report/report.h"
#include "scenario/scenario_binary.h"
#include "scenario/scenario_text.h"
#include "tools/scenario_io.h"
#include "tools/tool_commands.h"

namespace uf::tool
{

namespace
{

run_result result; // large: one buffer for every scenario a command runs

int repro(const cli::command_spec &spec, const cli::parsed &args)
{
        scenario s;
        std::string text;
        if (!io::load(args.operands[0], &s, &text))
                return cli::ERROR;
        std::vector<expectation> expect;
        parse_error err;
        if (!parse_expectations(text, args.operands[0], s, &expect, &err)) {
                std::fprintf(stderr, "%s\n", err.what().c_str());
                return cli::ERROR;
        }
        run_scenario(s, &result);
        std::vector<std::string> unmet = check_expectations(expect, result);
        std::string report = args.has("--json") ? json_report(s, result, expect, unmet)
                                                : text_report(s, result, expect, unmet);
        std::fwrite(report.data(), 1, report.size(), stdout);
        std::fflush(stdout); // before the verdict on stderr: `2>&1` stays line by line
        if (!result.v.ok())
                print_signature(stderr, result.v);
        for (const std::string &u : unmet)
                std::fprintf(stderr, "unmapfuzz: EXPECTATION %s\n", u.c_str());
        return cli::finish_stdout(spec, result.v.ok() && unmet.empty() ? cli::OK : cli::FOUND);
}

// Replays every file in one process (./unmapfuzz check): one line per file
// that fails or cannot be read, then the counts. A bad input outranks a
// failure, as everywhere: the run did not check what it was asked to.
int check(const cli::command_spec &spec, const cli::parsed &args)
{
        cli::watch_interrupts();
        const bool each = args.has("--each");
        const bool ignore_known = args.has("--ignore-known");
        int known = 0;
        int failed = 0, bad = 0, passed = 0;
        for (const std::string &path : args.operands) {
                if (cli::interrupted())
                        break;
                scenario s;
                if (!io::load(path, &s)) {
                        bad++;
                        if (each)
                                std::printf("BAD_INPUT - %s\n", path.c_str());
                        continue;
                }
                run_scenario(s, &result);
                if (!result.v.ok() && ignore_known && result.v.known) {
                        known++;
                        if (!each)
                                std::printf("KNOWN %s: %s %s, known bug %s\n", path.c_str(),
                                            result.v.kind_name(), result.v.class_name(),
                                            result.v.known->id);
                }
                if (result.v.ok() || (ignore_known && result.v.known)) {
                        passed++;
                        if (each)
                                std::printf("NOT_REPRODUCED - %s\n", path.c_str());
                } else {
                        failed++;
                        if (each && result.v.known)
                                std::printf("%s %s known=%s %s\n", result.v.kind_name(),
                                            result.v.class_name(), result.v.known->id,
                                            path.c_str());
                        else if (each)
                                std::printf("%s %s %s\n", result.v.kind_name(),
                                            result.v.class_name(), path.c_str());
                        else
                                std::printf("FAILED %s: %s %s%s%s\n", path.c_str(),
                                            result.v.kind_name(), result.v.class_name(),
                                            result.v.known ? ", known bug " : "",
                                            result.v.known ? result.v.known->id : "");
                }
                // Line by line: a sanitizer report ends the process, and the
                // driver goes on after the last file printed.
                std::fflush(stdout);
        }
        int total = static_cast<int>(args.operands.size());
        std::printf(
            "check: %d of %d scenario(s) replayed: %d passed%s, %d failed, %d unreadable%s\n",
            passed + failed + bad, total, passed,
            ignore_known ? (" (" + std::to_string(known) + " of them known bugs)").c_str() : "",
            failed, bad, cli::interrupted() ? " (interrupted)" : "");
        int rc = cli::interrupted() ? cli::INTERRUPTED
                 : bad              ? cli::ERROR
                 : failed           ? cli::FOUND
                                    : cli::OK;
        return cli::finish_stdout(spec, rc);
}

int print(const cli::command_spec &spec, const cli::parsed &args)
{
        scenario s;
        if (!io::load(args.operands[0], &s))
                return cli::ERROR;
        std::string text = print_scenario(s);
        std::fwrite(text.data(), 1, text.size(), stdout);
        return cli::finish_stdout(spec, cli::OK);
}

int encode(const cli::command_spec &spec, const cli::parsed &args)
{
        scenario s;
        if (!io::load(args.operands[0], &s))
                return cli::ERROR;
        std::vector<uint8_t> bytes = encode_scenario(s);
        return io::write_file(args.operands[1], std::string(bytes.begin(), bytes.end()))
                   ? cli::OK
                   : cli::ERROR;
}

// Which reader load() would use: the driver asks before handing a file to
// libFuzzer, which takes binary only.
int format(const cli::command_spec &spec, const cli::parsed &args)
{
        std::vector<uint8_t> bytes;
        std::string error;
        if (!io::read_file(args.operands[0], &bytes, &error)) {
                std::fprintf(stderr, "%s\n", error.c_str());
                return cli::ERROR;
        }
        std::printf("%s\n", io::looks_like_text(args.operands[0], bytes) ? "text" : "binary");
        return cli::finish_stdout(spec, cli::OK);
}

} // namespace

const command repro_command = {
    {"repro",
     "[--json] FILE",
     "replay one scenario (.scn text or a binary crash file) through both implementations",
     {{"--json", nullptr, "the report as JSON"}},
     1,
     1},
    repro};

const command check_command = {
    {"check",
     "[--each] [--ignore-known] FILE...",
     "replay scenarios, print each that fails",
     {{"--each", nullptr,
       "one line per file: KIND class [known=ID] FILE (NOT_REPRODUCED - for a pass)"},
      {"--ignore-known", nullptr, "a failure a known bug explains passes (KNOWN lines)"}},
     1,
     -1},
    check};

const command print_command = {
    {"print", "FILE", "a scenario (binary or text) as canonical text", {}, 1, 1}, print};

const command encode_command = {
    {"encode", "FILE OUT", "a scenario (text or binary) as binary, written to OUT", {}, 2, 2},
    encode};

const command format_command = {
    {"format", "FILE", "print how FILE would be read: text or binary", {}, 1, 1}, format};

} // namespace uf::tool
