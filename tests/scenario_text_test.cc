#include <gtest/gtest.h>

#include <cstdio>
#include <random>
#include <string>

#include "mm/tlb.h"
#include "scenario/scenario.h"
#include "scenario/scenario_text.h"

using namespace uf;

namespace
{

// "ok", or the error exactly as a tool would print it.
std::string parse_result(std::string_view text, scenario *out = nullptr)
{
        scenario s;
        parse_error err;
        if (!parse_scenario(text, "t.scn", out ? out : &s, &err))
                return err.what();
        return "ok";
}

// The scenario must already be valid; checks both directions of the round trip.
void expect_round_trip(const scenario &s)
{
        scenario copy = s;
        ASSERT_EQ(sanitize(copy), 0) << "test scenario is not sanitized";
        std::string text = print_scenario(s);
        scenario back;
        parse_error err;
        ASSERT_TRUE(parse_scenario(text, "rt.scn", &back, &err)) << err.what() << "\n" << text;
        EXPECT_TRUE(back == s) << text;
        EXPECT_EQ(print_scenario(back), text);
}

void set_slots(vma_spec &vma, int first, int last, slot_spec slot)
{
        for (int i = first; i <= last; i++)
                vma.slot[i] = slot;
}

vma_spec make_vma(int mm, unsigned long start, unsigned long end, unsigned long folio_addr)
{
        vma_spec vma;
        vma.mm = static_cast<uint8_t>(mm);
        vma.start = start;
        vma.end = end;
        vma.folio_addr = folio_addr;
        return vma;
}

const std::string H = "unmapfuzz-scenario v1\n";
const std::string F = "folio anon order=4\n";
// Maps folio pages 0-15 of an order-4 folio.
const std::string V = "vma 0 mm=0 start=0x100000 end=0x110000 folio=0x100000\n";

} // namespace

TEST(ScenarioText, OrderZeroExactText)
{
        scenario s;
        s.nr_vmas = 1;
        s.vmas[0] = make_vma(0, 0x200000, 0x210000, 0x201000);
        s.vmas[0].slot[0] = slot_spec{slot_kind::present, PTE_YOUNG};
        EXPECT_EQ(print_scenario(s), "unmapfuzz-scenario v1\n"
                                     "folio lazyfree order=0\n"
                                     "vma 0 mm=0 start=0x200000 end=0x210000 folio=0x201000\n"
                                     "pte vma=0 pages=0 present young\n");
        expect_round_trip(s);
}

TEST(ScenarioText, OrderFourMixedSlotKindsAndBits)
{
        scenario s;
        s.type = folio_type::anon;
        s.order = 4;
        s.pae = 0xf | 1 << 9; // pages 0-3 (mapped once and writable) and 9 (dev_excl)
        s.nr_vmas = 1;
        vma_spec &vma = s.vmas[0] = make_vma(0, 0x100000, 0x120000, 0x100000);
        vma.flags = VM_UFFD_WP;
        set_slots(vma, 0, 3, {slot_kind::present, PTE_WRITE | PTE_DIRTY});
        set_slots(vma, 4, 5, {slot_kind::foreign, PTE_WRITE | PTE_YOUNG});
        vma.slot[6] = {slot_kind::swap, PTE_SWP_EXCLUSIVE | PTE_SOFT_DIRTY};
        vma.slot[7] = {slot_kind::swap, PTE_UFFD_WP};
        vma.slot[8] = {slot_kind::marker, PTE_UFFD_WP};
        vma.slot[9] = {slot_kind::device_exclusive, PTE_SOFT_DIRTY};
        vma.slot[10] = {slot_kind::present, PTE_UFFD_WP};
        vma.slot[11] = {slot_kind::present, PTE_PROTNONE};
        std::string text = print_scenario(s);
        EXPECT_EQ(text, "unmapfuzz-scenario v1\n"
                        "folio anon order=4\n"
                        "pae 0-3,9\n"
                        "vma 0 mm=0 start=0x100000 end=0x120000 folio=0x100000 uffd_wp\n"
                        "pte vma=0 pages=0-3 present write dirty\n"
                        "pte vma=0 pages=4-5 foreign write young\n"
                        "pte vma=0 pages=6 swap exclusive soft_dirty\n"
                        "pte vma=0 pages=7 swap uffd_wp\n"
                        "pte vma=0 pages=8 marker\n"
                        "pte vma=0 pages=9 dev_excl soft_dirty\n"
                        "pte vma=0 pages=10 present uffd_wp\n"
                        "pte vma=0 pages=11 present protnone\n");
        expect_round_trip(s);
}

TEST(ScenarioText, OrderNinePmdVmaPrintsOnePteLine)
{
        scenario s;
        s.type = folio_type::anon;
        s.order = 9;
        s.ttu = TTU_SPLIT_HUGE_PMD;
        s.nr_mms = 2;
        s.nr_vmas = 2;
        s.vmas[0] = make_vma(0, 0x200000, 0x400000, 0x200000);
        s.vmas[0].pmd = true;
        set_slots(s.vmas[0], 0, 511, {slot_kind::present, PTE_DIRTY | PTE_YOUNG});
        // A second, PTE-mapped view of part of the folio in another mm.
        s.vmas[1] = make_vma(1, 0x300000, 0x310000, 0x200000);
        set_slots(s.vmas[1], 256, 271, {slot_kind::present, PTE_YOUNG});
        std::string text = print_scenario(s);
        EXPECT_NE(text.find("vma 0 mm=0 start=0x200000 end=0x400000 folio=0x200000 pmd\n"
                            "pte vma=0 pages=0-511 present dirty young\n"
                            "vma 1 mm=1"),
                  std::string::npos)
            << text;
        EXPECT_NE(text.find("pte vma=1 pages=256-271 present young\n"), std::string::npos);
        expect_round_trip(s);
}

