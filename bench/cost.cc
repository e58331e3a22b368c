// The cost model (docs/performance.md 5): per-folio operation counts of the per-PTE
// reference and the batched try_to_unmap_one(), from the substrate's own
// counters (mm/world.h op_counters; "batches" is the number of
// get_and_clear_full_ptes() calls, world::nr_clears).
//
// Both sides run with uf::run_side() on the same world (build_world() of one
// programmatic scenario, bench/bench_scenarios.h), under the flags reclaim
// uses: TTU_BATCH_FLUSH, plus TTU_SPLIT_HUGE_PMD for PMD-mappable folios.
// Every folio is mapped once, folio-aligned, all pages present and young.
//
//   uf_cost [--quick]      --quick: orders 0, 4 and 9 only
//
// Exits 1 if a run did not unmap its folio cleanly (a side failed, broke an
// invariant or left the folio mapped): the model then measures something else.
//
// "ns" is the wall time of try_to_unmap() + try_to_unmap_flush() alone (the
// world copy subtracted, invariants not run; best of three trials): an
// indication on a shared machine; the counts are exact and deterministic.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "bench/bench_scenarios.h"
#include "mm/tlb.h"
#include "oracle/harness.h"
#include "scenario/world_builder.h"

namespace
{

using uf::folio_type;
using uf::bench::pae_mode;
using uf::bench::shape;

struct counts {
        double v[10] = {};
};
constexpr int NR_COLS = 10;
const char *col_names[NR_COLS] = {"pte_rd", "pte_wr", "atomics",  "tlb_calls", "tlb_pages",
                                  "walk",   "rmap",   "notifier", "batches",   "ns"};

counts to_counts(const uf::world &w, double ns)
{
        const uf::op_counters &o = w.ops;
        counts c;
        double v[NR_COLS] = {double(o.pte_reads),       double(o.pte_writes),
                             double(o.atomics),         double(o.tlb_flush_calls),
                             double(o.tlb_flush_pages), double(o.walk_steps),
                             double(o.rmap_calls),      double(o.notifier_calls),
                             double(w.nr_clears),       ns};
        std::memcpy(c.v, v, sizeof(v));
        return c;
}

// Wall time of one side's try_to_unmap() + flush, the world copy subtracted:
// the best of three trials of at least 2 ms each, for the call with its copy
// and for the copy alone.
double time_side(const uf::world &before, unsigned int ttu, uf::implementation impl)
{
        static uf::world w;
        using clk = std::chrono::steady_clock;
        auto per_call = [&](bool run, int reps) {
                auto t0 = clk::now();
                for (int i = 0; i < reps; i++) {
                        w = before;
                        if (run)
                                uf::unmap_and_flush(w, ttu, impl);
                        asm volatile("" : : "r"(&w) : "memory");
                }
                return std::chrono::duration<double, std::nano>(clk::now() - t0).count() / reps;
        };
        int reps = 16;
        while (per_call(true, reps) * reps < 2e6 && reps < (1 << 20))
                reps *= 2;
        double with = 1e300, copy = 1e300;
        for (int trial = 0; trial < 3; trial++) {
                with = std::min(with, per_call(true, reps));
                copy = std::min(copy, per_call(false, reps));
        }
        return with > copy ? with - copy : 0;
}

bool g_unclean = false; // some run did not unmap its folio cleanly: exit 1

struct side_pair {
        counts ref, bat;
};

side_pair run_pair(const shape &sh)
{
        static uf::run_result r;
        uf::scenario s = uf::bench::make_scenario(sh);
        uf::run_scenario(s, &r);
        side_pair p;
        p.ref = to_counts(r.ref.after, time_side(r.before, s.ttu, uf::implementation::reference));
        p.bat = to_counts(r.bat.after, time_side(r.before, s.ttu, uf::implementation::batched));
        // Both sides unmap every page of the folio, nothing left mapped, and
        // the oracle finds them equal: otherwise the counts compare nothing.
        if (!r.v.ok() || !r.ref.ret || !r.bat.ret || uf::folio_mapped(&r.ref.after.folio) ||
            uf::folio_mapped(&r.bat.after.folio)) {
                g_unclean = true;
                std::fprintf(stderr,
                             "uf_cost: warning: order %d type %d did not unmap cleanly "
                             "(ref ret %d inv %s, bat ret %d inv %s, verdict %s)\n",
                             sh.order, static_cast<int>(sh.type), r.ref.ret,
                             r.ref.inv.ok() ? "ok" : "FAIL", r.bat.ret,
                             r.bat.inv.ok() ? "ok" : "FAIL", r.v.ok() ? "ok" : "FAIL");
        }
        return p;
}

void print_header()
{
        std::printf("%-5s %-6s %-9s", "order", "size", "side");
        for (int i = 0; i < NR_COLS; i++)
                std::printf(" %9s", col_names[i]);
        std::printf("\n");
}

// Counts are integers; the last column (time) gets time_decimals.
void print_counts(const char *side, const counts &c, double mult, int time_decimals)
{
        std::printf("%-9s", side);
        for (int i = 0; i < NR_COLS; i++)
                std::printf(" %9.*f", i == NR_COLS - 1 ? time_decimals : 0, c.v[i] * mult);
        std::printf("\n");
}

void print_ratio(const counts &ref, const counts &bat)
{
        std::printf("%-9s", "ref/bat");
        for (int i = 0; i < NR_COLS; i++) {
                if (bat.v[i] == 0 && ref.v[i] == 0)
                        std::printf(" %9s", "=");
                else if (bat.v[i] == 0)
                        std::printf(" %9s", "inf");
                else
                        std::printf(" %9.2f", ref.v[i] / bat.v[i]);
        }
        std::printf("\n");
}

std::string size_name(unsigned long bytes)
{
        char buf[32];
        if (bytes >= (1UL << 30))
                std::snprintf(buf, sizeof(buf), "%luG", bytes >> 30);
        else if (bytes >= (1UL << 20))
                std::snprintf(buf, sizeof(buf), "%luM", bytes >> 20);
        else
                std::snprintf(buf, sizeof(buf), "%luK", bytes >> 10);
        return buf;
}

struct family {
        const char *title;
        shape sh;
};

} // namespace

