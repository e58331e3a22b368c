// The committed scenario corpus (corpus/seeds and corpus/regression) as a
// test suite. For every *.scn file, one test each:
//
//   Replay          the oracle passes it on this (clean) build;
//   TextRoundTrip   parse(print(s)) == s, and the file is canonical: with its
//                   comments stripped it is exactly print_scenario(s);
//   BinaryRoundTrip decode(encode(s)) == s without a clamp;
//   Deterministic   two runs, in separate run_result objects and with another
//                   scenario run in between, end in the same worlds, compared
//                   field by field (slots, TLB, folio, counters, swap counts,
//                   notifier ranges, event trace, batches, op counters).
//
// Regression files may carry "# expect: KIND class" as their first comment:
// they fail only on a patched (bug-zoo) build, so here they must pass too.
// Seeds must not: they are general coverage scenarios.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "mm/events.h"
#include "mm/world.h"
#include "oracle/expect.h"
#include "oracle/harness.h"
#include "oracle/invariants.h"
#include "oracle/oracle.h"
#include "report/report.h"
#include "scenario/scenario.h"
#include "scenario/scenario_binary.h"
#include "scenario/scenario_text.h"
#include "scenario/world_view.h"

namespace
{

namespace fs = std::filesystem;

const fs::path SOURCE_DIR = UNMAPFUZZ_SOURCE_DIR;
const fs::path SEEDS_DIR = SOURCE_DIR / "corpus" / "seeds";
const fs::path REGRESSION_DIR = SOURCE_DIR / "corpus" / "regression";

std::vector<std::string> scn_files(const fs::path &dir)
{
        std::vector<std::string> files;
        std::error_code ec;
        if (!fs::is_directory(dir, ec))
                return files;
        for (const fs::directory_entry &e : fs::directory_iterator(dir, ec))
                if (e.is_regular_file() && e.path().extension() == ".scn")
                        files.push_back(e.path().string());
        std::sort(files.begin(), files.end());
        return files;
}

std::vector<std::string> seed_files()
{
        return scn_files(SEEDS_DIR);
}

std::vector<std::string> regression_files()
{
        return scn_files(REGRESSION_DIR);
}

std::vector<std::string> corpus_files()
{
        std::vector<std::string> files = seed_files();
        std::vector<std::string> regression = regression_files();
        files.insert(files.end(), regression.begin(), regression.end());
        return files;
}

// "seeds_s01_lazyfree_order4_discard": the directory and the stem, anything
// but [A-Za-z0-9] turned into '_' (GoogleTest accepts nothing else).
std::string test_name(const testing::TestParamInfo<std::string> &info)
{
        fs::path p(info.param);
        std::string name = p.parent_path().filename().string() + "_" + p.stem().string();
        for (char &c : name)
                if (!std::isalnum(static_cast<unsigned char>(c)))
                        c = '_';
        return name;
}

std::string read_text(const std::string &path)
{
        std::ifstream in(path, std::ios::binary);
        std::ostringstream out;
        out << in.rdbuf();
        return out.str();
}

// The file without its comments: comment-only and blank lines dropped, a
// trailing "# ..." and trailing blanks cut. For a canonical file this is
// exactly what print_scenario() produces.
std::string strip_comments(const std::string &text)
{
        std::string out;
        std::istringstream in(text);
        std::string line;
        while (std::getline(in, line)) {
                line = line.substr(0, line.find('#'));
                size_t end = line.find_last_not_of(" \t\r\v\f");
                if (end == std::string::npos)
                        continue;
                out += line.substr(0, end + 1) + "\n";
        }
        return out;
}

// The first comment line's text after "# " ("" when the file has none).
std::string first_comment(const std::string &text)
{
        std::istringstream in(text);
        std::string line;
        while (std::getline(in, line)) {
                size_t i = line.find_first_not_of(" \t");
                if (i != std::string::npos && line[i] == '#') {
                        std::string c = line.substr(i + 1);
                        size_t j = c.find_first_not_of(" \t");
                        return j == std::string::npos ? "" : c.substr(j);
                }
        }
        return "";
}

uf::scenario load(const std::string &path)
{
        uf::scenario s;
        uf::parse_error err;
        EXPECT_TRUE(uf::load_scenario_file(path, &s, &err)) << err.what();
        return s;
}

// ---- end-state comparison ----

// Collects the first difference, with its location, and stops comparing.
class differ
{
      public:
        explicit differ(std::string *why) : why_(why) {}

