#include "scenario/scenario_binary.h"

#include <utility>

#include "mm/tlb.h"

namespace uf
{

namespace
{

constexpr size_t HEADER_SIZE = 9;
constexpr size_t VMA_RECORD_SIZE = 9;
constexpr size_t RUN_SIZE = 3;
constexpr int MAX_RUN = 256; // count-1 fits a u8
constexpr size_t EVENT_RECORD_SIZE = 3;
constexpr int BITMAP_BYTES = MAX_FOLIO_PAGES / 8;

constexpr size_t MAX_SECTION_SIZE[NR_BINARY_SECTIONS] = {
    HEADER_SIZE,      MAX_VMAS *VMA_RECORD_SIZE,     MAX_VMAS *(2 + RUN_SIZE * MAX_FOLIO_PAGES),
    2 * BITMAP_BYTES, MAX_EVENTS *EVENT_RECORD_SIZE,
};

constexpr size_t max_encoded_size()
{
        size_t n = BINARY_PREAMBLE_SIZE;
        for (size_t len : MAX_SECTION_SIZE)
                n += len;
        return n;
}

// What the fixed-width fields must hold.
static_assert(static_cast<int>(folio_type::NR_FOLIO_TYPES) <= 256);
static_assert(static_cast<int>(slot_kind::NR_SLOT_KINDS) <= 256);
static_assert(static_cast<int>(event_kind::NR_EVENT_KINDS) <= 256);
static_assert(NR_ARCH_MODES <= 256);
static_assert(TTU_ALL_FLAGS <= 0xff, "ttu is one byte");
static_assert(FOLIO_ALL_FLAGS <= 0xff && MAX_EXTRA_REFS <= 0xff);
static_assert(MAX_MMS <= 0xff && MAX_VMAS <= 0xff && MAX_EVENTS <= 0xff);
static_assert(TASK_SIZE / PAGE_SIZE <= 0xffff, "VMA addresses are u16 page numbers");
static_assert(MAX_FOLIO_PAGES <= 0xffff && MAX_FOLIO_PAGES % 8 == 0);
static_assert(max_encoded_size() <= MAX_INPUT_SIZE, "every encoded scenario fits the cap");
static_assert(max_encoded_size() <= 0xffff, "section lengths are u16");

// Bounded reader over [begin, end) of the input: never reads outside it. A
// fixed-size field it cannot fill takes the default and marks the input
// truncated.
class reader
{
      public:
        reader() = default;
        reader(const uint8_t *data, size_t begin, size_t end, bool *truncated)
            : data_(data), pos_(begin), end_(end), truncated_(truncated)
        {
        }

        size_t remaining() const { return end_ - pos_; }

        uint8_t u8(uint8_t def)
        {
                if (pos_ < end_)
                        return data_[pos_++];
                *truncated_ = true;
                return def;
        }

        uint16_t u16(uint16_t def)
        {
                if (remaining() >= 2) {
                        uint16_t v = static_cast<uint16_t>(data_[pos_] | data_[pos_ + 1] << 8);
                        pos_ += 2;
                        return v;
                }
                pos_ = end_;
                *truncated_ = true;
                return def;
        }

        // Variable-length data: running out is not truncation.
        bool take(uint8_t *out)
        {
                if (pos_ >= end_)
                        return false;
                *out = data_[pos_++];
                return true;
        }

