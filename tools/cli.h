// The command-line contract of unmapfuzz-tool, the same as ./unmapfuzz's:
// strict arguments (an unknown option, a missing or malformed value, a missing
// or extra operand is one line on stderr and exit 2) and one meaning per exit
// status.
#pragma once

#include <csignal>
#include <string>
#include <vector>

namespace uf::cli
{

// Exit statuses (documented in ./unmapfuzz help and the README's exit-status table).
constexpr int OK = 0;            // ran, nothing found (or: done)
constexpr int FOUND = 1;         // a failure class found or reproduced
constexpr int ERROR = 2;         // usage, input or set-up error
constexpr int INTERRUPTED = 130; // SIGINT or SIGTERM (128 + SIGINT, as shells report it)

struct option_spec {
        const char *name;  // "--json"
        const char *value; // metavariable ("N"), or nullptr for a flag
        const char *help;
};

struct command_spec {
        const char *name;  // "repro"
        const char *usage; // "[--json] FILE"
        const char *about;
        std::vector<option_spec> options;
        int min_operands, max_operands; // max -1: no limit
};

struct parsed {
        std::vector<std::string> operands;
        std::vector<std::pair<std::string, std::string>> options; // name, value ("" for flags)
        bool help = false;

        bool has(const char *name) const;
        const char *value(const char *name) const; // last value given, or nullptr
};

// Parses argv (the arguments after the command name). Accepts "--opt VALUE",
// "--opt=VALUE", "--" (the rest are operands) and -h/--help. On a usage error
// prints "unmapfuzz-tool CMD: ..." and returns false.
bool parse_args(const command_spec &spec, int argc, char **argv, parsed *out);

// A whole number in [lo, hi], all of `text` ("1x", "", "+1" and overflow are
// errors); prints the error for option `name` and returns false otherwise.
bool parse_number(const command_spec &spec, const char *name, const char *text, long lo, long hi,
                  long *out);

void print_help(const command_spec &spec, FILE *out);

// Prints "unmapfuzz-tool CMD: message" on stderr and returns ERROR.
int usage_error(const command_spec &spec, const std::string &message);

// True once SIGINT or SIGTERM arrived after watch_interrupts().
void watch_interrupts();
bool interrupted();

// Flushes stdout; on a write error (a full disk, a closed pipe) prints one
// line and returns ERROR, else `rc`.
int finish_stdout(const command_spec &spec, int rc);

} // namespace uf::cli