TEST(ScenarioText, MultipleMmsVmasAndFolioFlags)
{
        scenario s;
        s.type = folio_type::file;
        s.order = 2;
        s.folio_flags = FOLIO_DIRTY | FOLIO_MLOCKED | FOLIO_PINNED;
        s.extra_refs = 5;
        s.nr_mms = 3;
        s.nr_vmas = 4;
        s.vmas[0] = make_vma(0, 0x10000, 0x20000, 0x10000);
        s.vmas[0].flags = VM_LOCKED | VM_UFFD_WP;
        s.vmas[1] = make_vma(1, 0x10000, 0x20000, 0x10000); // same range, other mm
        s.vmas[2] = make_vma(2, 0x11000, 0x12000, 0x10000); // maps only page 1
        s.vmas[3] = make_vma(0, 0x20000, 0x30000, 0x1f000); // maps pages 1-3
        set_slots(s.vmas[0], 0, 3, {slot_kind::present, PTE_WRITE});
        set_slots(s.vmas[1], 0, 1, {slot_kind::present, 0});
        s.vmas[1].slot[3] = {slot_kind::present, 0};
        s.vmas[2].slot[1] = {slot_kind::foreign, PTE_DIRTY};
        s.vmas[3].slot[2] = {slot_kind::present, PTE_YOUNG};
        std::string text = print_scenario(s);
        EXPECT_NE(text.find("folio file order=2 dirty mlocked pinned extra_refs=5\nmms 3\n"),
                  std::string::npos)
            << text;
        EXPECT_NE(text.find("folio=0x10000 locked uffd_wp\n"), std::string::npos);
        // Non-adjacent runs of one VMA are separate lines.
        EXPECT_NE(text.find("pte vma=1 pages=0-1 present\npte vma=1 pages=3 present\n"),
                  std::string::npos);
        expect_round_trip(s);
}

TEST(ScenarioText, EventsAndArch)
{
        scenario s;
        s.order = 3;
        s.arch = ARCH_SPARC_ADI;
        s.nr_events = MAX_EVENTS;
        for (int e = 0; e < MAX_EVENTS; e++)
                s.events[e] = event{static_cast<event_kind>(e), static_cast<uint16_t>(7 - e)};
        std::string text = print_scenario(s);
        EXPECT_NE(text.find("arch sparc_adi\n"), std::string::npos);
        EXPECT_NE(text.find("event hw_dirty page=7\nevent hw_young page=6\n"), std::string::npos);
        EXPECT_NE(text.find("event arch_unmap_fail page=0\n"), std::string::npos);
        expect_round_trip(s);
}

TEST(ScenarioText, PaeAndHwpoisonRanges)
{
        scenario s;
        s.type = folio_type::anon_nocache;
        s.order = 4;
        s.nr_vmas = 1;
        s.vmas[0] = make_vma(0, 0x100000, 0x110000, 0x100000);
        for (int i : {0, 1, 2, 3, 8, 10, 11, 12, 13, 14, 15}) {
                s.pae.set(i);
                s.vmas[0].slot[i] = {slot_kind::present, PTE_WRITE};
        }
        for (int i : {5, 7, 8})
                s.hwpoison.set(i);
        std::string text = print_scenario(s);
        EXPECT_NE(text.find("\npae 0-3,8,10-15\nhwpoison 5,7-8\n"), std::string::npos) << text;
        expect_round_trip(s);
}

TEST(ScenarioText, EveryTtuFlag)
{
        const char *names[] = {"split_huge_pmd", "ignore_mlock", "sync",
                               "hwpoison",       "batch_flush",  "rmap_locked"};
        for (int bit = 0; bit < 6; bit++) {
                scenario s;
                s.ttu = 1u << bit;
                // TTU_HWPOISON: memory failure's flags and a poisoned page.
                if (s.ttu == TTU_HWPOISON) {
                        s.ttu |= TTU_IGNORE_MLOCK | TTU_SYNC;
                        s.hwpoison.set(0);
                }
                std::string text = print_scenario(s);
                std::string line = s.ttu == (1u << bit) ? std::string("\nttu ") + names[bit]
                                                        : "\nttu ignore_mlock sync hwpoison";
                EXPECT_NE(text.find(line + "\n"), std::string::npos) << text;
                expect_round_trip(s);
        }
        scenario all;
        all.ttu = TTU_ALL_FLAGS & ~TTU_HWPOISON;
        EXPECT_NE(print_scenario(all).find(
                      "\nttu split_huge_pmd ignore_mlock sync batch_flush rmap_locked\n"),
                  std::string::npos);
        expect_round_trip(all);
}