      private:
        const uint8_t *data_ = nullptr;
        size_t pos_ = 0, end_ = 0;
        bool *truncated_ = nullptr;
};

// An enum tag: unknown values map by modulo.
template <typename E> E tag(uint8_t raw, E nr, int *clamps)
{
        int n = static_cast<int>(nr);
        if (raw >= n) {
                raw = static_cast<uint8_t>(raw % n);
                (*clamps)++;
        }
        return static_cast<E>(raw);
}

unsigned long page_addr(uint16_t pfn)
{
        return static_cast<unsigned long>(pfn) << PAGE_SHIFT;
}

void decode_header(reader &r, scenario &s, int *clamps)
{
        s.type = tag(r.u8(static_cast<uint8_t>(s.type)), folio_type::NR_FOLIO_TYPES, clamps);
        s.order = r.u8(s.order);
        s.folio_flags = r.u8(s.folio_flags);
        s.extra_refs = r.u8(s.extra_refs);
        s.ttu = r.u8(static_cast<uint8_t>(s.ttu));
        s.arch = tag(r.u8(s.arch), NR_ARCH_MODES, clamps);
        s.nr_mms = r.u8(s.nr_mms);
        s.nr_vmas = r.u8(s.nr_vmas);
        s.nr_events = r.u8(s.nr_events);
}

void decode_vma(reader &r, vma_spec &vma, int *clamps)
{
        vma.mm = r.u8(vma.mm);
        vma.start = page_addr(r.u16(0));
        vma.end = page_addr(r.u16(0));
        vma.folio_addr = page_addr(r.u16(0));
        vma.flags = r.u8(vma.flags);
        uint8_t pmd = r.u8(0);
        if (pmd > 1)
                (*clamps)++;
        vma.pmd = pmd & 1;
}

void decode_runs(reader &r, vma_spec &vma, decode_stats *ds)
{
        unsigned nruns = r.u16(0);
        if (nruns > MAX_FOLIO_PAGES) {
                nruns = MAX_FOLIO_PAGES;
                ds->clamps++;
        }
        int page = 0;
        bool past_end = false;
        for (unsigned k = 0; k < nruns; k++) {
                if (r.remaining() == 0) {
                        ds->truncated = true;
                        break;
                }
                int count = r.u8(0) + 1;
                slot_spec slot;
                slot.kind = tag(r.u8(0), slot_kind::NR_SLOT_KINDS, &ds->clamps);
                slot.bits = r.u8(0);
                if (count > MAX_FOLIO_PAGES - page) {
                        past_end = true;
                        count = MAX_FOLIO_PAGES - page;
                }
                for (int i = page; i < page + count; i++)
                        vma.slot[i] = slot;
                page += count;
        }
        if (past_end)
                ds->clamps++;
}

void decode_pages(reader &r, scenario &s)
{
        for (int k = 0; k < BITMAP_BYTES; k++) {
                uint8_t pae = 0, hwpoison = 0;
                if (!r.take(&pae))
                        break;
                r.take(&hwpoison);
                for (int b = 0; b < 8; b++) {
                        if (pae & (1u << b))
                                s.pae.set(8 * k + b);
                        if (hwpoison & (1u << b))
                                s.hwpoison.set(8 * k + b);
                }
        }
}

void decode_event(reader &r, event &ev, int *clamps)
{
        ev.kind = tag(r.u8(0), event_kind::NR_EVENT_KINDS, clamps);
        ev.page = r.u16(0);
}

class writer
{
      public:
        std::vector<uint8_t> out;

