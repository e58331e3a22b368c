#include "fuzz/stats.h"

#include <cinttypes>

namespace uf
{

void fuzz_stats::record(const verdict &v, int clamps, int fired)
{
        execs++;
        exact += v.kind == verdict_kind::exact;
        legality += v.kind == verdict_kind::legality;
        failures += !v.ok();
        clamped += clamps > 0;
        events_fired += fired;
        for (int d = 0; d < static_cast<int>(allowed_difference::NR_ALLOWED_DIFFERENCES); d++)
                allowed[d] += v.allowed.has(static_cast<allowed_difference>(d));
        if (v.known)
                known[v.known->index]++;
}

void fuzz_stats::print(FILE *out) const
{
        std::fprintf(out,
                     "unmapfuzz-stats: execs=%" PRIu64 " exact=%" PRIu64 " legality=%" PRIu64
                     " failures=%" PRIu64 " clamped=%" PRIu64 " events_fired=%" PRIu64,
                     execs, exact, legality, failures, clamped, events_fired);
        if (mutants)
                std::fprintf(out, " mutants=%" PRIu64 " mutants_changed=%" PRIu64, mutants,
                             mutants_changed);
        for (int d = 0; d < static_cast<int>(allowed_difference::NR_ALLOWED_DIFFERENCES); d++)
                std::fprintf(out, " allowed.%s=%" PRIu64,
                             allowed_difference_name(static_cast<allowed_difference>(d)),
                             allowed[d]);
        for (int k = 0; k < NR_KNOWN_BUGS; k++)
                if (known[k])
                        std::fprintf(out, " known.%s=%" PRIu64, known_bugs()[k].id, known[k]);
        std::fprintf(out, "\n");
}

} // namespace uf
