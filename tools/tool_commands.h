// The commands of unmapfuzz-tool, each with its argument spec (tools/cli.h).
#pragma once

#include "tools/cli.h"

namespace uf::tool
{

struct command {
        cli::command_spec spec;
        int (*run)(const cli::command_spec &spec, const cli::parsed &args);
};

extern const command repro_command, check_command, print_command, encode_command, format_command,
    exhaust_command, minimize_command, program_command, semantics_command, summary_command;

} // namespace uf::tool
