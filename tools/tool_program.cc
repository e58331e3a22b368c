// program, semantics: what this build of unmapfuzz-tool compares, and the
// semantics level a kernel version has (oracle/program.h, oracle/semantics.h);
// the driver asks them in kernel mode instead of keeping tables of its own.
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "oracle/known_bugs.h"
#include "oracle/program.h"
#include "oracle/semantics.h"
#include "tools/tool_commands.h"

namespace uf::tool
{

namespace
{

int program_cmd(const cli::command_spec &spec, const cli::parsed &)
{
        const program_config &p = program();
        std::printf("reference-slot %s\nbatched-slot %s\nsemantics %s\n", p.left.label,
                    p.right.label, semantics_name(p.semantics));
        std::printf("known-bugs");
        for (int k = 0; k < NR_KNOWN_BUGS; k++)
                std::printf(" %s", known_bugs()[k].id);
        std::printf("\n");
        if (p.kernel_source[0])
                std::printf("kernel-source %s\nkernel-version %s\n", p.kernel_source,
                            p.kernel_version);
        return cli::finish_stdout(spec, cli::OK);
}

int semantics_cmd(const cli::command_spec &spec, const cli::parsed &args)
{
        long version, patchlevel;
        if (!cli::parse_number(spec, "VERSION", args.operands[0].c_str(), 0, 99, &version) ||
            !cli::parse_number(spec, "PATCHLEVEL", args.operands[1].c_str(), 0, 99, &patchlevel))
                return cli::ERROR;
        if (args.operands.size() < 3) {
                std::printf("%s\n", semantics_name(semantics_for_version(
                                        static_cast<int>(version), static_cast<int>(patchlevel))));
                return cli::finish_stdout(spec, cli::OK);
        }
        // With the cut: "LEVEL why" on one line, for the kernel-mode line.
        std::ifstream in(args.operands[2], std::ios::binary);
        std::ostringstream text;
        if (!in || !(text << in.rdbuf()))
                return cli::usage_error(spec, "cannot read " + args.operands[2]);
        std::string why;
        semantics_level l = semantics_for_cut(text.str().c_str(), static_cast<int>(version),
                                              static_cast<int>(patchlevel), &why);
        std::printf("%s %s\n", semantics_name(l), why.c_str());
        return cli::finish_stdout(spec, cli::OK);
}

} // namespace

const command program_command = {
    {"program",
     "",
     "print what this build compares: the two slots and the semantics level",
     {},
     0,
     0},
    program_cmd};

const command semantics_command = {
    {"semantics",
     "VERSION PATCHLEVEL [CUT]",
     "print the semantics level (K0..K6) of a kernel of that version; with CUT (the cut of "
     "try_to_unmap_one()), the level its code intends and why, on one line",
     {},
     2,
     3},
    semantics_cmd};

} // namespace uf::tool
