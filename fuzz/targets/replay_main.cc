// Standalone replay driver: runs LLVMFuzzerTestOneInput once on every file
// argument and on every file below a directory argument (recursively, in
// sorted order), without libFuzzer. Debian's clang 14 ships no
// StandaloneFuzzTargetMain; this one is for builds that must not link a
// fuzzing engine: the coverage build of ./unmapfuzz coverage, or a
// sanitizer build replaying a corpus as a regression test.
//
//   unmap_diff_replay FILE_OR_DIR...
//
// It prints "Running: FILE" before and "Done: FILE (N bytes)" after each
// input, and "replay: N inputs" at the end. Unlike aflpp_driver, it never
// succeeds without running anything: no inputs, an unreadable path or an
// argument starting with '-' is an error (exit 2). A crash kills it, as it
// would kill the engine; in a coverage build the profile of the inputs run
// so far is written first, so one crashing input does not lose the
// coverage of the others (the last "Running:" line names the culprit).
#include <algorithm>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <unistd.h>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv);
// Defined by the profile runtime in -fprofile-instr-generate builds only.
extern "C" __attribute__((weak)) int __llvm_profile_write_file(void);

namespace
{

void on_crash(int sig)
{
        // Installed only in a coverage build (see main()).
        static const char msg[] = "replay: crashed; writing the coverage profile\n";
        ssize_t n = write(STDERR_FILENO, msg, sizeof(msg) - 1);
        (void)n;
        __llvm_profile_write_file();
        std::signal(sig, SIG_DFL);
        std::raise(sig);
}

bool collect(const char *arg, std::vector<std::string> *out)
{
        namespace fs = std::filesystem;
        std::error_code ec;
        fs::path p(arg);
        if (fs::is_regular_file(p, ec)) {
                out->push_back(p.string());
                return true;
        }
        if (!fs::is_directory(p, ec)) {
                std::fprintf(stderr, "replay: %s: no such file or directory\n", arg);
                return false;
        }
        std::vector<std::string> files;
        for (auto it = fs::recursive_directory_iterator(p, ec); !ec && it != fs::end(it);
             it.increment(ec))
                if (it->is_regular_file(ec))
                        files.push_back(it->path().string());
        if (ec) {
                std::fprintf(stderr, "replay: %s: %s\n", arg, ec.message().c_str());
                return false;
        }
        std::sort(files.begin(), files.end());
        out->insert(out->end(), files.begin(), files.end());
        return true;
}

} // namespace

int main(int argc, char **argv)
{
        std::vector<std::string> inputs;
        for (int i = 1; i < argc; i++) {
                if (argv[i][0] == '-') {
                        std::fprintf(stderr,
                                     "replay: unknown option %s (usage: %s FILE_OR_DIR...)\n",
                                     argv[i], argv[0]);
                        return 2;
                }
                if (!collect(argv[i], &inputs))
                        return 2;
        }
        if (inputs.empty()) {
                std::fprintf(stderr, "replay: no inputs (usage: %s FILE_OR_DIR...)\n", argv[0]);
                return 2;
        }
        // Only a coverage build has a profile to save. Elsewhere the handlers
        // would only get in the way: a sanitizer installs its own SIGSEGV
        // handler, and ours would replace its report with a bare signal.
        if (__llvm_profile_write_file)
                for (int sig : {SIGABRT, SIGSEGV, SIGBUS, SIGILL, SIGFPE})
                        std::signal(sig, on_crash);
        if (LLVMFuzzerInitialize)
                LLVMFuzzerInitialize(&argc, &argv);
        for (const std::string &path : inputs) {
                std::ifstream in(path, std::ios::binary);
                if (!in) {
                        std::fprintf(stderr, "replay: %s: cannot read\n", path.c_str());
                        return 2;
                }
                std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                           std::istreambuf_iterator<char>());
                std::fprintf(stderr, "Running: %s\n", path.c_str());
                // A copy of exactly the input's size, so ASan sees reads past its end.
                uint8_t *copy = new uint8_t[bytes.size() ? bytes.size() : 1];
                std::copy(bytes.begin(), bytes.end(), copy);
                LLVMFuzzerTestOneInput(copy, bytes.size());
                delete[] copy;
                std::fprintf(stderr, "Done: %s (%zu bytes)\n", path.c_str(), bytes.size());
        }
        std::fprintf(stderr, "replay: %zu inputs\n", inputs.size());
        return 0;
}