int main(int argc, char **argv)
{
        bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
        std::vector<int> orders;
        for (int o = 0; o <= uf::MAX_ORDER_MODEL; o++)
                if (!quick || o == 0 || o == 4 || o == 9)
                        orders.push_back(o);

        shape lazyfree;
        lazyfree.type = folio_type::lazyfree;
        shape file;
        file.type = folio_type::file;
        shape anon_all;
        anon_all.type = folio_type::anon;
        anon_all.pae = pae_mode::all;
        anon_all.dirty = anon_all.write = true;
        // Read-only, so that write bits do not split the batches and the
        // sub-batches of equal PageAnonExclusive are what is measured.
        shape anon_mixed = anon_all;
        anon_mixed.pae = pae_mode::mixed;
        anon_mixed.write = false;
        shape file_pmd = file;
        file_pmd.pmd = true;
        shape lazyfree_pmd = lazyfree;
        lazyfree_pmd.pmd = true;
        shape shmem;
        shmem.type = folio_type::shmem;
        shmem.dirty = true;
        const family families[] = {
            {"lazyfree anon (MADV_FREE, clean: discarded)", lazyfree},
            {"file (page cache, clean)", file},
            {"swap-backed anon in the swap cache, PageAnonExclusive on every page (dirty, "
             "writable)",
             anon_all},
            {"swap-backed anon, mixed PageAnonExclusive (every 4th page not exclusive; dirty, "
             "read-only)",
             anon_mixed},
            {"shmem (dirty)", shmem},
        };

        std::printf("cost model: per-folio op counts, one try_to_unmap() of one folio mapped once, "
                    "folio-aligned, every page present+young; TTU_BATCH_FLUSH (+SPLIT_HUGE_PMD at "
                    "order 9); counts include the try_to_unmap_flush() reclaim does after it.\n"
                    "columns: PTE reads/writes, atomics (counter/refcount/mapcount updates), TLB "
                    "flush calls (flush_tlb_range() calls plus deferred-flush registrations) and "
                    "pages flushed, page_vma_mapped_walk steps, rmap calls, mmu-notifier calls, "
                    "batches (get_and_clear_full_ptes calls), ns (wall time of the call alone, "
                    "best of three trials)\n");
        for (const family &f : families) {
                std::printf("\n== %s ==\n", f.title);
                print_header();
                for (int o : orders) {
                        shape sh = f.sh;
                        sh.ttu = uf::TTU_BATCH_FLUSH;
                        sh.order = o;
                        side_pair p = run_pair(sh);
                        std::printf("%-5d %-6s ", o, size_name(uf::PAGE_SIZE << o).c_str());
                        print_counts("reference", p.ref, 1, 0);
                        std::printf("%-5s %-6s ", "", "");
                        print_counts("batched", p.bat, 1, 0);
                        std::printf("%-5s %-6s ", "", "");
                        print_ratio(p.ref, p.bat);
                }
        }

        // The kernel series' own workloads: one folio run, multiplied.
        struct workload {
                const char *title;
                shape sh;
                int order;
                unsigned long total_bytes;
        };
        const workload workloads[] = {
            {"swap-out of 256 MiB of 64 KiB anon folios (swap-backed anon batching series)",
             anon_all, 4, 256UL << 20},
            {"swap-out of 256 MiB of 64 KiB anon folios, mixed PageAnonExclusive", anon_mixed, 4,
             256UL << 20},
            {"reclaim of 10 GiB of 64 KiB file folios (Baolin Wang's file batching)", file, 4,
             10UL << 30},
            {"reclaim of 10 GiB of 2 MiB file folios, PTE-mapped (Baolin Wang's file batching)",
             file, 9, 10UL << 30},
            {"reclaim of 1 GiB of 64 KiB lazyfree folios (Barry Song's lazyfree batching)",
             lazyfree, 4, 1UL << 30},
            {"reclaim of 10 GiB of 2 MiB file folios, PMD-mapped (split, then unmapped)", file_pmd,
             9, 10UL << 30},
            {"reclaim of 1 GiB of 2 MiB lazyfree folios, PMD-mapped (batched: discarded unsplit)",
             lazyfree_pmd, 9, 1UL << 30},
        };
        std::printf(
            "\n== kernel-series workloads: ONE folio is run and its counts multiplied by the "
            "number of folios (TLB flush calls are therefore per-folio upper bounds: real "
            "reclaim defers one flush over many folios) ==\n");
        std::printf("%-5s %-6s %-9s", "folios", "", "side");
        for (int i = 0; i < NR_COLS; i++)
                std::printf(" %9s", i == NR_COLS - 1 ? "ms" : col_names[i]);
        std::printf("\n");
        for (const workload &w : workloads) {
                shape sh = w.sh;
                sh.order = w.order;
                sh.ttu = uf::TTU_BATCH_FLUSH;
                unsigned long folio_bytes = uf::PAGE_SIZE << w.order;
                double n = static_cast<double>(w.total_bytes / folio_bytes);
                side_pair p = run_pair(sh);
                std::printf("-- %s: %.0f order-%d folios x per-folio counts\n", w.title, n,
                            w.order);
                counts ref = p.ref, bat = p.bat;
                ref.v[NR_COLS - 1] /= 1e6; // ns -> ms after the multiplication
                bat.v[NR_COLS - 1] /= 1e6;
                std::printf("%-5.0f %-6s ", n, size_name(w.total_bytes).c_str());
                print_counts("reference", ref, n, 1);
                std::printf("%-5s %-6s ", "", "");
                print_counts("batched", bat, n, 1);
                std::printf("%-5s %-6s ", "", "");
                print_ratio(ref, bat);
        }
        return g_unclean ? 1 : 0;
}