        template <typename T> bool same(const T &a, const T &b, const std::string &what)
        {
                if (failed_ || a == b)
                        return !failed_;
                return fail(what);
        }
        bool same_str(const char *a, const char *b, size_t n, const std::string &what)
        {
                if (failed_ || std::strncmp(a, b, n) == 0)
                        return !failed_;
                return fail(what);
        }
        bool fail(const std::string &what)
        {
                if (!failed_ && why_)
                        *why_ = what;
                failed_ = true;
                return false;
        }
        bool ok() const { return !failed_; }

      private:
        std::string *why_;
        bool failed_ = false;
};

std::string hex(unsigned long v)
{
        char buf[32];
        std::snprintf(buf, sizeof(buf), "%#lx", v);
        return buf;
}

bool same_tlb(const uf::tlb_entry &a, const uf::tlb_entry &b)
{
        return a.cached == b.cached && a.dirty == b.dirty && a.pending == b.pending &&
               a.pfn == b.pfn;
}

void compare_folio(const uf::folio &f, const uf::folio &g, differ &d)
{
        d.same(f.pfn, g.pfn, "folio pfn");
        d.same(f.order, g.order, "folio order");
        d.same(f.anon, g.anon, "folio anon");
        d.same(f.swapbacked, g.swapbacked, "folio swapbacked");
        d.same(f.swapcache, g.swapcache, "folio swapcache");
        d.same(f.dirty, g.dirty, "folio dirty");
        d.same(f.mlocked, g.mlocked, "folio mlocked");
        d.same(f.device_private, g.device_private, "folio device_private");
        d.same(f.partially_mapped, g.partially_mapped, "folio partially_mapped");
        d.same(f.on_deferred_split, g.on_deferred_split, "folio on_deferred_split");
        d.same(f.pincount, g.pincount, "folio pincount");
        d.same(f.refcount, g.refcount, "folio refcount");
        d.same(f.large_mapcount, g.large_mapcount, "folio large_mapcount");
        d.same(f.entire_mapcount, g.entire_mapcount, "folio entire_mapcount");
        d.same(f.mlock_count, g.mlock_count, "folio mlock_count");
        d.same(f.split_deferred, g.split_deferred, "folio split_deferred");
        for (int i = 0; i < uf::MAX_FOLIO_PAGES; i++)
                d.same(f.mapcount[i], g.mapcount[i], "mapcount of page " + std::to_string(i));
        d.same(f.anon_exclusive, g.anon_exclusive, "PageAnonExclusive");
        d.same(f.hwpoison, g.hwpoison, "PageHWPoison");
        d.same(f.swap, g.swap, "folio->swap");
        d.same(f.index, g.index, "folio index");
}

void compare_mms(const uf::world &x, const uf::world &y, differ &d)
{
        d.same(x.nr_mms, y.nr_mms, "nr_mms");
        for (int m = 0; m < x.nr_mms && m < uf::MAX_MMS && d.ok(); m++) {
                const uf::mm_struct &a = x.mms[m], &b = y.mms[m];
                std::string mm = "mm " + std::to_string(m) + " ";
                d.same(a.id, b.id, mm + "id");
                for (int c = 0; c < uf::NR_MM_COUNTERS; c++)
                        d.same(a.rss_stat[c], b.rss_stat[c],
                               mm + "rss counter " + std::to_string(c));
                d.same(a.on_mmlist, b.on_mmlist, mm + "on_mmlist");
                d.same(a.tlb_flush_batched, b.tlb_flush_batched, mm + "tlb_flush_batched");
                for (unsigned long p = 0; p < uf::PMDS_PER_MM; p++) {
                        std::string pmd = mm + "pmd " + std::to_string(p) + " ";
                        d.same(a.pmd[p].kind, b.pmd[p].kind, pmd + "kind");
                        d.same(a.pmd[p].table, b.pmd[p].table, pmd + "table");
                        d.same(a.pmd[p].huge, b.pmd[p].huge, pmd + "huge entry");
                        d.same(a.pmd[p].deposit, b.pmd[p].deposit, pmd + "deposit");
                }
        }
}

void compare_vmas(const uf::world &x, const uf::world &y, differ &d)
{
        d.same(x.nr_vmas, y.nr_vmas, "nr_vmas");
        for (int v = 0; v < x.nr_vmas && v < uf::MAX_VMAS && d.ok(); v++) {
                const uf::vm_area_struct &a = x.vmas[v], &b = y.vmas[v];
                std::string vma = "vma " + std::to_string(v) + " ";
                d.same(a.vm_start, b.vm_start, vma + "vm_start");
                d.same(a.vm_end, b.vm_end, vma + "vm_end");
                d.same(a.vm_pgoff, b.vm_pgoff, vma + "vm_pgoff");
                d.same(a.vm_flags, b.vm_flags, vma + "vm_flags");
                d.same(a.anonymous, b.anonymous, vma + "anonymous");
                d.same(a.pmd_mapped, b.pmd_mapped, vma + "pmd_mapped");
                d.same(uf::vma_mm_index(x, a), uf::vma_mm_index(y, b), vma + "mm");
        }
}

// Every slot of every VMA as the oracle sees it (huge PMDs as 512 ptes), with
// its cached translation; then every table the worlds own, deposited ones
// included, entry by entry.
void compare_slots(const uf::world &x, const uf::world &y, differ &d)
{
        for (int v = 0; v < x.nr_vmas && v < uf::MAX_VMAS && d.ok(); v++) {
                const uf::vm_area_struct &vma = x.vmas[v];
                int mm = uf::vma_mm_index(x, vma);
                for (unsigned long a = vma.vm_start; a < vma.vm_end && d.ok(); a += uf::PAGE_SIZE) {
                        std::string where = "vma " + std::to_string(v) + " slot " + hex(a);
                        bool hx = false, hy = false;
                        d.same(uf::slot_at(x, mm, a, &hx), uf::slot_at(y, mm, a, &hy), where);
                        d.same(hx, hy, where + " (huge)");
                        const uf::tlb_entry *tx = uf::tlb_at(x, mm, a), *ty = uf::tlb_at(y, mm, a);
                        if ((tx == nullptr) != (ty == nullptr) || (tx && !same_tlb(*tx, *ty)))
                                d.fail(where + " TLB entry");
                }
        }
        d.same(x.nr_tables, y.nr_tables, "nr_tables");
        for (int t = 0; t < x.nr_tables && t < uf::MAX_TABLES && d.ok(); t++) {
                std::string table = "table " + std::to_string(t);
                d.same(x.table_mm[t], y.table_mm[t], table + " mm");
                d.same(x.table_pmd[t], y.table_pmd[t], table + " pmd");
                for (unsigned long i = 0; i < uf::PTRS_PER_PTE && d.ok(); i++) {
                        std::string slot = table + " slot " + std::to_string(i);
                        d.same(x.tables[t][i], y.tables[t][i], slot);
                        if (!same_tlb(x.tlb[t][i], y.tlb[t][i]))
                                d.fail(slot + " TLB entry");
                }
        }
}

void compare_logs(const uf::world &x, const uf::world &y, differ &d)
{
        d.same(x.tlb_ubc_flush_required, y.tlb_ubc_flush_required, "tlb_ubc flush_required");
        d.same(x.tlb_ubc_writable, y.tlb_ubc_writable, "tlb_ubc writable");
        d.same(x.nr_notifier, y.nr_notifier, "number of notifier ranges");
        for (int i = 0; i < std::min(x.nr_notifier, uf::MAX_NOTIFIER_LOG) && d.ok(); i++)
                d.same(x.notifier_log[i], y.notifier_log[i], "notifier range " + std::to_string(i));
        d.same(x.cur_start, y.cur_start, "notifier cur_start");
        d.same(x.cur_end, y.cur_end, "notifier cur_end");
        d.same(x.nr_events, y.nr_events, "nr_events");
        for (int i = 0; i < std::min(x.nr_events, uf::MAX_EVENTS) && d.ok(); i++)
                d.same(x.events[i], y.events[i], "planned event " + std::to_string(i));
        d.same(x.event_fired, y.event_fired, "event_fired bits");
        d.same(x.nr_fired, y.nr_fired, "number of fired events");
        for (int i = 0; i < std::min(x.nr_fired, uf::MAX_EVENTS) && d.ok(); i++)
                d.same(x.fired[i], y.fired[i], "fired event " + std::to_string(i));
        d.same(x.page_cleared, y.page_cleared, "page_cleared");
        d.same(x.stale_written, y.stale_written, "stale_written");
        d.same(x.nr_clears, y.nr_clears, "number of batches cleared");
        for (int i = 0; i < std::min(x.nr_clears, uf::MAX_CLEAR_LOG) && d.ok(); i++)
                d.same(x.clear_log[i], y.clear_log[i], "cleared batch " + std::to_string(i));
        d.same(x.nr_pending, y.nr_pending, "number of pending flush ranges");
        for (int i = 0; i < std::min(x.nr_pending, uf::MAX_PENDING_LOG) && d.ok(); i++)
                d.same(x.pending_log[i], y.pending_log[i], "pending range " + std::to_string(i));
        d.same(x.ubc_required_at_return, y.ubc_required_at_return, "flush required at return");
        d.same(x.ubc_writable_at_return, y.ubc_writable_at_return, "flush writable at return");
        d.same(x.reclaimed, y.reclaimed, "reclaimed");
        d.same(x.written_back, y.written_back, "written_back");
        d.same(x.pageout_result, y.pageout_result, "pageout result");
        d.same(x.writable_at_writeback, y.writable_at_writeback, "writable_at_writeback");
        d.same(x.written_after_writeback, y.written_after_writeback, "written_after_writeback");
        d.same(x.nr_trace, y.nr_trace, "number of trace records");
        d.same(x.trace_dropped, y.trace_dropped, "trace records dropped");
        for (int i = 0; i < std::min(x.nr_trace, uf::MAX_TRACE) && d.ok(); i++)
                d.same(x.trace[i], y.trace[i], "trace record " + std::to_string(i));
}

void compare_ops(const uf::op_counters &a, const uf::op_counters &b, differ &d)
{
        d.same(a.pte_reads, b.pte_reads, "ops.pte_reads");
        d.same(a.pte_writes, b.pte_writes, "ops.pte_writes");
        d.same(a.atomics, b.atomics, "ops.atomics");
        d.same(a.tlb_flush_calls, b.tlb_flush_calls, "ops.tlb_flush_calls");
        d.same(a.tlb_flush_pages, b.tlb_flush_pages, "ops.tlb_flush_pages");
        d.same(a.walk_steps, b.walk_steps, "ops.walk_steps");
        d.same(a.rmap_calls, b.rmap_calls, "ops.rmap_calls");
        d.same(a.notifier_calls, b.notifier_calls, "ops.notifier_calls");
}

// Everything a run can leave in a world, field by field; *why names the first
// difference (with its page, slot address or log index).
bool same_world(const uf::world &x, const uf::world &y, std::string *why)
{
        differ d(why);
        d.same(x.arch, y.arch, "arch");
        compare_folio(x.folio, y.folio, d);
        compare_mms(x, y, d);
        compare_vmas(x, y, d);
        if (d.ok())
                compare_slots(x, y, d);
        for (int i = 0; i < uf::MAX_FOLIO_PAGES; i++)
                d.same(x.swap_count[i], y.swap_count[i], "swap count of page " + std::to_string(i));
        d.same(x.unowned_refs, y.unowned_refs, "unowned_refs");
        d.same(x.gup_refs, y.gup_refs, "gup_refs");
        compare_logs(x, y, d);
        compare_ops(x.ops, y.ops, d);
        d.same(x.violations, y.violations, "violations");
        d.same_str(x.violation_detail, y.violation_detail, sizeof(x.violation_detail),
                   "violation detail");
        return d.ok();
}

bool same_side(const uf::side_result &a, const uf::side_result &b, std::string *why)
{
        differ d(why);
        d.same(a.ret, b.ret, "return value");
        d.same(a.inv.bits, b.inv.bits, "invariant bits");
        d.same(a.inv.first, b.inv.first, "first invariant");
        d.same_str(a.inv.detail, b.inv.detail, sizeof(a.inv.detail), "invariant detail");
        return d.ok() && same_world(a.after, b.after, why);
}

bool same_verdict(const uf::verdict &a, const uf::verdict &b, std::string *why)
{
        differ d(why);
        d.same(a.kind, b.kind, "verdict kind");
        d.same(a.side, b.side, "verdict side");
        d.same(a.inv, b.inv, "verdict invariant");
        d.same(a.div, b.div, "verdict divergence");
        d.same(a.allowed.bits, b.allowed.bits, "allowed differences");
        d.same_str(a.detail, b.detail, sizeof(a.detail), "verdict detail");
        return d.ok();
}

void expect_same_run(const uf::run_result &a, const uf::run_result &b, const char *label)
{
        std::string why;
        EXPECT_TRUE(same_world(a.before, b.before, &why)) << label << ": world before: " << why;
        why.clear();
        EXPECT_TRUE(same_side(a.ref, b.ref, &why)) << label << ": reference: " << why;
        why.clear();
        EXPECT_TRUE(same_side(a.bat, b.bat, &why)) << label << ": batched: " << why;
        why.clear();
        EXPECT_TRUE(same_verdict(a.v, b.v, &why)) << label << ": " << why;
}

// same_world() itself: identical worlds compare equal, and a change to any
// one of the fields below is found and named.
TEST(SameWorld, FindsEveryKindOfDifference)
{
        // A run that fired an event and cleared a batch in a PTE table.
        auto r = std::make_unique<uf::run_result>();
        int table = -1;
        unsigned long idx = 0;
        for (const std::string &path : seed_files()) {
                uf::run_scenario(load(path), r.get());
                const uf::world &x = r->ref.after;
                if (!x.nr_fired || !x.nr_clears || !x.nr_notifier)
                        continue;
                const uf::clear_record &c = x.clear_log[0];
                const uf::pmd_t &pmd = x.mms[c.mm].pmd[c.addr >> uf::PMD_SHIFT];
                if (pmd.kind != uf::pmd_kind::table)
                        continue;
                table = pmd.table;
                idx = uf::pte_index(c.addr);
                break;
        }
        ASSERT_GE(table, 0) << "no seed fires an event and clears a batch";
        const uf::world &w = r->ref.after;
        std::string why;
        ASSERT_TRUE(same_world(w, w, &why)) << why;

        struct mutation {
                const char *name;
                void (*apply)(uf::world &, int table, unsigned long idx);
        };
        const mutation mutations[] = {
            {"slot", [](uf::world &x, int t, unsigned long i) { x.tables[t][i].bits ^= 1; }},
            {"TLB entry", [](uf::world &x, int t, unsigned long i) { x.tlb[t][i].dirty ^= 1; }},
            {"mapcount", [](uf::world &x, int, unsigned long) { x.folio.mapcount[3]++; }},
            {"PageAnonExclusive",
             [](uf::world &x, int, unsigned long) { x.folio.anon_exclusive.flip(2); }},
            {"refcount", [](uf::world &x, int, unsigned long) { x.folio.refcount++; }},
            {"rss counter", [](uf::world &x, int, unsigned long) { x.mms[0].rss_stat[1]++; }},
            {"swap count", [](uf::world &x, int, unsigned long) { x.swap_count[5]++; }},
            {"notifier", [](uf::world &x, int, unsigned long) { x.notifier_log[0].end++; }},
            {"fired event", [](uf::world &x, int, unsigned long) { x.fired[0].when++; }},
            {"cleared batch", [](uf::world &x, int, unsigned long) { x.clear_log[0].nr++; }},
            {"ops", [](uf::world &x, int, unsigned long) { x.ops.walk_steps++; }},
            {"trace", [](uf::world &x, int, unsigned long) { x.trace[0].value++; }},
            {"pending flush", [](uf::world &x, int, unsigned long) { x.nr_pending++; }},
            {"writeback",
             [](uf::world &x, int, unsigned long) { x.written_after_writeback.flip(1); }},
        };
        for (const mutation &m : mutations) {
                auto copy = std::make_unique<uf::world>(w);
                m.apply(*copy, table, idx);
                why.clear();
                EXPECT_FALSE(same_world(w, *copy, &why))
                    << "a changed " << m.name << " went unseen";
                EXPECT_FALSE(why.empty()) << m.name;
        }
}

// ---- the per-file tests ----

class CorpusFile : public testing::TestWithParam<std::string>
{
};

TEST_P(CorpusFile, Replay)
{
        uf::scenario s = load(GetParam());
        auto r = std::make_unique<uf::run_result>();
        uf::run_scenario(s, r.get());
        ASSERT_TRUE(r->v.ok()) << GetParam() << ": " << r->v.kind_name() << " " << r->v.class_name()
                               << ": " << r->v.detail;
        // The file's kernel-derived expectations hold on both sides.
        std::vector<uf::expectation> expect;
        uf::parse_error err;
        ASSERT_TRUE(uf::parse_expectations(read_text(GetParam()), GetParam(), s, &expect, &err))
            << err.what();
        for (const std::string &u : uf::check_expectations(expect, *r))
                ADD_FAILURE() << GetParam() << ": " << u;
}

// repro --json of every corpus file parses, says "schema": 1, and holds
// enough to rebuild the text report's view: every slot's row character
// follows from its kind, page and bits alone, and matches the world's;
// per-page counts, refcount, counters and the verdict match the run.
char char_from_json(const nlohmann::json &slot)
{
        if (slot["huge"].get<bool>())
                return '#';
        std::string kind = slot["kind"];
        const nlohmann::json &b = slot["bits"];
        if (kind == "none")
                return '.';
        if (kind == "present") {
                if (slot["page"].is_null())
                        return 'f';
                return b["dirty"].get<bool>() ? 'D' : b["write"].get<bool>() ? 'W' : 'P';
        }
        if (kind == "swap")
                return 'S';
        if (kind == "marker")
                return 'M';
        if (kind == "device-exclusive")
                return 'X';
        if (kind == "device-private")
                return 'V';
        if (kind == "hwpoison")
                return 'H';
        return '?';
}

void expect_world_json(const nlohmann::json &j, const uf::world &w, const std::string &who)
{
        const nlohmann::json &f = j["folio"];
        EXPECT_EQ(f["refcount"].get<int>(), w.folio.refcount) << who;
        EXPECT_EQ(f["dirty"].get<bool>(), w.folio.dirty) << who;
        EXPECT_EQ(f["swapbacked"].get<bool>(), w.folio.swapbacked) << who;
        ASSERT_EQ(f["pages"].size(), uf::folio_nr_pages(&w.folio)) << who;
        for (size_t p = 0; p < f["pages"].size(); p++) {
                const nlohmann::json &page = f["pages"][p];
                EXPECT_EQ(page["mapcount"].get<int>(), w.folio.mapcount[p]) << who << " page " << p;
                EXPECT_EQ(page["anon_exclusive"].get<bool>(), w.folio.anon_exclusive.test(p))
                    << who << " page " << p;
                EXPECT_EQ(page["hwpoison"].get<bool>(), w.folio.hwpoison.test(p)) << who;
                EXPECT_EQ(page["swap_count"].get<int>(), w.swap_count[p]) << who;
        }
        ASSERT_EQ(j["mms"].size(), static_cast<size_t>(w.nr_mms)) << who;
        for (int m = 0; m < w.nr_mms; m++)
                for (int c = 0; c < uf::NR_MM_COUNTERS; c++)
                        EXPECT_EQ(j["mms"][m]["rss"][uf::mm_counter_name(c)].get<long>(),
                                  w.mms[m].rss_stat[c])
                            << who << " mm " << m;
        ASSERT_EQ(j["vmas"].size(), static_cast<size_t>(w.nr_vmas)) << who;
        for (int v = 0; v < w.nr_vmas; v++) {
                const nlohmann::json &vma = j["vmas"][v];
                int mm = vma["mm"];
                unsigned long start, end;
                uf::row_span(w, v, &start, &end);
                ASSERT_EQ(vma["slots"].size(), (end - start) / uf::PAGE_SIZE) << who;
                for (const nlohmann::json &slot : vma["slots"]) {
                        unsigned long addr = slot["addr"];
                        char c = char_from_json(slot);
                        EXPECT_EQ(std::string(1, c), slot["char"].get<std::string>()) << who;
                        EXPECT_EQ(c, uf::slot_char(w, mm, addr)) << who << " " << hex(addr);
                }
        }
        EXPECT_EQ(j["tlb_flush"]["writable_at_return"].get<bool>(), w.ubc_writable_at_return);
        EXPECT_EQ(j["trace"].size(), static_cast<size_t>(w.nr_trace)) << who;
}

TEST_P(CorpusFile, JsonReport)
{
        uf::scenario s = load(GetParam());
        auto r = std::make_unique<uf::run_result>();
        uf::run_scenario(s, r.get());
        nlohmann::json j = nlohmann::json::parse(uf::json_report(s, *r));
        EXPECT_EQ(j["schema"].get<int>(), 1);
        EXPECT_EQ(j["verdict"]["ok"].get<bool>(), r->v.ok());
        EXPECT_EQ(j["verdict"]["class"].get<std::string>(), r->v.class_name());
        EXPECT_EQ(j["scenario"].get<std::string>(), uf::print_scenario(s));
        expect_world_json(j["before"], r->before, "before");
        ASSERT_EQ(j["sides"].size(), 2u);
        const uf::side_result *sides[] = {&r->ref, &r->bat};
        const uf::implementation impls[] = {uf::implementation::reference,
                                            uf::implementation::batched};
        for (int i = 0; i < 2; i++) {
                const nlohmann::json &side = j["sides"][i];
                EXPECT_EQ(side["name"].get<std::string>(), uf::implementation_name(impls[i]));
                EXPECT_EQ(side["result"]["return"].get<bool>(), sides[i]->ret);
                EXPECT_EQ(side["result"]["invariants"]["ok"].get<bool>(), sides[i]->inv.ok());
                expect_world_json(side["result"]["after"], sides[i]->after,
                                  uf::implementation_name(impls[i]));
        }
}

TEST_P(CorpusFile, TextRoundTrip)
{
        std::string text = read_text(GetParam());
        uf::scenario s;
        uf::parse_error err;
        ASSERT_TRUE(uf::parse_scenario(text, GetParam(), &s, &err)) << err.what();
        std::string printed = uf::print_scenario(s);
        uf::scenario again;
        ASSERT_TRUE(uf::parse_scenario(printed, "printed", &again, &err)) << err.what() << "\n"
                                                                          << printed;
        EXPECT_TRUE(again == s) << "parse(print(s)) != s:\n" << printed;
        EXPECT_EQ(uf::print_scenario(again), printed);
        // The committed text is the canonical spelling, comments aside.
        EXPECT_EQ(strip_comments(text), printed);
}

TEST_P(CorpusFile, BinaryRoundTrip)
{
        uf::scenario s = load(GetParam());
        std::vector<uint8_t> bytes = uf::encode_scenario(s);
        EXPECT_LE(bytes.size(), uf::MAX_INPUT_SIZE);
        uf::decode_stats ds{};
        uf::scenario again = uf::decode_scenario(bytes.data(), bytes.size(), &ds);
        EXPECT_EQ(ds.clamps, 0);
        EXPECT_FALSE(ds.truncated);
        EXPECT_TRUE(again == s) << uf::print_scenario(again);
        EXPECT_EQ(uf::encode_scenario(again), bytes);
}

// Two runs of one scenario agree on everything; nothing may depend on
// addresses, time, or state a previous run left behind (the second run
// reuses a run_result that has just run another scenario).
TEST_P(CorpusFile, Deterministic)
{
        uf::scenario s = load(GetParam());
        // In between: the biggest other world of the corpus (order, VMAs, events),
        // so that anything it leaves behind has the best chance to show.
        std::string other_path;
        uf::scenario other;
        for (const std::string &f : corpus_files()) {
                if (f == GetParam())
                        continue;
                uf::scenario o = load(f);
                auto size = [](const uf::scenario &x) {
                        return std::tuple(x.order, x.nr_vmas, x.nr_events);
                };
                if (other_path.empty() || size(o) > size(other)) {
                        other_path = f;
                        other = o;
                }
        }
        ASSERT_FALSE(other_path.empty());

        auto first = std::make_unique<uf::run_result>();
        auto second = std::make_unique<uf::run_result>();
        auto reused = std::make_unique<uf::run_result>();
        uf::run_scenario(s, first.get());
        uf::run_scenario(other, reused.get());
        uf::run_scenario(s, second.get());
        uf::run_scenario(s, reused.get());
        expect_same_run(*first, *second, "fresh runs");
        expect_same_run(*first, *reused, "run after another scenario");
}

INSTANTIATE_TEST_SUITE_P(Scn, CorpusFile, testing::ValuesIn(corpus_files()), test_name);

// ---- whole-corpus tests ----

TEST(CorpusSeeds, CoverEveryEventKindAndFolioType)
{
        std::vector<std::string> seeds = seed_files();
        EXPECT_GE(seeds.size(), 20u);
        constexpr int NR_KINDS = static_cast<int>(uf::event_kind::NR_EVENT_KINDS);
        constexpr int NR_TYPES = static_cast<int>(uf::folio_type::NR_FOLIO_TYPES);
        bool event_seen[NR_KINDS] = {};
        bool type_seen[NR_TYPES] = {};
        auto r = std::make_unique<uf::run_result>();
        for (const std::string &path : seeds) {
                uf::scenario s = load(path);
                type_seen[static_cast<int>(s.type)] = true;
                uf::run_scenario(s, r.get());
                for (const uf::world *w : {&r->ref.after, &r->bat.after})
                        for (int i = 0; i < std::min(w->nr_fired, uf::MAX_EVENTS); i++)
                                event_seen[static_cast<int>(w->fired[i].kind)] = true;
        }
        for (int k = 0; k < NR_KINDS; k++)
                EXPECT_TRUE(event_seen[k])
                    << "no seed fires " << uf::event_name(static_cast<uf::event_kind>(k));
        for (int t = 0; t < NR_TYPES; t++)
                EXPECT_TRUE(type_seen[t]) << "no seed has folio type " << t;
}

// Every seed says what it covers in its first comment, and none is a
// regression reproducer (an "# expect:" line, or the same scenario as one).
TEST(CorpusSeeds, AreDescribedCoverageScenarios)
{
        std::vector<std::vector<uint8_t>> reproducers;
        for (const std::string &path : regression_files())
                reproducers.push_back(uf::encode_scenario(load(path)));
        for (const std::string &path : seed_files()) {
                std::string comment = first_comment(read_text(path));
                EXPECT_FALSE(comment.empty()) << path << ": no comment saying what it covers";
                EXPECT_NE(comment.rfind("expect:", 0), 0u)
                    << path << ": a seed has no expected failure";
                std::vector<uint8_t> bytes = uf::encode_scenario(load(path));
                for (size_t i = 0; i < reproducers.size(); i++)
                        EXPECT_NE(bytes, reproducers[i])
                            << path << " is the reproducer " << regression_files()[i];
        }
}

// A regression that carries kernel-derived expectations ("# expect-after:")
// says in its first comment which kernel function they come from: it names
// one (a "name()") and the file it lives in.
TEST(CorpusRegressions, ExpectationsNameTheirKernelSource)
{
        int with = 0;
        for (const std::string &path : regression_files()) {
                std::string text = read_text(path);
                if (text.find("# expect-after:") == std::string::npos)
                        continue;
                with++;
                std::string comment = first_comment(text);
                EXPECT_NE(comment.find("()"), std::string::npos)
                    << path << ": the first comment names no kernel function";
                EXPECT_TRUE(comment.find("(mm/") != std::string::npos ||
                            comment.find("(include/") != std::string::npos)
                    << path << ": the first comment names no kernel source file";
        }
        EXPECT_GE(with, 5) << "the regressions of the reachability rules each have one";
}

// A wrong expectation is reported (the checker is not vacuous).
TEST(CorpusRegressions, UnmetExpectationIsReported)
{
        std::string path = (REGRESSION_DIR / "rmap_walk_pgoff_order.scn").string();
        uf::scenario s = load(path);
        auto r = std::make_unique<uf::run_result>();
        uf::run_scenario(s, r.get());
        std::vector<uf::expectation> e;
        uf::parse_error err;
        ASSERT_TRUE(uf::parse_expectations("# expect-after: pte vma=1 pages=0-7 present\n"
                                           "# expect-after: return true\n"
                                           "# expect-after: flush writable=1\n",
                                           "x", s, &e, &err))
            << err.what();
        std::vector<std::string> unmet = uf::check_expectations(e, *r);
        EXPECT_EQ(unmet.size(), 6u); // three lines, both sides
        EXPECT_NE(unmet[0].find("vma 1 page 0 is none"), std::string::npos) << unmet[0];
        EXPECT_FALSE(
            uf::parse_expectations("# expect-after: pte vma=9 pages=0 none\n", "x", s, &e, &err));
        EXPECT_EQ(err.what(), "x:1: no vma 9");
}

// A regression's "# expect: KIND class" names a failure class the oracle has.
TEST(CorpusRegressions, ExpectLinesNameRealClasses)
{
        for (const std::string &path : regression_files()) {
                std::string comment = first_comment(read_text(path));
                if (comment.rfind("expect:", 0) != 0)
                        continue;
                std::istringstream in(comment.substr(std::strlen("expect:")));
                std::string kind, cls, rest;
                in >> kind >> cls >> rest;
                EXPECT_TRUE(rest.empty()) << path << ": trailing text after the class";
                bool known = false;
                if (kind == "INVARIANT") {
                        for (int c = 0; c < static_cast<int>(uf::invariant::NR_INVARIANTS); c++)
                                known |= cls == uf::invariant_name(static_cast<uf::invariant>(c));
                } else if (kind == "DIVERGENCE") {
                        for (int c = 0; c < static_cast<int>(uf::divergence::NR_DIVERGENCES); c++)
                                known |= cls == uf::divergence_name(static_cast<uf::divergence>(c));
                }
                EXPECT_TRUE(known)
                    << path << ": unknown failure class '" << kind << " " << cls << "'";
        }
}

} // namespace