// Every sanitized scenario, however odd, must survive the trip: this is what
// catches a parser check that is stricter than sanitize().
TEST(ScenarioText, RandomSanitizedScenariosRoundTrip)
{
        std::mt19937 rng(12345);
        auto r = [&](unsigned n) { return static_cast<unsigned>(rng() % n); };
        const int orders[] = {0, 1, 3, 4, 9};
        for (int iter = 0; iter < 1500; iter++) {
                scenario s;
                s.type = static_cast<folio_type>(r(5));
                s.order = static_cast<uint8_t>(orders[r(5)]);
                s.folio_flags = static_cast<uint8_t>(r(8));
                s.extra_refs = static_cast<uint8_t>(r(70));
                s.ttu = r(64);
                s.arch = static_cast<arch_mode>(r(2));
                s.nr_mms = static_cast<uint8_t>(1 + r(4));
                s.nr_vmas = static_cast<uint8_t>(r(5));
                int nr = 1 << s.order;
                for (int i = 0; i < nr; i++) {
                        s.pae[i] = r(2);
                        s.hwpoison[i] = r(8) == 0;
                }
                for (int v = 0; v < s.nr_vmas; v++) {
                        vma_spec &vma = s.vmas[v];
                        unsigned long base = r(3) * PMD_SIZE;
                        bool pmd = r(3) == 0;
                        vma =
                            make_vma(static_cast<int>(r(4)), pmd ? base : base + r(300) * PAGE_SIZE,
                                     base + (pmd ? 512 + r(4) : 1 + r(600)) * PAGE_SIZE,
                                     base + (pmd ? 0 : r(64) * PAGE_SIZE));
                        vma.pmd = pmd;
                        vma.flags = static_cast<uint8_t>(r(8));
                        slot_spec common{static_cast<slot_kind>(r(7)), static_cast<uint8_t>(rng())};
                        for (int i = 0; i < nr; i++)
                                vma.slot[i] = r(4) == 0 || pmd
                                                  ? common
                                                  : slot_spec{static_cast<slot_kind>(r(7)),
                                                              static_cast<uint8_t>(rng())};
                }
                s.nr_events = static_cast<uint8_t>(r(MAX_EVENTS + 1));
                for (int e = 0; e < s.nr_events; e++)
                        s.events[e] =
                            event{static_cast<event_kind>(r(8)), static_cast<uint16_t>(r(512))};
                // One pass must reach a fixed point, or fuzzer inputs could not be
                // printed (expect_round_trip checks the second pass changes nothing).
                sanitize(s);
                ASSERT_NO_FATAL_FAILURE(expect_round_trip(s)) << "iteration " << iter;
        }
}

// The case that used to oscillate: sanitize_vma() copied page 0's write bit to
// every page of the PMD mapping and sanitize_anon() stripped it again from the
// pages that were not PageAnonExclusive, on every pass.
TEST(ScenarioText, SanitizeReachesAFixedPointOnPmdAnon)
{
        scenario s;
        s.type = folio_type::anon;
        s.order = 9;
        s.ttu = TTU_SPLIT_HUGE_PMD;
        s.nr_vmas = 1;
        s.vmas[0] = make_vma(0, 0x200000, 0x400000, 0x200000);
        s.vmas[0].pmd = true;
        set_slots(s.vmas[0], 0, 511, {slot_kind::present, PTE_WRITE});
        s.pae.set(0);
        sanitize(s);
        EXPECT_EQ(sanitize(s), 0);
        expect_round_trip(s);
}

TEST(ScenarioText, CanonicalTextIsAFixedPoint)
{
        const std::string text = "unmapfuzz-scenario v1\n"
                                 "folio anon order=4 dirty pinned extra_refs=3\n"
                                 "pae 0-1\n"
                                 "hwpoison 2,9-10\n"
                                 "ttu sync batch_flush\n"
                                 "mms 2\n"
                                 "vma 0 mm=0 start=0x100000 end=0x110000 folio=0x100000 locked\n"
                                 "pte vma=0 pages=0-1 present write dirty young\n"
                                 "pte vma=0 pages=2-3 present young\n"
                                 "pte vma=0 pages=4 swap exclusive\n"
                                 "vma 1 mm=1 start=0x102000 end=0x108000 folio=0x100000 "
                                 "uffd_wp\n"
                                 "pte vma=1 pages=2-3 present\n"
                                 "pte vma=1 pages=5-7 marker\n"
                                 "event gup_pin page=2\n"
                                 "event stale_tlb_write page=0\n";
        scenario s;
        ASSERT_EQ(parse_result(text, &s), "ok");
        EXPECT_EQ(print_scenario(s), text);
        EXPECT_EQ(s.vmas[0].slot[4], (slot_spec{slot_kind::swap, PTE_SWP_EXCLUSIVE}));
        EXPECT_EQ(s.vmas[1].slot[6], (slot_spec{slot_kind::marker, PTE_UFFD_WP}));
}

TEST(ScenarioText, LenientSpellingsParseToTheCanonicalForm)
{
        const std::string text =
            "# leading comment\n"
            "\n"
            "unmapfuzz-scenario   v1   # header comment\n"
            "event hw_young page=0x3\n"
            "pae 1,0\n"
            "vma 0 start=1048576 folio=0x100000 end=0x110000 mm=1 uffd_wp # decimal\n"
            "\tpte pages=0-1 vma=0 present write\n"
            "pte vma=0 pages=2 none\n"
            "pte vma=0 pages=3 marker uffd_wp#no space before comment\n"
            "mms 2\n"
            "folio anon order=4 extra_refs=0\n"
            "ttu none\n"
            "arch generic\n";
        scenario s;
        ASSERT_EQ(parse_result(text, &s), "ok");
        EXPECT_EQ(print_scenario(s),
                  "unmapfuzz-scenario v1\n"
                  "folio anon order=4\n"
                  "pae 0-1\n"
                  "mms 2\n"
                  "vma 0 mm=1 start=0x100000 end=0x110000 folio=0x100000 uffd_wp\n"
                  "pte vma=0 pages=0-1 present write\n"
                  "pte vma=0 pages=3 marker\n"
                  "event hw_young page=3\n");
}

TEST(ScenarioText, ErrorWhatFormat)
{
        EXPECT_EQ((parse_error{"a.scn", 7, "boom"}).what(), "a.scn:7: boom");
}

TEST(ScenarioTextErrors, MissingHeader)
{
        EXPECT_EQ(parse_result(F),
                  "t.scn:1: missing header 'unmapfuzz-scenario v1' before 'folio'");
        EXPECT_EQ(parse_result(""), "t.scn:1: missing header 'unmapfuzz-scenario v1'");
        EXPECT_EQ(parse_result("# only a comment\n\n"),
                  "t.scn:2: missing header 'unmapfuzz-scenario v1'");
        EXPECT_EQ(parse_result(H + F + H), "t.scn:3: duplicate header (first on line 1)");
}

