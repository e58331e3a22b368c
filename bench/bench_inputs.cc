#include "bench/bench_inputs.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "scenario/scenario_binary.h"

namespace uf::bench
{

std::vector<input> load_seeds(const std::string &dir)
{
        std::vector<std::filesystem::path> paths;
        for (const auto &e : std::filesystem::directory_iterator(dir))
                if (e.is_regular_file())
                        paths.push_back(e.path());
        std::sort(paths.begin(), paths.end());
        std::vector<input> out;
        for (const auto &p : paths) {
                std::ifstream f(p, std::ios::binary);
                out.emplace_back(std::istreambuf_iterator<char>(f),
                                 std::istreambuf_iterator<char>());
        }
        return out;
}

input mutate(const std::vector<input> &seeds, lcg &r)
{
        static const uint8_t interesting[] = {0, 1, 2, 3, 4, 8, 9, 0x10, 0x20, 0x7f, 0x80, 0xff};
        input d;
        if (seeds.empty() || r.below(8) == 0) {
                d.resize(r.below(512));
                for (auto &b : d)
                        b = static_cast<uint8_t>(r.next());
                return d;
        }
        d = seeds[r.below(static_cast<uint32_t>(seeds.size()))];
        int n = 1 + static_cast<int>(r.below(8));
        for (int k = 0; k < n; k++) {
                uint32_t sz = static_cast<uint32_t>(d.size());
                switch (r.below(8)) {
                case 0:
                        if (sz)
                                d[r.below(sz)] ^= static_cast<uint8_t>(1u << r.below(8));
                        break;
                case 1:
                        if (sz)
                                d[r.below(sz)] = static_cast<uint8_t>(r.next());
                        break;
                case 2:
                        if (sz)
                                d[r.below(sz)] = interesting[r.below(sizeof(interesting))];
                        break;
                case 3:
                        d.insert(d.begin() + r.below(sz + 1), static_cast<uint8_t>(r.next()));
                        break;
                case 4:
                        if (sz) {
                                uint32_t at = r.below(sz),
                                         len = 1 + r.below(std::min(sz - at, 16u));
                                d.erase(d.begin() + at, d.begin() + at + len);
                        }
                        break;
                case 5:
                        if (sz >= 2) {
                                uint32_t from = r.below(sz), to = r.below(sz);
                                uint32_t len = 1 + r.below(std::min(sz - std::max(from, to), 32u));
                                std::memmove(&d[to], &d[from], len);
                        }
                        break;
                case 6:
                        if (sz >= 2) {
                                uint32_t at = r.below(sz - 1);
                                uint16_t v = static_cast<uint16_t>(d[at] | d[at + 1] << 8);
                                v = static_cast<uint16_t>(v + static_cast<int>(r.below(33)) - 16);
                                d[at] = static_cast<uint8_t>(v);
                                d[at + 1] = static_cast<uint8_t>(v >> 8);
                        }
                        break;
                default: {
                        const input &o = seeds[r.below(static_cast<uint32_t>(seeds.size()))];
                        uint32_t cut = r.below(sz + 1);
                        uint32_t ocut = r.below(static_cast<uint32_t>(o.size()) + 1);
                        d.resize(cut);
                        d.insert(d.end(), o.begin() + ocut, o.end());
                        break;
                }
                }
        }
        if (d.size() > uf::MAX_INPUT_SIZE)
                d.resize(uf::MAX_INPUT_SIZE);
        return d;
}

} // namespace uf::bench
