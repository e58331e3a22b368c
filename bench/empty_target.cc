// An empty libFuzzer entry point: the baseline the differential target's
// speed is measured against. bench/CMakeLists.txt compiles it with the
// build's own flags and renames the symbol (uf_bench_empty_TestOneInput), so
// it shares one executable, one input stream and one timer with the real one.
#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        (void)data;
        (void)size;
        return 0;
}