TEST(ScenarioTextErrors, WrongVersion)
{
        EXPECT_EQ(parse_result("unmapfuzz-scenario v2\n" + F),
                  "t.scn:1: unsupported version 'v2' (expected v1)");
        EXPECT_EQ(parse_result("unmapfuzz-scenario\n"),
                  "t.scn:1: header needs a version: 'unmapfuzz-scenario v1'");
        EXPECT_EQ(parse_result("unmapfuzz-scenario v1 x\n"),
                  "t.scn:1: unexpected 'x' after the header");
}

TEST(ScenarioTextErrors, UnknownKeywordsAndNames)
{
        EXPECT_EQ(parse_result(H + F + "flio x\n"), "t.scn:3: unknown keyword 'flio'");
        EXPECT_EQ(parse_result(H + "folio anonymous order=0\n"),
                  "t.scn:2: unknown folio type 'anonymous'");
        EXPECT_EQ(parse_result(H + "folio anon order=0 drity\n"),
                  "t.scn:2: unknown folio flag 'drity'");
        EXPECT_EQ(parse_result(H + "folio anon order=0 size=4\n"),
                  "t.scn:2: unknown folio attribute 'size=4'");
        EXPECT_EQ(parse_result(H + F + "ttu sync fast\n"), "t.scn:3: unknown ttu flag 'fast'");
        EXPECT_EQ(parse_result(H + F + "ttu none sync\n"),
                  "t.scn:3: 'none' cannot be combined with ttu flags");
        EXPECT_EQ(parse_result(H + F + "arch x86\n"), "t.scn:3: unknown arch 'x86'");
        EXPECT_EQ(parse_result(H + F + "event hw_drity page=0\n"),
                  "t.scn:3: unknown event 'hw_drity'");
        EXPECT_EQ(parse_result(H + F + V + "vma 1 mm=0 start=0 end=0x1000 folio=0 huge\n"),
                  "t.scn:4: unknown vma flag 'huge'");
}

TEST(ScenarioTextErrors, UnknownSlotKindAndBit)
{
        EXPECT_EQ(parse_result(H + F + V + "pte vma=0 pages=0 presnt\n"),
                  "t.scn:4: unknown slot kind 'presnt'");
        EXPECT_EQ(parse_result(H + F + V + "pte vma=0 pages=0\n"),
                  "t.scn:4: 'pte' line needs a slot kind");
        EXPECT_EQ(parse_result(H + F + V + "pte vma=0 pages=0 present drity\n"),
                  "t.scn:4: unknown pte bit 'drity'");
}

TEST(ScenarioTextErrors, BitNotAllowedForKind)
{
        EXPECT_EQ(parse_result(H + F + V + "pte vma=0 pages=0 swap soft_dirty write\n"),
                  "t.scn:4: bit 'write' not allowed for swap (allowed: exclusive soft_dirty "
                  "uffd_wp)");
        EXPECT_EQ(parse_result(H + F + V + "pte vma=0 pages=0 present exclusive\n"),
                  "t.scn:4: bit 'exclusive' not allowed for present (allowed: write dirty young "
                  "soft_dirty uffd_wp protnone unused)");
        EXPECT_EQ(parse_result(H + F + V + "pte vma=0 pages=0 marker dirty\n"),
                  "t.scn:4: bit 'dirty' not allowed for marker (allowed: uffd_wp)");
        EXPECT_EQ(parse_result(H + F + V + "pte vma=0 pages=0 dev_priv young\n"),
                  "t.scn:4: bit 'young' not allowed for dev_priv (allowed: write soft_dirty "
                  "uffd_wp)");
        EXPECT_EQ(parse_result(H + F + V + "pte vma=0 pages=0 none young\n"),
                  "t.scn:4: bit 'young' not allowed for none (allowed: none)");
}

TEST(ScenarioTextErrors, PageBeyondFolio)
{
        EXPECT_EQ(parse_result(H + F + V + "pte vma=0 pages=14-17 present\n"),
                  "t.scn:4: page 16 is beyond the folio (an order-4 folio has pages 0-15)");
        EXPECT_EQ(parse_result(H + F + "pae 3,20\n"),
                  "t.scn:3: 'pae' page 20 is beyond the folio (an order-4 folio has pages 0-15)");
        EXPECT_EQ(parse_result(H + "hwpoison 1\nfolio file order=0\n"),
                  "t.scn:2: 'hwpoison' page 1 is beyond the folio (an order-0 folio has only "
                  "page 0)");
        EXPECT_EQ(parse_result(H + F + "event gup_pin page=16\n"),
                  "t.scn:3: event page 16 is beyond the folio (an order-4 folio has pages 0-15)");
        EXPECT_EQ(parse_result(H + F + "pae 600\n"),
                  "t.scn:3: page 600 is beyond any folio (an order-9 folio has pages 0-511)");
}

TEST(ScenarioTextErrors, PageOutsideVma)
{
        // Linear mapping puts folio page 4 at the VMA start: pages 4-15 are inside.
        const std::string v = "vma 0 mm=0 start=0x104000 end=0x120000 folio=0x100000\n";
        EXPECT_EQ(parse_result(H + F + v + "pte vma=0 pages=2-5 present\n"),
                  "t.scn:4: page 2 is outside vma 0 (it maps folio pages 4-15)");
        const std::string away = "vma 0 mm=0 start=0x300000 end=0x301000 folio=0x100000\n";
        EXPECT_EQ(parse_result(H + F + away + "pte vma=0 pages=0 none\n"),
                  "t.scn:4: page 0 is outside vma 0 (it maps no page of the folio)");
}

