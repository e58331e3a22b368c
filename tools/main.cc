// unmapfuzz-tool: the commands behind ./unmapfuzz that work on scenarios
// (repro, check, print, encode, format, minimize, exhaust) and the JSON summary
// of ./unmapfuzz --json (summary), with the same
// argument rules and exit statuses as the driver (tools/cli.h).
#include <cstdio>
#include <cstring>
#include <exception>

#include "tools/tool_commands.h"

namespace
{

const uf::tool::command *const commands[] = {
    &uf::tool::repro_command,   &uf::tool::check_command,   &uf::tool::print_command,
    &uf::tool::encode_command,  &uf::tool::format_command,  &uf::tool::minimize_command,
    &uf::tool::exhaust_command, &uf::tool::program_command, &uf::tool::semantics_command,
    &uf::tool::summary_command};

int usage(FILE *out, int rc) // --help
{
        std::fprintf(out, "usage: unmapfuzz-tool COMMAND [OPTIONS] [OPERANDS] (COMMAND --help for "
                          "its options)\n");
        for (const uf::tool::command *c : commands)
                std::fprintf(out, "  %-9s %s\n", c->spec.name, c->spec.usage);
        std::fprintf(out, "exit status: 0 nothing found (or done), 1 a failure found, 2 usage or "
                          "input error, 130 interrupted\n");
        return rc;
}

} // namespace

int main(int argc, char **argv)
{
        // Line-buffered both: run with 2>&1 (a CI log), the results on stdout
        // and the progress and verdicts on stderr never share a line.
        std::setvbuf(stdout, nullptr, _IOLBF, 0);
        std::setvbuf(stderr, nullptr, _IOLBF, 0);
        if (argc < 2) {
                std::fprintf(stderr,
                             "unmapfuzz-tool: no command (unmapfuzz-tool --help lists them)\n");
                return uf::cli::ERROR;
        }
        if (!std::strcmp(argv[1], "-h") || !std::strcmp(argv[1], "--help") ||
            !std::strcmp(argv[1], "help"))
                return usage(stdout, uf::cli::OK);
        for (const uf::tool::command *c : commands) {
                if (std::strcmp(argv[1], c->spec.name))
                        continue;
                try {
                        uf::cli::parsed args;
                        if (!uf::cli::parse_args(c->spec, argc - 2, argv + 2, &args))
                                return uf::cli::ERROR;
                        if (args.help) {
                                uf::cli::print_help(c->spec, stdout);
                                return uf::cli::OK;
                        }
                        return c->run(c->spec, args);
                } catch (const std::exception &e) {
                        // Never an abort on bad input: one line and exit 2.
                        std::fprintf(stderr, "unmapfuzz-tool %s: %s\n", argv[1], e.what());
                        return uf::cli::ERROR;
                }
        }
        std::fprintf(stderr,
                     "unmapfuzz-tool: unknown command '%s' (unmapfuzz-tool --help lists them)\n",
                     argv[1]);
        return uf::cli::ERROR;
}
