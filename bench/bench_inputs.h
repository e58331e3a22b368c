// The input stream of the speed benchmarks: the binary seed corpus and a
// deterministic stream of mutated seeds and random strings (a fixed-seed LCG:
// the same bytes on every machine and run).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace uf::bench
{

using input = std::vector<uint8_t>;

// Knuth's MMIX LCG; the high bits are the output.
struct lcg {
        uint64_t s;
        uint32_t next()
        {
                s = s * 6364136223846793005ULL + 1442695040888963407ULL;
                return static_cast<uint32_t>(s >> 33);
        }
        uint32_t below(uint32_t n) { return n ? next() % n : 0; }
};

constexpr uint64_t STREAM_SEED = 0x756e6d6170667a7aULL; // "unmapfzz"

// Every regular file of dir, in name order.
std::vector<input> load_seeds(const std::string &dir);
// libFuzzer-like mutations of a seed: bit flips, byte sets (random and
// "interesting" values), inserts, erases, in-place copies, u16 tweaks (the
// section table) and cross-overs with another seed. One input in eight is a
// purely random string instead.
input mutate(const std::vector<input> &seeds, lcg &r);

} // namespace uf::bench
