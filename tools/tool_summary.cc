// summary FACTS OUT: the JSON document of ./unmapfuzz --json FILE. The driver
// writes what a run found as it goes, one fact per line, tab-separated:
//
//   set KEY VALUE            a top-level field
//   count KEY N              a field of "counts"
//   list KEY VALUE           an element of the array KEY (sorted, unique)
//   row TABLE KEY=VALUE...   an object appended to the array TABLE
//   table TABLE              the array TABLE, empty when no row follows
//
// and this assembles them, with the format, its version and the exit
// status, into one document (docs/command-line.md has the schema). A
// value of digits is a number, an empty one null.
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tools/scenario_io.h"
#include "tools/tool_commands.h"

namespace uf::tool
{

namespace
{

using json = nlohmann::json;

// Bump when a field changes meaning or goes away (new fields do not).
constexpr int SUMMARY_VERSION = 1;

bool is_key(const std::string &k)
{
        if (k.empty() || k.size() > 64)
                return false;
        for (char c : k)
                if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
                        return false;
        return true;
}

json value_of(const std::string &v)
{
        if (v.empty())
                return nullptr;
        if (v.size() <= 18 && v.find_first_not_of("0123456789") == std::string::npos)
                return std::stoll(v);
        return v;
}

std::vector<std::string> split_tabs(const std::string &line)
{
        std::vector<std::string> out;
        size_t at = 0;
        for (;;) {
                size_t tab = line.find('\t', at);
                out.push_back(line.substr(at, tab == std::string::npos ? tab : tab - at));
                if (tab == std::string::npos)
                        return out;
                at = tab + 1;
        }
}

const char *outcome_of(long status)
{
        switch (status) {
        case 0:
                return "nothing found";
        case 1:
                return "found";
        case 2:
                return "error";
        case 125:
                return "kernel tree cannot be built";
        case 130:
                return "interrupted";
        default:
                return "unknown";
        }
}

int summary_cmd(const cli::command_spec &spec, const cli::parsed &args)
{
        long status = 0;
        const char *v = args.value("--exit-status");
        if (!v)
                return cli::usage_error(spec, "--exit-status is required");
        if (!cli::parse_number(spec, "--exit-status", v, 0, 255, &status))
                return cli::ERROR;
        const std::string &in = args.operands[0], &out = args.operands[1];
        std::ifstream facts(in);
        if (!facts)
                return cli::usage_error(spec, "cannot read " + io::escape_bytes(in, 200));
        json doc = json::object();
        doc["format"] = "unmapfuzz-summary";
        doc["version"] = SUMMARY_VERSION;
        doc["exit_status"] = status;
        doc["outcome"] = outcome_of(status);
        doc["counts"] = json::object();
        std::map<std::string, std::set<std::string>> lists;
        lists["known_bugs"]; // always present, if empty
        std::string line;
        int n = 0;
        while (std::getline(facts, line)) {
                n++;
                std::vector<std::string> f = split_tabs(line);
                const std::string where = io::escape_bytes(in, 200) + ":" + std::to_string(n);
                if (f.size() < 2 || !is_key(f[1]))
                        return cli::usage_error(
                            spec, where + ": not a fact: " + io::escape_bytes(line, 80));
                const std::string &kind = f[0], &key = f[1];
                if (kind == "set" && f.size() == 3) {
                        doc[key] = value_of(f[2]);
                } else if (kind == "count" && f.size() == 3) {
                        doc["counts"][key] = value_of(f[2]);
                } else if (kind == "list" && f.size() == 3) {
                        lists[key].insert(f[2]);
                } else if (kind == "table" && f.size() == 2) {
                        if (!doc.contains(key))
                                doc[key] = json::array();
                } else if (kind == "row") {
                        json row = json::object();
                        for (size_t i = 2; i < f.size(); i++) {
                                size_t eq = f[i].find('=');
                                if (eq == std::string::npos || !is_key(f[i].substr(0, eq)))
                                        return cli::usage_error(spec,
                                                                where + ": not KEY=VALUE: " +
                                                                    io::escape_bytes(f[i], 80));
                                row[f[i].substr(0, eq)] = value_of(f[i].substr(eq + 1));
                        }
                        if (!doc.contains(key))
                                doc[key] = json::array();
                        doc[key].push_back(row);
                } else {
                        return cli::usage_error(
                            spec, where + ": not a fact: " + io::escape_bytes(line, 80));
                }
        }
        // argv keeps its order; every other list is a set.
        for (const auto &[key, values] : lists)
                if (key != "argv")
                        doc[key] = json(std::vector<std::string>(values.begin(), values.end()));
        if (lists.count("argv")) {
                // Re-read in order: a set would sort the arguments.
                json argv = json::array();
                std::ifstream again(in);
                while (std::getline(again, line)) {
                        std::vector<std::string> f = split_tabs(line);
                        if (f.size() == 3 && f[0] == "list" && f[1] == "argv")
                                argv.push_back(f[2]);
                }
                doc["argv"] = argv;
        }
        // Invalid UTF-8 (a path of arbitrary bytes) is replaced, never a throw.
        std::string text = doc.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
        return io::write_file(out, text) ? cli::OK : cli::ERROR;
}

} // namespace

const command summary_command = {
    {"summary",
     "--exit-status N FACTS OUT",
     "assemble the facts ./unmapfuzz collected into its JSON summary, written to OUT",
     {{"--exit-status", "N", "the command's exit status (0-255)"}},
     2,
     2},
    summary_cmd};

} // namespace uf::tool