TEST(ScenarioTextErrors, BadRanges)
{
        EXPECT_EQ(parse_result(H + F + "pae 5-3\n"),
                  "t.scn:3: bad page range '5-3': end before start");
        EXPECT_EQ(parse_result(H + F + "pae 1-\n"), "t.scn:3: bad page range '1-'");
        EXPECT_EQ(parse_result(H + F + V + "pte vma=0 pages=0,,2 present\n"),
                  "t.scn:4: bad page range '' in 'pages=0,,2'");
        EXPECT_EQ(parse_result(H + F + V + "pte vma=0 pages= present\n"),
                  "t.scn:4: empty page list in 'pages='");
        EXPECT_EQ(parse_result(H + F + "pae 0-3,2\n"), "t.scn:3: page 2 listed twice in '0-3,2'");
}

TEST(ScenarioTextErrors, BadNumbers)
{
        EXPECT_EQ(parse_result(H + "folio anon order=x\n"), "t.scn:2: bad number 'order=x'");
        EXPECT_EQ(parse_result(H + "folio anon order=12\n"),
                  "t.scn:2: 'order=12' out of range (0-9)");
        EXPECT_EQ(parse_result(H + "folio anon order=4 extra_refs=65\n"),
                  "t.scn:2: 'extra_refs=65' out of range (0-64)");
        EXPECT_EQ(parse_result(H + F + "mms -1\n"), "t.scn:3: bad number '-1'");
        EXPECT_EQ(parse_result(H + F + "mms 5\n"), "t.scn:3: '5' out of range (1-4)");
        EXPECT_EQ(parse_result(H + F + "vma 0 mm=0 start=0x10g000 end=0x110000 folio=0x100000\n"),
                  "t.scn:3: bad number 'start=0x10g000'");
        EXPECT_EQ(parse_result(H + F + "vma 0 mm=0 start=0x100800 end=0x110000 folio=0x100000\n"),
                  "t.scn:3: 'start=0x100800' is not page aligned");
        EXPECT_EQ(parse_result(H + F + "vma 0 mm=0 start=0x100000 end=0x900000 folio=0x100000\n"),
                  "t.scn:3: 'end=0x900000' out of range (max 0x800000)");
        EXPECT_EQ(parse_result(H + F + "vma 0 mm=0 start=0x100000 end=0x100000 folio=0x100000\n"),
                  "t.scn:3: 'end=0x100000' must be above 'start=0x100000'");
        EXPECT_EQ(parse_result(H + F + "event hw_dirty page=99999999999999999999\n"),
                  "t.scn:3: bad number 'page=99999999999999999999'");
}

TEST(ScenarioTextErrors, VmaIndexOutOfOrder)
{
        EXPECT_EQ(parse_result(H + F + "vma 1 mm=0 start=0 end=0x1000 folio=0\n"),
                  "t.scn:3: vma index 1 out of order (expected 0)");
        EXPECT_EQ(parse_result(H + F + V + V), "t.scn:4: vma index 0 out of order (expected 1)");
        std::string text = H + F + "mms 4\n";
        for (int v = 0; v < MAX_VMAS; v++)
                text += "vma " + std::to_string(v) + " mm=" + std::to_string(v % 4) +
                        " start=" + std::to_string(v * 0x10000) +
                        " end=" + std::to_string(v * 0x10000 + 0x1000) + " folio=0x0\n";
        ASSERT_EQ(parse_result(text), "ok");
        EXPECT_EQ(parse_result(text + "vma 8 mm=0 start=0x100000 end=0x101000 folio=0\n"),
                  "t.scn:12: too many vmas (max 8)");
}

TEST(ScenarioTextErrors, PteReferencesUndefinedVma)
{
        EXPECT_EQ(parse_result(H + F + "pte vma=0 pages=0 present\n" + V),
                  "t.scn:3: pte references undefined vma 0");
        EXPECT_EQ(parse_result(H + F + V + "pte vma=1 pages=0 present\n"),
                  "t.scn:4: pte references undefined vma 1");
        EXPECT_EQ(parse_result(H + F + V + "pte pages=0 present\n"),
                  "t.scn:4: 'pte' line needs 'vma='");
}

TEST(ScenarioTextErrors, OverlappingVmasOfTheSameMm)
{
        const std::string v1 = "vma 1 mm=0 start=0x10f000 end=0x120000 folio=0x100000\n";
        EXPECT_EQ(parse_result(H + F + V + v1), "t.scn:4: vma 1 overlaps vma 0 (line 3) in mm 0");
        // The same ranges in different mms do not overlap.
        const std::string v1_other_mm = "vma 1 mm=1 start=0x10f000 end=0x120000 folio=0x100000\n";
        EXPECT_EQ(parse_result(H + F + "mms 2\n" + V + v1_other_mm), "ok");
        // Adjacent VMAs do not overlap either.
        const std::string adjacent = "vma 1 mm=0 start=0x110000 end=0x120000 folio=0x100000\n";
        EXPECT_EQ(parse_result(H + F + V + adjacent), "ok");
        EXPECT_EQ(parse_result(H + F + "vma 0 mm=1 start=0 end=0x1000 folio=0\n"),
                  "t.scn:3: mm=1 out of range (mms is 1)");
}

TEST(ScenarioTextErrors, CommentsAreIgnored)
{
        const std::string text = H + "folio anon order=4 # the folio\n" +
                                 "# a whole-line comment\n" + "   \t \n" + V +
                                 "pte vma=0 pages=0-1 present young#,5 swap\n";
        scenario s;
        ASSERT_EQ(parse_result(text, &s), "ok");
        EXPECT_EQ(s.vmas[0].slot[1], (slot_spec{slot_kind::present, PTE_YOUNG}));
        EXPECT_EQ(s.vmas[0].slot[5], slot_spec{});
        // Comment and blank lines still count for line numbers.
        EXPECT_EQ(parse_result(text + "pte vma=0 pages=5 dirty # kind comes first\n"),
                  "t.scn:7: unknown slot kind 'dirty'");
}

