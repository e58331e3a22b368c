#include "tools/cli.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace uf::cli
{

namespace
{

volatile std::sig_atomic_t got_signal = 0;

void on_signal(int sig)
{
        got_signal = sig;
}

const option_spec *find_option(const command_spec &spec, const std::string &name)
{
        for (const option_spec &o : spec.options)
                if (name == o.name)
                        return &o;
        return nullptr;
}

} // namespace

bool parsed::has(const char *name) const
{
        for (const auto &[n, v] : options)
                if (n == name)
                        return true;
        return false;
}

const char *parsed::value(const char *name) const
{
        const char *last = nullptr;
        for (const auto &[n, v] : options)
                if (n == name)
                        last = v.c_str();
        return last;
}

int usage_error(const command_spec &spec, const std::string &message)
{
        std::fprintf(stderr, "unmapfuzz-tool %s: %s (usage: unmapfuzz-tool %s %s)\n", spec.name,
                     message.c_str(), spec.name, spec.usage);
        return ERROR;
}

bool parse_args(const command_spec &spec, int argc, char **argv, parsed *out)
{
        bool operands_only = false;
        for (int i = 0; i < argc; i++) {
                std::string arg = argv[i];
                if (operands_only || arg == "-" || arg.empty() || arg[0] != '-') {
                        out->operands.push_back(arg);
                        continue;
                }
                if (arg == "--") {
                        operands_only = true;
                        continue;
                }
                if (arg == "-h" || arg == "--help") {
                        out->help = true;
                        return true;
                }
                std::string name = arg, value;
                size_t eq = arg.find('=');
                bool inline_value = eq != std::string::npos;
                if (inline_value) {
                        name = arg.substr(0, eq);
                        value = arg.substr(eq + 1);
                }
                const option_spec *o = find_option(spec, name);
                if (!o) {
                        usage_error(spec, "unknown option " + name);
                        return false;
                }
                if (!o->value) {
                        if (inline_value) {
                                usage_error(spec, name + " takes no value");
                                return false;
                        }
                } else if (!inline_value) {
                        // A value may not look like an option: "--zoo --time 5" is a
                        // missing value, not a zoo entry called "--time".
                        if (i + 1 >= argc || !std::strncmp(argv[i + 1], "--", 2)) {
                                usage_error(spec, name + " needs a value (" + o->value + ")");
                                return false;
                        }
                        value = argv[++i];
                }
                if (o->value && value.empty()) {
                        usage_error(spec, name + " needs a value (" + o->value + "), got ''");
                        return false;
                }
                out->options.emplace_back(name, value);
        }
        int n = static_cast<int>(out->operands.size());
        if (n < spec.min_operands) {
                usage_error(spec, "missing operand");
                return false;
        }
        if (spec.max_operands >= 0 && n > spec.max_operands) {
                usage_error(spec, "unexpected operand '" + out->operands[spec.max_operands] + "'");
                return false;
        }
        return true;
}

bool parse_number(const command_spec &spec, const char *name, const char *text, long lo, long hi,
                  long *out)
{
        bool digits = *text != '\0';
        for (const char *p = text; *p; p++)
                digits = digits && *p >= '0' && *p <= '9';
        errno = 0;
        long v = digits ? std::strtol(text, nullptr, 10) : 0;
        if (!digits || errno == ERANGE || v < lo || v > hi) {
                usage_error(spec, std::string(name) + " takes a whole number from " +
                                      std::to_string(lo) + " to " + std::to_string(hi) + ", got '" +
                                      text + "'");
                return false;
        }
        *out = v;
        return true;
}

void print_help(const command_spec &spec, FILE *out)
{
        std::fprintf(out, "usage: unmapfuzz-tool %s %s\n  %s\n", spec.name, spec.usage, spec.about);
        if (!spec.options.empty())
                std::fprintf(out, "options:\n");
        for (const option_spec &o : spec.options) {
                std::string left =
                    std::string(o.name) + (o.value ? std::string(" ") + o.value : "");
                std::fprintf(out, "  %-18s %s\n", left.c_str(), o.help);
        }
        std::fprintf(out, "exit status: 0 nothing found (or done), 1 a failure found, 2 usage or "
                          "input error, 130 interrupted\n");
}

void watch_interrupts()
{
        struct sigaction sa = {};
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, nullptr);
        sigaction(SIGTERM, &sa, nullptr);
}

bool interrupted()
{
        return got_signal != 0;
}

int finish_stdout(const command_spec &spec, int rc)
{
        if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
                std::fprintf(stderr, "unmapfuzz-tool %s: cannot write the output: %s\n", spec.name,
                             std::strerror(errno));
                return ERROR;
        }
        return rc;
}

} // namespace uf::cli
