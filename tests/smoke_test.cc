#include <gtest/gtest.h>

#include "oracle/program.h"
#include "reference/rmap.h"
#include "scenario/scenario.h"
#include "scenario/world_builder.h"

using namespace uf;

TEST(Smoke, OrderZeroLazyfreeDiscards)
{
        scenario s;
        s.type = folio_type::lazyfree;
        s.nr_vmas = 1;
        s.vmas[0].start = 0x200000;
        s.vmas[0].end = 0x210000;
        s.vmas[0].folio_addr = 0x201000;
        s.vmas[0].slot[0] = slot_spec{slot_kind::present, PTE_YOUNG};
        EXPECT_EQ(sanitize(s), 0);
        world w;
        build_world(s, w, program().rules);
        EXPECT_EQ(w.folio.refcount, 2);
        EXPECT_TRUE(reference::try_to_unmap(&w.folio, 0));
        EXPECT_EQ(w.folio.refcount, 1);
        EXPECT_EQ(w.mms[0].rss_stat[MM_ANONPAGES], 0);
        EXPECT_EQ(w.violations, 0u);
}