TEST(ScenarioTextErrors, DuplicatesAndMissingItems)
{
        EXPECT_EQ(parse_result(H + F + F), "t.scn:3: duplicate 'folio' line (first on line 2)");
        EXPECT_EQ(parse_result(H + F + "pae 1\n" + "pae 2\n"),
                  "t.scn:4: duplicate 'pae' line (first on line 3)");
        EXPECT_EQ(parse_result(H + "folio anon order=4 dirty dirty\n"),
                  "t.scn:2: duplicate folio flag 'dirty'");
        EXPECT_EQ(parse_result(H + "folio anon order=4 order=3\n"), "t.scn:2: duplicate 'order='");
        EXPECT_EQ(parse_result(H + F + V + "pte vma=0 pages=0-3 present\n" +
                               "pte vma=0 pages=3-4 present\n"),
                  "t.scn:5: page 3 of vma 0 already set on line 4");
        EXPECT_EQ(parse_result(H + "\n# no folio\n"), "t.scn:3: missing 'folio' line");
        EXPECT_EQ(parse_result(H + "folio anon dirty\n"), "t.scn:2: 'folio' line needs 'order='");
        EXPECT_EQ(parse_result(H + F + "vma 0 mm=0 start=0x100000 folio=0x100000\n"),
                  "t.scn:3: 'vma' line needs 'end='");
}

TEST(ScenarioTextErrors, InvalidWorldsAreReportedAtTheirLine)
{
        const std::string f9 = "folio anon order=9\n";
        const std::string pte9 = "pte vma=0 pages=0-511 present\n";
        EXPECT_EQ(parse_result(H + F + "ttu split_huge_pmd\n" +
                               "vma 0 mm=0 start=0x200000 end=0x400000 folio=0x200000 pmd\n"),
                  "t.scn:4: pmd mapping needs an order-9 folio, not order 4");
        EXPECT_EQ(parse_result(H + f9 + "ttu split_huge_pmd\n" +
                               "vma 0 mm=0 start=0x200000 end=0x600000 folio=0x201000 pmd\n"),
                  "t.scn:4: pmd mapping needs folio= aligned to 0x200000");
        EXPECT_EQ(parse_result(H + f9 +
                               "vma 0 mm=0 start=0x200000 end=0x400000 folio=0x200000 pmd\n" +
                               pte9),
                  "t.scn:3: pmd mapping needs 'ttu split_huge_pmd'");
        EXPECT_EQ(
            parse_result(H + f9 + "ttu split_huge_pmd\n" +
                         "vma 0 mm=0 start=0x200000 end=0x400000 folio=0x200000 pmd\n" +
                         "pte vma=0 pages=0-9 present\npte vma=0 pages=10-511 present dirty\n"),
            "t.scn:6: pmd-mapped vma 0 needs the same bits on every page; page 10 differs "
            "from page 0");
        EXPECT_EQ(parse_result(H + "folio file order=0\npae 0\n"),
                  "t.scn:3: 'pae' needs an anon folio type, not file");
        // A PMD mapping has one exclusivity for the whole folio.
        const std::string pmd_vma = "ttu split_huge_pmd\n"
                                    "vma 0 mm=0 start=0x200000 end=0x400000 folio=0x200000 pmd\n";
        EXPECT_EQ(parse_result(H + f9 + "pae 0-255\n" + pmd_vma + pte9),
                  "t.scn:3: 'pae' of a pmd-mapped folio must be 0-511 or omitted (one exclusivity "
                  "for the whole folio)");
        EXPECT_EQ(parse_result(H + f9 + "pae 0-511\n" + pmd_vma +
                               "pte vma=0 pages=0-511 present write dirty\n"),
                  "ok");
}

TEST(ScenarioTextErrors, AnonExclusivityRules)
{
        const std::string two_mms =
            "mms 2\n" + V + "vma 1 mm=1 start=0x100000 end=0x110000 folio=0x100000\n";
        // A writable anon page must be PageAnonExclusive...
        EXPECT_EQ(parse_result(H + F + two_mms + "pte vma=0 pages=0 present write\n" +
                               "pte vma=1 pages=0 present\n"),
                  "t.scn:6: page 0 is writable but not in 'pae' (a writable anon page must be "
                  "exclusive)");
        // ...which a page mapped twice cannot be.
        EXPECT_EQ(parse_result(H + F + "pae 0\n" + two_mms + "pte vma=0 pages=0 present write\n" +
                               "pte vma=1 pages=0 present\n"),
                  "t.scn:3: 'pae' page 0 needs exactly one mapping and no swap entry; it has 2 "
                  "mapping(s) and 0 swap entries");
        EXPECT_EQ(parse_result(H + F + two_mms + "pte vma=0 pages=0 swap exclusive\n" +
                               "pte vma=1 pages=0 swap\n"),
                  "t.scn:6: exclusive swap entry of page 0 must be its only reference; it has 0 "
                  "mapping(s) and 2 swap entries");
        // The same slots are fine on a file folio.
        EXPECT_EQ(parse_result(H + "folio file order=4\n" + two_mms +
                               "pte vma=0 pages=0 present write\npte vma=1 pages=0 present\n"),
                  "ok");
}

// States no caller of try_to_unmap() can produce are
// rejected with their line and the kernel reason.
struct unreachable_case {
        std::string text;
        std::string error;
};