        void u8(unsigned v) { out.push_back(static_cast<uint8_t>(v)); }
        void u16(unsigned v)
        {
                out.push_back(static_cast<uint8_t>(v));
                out.push_back(static_cast<uint8_t>(v >> 8));
        }
        void patch_u16(size_t at, size_t v)
        {
                out[at] = static_cast<uint8_t>(v);
                out[at + 1] = static_cast<uint8_t>(v >> 8);
        }
};

void encode_runs(writer &w, const vma_spec &vma)
{
        int last = MAX_FOLIO_PAGES;
        while (last > 0 && vma.slot[last - 1] == slot_spec{})
                last--;
        size_t at = w.out.size();
        w.u16(0);
        unsigned nruns = 0;
        for (int i = 0; i < last;) {
                int count = 1;
                while (i + count < last && count < MAX_RUN && vma.slot[i + count] == vma.slot[i])
                        count++;
                w.u8(static_cast<unsigned>(count - 1));
                w.u8(static_cast<unsigned>(vma.slot[i].kind));
                w.u8(vma.slot[i].bits);
                nruns++;
                i += count;
        }
        w.patch_u16(at, nruns);
}

void encode_pages(writer &w, const scenario &s)
{
        uint8_t bytes[2 * BITMAP_BYTES] = {};
        for (int p = 0; p < MAX_FOLIO_PAGES; p++) {
                if (s.pae.test(p))
                        bytes[2 * (p / 8)] |= static_cast<uint8_t>(1u << (p % 8));
                if (s.hwpoison.test(p))
                        bytes[2 * (p / 8) + 1] |= static_cast<uint8_t>(1u << (p % 8));
        }
        int n = 2 * BITMAP_BYTES;
        while (n > 0 && bytes[n - 2] == 0 && bytes[n - 1] == 0)
                n -= 2;
        w.out.insert(w.out.end(), bytes, bytes + n);
}

} // namespace

scenario decode_scenario(const uint8_t *data, size_t size, decode_stats *stats)
{
        decode_stats ds;
        if (size > MAX_INPUT_SIZE) {
                size = MAX_INPUT_SIZE;
                ds.truncated = true;
        }
        scenario s;

        reader top(data, 0, size, &ds.truncated);
        if (top.u8(SCENARIO_BINARY_VERSION) != SCENARIO_BINARY_VERSION)
                ds.clamps++; // decoded as this version all the same (version 1: same layout)
        reader sec[NR_BINARY_SECTIONS];
        uint16_t len[NR_BINARY_SECTIONS];
        for (uint16_t &l : len)
                l = top.u16(0);
        size_t off = BINARY_PREAMBLE_SIZE < size ? BINARY_PREAMBLE_SIZE : size;
        for (int i = 0; i < NR_BINARY_SECTIONS; i++) {
                size_t n = len[i];
                if (n > size - off) {
                        n = size - off;
                        ds.clamps++;
                        ds.truncated = true;
                }
                sec[i] = reader(data, off, off + n, &ds.truncated);
                off += n;
        }

        decode_header(sec[SECTION_HEADER], s, &ds.clamps);
        int nr_vmas = s.nr_vmas < MAX_VMAS ? s.nr_vmas : MAX_VMAS;
        for (int v = 0; v < nr_vmas; v++)
                decode_vma(sec[SECTION_VMAS], s.vmas[v], &ds.clamps);
        for (int v = 0; v < nr_vmas; v++)
                decode_runs(sec[SECTION_PTES], s.vmas[v], &ds);
        decode_pages(sec[SECTION_PAGES], s);
        int nr_events = s.nr_events < MAX_EVENTS ? s.nr_events : MAX_EVENTS;
        for (int e = 0; e < nr_events; e++)
                decode_event(sec[SECTION_EVENTS], s.events[e], &ds.clamps);

        ds.clamps += sanitize(s);
        if (stats)
                *stats = ds;
        return s;
}

std::vector<uint8_t> encode_scenario(const scenario &in)
{
        scenario s = in;
        sanitize(s);

        writer w;
        w.out.reserve(BINARY_PREAMBLE_SIZE + HEADER_SIZE + s.nr_vmas * VMA_RECORD_SIZE +
                      s.nr_events * EVENT_RECORD_SIZE + 2 * BITMAP_BYTES + 64);
        w.u8(SCENARIO_BINARY_VERSION);
        for (int i = 0; i < NR_BINARY_SECTIONS; i++)
                w.u16(0);
        size_t begin[NR_BINARY_SECTIONS + 1];

        begin[SECTION_HEADER] = w.out.size();
        w.u8(static_cast<unsigned>(s.type));
        w.u8(s.order);
        w.u8(s.folio_flags);
        w.u8(s.extra_refs);
        w.u8(s.ttu);
        w.u8(s.arch);
        w.u8(s.nr_mms);
        w.u8(s.nr_vmas);
        w.u8(s.nr_events);

        begin[SECTION_VMAS] = w.out.size();
        for (int v = 0; v < s.nr_vmas; v++) {
                const vma_spec &vma = s.vmas[v];
                w.u8(vma.mm);
                w.u16(static_cast<unsigned>(vma.start >> PAGE_SHIFT));
                w.u16(static_cast<unsigned>(vma.end >> PAGE_SHIFT));
                w.u16(static_cast<unsigned>(vma.folio_addr >> PAGE_SHIFT));
                w.u8(vma.flags);
                w.u8(vma.pmd);
        }

        begin[SECTION_PTES] = w.out.size();
        for (int v = 0; v < s.nr_vmas; v++)
                encode_runs(w, s.vmas[v]);

        begin[SECTION_PAGES] = w.out.size();
        encode_pages(w, s);

        begin[SECTION_EVENTS] = w.out.size();
        for (int e = 0; e < s.nr_events; e++) {
                w.u8(static_cast<unsigned>(s.events[e].kind));
                w.u16(s.events[e].page);
        }
        begin[NR_BINARY_SECTIONS] = w.out.size();

        for (int i = 0; i < NR_BINARY_SECTIONS; i++)
                w.patch_u16(1 + 2 * static_cast<size_t>(i), begin[i + 1] - begin[i]);
        return std::move(w.out);
}

} // namespace uf
