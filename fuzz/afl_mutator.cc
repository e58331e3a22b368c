// The structure-aware mutator (scenario/mutate.h) as an AFL++ custom mutator
// library: ./unmapfuzz fuzz --engine afl loads it with
// AFL_CUSTOM_MUTATOR_LIBRARY. AFL++ runs it beside its own havoc stage; each
// call makes one semantic change of the decoded input (now and then a few
// stacked), or, a quarter of the time when AFL++ hands a second input,
// splices the two. Every input AFL++ runs, its havoc's and splice's
// included, first passes afl_custom_post_process(), which re-encodes it
// canonically, as the libFuzzer target re-encodes LLVMFuzzerMutate()'s
// output: the target then runs no clamped input.
//
// Its randomness is the seed afl_custom_init() is given (from afl-fuzz -s),
// advanced in the state AFL++ passes back on every call; nothing global.
// Built without sanitizers or coverage (afl-fuzz is neither), and not by the
// OSS-Fuzz build script: its engines bring their own mutators.
#include <cstddef>
#include <cstdint>
#include <new>
#include <vector>

#include "scenario/mutate.h"
#include "scenario/scenario_binary.h"

namespace
{

struct mutator_state {
        uf::mutate_rng rng;
        uint8_t out[uf::MAX_INPUT_SIZE];
        std::vector<uint8_t> canonical;

        explicit mutator_state(unsigned int seed) : rng(0x756e6d6170000000ULL ^ seed) {}
};

} // namespace

extern "C" {

void *afl_custom_init(void * /* afl_state_t */, unsigned int seed)
{
        return new (std::nothrow) mutator_state(seed);
}

size_t afl_custom_fuzz(void *data, uint8_t *buf, size_t buf_size, uint8_t **out_buf,
                       uint8_t *add_buf, size_t add_buf_size, size_t max_size)
{
        auto *st = static_cast<mutator_state *>(data);
        size_t cap = max_size < uf::MAX_INPUT_SIZE ? max_size : uf::MAX_INPUT_SIZE;
        uint64_t seed = st->rng.next();
        size_t n = 0;
        if (add_buf && add_buf_size && st->rng.one_in(4))
                n = uf::crossover_inputs(buf, buf_size, add_buf, add_buf_size, st->out, cap, seed);
        if (!n)
                n = uf::mutate_input(buf, buf_size, st->out, cap, seed);
        *out_buf = st->out;
        return n;
}

size_t afl_custom_post_process(void *data, uint8_t *buf, size_t buf_size, uint8_t **out_buf)
{
        auto *st = static_cast<mutator_state *>(data);
        st->canonical = uf::encode_scenario(uf::decode_scenario(buf, buf_size));
        *out_buf = st->canonical.data();
        return st->canonical.size();
}

const char *afl_custom_describe(void *, size_t)
{
        return "unmapfuzz-structure";
}

void afl_custom_deinit(void *data)
{
        delete static_cast<mutator_state *>(data);
}

} // extern "C"