TEST(ScenarioTextErrors, UnreachableStatesAreRejected)
{
        const std::string file4 = "folio file order=4\n";
        const std::string lazy4 = "folio lazyfree order=4\n";
        const std::string vma_at = "vma 0 mm=0 start=0x100000 end=0x110000 folio=0x100000";
        const unreachable_case cases[] = {
            // Device entries map anonymous pages only.
            {H + file4 + V + "pte vma=0 pages=3 dev_excl\n",
             "t.scn:4: page 3 of vma 0: dev_excl needs an anonymous folio "
             "(make_device_exclusive() refuses other folios)"},
            {H + F + "pae 3\n" + V + "pte vma=0 pages=3 dev_priv\n",
             "t.scn:5: page 3 of vma 0: dev_priv cannot occur: a device-private entry maps a "
             "ZONE_DEVICE page, which is not on the LRU and reaches try_to_migrate(), never "
             "try_to_unmap() (use dev_excl for a non-present entry that maps the folio)"},
            {H + F + V + "pte vma=0 pages=3 dev_excl\n",
             "t.scn:4: dev_excl page 3 needs 'pae' 3 (make_device_exclusive() converts a "
             "writable, hence exclusive, mapping)"},
            {H + F + V + "pte vma=0 pages=3 dev_excl write\n",
             "t.scn:4: bit 'write' not allowed for dev_excl (allowed: soft_dirty): "
             "make_device_exclusive() makes the entry from a writable PTE and keeps only its "
             "soft-dirty bit"},
            // TTU_HWPOISON comes from memory_failure() only.
            {H + F + "hwpoison 0\nttu ignore_mlock sync hwpoison\n",
             "t.scn:4: 'ttu hwpoison' needs an order-0 folio: memory_failure() splits a large "
             "folio first (try_to_split_thp_page()) or gives up"},
            {H + "folio anon order=0\nhwpoison 0\nttu ignore_mlock sync hwpoison\n",
             "t.scn:4: 'ttu hwpoison' cannot meet a folio in the swap cache: "
             "unmap_poisoned_folio() keeps it there and unmaps without TTU_HWPOISON"},
            {H + "folio file order=0\nttu ignore_mlock sync hwpoison\n",
             "t.scn:3: 'ttu hwpoison' needs 'hwpoison 0': memory_failure() poisons the page "
             "before it unmaps it"},
            {H + "folio file order=0\nhwpoison 0\nttu hwpoison\n",
             "t.scn:4: 'ttu hwpoison' comes as 'ttu ignore_mlock sync hwpoison' "
             "(unmap_poisoned_folio())"},
            {H + F + "ttu ignore_mlock\n",
             "t.scn:3: 'ttu ignore_mlock' cannot meet a large anonymous folio: only "
             "memory_failure() (small folios) and unmap_folio() (page-cache folios; anon ones "
             "take try_to_migrate()) pass TTU_IGNORE_MLOCK"},
            // The architecture's bits.
            {H + F + V + "pte vma=0 pages=0 present unused\n",
             "t.scn:4: page 0 of vma 0: bit 'unused' does not exist on arch generic "
             "(pte_unused() is s390's; write 'arch s390')"},
            {H + F + "arch sparc_adi\n" + V + "pte vma=0 pages=0 present soft_dirty\n",
             "t.scn:5: page 0 of vma 0: bit 'soft_dirty' does not exist on arch sparc_adi"},
            {H + F + "arch s390\n" + vma_at + " uffd_wp\n",
             "t.scn:4: 'uffd_wp' on vma 0: arch s390 has no HAVE_ARCH_USERFAULTFD_WP"},
            // Write-protected kinds of pte.
            {H + "folio file order=4\n" + vma_at + " uffd_wp\n" +
                 "pte vma=0 pages=0 present write uffd_wp\n",
             "t.scn:4: page 0 of vma 0: a uffd_wp pte is never writable (pte_mkuffd_wp() and "
             "pte_modify() to PAGE_NONE write-protect it)"},
            {H + file4 + V + "pte vma=0 pages=0 present write protnone\n",
             "t.scn:4: page 0 of vma 0: a protnone pte is never writable (pte_mkuffd_wp() and "
             "pte_modify() to PAGE_NONE write-protect it)"},
            // uffd registration and its bits.
            {H + F + V + "pte vma=0 pages=0 present uffd_wp\n",
             "t.scn:4: page 0 of vma 0: bit 'uffd_wp' in a VMA not registered for uffd-wp "
             "(unregistering and fork clear it: uffd_wp_range(), copy_present_pte())"},
            {H + F + V + "pte vma=0 pages=0 marker\n",
             "t.scn:4: page 0 of vma 0: a uffd-wp marker in a VMA not registered for uffd-wp "
             "(unregistering removes them: uffd_wp_range())"},
            {H + file4 + vma_at + " uffd_missing\n",
             "t.scn:3: 'uffd_missing' on vma 0: MISSING mode needs an anonymous or shmem VMA, "
             "not a page-cache file one (vma_can_userfault())"},
            {H + F + vma_at + " uffd_minor\n",
             "t.scn:3: 'uffd_minor' on vma 0: MINOR mode needs a shmem VMA "
             "(vma_can_userfault())"},
            // VM_DROPPABLE.
            {H + F + vma_at + " droppable\n",
             "t.scn:3: droppable vma 0 needs a lazyfree folio: VM_DROPPABLE exists only for "
             "private anonymous mappings, whose folios never become swap-backed "
             "(folio_add_new_anon_rmap())"},
            {H + lazy4 + vma_at + " locked droppable\n",
             "t.scn:3: droppable vma 0 cannot be locked: mlock_fixup() never sets VM_LOCKED on a "
             "VM_DROPPABLE VMA"},
            {H + lazy4 + vma_at + " droppable uffd_missing\n",
             "t.scn:3: 'uffd_missing' on vma 0: a droppable VMA cannot be registered "
             "(vma_can_userfault())"},
            {H + lazy4 + "mms 2\n" + vma_at + " droppable\n" +
                 "vma 1 mm=1 start=0x100000 end=0x110000 folio=0x100000\n",
             "t.scn:5: vma 1 maps the folio of droppable vma 0, so it must be a droppable vma of "
             "the same mm (a droppable mapping is VM_WIPEONFORK: no child shares it)"},
        };
        for (const unreachable_case &c : cases)
                EXPECT_EQ(parse_result(c.text), c.error) << c.text;
}

