// minimize FILE OUT: the structural pass of ./unmapfuzz minimize and
// ./unmapfuzz triage (search/minimize.h). Writes the smallest scenario that
// fails with the same kind and class as FILE to OUT, as a regression draft
// (text, "# expect: KIND class"). Exit 0 when written; 2 on bad input, an
// unwritable OUT, or a FILE that does not fail (nothing to minimise).
#include <chrono>
#include <cstdio>
#include <string>

#include "oracle/harness.h"
#include "oracle/known_bugs.h"
#include "report/report.h"
#include "scenario/scenario_binary.h"
#include "scenario/scenario_text.h"
#include "search/minimize.h"
#include "tools/scenario_io.h"
#include "tools/tool_commands.h"

namespace uf::tool
{

namespace
{

run_result result;

int minimize_cmd(const cli::command_spec &spec, const cli::parsed &args)
{
        const std::string &in = args.operands[0], &out = args.operands[1];
        // The provenance comment names the file the user has, not a
        // temporary copy the driver minimised in bytes first.
        const char *from = args.value("--from");
        scenario s;
        if (!io::load(in, &s))
                return cli::ERROR;
        run_scenario(s, &result);
        if (result.v.ok()) {
                std::fprintf(
                    stderr, "%s: the scenario does not fail (verdict %s %s); nothing to minimise\n",
                    in.c_str(), result.v.kind_name(), result.v.class_name());
                return cli::ERROR;
        }
        const verdict target = result.v;
        const std::string want = std::string(result.v.kind_name()) + " " + result.v.class_name();
        minimize_stats st;
        auto start = std::chrono::steady_clock::now();
        scenario m = minimize_scenario(s, &st);
        double secs =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        run_scenario(m, &result);
        if (!same_failure(result.v, target)) { // minimize_scenario() keeps only such steps
                std::fprintf(stderr, "%s: minimised scenario fails as %s %s, not %s\n", in.c_str(),
                             result.v.kind_name(), result.v.class_name(), want.c_str());
                return cli::ERROR;
        }
        std::string text = regression_draft(m, result);
        std::string note =
            "# minimised by unmapfuzz minimize from " + std::string(from ? from : in) + "\n";
        // The class's known-bug name, as triage's table and file names give it.
        if (result.v.known)
                note += std::string("# known bug ") + result.v.known->id + ": " +
                        result.v.known->title + "\n";
        size_t at = text.find('\n', text.find("# expect:"));
        text.insert(at == std::string::npos ? text.size() : at + 1, note);
        if (!io::write_file(out, text))
                return cli::ERROR;
        scenario_size a = measure_scenario(s), b = measure_scenario(m);
        std::string before = print_scenario(s), after = print_scenario(m);
        std::printf("minimize: %s: order %d->%d, vmas %d->%d, mms %d->%d, events %d->%d, "
                    "slots %d->%d, pte bits %d->%d; text %zu->%zu bytes, binary %zu->%zu "
                    "bytes (%lu candidates, %lu kept, %.1f s)\n",
                    want.c_str(), a.order, b.order, a.vmas, b.vmas, a.mms, b.mms, a.events,
                    b.events, a.slots, b.slots, a.bits, b.bits, before.size(), after.size(),
                    encode_scenario(s).size(), encode_scenario(m).size(), st.tried, st.kept, secs);
        return cli::finish_stdout(spec, cli::OK);
}

} // namespace

const command minimize_command = {
    {"minimize",
     "[--from NAME] FILE OUT",
     "write the smallest scenario failing like FILE to OUT, as a regression draft",
     {{"--from", "NAME", "the input to name in the provenance comment (default FILE)"}},
     2,
     2},
    minimize_cmd};

} // namespace uf::tool
