#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <vector>

#include "mm/tlb.h"
#include "scenario/scenario.h"
#include "scenario/scenario_binary.h"

using namespace uf;

namespace
{

using bytes = std::vector<uint8_t>;

// Deterministic 64-bit LCG (Knuth's MMIX constants); the high bits are the output.
struct lcg {
        uint64_t state;
        explicit lcg(uint64_t seed) : state(seed) {}
        uint32_t next()
        {
                state = state * 6364136223846793005ULL + 1442695040888963407ULL;
                return static_cast<uint32_t>(state >> 33);
        }
        uint32_t below(uint32_t n) { return next() % n; }
};

scenario decode(const bytes &b, decode_stats *ds = nullptr)
{
        return decode_scenario(b.data(), b.size(), ds);
}

// Offset of section `sec` in an input whose section table is intact.
size_t section_offset(const bytes &b, int sec)
{
        size_t off = BINARY_PREAMBLE_SIZE;
        for (int i = 0; i < sec; i++)
                off += b[1 + 2 * i] | b[2 + 2 * i] << 8;
        return off;
}

size_t section_length(const bytes &b, int sec)
{
        return b[1 + 2 * sec] | b[2 + 2 * sec] << 8;
}

// The scenario must already be sanitized; it must survive encode + decode
// exactly, with no clamp and nothing missing.
void expect_round_trip(const scenario &s, size_t *size_out = nullptr)
{
        scenario copy = s;
        ASSERT_EQ(sanitize(copy), 0) << "test scenario is not sanitized";
        bytes b = encode_scenario(s);
        EXPECT_LE(b.size(), MAX_INPUT_SIZE);
        EXPECT_EQ(b[0], SCENARIO_BINARY_VERSION);
        decode_stats ds{-1, true};
        scenario d = decode(b, &ds);
        EXPECT_TRUE(d == s);
        EXPECT_EQ(ds.clamps, 0);
        EXPECT_FALSE(ds.truncated);
        EXPECT_TRUE(encode_scenario(d) == b);
        if (size_out)
                *size_out = b.size();
}

vma_spec make_vma(uint8_t mm, unsigned long start, unsigned long end, unsigned long folio_addr)
{
        vma_spec v;
        v.mm = mm;
        v.start = start;
        v.end = end;
        v.folio_addr = folio_addr;
        return v;
}

scenario order0_lazyfree()
{
        scenario s;
        s.type = folio_type::lazyfree;
        s.nr_vmas = 1;
        s.vmas[0] = make_vma(0, 0x200000, 0x210000, 0x201000);
        s.vmas[0].slot[0] = slot_spec{slot_kind::present, PTE_YOUNG};
        return s;
}

// Order 9, page-cache folio, one VMA (registered for uffd-wp) mapping all 512
// pages with no two neighbouring slots alike.
scenario distinct_512(int nr_vmas)
{
        static const slot_spec cycle[] = {
            {slot_kind::present, PTE_YOUNG},
            {slot_kind::swap, PTE_SOFT_DIRTY},
            {slot_kind::present, PTE_DIRTY | PTE_WRITE},
            {slot_kind::marker, PTE_UFFD_WP},
            {slot_kind::present, PTE_UFFD_WP | PTE_DIRTY},
            {slot_kind::foreign, PTE_PROTNONE},
            {slot_kind::swap, PTE_UFFD_WP},
            {slot_kind::none, 0},
            {slot_kind::present, PTE_PROTNONE | PTE_YOUNG},
        };
        scenario s;
        s.type = folio_type::file;
        s.order = 9;
        s.nr_mms = MAX_MMS;
        s.nr_vmas = static_cast<uint8_t>(nr_vmas);
        for (int v = 0; v < nr_vmas; v++) {
                // Two VMAs per mm, 1024 pages apart.
                unsigned long base = (v / MAX_MMS) * 1024 * PAGE_SIZE;
                s.vmas[v] = make_vma(static_cast<uint8_t>(v % MAX_MMS), base,
                                     base + MAX_FOLIO_PAGES * PAGE_SIZE, base);
                s.vmas[v].flags = VM_UFFD_WP;
                for (int i = 0; i < MAX_FOLIO_PAGES; i++)
                        s.vmas[v].slot[i] = cycle[(i + v) % 9];
                // The last page must not be `none`, or the encoder would drop it.
                s.vmas[v].slot[MAX_FOLIO_PAGES - 1] = {slot_kind::present, PTE_SOFT_DIRTY};
        }
        for (int i = 0; i < MAX_FOLIO_PAGES; i += 3)
                s.hwpoison.set(i);
        return s;
}

TEST(ScenarioBinary, EmptyInputDecodesToDefaultScenario)
{
        decode_stats ds{-1, false};
        scenario d = decode_scenario(nullptr, 0, &ds);
        EXPECT_TRUE(d == scenario{});
        EXPECT_EQ(ds.clamps, 0);
        EXPECT_TRUE(ds.truncated);
        scenario copy = d;
        EXPECT_EQ(sanitize(copy), 0);
        // The stats argument is optional.
        uint8_t one = SCENARIO_BINARY_VERSION;
        EXPECT_TRUE(decode_scenario(&one, 1) == scenario{});
}

TEST(ScenarioBinary, GoldenBytesPinTheFormat)
{
        scenario s = order0_lazyfree();
        s.nr_events = 1;
        s.events[0] = event{event_kind::gup_pin, 0};
        const bytes expected = {
            0x02,                                                       // version
            0x09, 0x00, 0x09, 0x00, 0x05, 0x00, 0x00, 0x00, 0x03, 0x00, // section lengths
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x01, 0x01,       // header
            0x00, 0x00, 0x02, 0x10, 0x02, 0x01, 0x02, 0x00, 0x00,       // vma 0
            0x01, 0x00, 0x00, 0x01, 0x04,                               // 1 run: 1 x present young
            0x02, 0x00, 0x00,                                           // gup_pin page 0
        };
        EXPECT_EQ(encode_scenario(s), expected);
        expect_round_trip(s);
}

TEST(ScenarioBinary, RoundTripOrder0Lazyfree)
{
        expect_round_trip(order0_lazyfree());
}

TEST(ScenarioBinary, RoundTripOrder4MixedKindsTwoMms)
{
        scenario s;
        s.type = folio_type::anon;
        s.order = 4;
        s.folio_flags = FOLIO_DIRTY | FOLIO_PINNED;
        s.extra_refs = 3;
        s.nr_mms = 2;
        s.nr_vmas = 2;
        // VMA 0 maps the whole folio, VMA 1 (another mm) only pages 4..11.
        s.vmas[0] = make_vma(0, 0x100000, 0x120000, 0x100000);
        s.vmas[0].flags = VM_UFFD_WP;
        s.vmas[1] = make_vma(1, 0x304000, 0x30c000, 0x300000);
        s.vmas[1].flags = VM_LOCKED;
        vma_spec &a = s.vmas[0], &b = s.vmas[1];
        a.slot[0] = {slot_kind::present, PTE_WRITE | PTE_DIRTY | PTE_YOUNG};
        s.pae.set(0);
        a.slot[1] = {slot_kind::present, PTE_YOUNG};
        a.slot[2] = {slot_kind::present, PTE_YOUNG};
        a.slot[3] = {slot_kind::swap, PTE_SWP_EXCLUSIVE | PTE_SOFT_DIRTY};
        for (int i = 4; i < 8; i++)
                a.slot[i] = {slot_kind::present, PTE_DIRTY};
        a.slot[8] = {slot_kind::marker, PTE_UFFD_WP};
        a.slot[9] = {slot_kind::device_exclusive, PTE_SOFT_DIRTY};
        s.pae.set(9);
        a.slot[10] = {slot_kind::present, PTE_UFFD_WP};
        a.slot[11] = {slot_kind::foreign, PTE_PROTNONE};
        a.slot[15] = {slot_kind::present, PTE_SOFT_DIRTY};
        for (int i = 4; i < 8; i++)
                b.slot[i] = {slot_kind::present, PTE_YOUNG | PTE_SOFT_DIRTY};
        b.slot[8] = {slot_kind::swap, 0};
        b.slot[11] = {slot_kind::present, PTE_WRITE};
        s.pae.set(11);
        expect_round_trip(s);
}

TEST(ScenarioBinary, RoundTripOrder9PmdVma)
{
        scenario s;
        s.type = folio_type::shmem;
        s.order = 9;
        s.ttu = TTU_SPLIT_HUGE_PMD | TTU_BATCH_FLUSH;
        s.nr_mms = 2;
        s.nr_vmas = 2;
        s.vmas[0] = make_vma(0, PMD_SIZE, 3 * PMD_SIZE, PMD_SIZE);
        s.vmas[0].pmd = true;
        for (int i = 0; i < MAX_FOLIO_PAGES; i++)
                s.vmas[0].slot[i] = {slot_kind::present, PTE_DIRTY | PTE_YOUNG};
        // The same folio PTE-mapped, straddling a PMD boundary, in mm 1.
        s.vmas[1] = make_vma(1, PMD_SIZE + 0x80000, 2 * PMD_SIZE + 0x100000, PMD_SIZE + 0x80000);
        for (int i = 0; i < MAX_FOLIO_PAGES; i++)
                s.vmas[1].slot[i] = {slot_kind::present,
                                     static_cast<uint8_t>(i % 7 ? 0 : PTE_YOUNG)};
        size_t size = 0;
        expect_round_trip(s, &size);
        std::printf("order 9 pmd + pte-mapped VMA: %zu bytes\n", size);
        EXPECT_LT(size, 600u);
}

TEST(ScenarioBinary, RoundTripEvents)
{
        scenario s = order0_lazyfree();
        s.order = 3;
        s.type = folio_type::file;
        s.vmas[0].folio_addr = 0x200000;
        s.nr_events = MAX_EVENTS;
        for (int e = 0; e < MAX_EVENTS; e++)
                s.events[e] =
                    event{static_cast<event_kind>(e % static_cast<int>(event_kind::NR_EVENT_KINDS)),
                          static_cast<uint16_t>((e * 5) % 8)};
        expect_round_trip(s);
}

TEST(ScenarioBinary, RoundTripPaeAndHwpoison)
{
        scenario s;
        s.type = folio_type::anon_nocache;
        s.order = 6;
        s.nr_vmas = 1;
        s.vmas[0] = make_vma(0, 0, 64 * PAGE_SIZE, 0);
        for (int i = 0; i < 64; i++) {
                bool exclusive = i % 3 != 0;
                s.vmas[0].slot[i] = {slot_kind::present,
                                     static_cast<uint8_t>(exclusive && i % 2 ? PTE_WRITE : 0)};
                if (exclusive)
                        s.pae.set(i);
                if (i % 5 == 0 || i == 63)
                        s.hwpoison.set(i);
        }
        expect_round_trip(s);
        // Only hwpoison on the last page: the bitmap section is not trimmed away.
        scenario t = s;
        t.pae.reset();
        for (int i = 0; i < 64; i++)
                t.vmas[0].slot[i].bits = 0;
        t.hwpoison.reset();
        t.hwpoison.set(63);
        expect_round_trip(t);
}

TEST(ScenarioBinary, RoundTripEveryTtuBit)
{
        for (unsigned bit = 1; bit & TTU_ALL_FLAGS; bit <<= 1) {
                scenario s = order0_lazyfree();
                s.ttu = bit;
                // TTU_HWPOISON comes with a poisoned page and memory failure's
                // other flags (unmap_poisoned_folio()).
                if (bit == TTU_HWPOISON) {
                        s.ttu |= TTU_IGNORE_MLOCK | TTU_SYNC;
                        s.hwpoison.set(0);
                }
                SCOPED_TRACE(bit);
                expect_round_trip(s);
        }
        scenario s = order0_lazyfree();
        s.ttu = TTU_ALL_FLAGS & ~TTU_HWPOISON;
        expect_round_trip(s);
}

TEST(ScenarioBinary, RoundTripSparcArch)
{
        scenario s = order0_lazyfree();
        s.arch = ARCH_SPARC_ADI;
        s.nr_events = 1;
        s.events[0] = event{event_kind::arch_unmap_fail, 0};
        expect_round_trip(s);
        EXPECT_EQ(encode_scenario(s)[BINARY_PREAMBLE_SIZE + 5], ARCH_SPARC_ADI);
}

TEST(ScenarioBinary, Distinct512PageFolioEncodesUnder2KB)
{
        size_t size = 0;
        expect_round_trip(distinct_512(1), &size);
        std::printf("512-page folio, 512 distinct runs, 1 VMA: %zu bytes\n", size);
        EXPECT_LT(size, 2048u);
}

TEST(ScenarioBinary, WorstCaseEightVmasFitsTheCap)
{
        size_t size = 0;
        expect_round_trip(distinct_512(MAX_VMAS), &size);
        std::printf("512-page folio, 512 distinct runs, 8 VMAs: %zu bytes\n", size);
        EXPECT_LE(size, MAX_INPUT_SIZE);
}

TEST(ScenarioBinary, UniformFolioIsCompact)
{
        scenario s;
        s.type = folio_type::file;
        s.order = 9;
        s.nr_vmas = 1;
        s.vmas[0] = make_vma(0, 0, TASK_SIZE, 0x100000);
        for (int i = 0; i < MAX_FOLIO_PAGES; i++)
                s.vmas[0].slot[i] = {slot_kind::present, PTE_YOUNG};
        size_t size = 0;
        expect_round_trip(s, &size);
        EXPECT_EQ(size, BINARY_PREAMBLE_SIZE + 9 + 9 + 2 + 2 * 3); // two runs of 256
}

TEST(ScenarioBinary, VersionByteMismatchCountsAClampButDecodes)
{
        scenario s = order0_lazyfree();
        bytes b = encode_scenario(s);
        for (int v : {0, 1, 3, 0x7f, 0xff}) {
                b[0] = static_cast<uint8_t>(v);
                decode_stats ds;
                scenario d = decode(b, &ds);
                EXPECT_TRUE(d == s) << v;
                EXPECT_EQ(ds.clamps, 1) << v;
                EXPECT_FALSE(ds.truncated);
        }
}

TEST(ScenarioBinary, UnknownTagsMapByModulo)
{
        bytes b = {
            0x02, 0x09, 0x00, 0x09, 0x00, 0x05, 0x00, 0x00, 0x00, 0x03, 0x00,
            // type 7, order 0, ..., arch 4, 1 mm, 1 VMA, 1 event
            0x07, 0x00, 0x00, 0x00, 0x00, 0x04, 0x01, 0x01, 0x01, 0x00, 0x00, 0x00, 0x10, 0x00,
            0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x09, 0x00, // one run of slot kind 9
            0x0b, 0x00, 0x00,                                     // event kind 11
        };
        decode_stats ds;
        scenario d = decode(b, &ds);
        EXPECT_EQ(d.type, folio_type::file);                   // 7 % 5
        EXPECT_EQ(d.arch, ARCH_SPARC_ADI);                     // 4 % 3
        EXPECT_EQ(d.vmas[0].slot[0].kind, slot_kind::foreign); // 9 % 7
        EXPECT_EQ(d.events[0].kind, event_kind::spec_ref);     // 11 % 8
        EXPECT_EQ(ds.clamps, 4);
        EXPECT_FALSE(ds.truncated);
}

TEST(ScenarioBinary, OversizedCountsAreClamped)
{
        scenario s = order0_lazyfree();
        bytes b = encode_scenario(s);
        size_t ptes = section_offset(b, SECTION_PTES);
        // 600 runs declared (more than MAX_FOLIO_PAGES), one run of 256 pages
        // then one of 256 + 1: the list runs past the folio.
        b.erase(b.begin() + static_cast<long>(ptes), b.begin() + static_cast<long>(ptes + 5));
        const bytes runs = {0x58, 0x02, 0x00, 0x01, 0x04, 0xff, 0x00, 0x00, 0xff, 0x00, 0x00};
        b.insert(b.begin() + static_cast<long>(ptes), runs.begin(), runs.end());
        b[1 + 2 * SECTION_PTES] = static_cast<uint8_t>(runs.size());
        // nr_vmas 200, nr_events 50.
        b[BINARY_PREAMBLE_SIZE + 7] = 200;
        b[BINARY_PREAMBLE_SIZE + 8] = 50;
        decode_stats ds;
        scenario d = decode(b, &ds);
        scenario copy = d;
        EXPECT_EQ(sanitize(copy), 0);
        EXPECT_LE(d.nr_vmas, MAX_VMAS);
        EXPECT_EQ(d.nr_events, MAX_EVENTS);
        EXPECT_EQ(d.vmas[0].slot[0], (slot_spec{slot_kind::present, PTE_YOUNG}));
        // nruns, runs past the folio, nr_vmas, nr_events, and then some.
        EXPECT_GE(ds.clamps, 4);
        EXPECT_TRUE(ds.truncated); // VMA and event records missing
}

TEST(ScenarioBinary, SectionLengthsPastTheEndAreCut)
{
        scenario s = order0_lazyfree();
        s.nr_events = 1;
        s.events[0] = event{event_kind::hw_dirty, 0};
        bytes b = encode_scenario(s);
        b[1 + 2 * SECTION_EVENTS] = 0xff;
        b[2 + 2 * SECTION_EVENTS] = 0xff;
        decode_stats ds;
        EXPECT_TRUE(decode(b, &ds) == s);
        EXPECT_EQ(ds.clamps, 1);
        EXPECT_TRUE(ds.truncated);
}

TEST(ScenarioBinary, TrailingBytesAreIgnored)
{
        scenario s = distinct_512(2);
        bytes b = encode_scenario(s);
        b.insert(b.end(), {0xde, 0xad, 0xbe, 0xef});
        decode_stats ds;
        EXPECT_TRUE(decode(b, &ds) == s);
        EXPECT_EQ(ds.clamps, 0);
        EXPECT_FALSE(ds.truncated);
}

TEST(ScenarioBinary, EveryPrefixDecodesToAValidScenario)
{
        scenario s = distinct_512(2);
        s.nr_events = 3;
        s.events[1] = event{event_kind::gup_redirty, 77};
        bytes full = encode_scenario(s);
        for (size_t n = 0; n < full.size(); n++) {
                bytes b(full.begin(), full.begin() + static_cast<long>(n));
                decode_stats ds;
                scenario d = decode(b, &ds);
                EXPECT_TRUE(ds.truncated) << n;
                EXPECT_EQ(sanitize(d), 0) << n;
        }
}

TEST(ScenarioBinary, InputBeyondTheCapIsIgnored)
{
        scenario s = order0_lazyfree();
        bytes b = encode_scenario(s);
        b.resize(MAX_INPUT_SIZE + 1000, 0xab);
        decode_stats ds;
        EXPECT_TRUE(decode(b, &ds) == s);
        EXPECT_EQ(ds.clamps, 0);
        EXPECT_TRUE(ds.truncated);

        // A big input whose sections reach past the cap decodes as its first
        // MAX_INPUT_SIZE bytes (ASan checks nothing beyond is read).
        lcg rng(7);
        bytes big(MAX_INPUT_SIZE + 4096);
        for (uint8_t &x : big)
                x = static_cast<uint8_t>(rng.next());
        big[0] = 1;
        for (int i = 0; i < NR_BINARY_SECTIONS; i++) {
                big[1 + 2 * i] = 0x00;
                big[2 + 2 * i] = 0x10; // 4096 bytes each
        }
        bytes head(big.begin(), big.begin() + MAX_INPUT_SIZE);
        decode_stats ds_big, ds_head;
        EXPECT_TRUE(decode(big, &ds_big) == decode(head, &ds_head));
        EXPECT_EQ(ds_big.clamps, ds_head.clamps);
        EXPECT_TRUE(ds_big.truncated);
}

TEST(ScenarioBinary, EventsSectionMutationLeavesVmasAndSlots)
{
        scenario s = distinct_512(3);
        s.type = folio_type::lazyfree; // anon: sanitize's exclusivity rules apply too
        for (int v = 0; v < 3; v++)
                for (slot_spec &slot : s.vmas[v].slot)
                        if (slot.kind == slot_kind::present)
                                slot.bits &= static_cast<uint8_t>(~PTE_WRITE);
        sanitize(s);
        s.nr_events = 4;
        for (int e = 0; e < 4; e++)
                s.events[e] = event{static_cast<event_kind>(e), static_cast<uint16_t>(100 * e)};
        bytes b = encode_scenario(s);
        size_t off = section_offset(b, SECTION_EVENTS);
        ASSERT_EQ(section_length(b, SECTION_EVENTS), 12u);
        int changed = 0;
        for (size_t i = off; i < off + 12; i++) {
                for (int x : {0x01, 0x80, 0xff}) {
                        bytes m = b;
                        m[i] ^= static_cast<uint8_t>(x);
                        scenario d = decode(m);
                        ASSERT_EQ(d.nr_vmas, s.nr_vmas);
                        for (int v = 0; v < MAX_VMAS; v++)
                                EXPECT_TRUE(d.vmas[v] == s.vmas[v]) << i << " " << v;
                        EXPECT_TRUE(d.pae == s.pae && d.hwpoison == s.hwpoison);
                        EXPECT_EQ(d.order, s.order);
                        EXPECT_EQ(d.nr_events, s.nr_events);
                        changed += !(d == s);
                }
        }
        EXPECT_GT(changed, 24); // the mutations did reach the events
}

TEST(ScenarioBinary, PteSectionMutationLeavesHeaderAndEvents)
{
        scenario s = distinct_512(2);
        s.nr_events = 2;
        s.events[0] = event{event_kind::hw_young, 5};
        s.events[1] = event{event_kind::dup_swap_fail, 500};
        bytes b = encode_scenario(s);
        size_t off = section_offset(b, SECTION_PTES);
        size_t len = section_length(b, SECTION_PTES);
        for (size_t i = off; i < off + len; i += 7) {
                bytes m = b;
                m[i] ^= 0x5a;
                scenario d = decode(m);
                EXPECT_EQ(d.nr_events, s.nr_events);
                for (int e = 0; e < MAX_EVENTS; e++)
                        EXPECT_TRUE(d.events[e] == s.events[e]) << i;
                EXPECT_EQ(d.nr_vmas, s.nr_vmas);
                EXPECT_EQ(d.vmas[1].start, s.vmas[1].start);
                EXPECT_TRUE(d.hwpoison == s.hwpoison);
        }
}

// Random inputs, half of them with a plausible section table, plus mutated
// valid encodings: every one decodes to a sanitized scenario, and
// decode(encode(decode(x))) == decode(x) with no clamp.
TEST(ScenarioBinary, RandomSweepDecodesValidAndIdempotent)
{
        lcg rng(0x5eed);
        const bytes seeds[] = {encode_scenario(order0_lazyfree()),
                               encode_scenario(distinct_512(2))};
        int nontrivial = 0;
        for (int iter = 0; iter < 20000; iter++) {
                bytes b;
                if (iter % 4 == 3) {
                        b = seeds[rng.below(2)];
                        for (int k = 1 + static_cast<int>(rng.below(8)); k > 0; k--)
                                b[rng.below(static_cast<uint32_t>(b.size()))] =
                                    static_cast<uint8_t>(rng.next());
                } else {
                        b.resize(rng.below(601));
                        for (uint8_t &x : b)
                                x = static_cast<uint8_t>(rng.next());
                        if (iter % 2 && b.size() >= BINARY_PREAMBLE_SIZE) {
                                b[0] = SCENARIO_BINARY_VERSION;
                                for (int i = 0; i < NR_BINARY_SECTIONS; i++) {
                                        b[1 + 2 * i] = static_cast<uint8_t>(rng.below(160));
                                        b[2 + 2 * i] = 0;
                                }
                        }
                }
                decode_stats ds;
                scenario d = decode(b, &ds);
                scenario copy = d;
                ASSERT_EQ(sanitize(copy), 0) << "iteration " << iter;
                ASSERT_GE(ds.clamps, 0);
                bytes e = encode_scenario(d);
                ASSERT_LE(e.size(), MAX_INPUT_SIZE);
                decode_stats ds2;
                ASSERT_TRUE(decode(e, &ds2) == d) << "iteration " << iter;
                ASSERT_EQ(ds2.clamps, 0) << "iteration " << iter;
                ASSERT_FALSE(ds2.truncated) << "iteration " << iter;
                nontrivial += d.nr_vmas > 0 && d.nr_events > 0;
        }
        // The sweep is not all default scenarios.
        EXPECT_GT(nontrivial, 2000);
}

} // namespace