// sanitize() maps each unreachable state onto one that exists, and is a
// fixed point after.
TEST(ScenarioTextErrors, SanitizeMapsUnreachableStates)
{
        scenario s;
        s.type = folio_type::file;
        s.order = 2;
        s.ttu = TTU_HWPOISON | TTU_IGNORE_MLOCK | TTU_SYNC;
        s.hwpoison.set(0);
        s.nr_vmas = 1;
        s.vmas[0] = make_vma(0, 0x100000, 0x110000, 0x100000);
        s.vmas[0].flags = VM_UFFD_MISSING | VM_DROPPABLE;
        s.vmas[0].slot[0] = {slot_kind::device_exclusive, PTE_SOFT_DIRTY};
        s.vmas[0].slot[1] = {slot_kind::device_private, PTE_WRITE | PTE_UFFD_WP};
        s.vmas[0].slot[2] = {slot_kind::present, PTE_UNUSED | PTE_YOUNG};
        s.vmas[0].slot[3] = {slot_kind::marker, PTE_UFFD_WP};
        EXPECT_GT(sanitize(s), 0);
        EXPECT_EQ(s.ttu, TTU_IGNORE_MLOCK | TTU_SYNC); // a large folio: no TTU_HWPOISON
        EXPECT_EQ(s.vmas[0].flags, 0);                 // neither droppable nor MISSING on a file
        EXPECT_EQ(s.vmas[0].slot[0], (slot_spec{slot_kind::present, PTE_SOFT_DIRTY}));
        EXPECT_EQ(s.vmas[0].slot[1], (slot_spec{slot_kind::present, PTE_WRITE}));
        EXPECT_EQ(s.vmas[0].slot[2], (slot_spec{slot_kind::present, PTE_YOUNG}));
        EXPECT_EQ(s.vmas[0].slot[3], slot_spec{});
        EXPECT_EQ(sanitize(s), 0);

        scenario a;
        a.type = folio_type::anon;
        a.order = 1;
        a.arch = ARCH_S390;
        a.nr_mms = 2;
        a.nr_vmas = 2;
        a.vmas[0] = make_vma(0, 0x100000, 0x110000, 0x100000);
        a.vmas[0].flags = VM_UFFD_WP | VM_UFFD_MISSING;
        a.vmas[0].slot[0] = {slot_kind::device_private, PTE_SOFT_DIRTY}; // only mapping of 0
        a.vmas[0].slot[1] = {slot_kind::device_exclusive, 0};            // page 1 mapped twice
        a.vmas[1] = make_vma(1, 0x100000, 0x110000, 0x100000);
        a.vmas[1].slot[1] = {slot_kind::present, PTE_UNUSED};
        EXPECT_GT(sanitize(a), 0);
        EXPECT_EQ(a.vmas[0].flags, VM_UFFD_MISSING); // s390: MISSING only
        EXPECT_EQ(a.vmas[0].slot[0], (slot_spec{slot_kind::device_exclusive, PTE_SOFT_DIRTY}));
        EXPECT_TRUE(a.pae.test(0));
        EXPECT_EQ(a.vmas[0].slot[1], (slot_spec{slot_kind::present, 0}));
        EXPECT_FALSE(a.pae.test(1));
        EXPECT_EQ(a.vmas[1].slot[1], (slot_spec{slot_kind::present, PTE_UNUSED}));
        EXPECT_EQ(sanitize(a), 0);
}

TEST(ScenarioTextErrors, FirstErrorIsTheLowestLine)
{
        // Both are found only once the folio order is known; the earlier line wins
        // even though pae is checked before events.
        EXPECT_EQ(parse_result(H + "event hw_dirty page=20\npae 30\n" + F),
                  "t.scn:2: event page 20 is beyond the folio (an order-4 folio has pages 0-15)");
}

TEST(ScenarioTextErrors, OutputUntouchedOnError)
{
        scenario s;
        s.order = 7;
        scenario before = s;
        parse_error err;
        EXPECT_FALSE(parse_scenario(H + "folio anon order=3\nbogus\n", "t.scn", &s, &err));
        EXPECT_TRUE(s == before);
        EXPECT_EQ(err.line, 3);
        EXPECT_EQ(err.file, "t.scn");
}

TEST(ScenarioTextFile, LoadsAFile)
{
        std::string path = testing::TempDir() + "scenario_text_test.scn";
        const std::string text = H + F + V + "pte vma=0 pages=0-15 present young\n";
        std::FILE *f = std::fopen(path.c_str(), "w");
        ASSERT_NE(f, nullptr);
        std::fwrite(text.data(), 1, text.size(), f);
        std::fclose(f);
        scenario s;
        parse_error err;
        ASSERT_TRUE(load_scenario_file(path, &s, &err)) << err.what();
        EXPECT_EQ(print_scenario(s), text);
        std::remove(path.c_str());
}

TEST(ScenarioTextFile, UnreadableFileIsAnErrorAtLineZero)
{
        scenario s;
        parse_error err;
        EXPECT_FALSE(load_scenario_file("/nonexistent/dir/x.scn", &s, &err));
        EXPECT_EQ(err.line, 0);
        EXPECT_EQ(err.what(),
                  "/nonexistent/dir/x.scn:0: cannot read file: No such file or directory");
        // A directory opens but cannot be read.
        EXPECT_FALSE(load_scenario_file("/", &s, &err));
        EXPECT_EQ(err.line, 0);
        EXPECT_EQ(err.what().rfind("/:0: cannot read file: ", 0), 0u) << err.what();
}
