// Map composition: which maps a plan gets, the page layout, label placement, and the one
// drawing routine every format goes through (see canvas.hpp).
#include "core/box_grid.hpp"
#include "render/canvas.hpp"
#include "render/palette.hpp"
#include "render/png.hpp"

#include <libgrid/error.hpp>
#include <libgrid/render.hpp>

#include <cairo-pdf.h>
#include <cairo.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <ctime>
#include <map>
#include <set>
#include <tuple>

namespace libgrid {
namespace {

using detail::Attrs;
using detail::Canvas;
using detail::Rgba;
using detail::Stroke;
using detail::TextMeasure;
using detail::Weight;
using PageRings = std::vector<std::vector<Point>>;

constexpr double pt_per_mm = 72.0 / 25.4;
constexpr double pi = 3.14159265358979323846;

constexpr Rgba rgb(unsigned v) { return {((v >> 16) & 0xff) / 255.0, ((v >> 8) & 0xff) / 255.0, (v & 0xff) / 255.0, 1.0}; }

/// Paul Tol's "light" qualitative scheme without its grey: readable under black labels and
/// distinguishable with the common colour-vision deficiencies.
constexpr Rgba palette[] = {rgb(0x77AADD), rgb(0xEE8866), rgb(0xEEDD88), rgb(0xFFAABB),
                            rgb(0x99DDFF), rgb(0x44BB99), rgb(0xBBCC33), rgb(0xAAAA00)};
constexpr std::size_t n_palette = sizeof(palette) / sizeof(palette[0]);

const Rgba ink = rgb(0x222222);
const Rgba border_ink = rgb(0x303030);
const Rgba muted = rgb(0x666666);
const Rgba context_fill = rgb(0xF0F0F0);
const Rgba context_line = rgb(0xC4C4C4);
const Rgba white = rgb(0xFFFFFF);

std::string with_commas(double value)
{
    const auto n = static_cast<long long>(std::llround(value));
    std::string digits = std::to_string(n < 0 ? -n : n), out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return (n < 0 ? "-" : "") + out;
}

std::string today_utc()
{
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[16];
    std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
    return buf;
}

/// Axis-aligned rectangle in page points.
struct Rect {
    double x = 0, y = 0, w = 0, h = 0;
    bool overlaps(const Rect& o, double gap) const
    {
        return x < o.x + o.w + gap && o.x < x + w + gap && y < o.y + o.h + gap && o.y < y + h + gap;
    }
    bool contains(Point p) const { return p.x >= x && p.x <= x + w && p.y >= y && p.y <= y + h; }
};

/// Placed label boxes on the page, looked up by overlap through the one BoxGrid (24-pt cells).
class PlacedLabels {
public:
    PlacedLabels(double width, double height) : m_grid({0.0, 0.0, width, height}, 24.0) {}
    bool overlaps(const Rect& r, double gap) const
    {
        return m_grid.any({r.x - gap, r.y - gap, r.x + r.w + gap, r.y + r.h + gap},
                          [&](std::uint32_t i) { return m_boxes[i].overlaps(r, gap); });
    }
    void add(const Rect& r)
    {
        m_grid.add({r.x, r.y, r.x + r.w, r.y + r.h}, static_cast<std::uint32_t>(m_boxes.size()));
        m_boxes.push_back(r);
    }

private:
    detail::BoxGrid m_grid;
    std::vector<Rect> m_boxes;
};

/// Even-odd inside test over page rings.
bool inside_rings(Point p, const PageRings& rings)
{
    bool in = false;
    for (const auto& ring : rings)
        for (std::size_t i = 0, j = ring.empty() ? 0 : ring.size() - 1; i < ring.size(); j = i++) {
            const Point& a = ring[i];
            const Point& b = ring[j];
            if ((a.y > p.y) != (b.y > p.y) && p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x) in = !in;
        }
    return in;
}

double cross(Point o, Point a, Point b) { return (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x); }

bool segments_cross(Point a, Point b, Point c, Point d)
{
    const double d1 = cross(c, d, a), d2 = cross(c, d, b), d3 = cross(a, b, c), d4 = cross(a, b, d);
    return ((d1 > 0) != (d2 > 0)) && ((d3 > 0) != (d4 > 0));
}

/// True when the rectangle lies inside the rings (corners inside, no boundary through it).
bool rect_inside(const Rect& r, const PageRings& rings)
{
    const Point c[4] = {{r.x, r.y}, {r.x + r.w, r.y}, {r.x + r.w, r.y + r.h}, {r.x, r.y + r.h}};
    for (const auto& p : c)
        if (!inside_rings(p, rings)) return false;
    for (const auto& ring : rings)
        for (std::size_t i = 1; i < ring.size(); ++i) {
            const Point a = ring[i - 1], b = ring[i];
            if (r.contains(a)) return false;
            for (int k = 0; k < 4; ++k)
                if (segments_cross(a, b, c[k], c[(k + 1) % 4])) return false;
        }
    return true;
}

struct Label {
    std::size_t grid = 0;
    std::vector<std::string> lines;
    double size = 0.0;
    Rect box;
    Point anchor;
    bool leader = false;
};

/// A hole with (next to) no area: a zero-width slit left between service areas when they were
/// dissolved into a grid. Drawn, its border would read as a line across the grid.
bool slit(const Ring& ring)
{
    double a = 0.0, p = 0.0;
    for (std::size_t i = 1; i < ring.size(); ++i) {
        a += ring[i - 1].x * ring[i].y - ring[i].x * ring[i - 1].y;
        p += std::hypot(ring[i].x - ring[i - 1].x, ring[i].y - ring[i - 1].y);
    }
    return std::abs(a) / 2 <= 1e-3 * p * p;
}

/// Everything computed once per map and drawn in every format.
struct Layout {
    double width = 0, height = 0;       // page, points
    double width_mm = 0, height_mm = 0; // page, millimetres
    Rect frame;                         // map area
    Rect panel;                         // legend column
    double scale = 1.0;                 // points per metre
    double ox = 0, oy = 0, wx0 = 0, wy1 = 0;
    std::vector<std::size_t> grids, context;
    std::vector<PageRings> grid_rings, context_rings;
    std::vector<PageRings> admin_rings;
    std::vector<PageRings> moved_rings; // a "changes" map: the areas moved into its grids
    PageRings station_borders; // segments between stations (and the territory's outline)
    std::vector<Point> transformer_dots;
    std::vector<Label> labels;
    std::size_t dropped = 0;
    std::string title, subtitle, date;
    std::string id_prefix; // of SVG ids: unique per map, so that maps can share an HTML page
    double customers = 0.0;
    std::size_t managers = 0;
    std::vector<std::size_t> colours_used;
    bool detailed = true; // labels with manager and customers

    Point page(const Point& w) const { return {ox + (w.x - wx0) * scale, oy + (wy1 - w.y) * scale}; }
    PageRings rings(const MultiPolygon& shape) const
    {
        PageRings out;
        for (const auto& poly : shape) {
            auto add = [&](const Ring& ring) {
                std::vector<Point> r;
                r.reserve(ring.size());
                for (const auto& p : ring) r.push_back(page(p));
                out.push_back(std::move(r));
            };
            add(poly.outer);
            for (const auto& hole : poly.holes)
                if (!slit(hole)) add(hole);
        }
        return out;
    }
};

Box world_box(const PlanLayers& layers, const std::vector<std::size_t>& grids)
{
    Box b;
    for (const std::size_t g : grids)
        for (const auto& poly : layers.grids[g].shape)
            for (const auto& p : poly.outer) b.add(p);
    return b;
}

bool boxes_meet(const Box& a, const Box& b)
{
    return !a.empty() && !b.empty() && a.min_x <= b.max_x && b.min_x <= a.max_x && a.min_y <= b.max_y &&
           b.min_y <= a.max_y;
}

/// The largest part of a grid: its label goes there.
const Polygon* main_part(const MultiPolygon& shape)
{
    const Polygon* best = nullptr;
    double best_area = -1.0;
    for (const auto& poly : shape) {
        const double a = area(MultiPolygon{poly});
        if (a > best_area) {
            best_area = a;
            best = &poly;
        }
    }
    return best;
}

void place_labels(Layout& lay, const PlanLayers& layers, const MapSpec& map, const RenderOptions& opt,
                  const TextMeasure& tm)
{
    PlacedLabels index(lay.width, lay.height);
    struct Pending {
        std::size_t k;     // position in lay.grids
        Point anchor;      // page
        double room = 0.0; // distance from anchor to boundary, points
        std::vector<std::string> lines;
    };
    std::vector<Pending> pending;
    for (std::size_t k = 0; k < lay.grids.size(); ++k) {
        const auto& g = layers.grids[lay.grids[k]];
        const Polygon* part = main_part(g.shape);
        if (!part) {
            ++lay.dropped;
            continue;
        }
        double d = 0.0;
        const Point pole = pole_of_inaccessibility(*part, 0.5 / lay.scale, &d);
        std::vector<std::string> lines{g.grid_id};
        if (map.detailed_labels) {
            if (!g.manager_name.empty()) lines.push_back(g.manager_name);
            lines.push_back(with_commas(g.customers));
        }
        pending.push_back({k, lay.page(pole), d * lay.scale, std::move(lines)});
    }

    auto measure = [&](const std::vector<std::string>& lines, double size) {
        const double pad = 0.25 * size, line = (tm.ascent(size) + tm.descent(size)) * 1.05;
        double w = 0.0;
        for (std::size_t i = 0; i < lines.size(); ++i)
            w = std::max(w, tm.width(lines[i], size, i == 0 ? Weight::bold : Weight::normal));
        return std::make_pair(w + 2 * pad, line * static_cast<double>(lines.size()) + 2 * pad);
    };
    std::vector<double> sizes;
    for (double s = opt.label_font_pt; s >= opt.min_label_font_pt - 1e-9; s *= 0.85) sizes.push_back(s);
    if (sizes.empty()) sizes.push_back(opt.min_label_font_pt);

    // Pass 1: inside the grid, largest font that fits at (or near) the pole. Boxes inside
    // disjoint grids cannot overlap; the index check keeps that true at shared borders too.
    std::vector<Pending> rest;
    for (auto& p : pending) {
        bool placed = false;
        for (const double size : sizes) {
            const auto [w, h] = measure(p.lines, size);
            const double shifts[][2] = {{0, 0}, {-0.25, 0}, {0.25, 0}, {0, -0.25}, {0, 0.25}};
            for (const auto& s : shifts) {
                const Rect r{p.anchor.x - w / 2 + s[0] * w, p.anchor.y - h / 2 + s[1] * h, w, h};
                const bool quick = s[0] == 0 && s[1] == 0 && std::hypot(w, h) / 2 <= p.room;
                if (!quick && !rect_inside(r, lay.grid_rings[p.k])) continue;
                if (index.overlaps(r, 0.5)) continue;
                index.add(r);
                lay.labels.push_back({lay.grids[p.k], p.lines, size, r, p.anchor, false});
                placed = true;
                break;
            }
            if (placed) break;
        }
        if (!placed) rest.push_back(std::move(p));
    }
    // Pass 2: beside the grid with a leader line, at the smallest size, on rings of growing
    // radius around the anchor; never over another label, never outside the map frame.
    const double size = sizes.back();
    if (!map.leader_lines) {
        lay.dropped += rest.size();
        return;
    }
    for (auto& p : rest) {
        const auto [w, h] = measure(p.lines, size);
        const double step = std::max(6.0, 0.6 * h);
        bool placed = false;
        for (int ring = 1; ring <= 14 && !placed; ++ring) {
            const double radius = p.room + step * ring + 0.5 * std::min(w, h);
            for (int a = 0; a < 16 && !placed; ++a) {
                const double angle = pi / 4 + a * (2 * pi / 16);
                const Point c{p.anchor.x + radius * std::cos(angle), p.anchor.y - radius * std::sin(angle)};
                const Rect r{c.x - w / 2, c.y - h / 2, w, h};
                if (r.x < lay.frame.x + 2 || r.y < lay.frame.y + 2 || r.x + r.w > lay.frame.x + lay.frame.w - 2 ||
                    r.y + r.h > lay.frame.y + lay.frame.h - 2)
                    continue;
                if (index.overlaps(r, 1.0)) continue;
                index.add(r);
                lay.labels.push_back({lay.grids[p.k], p.lines, size, r, p.anchor, true});
                placed = true;
            }
        }
        if (!placed) ++lay.dropped;
    }
}

/// Even-odd inside test over every ring of a multipolygon (world coordinates).
bool inside_shape(Point p, const MultiPolygon& shape)
{
    bool in = false;
    for (const auto& poly : shape) {
        auto scan = [&](const Ring& ring) {
            for (std::size_t i = 0, j = ring.empty() ? 0 : ring.size() - 1; i < ring.size(); j = i++)
                if ((ring[i].y > p.y) != (ring[j].y > p.y) &&
                    p.x < (ring[j].x - ring[i].x) * (p.y - ring[i].y) / (ring[j].y - ring[i].y) + ring[i].x)
                    in = !in;
        };
        scan(poly.outer);
        for (const auto& h : poly.holes) scan(h);
    }
    return in;
}

/// True when the grid lies on both sides of edge ab (1 m away from its middle): a narrow inlet or
/// spike left inside the grid by the dissolve, whose two sides do not share vertices.
bool inlet(Point a, Point b, const MultiPolygon& shape)
{
    const double len = std::hypot(b.x - a.x, b.y - a.y);
    if (!(len > 0)) return true;
    const Point m{(a.x + b.x) / 2, (a.y + b.y) / 2}, n{-(b.y - a.y) / len, (b.x - a.x) / len};
    return inside_shape({m.x + n.x, m.y + n.y}, shape) && inside_shape({m.x - n.x, m.y - n.y}, shape);
}

/// Border segments of the drawn grids that separate two stations, drawn over the grid borders.
/// Decided from shared vertices (1 mm lattice): an edge is a station border when a grid of
/// another station has both of its ends.
PageRings station_borders(const Layout& lay, const PlanLayers& layers)
{
    using Key = std::pair<std::int64_t, std::int64_t>;
    auto key = [](const Point& p) { return Key{std::llround(p.x * 1000), std::llround(p.y * 1000)}; };
    std::vector<std::size_t> drawn(lay.grids);
    drawn.insert(drawn.end(), lay.context.begin(), lay.context.end());
    std::vector<std::pair<Key, std::size_t>> vertices;
    auto for_rings = [&](std::size_t g, auto&& fn) {
        for (const auto& poly : layers.grids[g].shape) {
            fn(poly.outer);
            for (const auto& h : poly.holes)
                if (!slit(h)) fn(h);
        }
    };
    for (const std::size_t g : drawn)
        for_rings(g, [&](const Ring& ring) {
            for (const auto& p : ring) vertices.emplace_back(key(p), g);
        });
    std::sort(vertices.begin(), vertices.end());
    vertices.erase(std::unique(vertices.begin(), vertices.end()), vertices.end());
    auto grids_at = [&](const Key& k) {
        const auto lo = std::lower_bound(vertices.begin(), vertices.end(), std::make_pair(k, std::size_t{0}));
        auto hi = lo;
        while (hi != vertices.end() && hi->first == k) ++hi;
        return std::make_pair(lo, hi);
    };
    const auto station = [&](std::size_t g) -> const std::string& { return layers.grids[g].station_id; };
    struct Seg {
        Key a, b; // ends, a < b
        std::size_t grid;
        Point pa, pb;
    };
    std::vector<Seg> segs;
    for (const std::size_t g : drawn)
        for_rings(g, [&](const Ring& ring) {
            for (std::size_t i = 1; i < ring.size(); ++i) {
                Seg sg{key(ring[i - 1]), key(ring[i]), g, ring[i - 1], ring[i]};
                if (sg.a == sg.b) continue;
                if (sg.b < sg.a) std::swap(sg.a, sg.b);
                segs.push_back(sg);
            }
        });
    std::sort(segs.begin(), segs.end(),
              [](const Seg& x, const Seg& y) { return std::tie(x.a, x.b, x.grid) < std::tie(y.a, y.b, y.grid); });
    PageRings out;
    for (std::size_t i = 0; i < segs.size();) {
        std::size_t j = i + 1;
        while (j < segs.size() && segs[j].a == segs[i].a && segs[j].b == segs[i].b) ++j;
        // The same edge twice in one grid is a spike or slit inside it (the dissolve leaves
        // some), not a border; an edge met from both sides is drawn once.
        bool inside = false;
        for (std::size_t k = i + 1; k < j; ++k)
            if (segs[k].grid == segs[k - 1].grid) inside = true;
        const Seg& e = segs[i];
        if (!inside) {
            // Drawn only when a grid of another station has both ends: neighbouring grids do not
            // always share every vertex (one may have a vertex in the middle of the other's edge),
            // so an unmatched edge proves nothing, and drawing it would put stray lines inside
            // stations. The outline of the whole territory is left to the grid borders.
            const auto [a0, a1] = grids_at(e.a);
            const auto [b0, b1] = grids_at(e.b);
            bool other_both = false;
            for (auto it = a0; it != a1 && !other_both; ++it)
                if (station(it->second) != station(e.grid))
                    for (auto jt = b0; jt != b1; ++jt)
                        if (jt->second == it->second) other_both = true;
            if (other_both && !inlet(e.pa, e.pb, layers.grids[e.grid].shape))
                out.push_back({lay.page(e.pa), lay.page(e.pb)});
        }
        i = j;
    }
    return out;
}

Layout make_layout(const PlanLayers& layers, const std::vector<std::size_t>& colours, const MapSpec& map,
                   const RenderOptions& opt, const TextMeasure& tm)
{
    Layout lay;
    lay.width_mm = opt.paper == PaperSize::a3 ? 420.0 : 297.0;
    lay.height_mm = opt.paper == PaperSize::a3 ? 297.0 : 210.0;
    lay.width = lay.width_mm * pt_per_mm;
    lay.height = lay.height_mm * pt_per_mm;
    const double margin = 10 * pt_per_mm, title_band = 16 * pt_per_mm;
    const double panel_w = (opt.paper == PaperSize::a3 ? 70.0 : 58.0) * pt_per_mm;
    lay.panel = {lay.width - margin - panel_w, margin + title_band, panel_w, lay.height - 2 * margin - title_band};
    lay.frame = {margin, margin + title_band, lay.panel.x - 4 * pt_per_mm - margin,
                 lay.height - 2 * margin - title_band};

    for (const std::size_t g : map.grids)
        if (!layers.grids[g].shape.empty()) lay.grids.push_back(g);
    if (lay.grids.empty())
        throw Error(ErrorCode::invalid_argument,
                    fmt::format("render: map '{}' has no grid with a polygon to draw", map.title));
    const Box wb = world_box(layers, lay.grids);
    const double ww = std::max(wb.max_x - wb.min_x, 1.0), wh = std::max(wb.max_y - wb.min_y, 1.0);
    const double pad = 0.04;
    lay.scale = std::min(lay.frame.w / (ww * (1 + 2 * pad)), lay.frame.h / (wh * (1 + 2 * pad)));
    lay.wx0 = 0.5 * (wb.min_x + wb.max_x);
    lay.wy1 = 0.5 * (wb.min_y + wb.max_y);
    lay.ox = lay.frame.x + lay.frame.w / 2; // the world centre at the frame centre
    lay.oy = lay.frame.y + lay.frame.h / 2;

    for (const std::size_t g : lay.grids) lay.grid_rings.push_back(lay.rings(layers.grids[g].shape));
    // The world window the frame shows, for context grids, admin units and dots.
    Box window;
    window.add({lay.wx0 - lay.frame.w / 2 / lay.scale, lay.wy1 - lay.frame.h / 2 / lay.scale});
    window.add({lay.wx0 + lay.frame.w / 2 / lay.scale, lay.wy1 + lay.frame.h / 2 / lay.scale});
    if (opt.context) {
        std::vector<char> in_map(layers.grids.size(), 0);
        for (const std::size_t g : lay.grids) in_map[g] = 1;
        for (std::size_t g = 0; g < layers.grids.size(); ++g)
            if (!in_map[g] && boxes_meet(bounds(layers.grids[g].shape), window)) {
                lay.context.push_back(g);
                lay.context_rings.push_back(lay.rings(layers.grids[g].shape));
            }
    }
    lay.station_borders = station_borders(lay, layers);
    if (opt.admin_borders)
        for (const auto& u : layers.admin_units)
            if (boxes_meet(bounds(u.shape), window)) lay.admin_rings.push_back(lay.rings(u.shape));
    double moved_customers = 0.0;
    if (map.level == "changes") {
        std::map<std::string, char> ids;
        for (const std::size_t g : lay.grids) ids[layers.grids[g].grid_id] = 1;
        for (const auto& m : layers.moved)
            if (ids.count(m.to_grid)) {
                lay.moved_rings.push_back(lay.rings(m.shape));
                moved_customers += m.customers;
            }
    }
    if (opt.transformers) {
        std::map<std::string, char> ids;
        for (const std::size_t g : lay.grids) ids[layers.grids[g].grid_id] = 1;
        for (const auto& t : layers.transformers)
            if (ids.count(t.grid_id)) lay.transformer_dots.push_back(lay.page(t.location));
    }

    std::vector<char> used(n_palette, 0);
    for (const std::size_t g : lay.grids) {
        const auto& grid = layers.grids[g];
        lay.customers += grid.customers;
        if (!grid.manager_id.empty() || !grid.manager_name.empty()) ++lay.managers;
        used[colours[g] % n_palette] = 1;
    }
    for (std::size_t c = 0; c < n_palette; ++c)
        if (used[c]) lay.colours_used.push_back(c);
    lay.date = opt.date.empty() ? today_utc() : opt.date;
    lay.title = map.title;
    lay.detailed = map.detailed_labels;
    std::uint32_t h = 2166136261u; // FNV-1a of the map's level and id
    for (const char c : map.level + "/" + map.id) h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
    lay.id_prefix = fmt::format("m{:08x}-", h);
    lay.subtitle = fmt::format("{} grids · {} customers · {}", with_commas(static_cast<double>(lay.grids.size())),
                               with_commas(lay.customers), lay.date);
    if (map.level == "changes")
        lay.subtitle = fmt::format("{} transformer areas moved · {} customers · {} grids · {}",
                                   with_commas(static_cast<double>(lay.moved_rings.size())), with_commas(moved_customers),
                                   with_commas(static_cast<double>(lay.grids.size())), lay.date);
    place_labels(lay, layers, map, opt, tm);
    return lay;
}

/// A round scale-bar length (1, 2 or 5 times a power of ten metres) no longer than `max_m`.
double nice_length(double max_m)
{
    const double p = std::pow(10.0, std::floor(std::log10(max_m)));
    for (const double f : {5.0, 2.0, 1.0})
        if (f * p <= max_m) return f * p;
    return p;
}

std::string length_text(double m)
{
    if (m >= 1000.0) return fmt::format("{:g} km", m / 1000.0);
    return fmt::format("{:g} m", m);
}

/// The one drawing routine: every format is these calls on a different canvas.
void draw(const Layout& lay, const PlanLayers& layers, const std::vector<std::size_t>& colours,
          const RenderOptions& opt, const TextMeasure& tm, Canvas& cv)
{
    auto rect_rings = [](const Rect& r) {
        return PageRings{{{r.x, r.y}, {r.x + r.w, r.y}, {r.x + r.w, r.y + r.h}, {r.x, r.y + r.h}}};
    };
    cv.path(rect_rings({0, 0, lay.width, lay.height}), true, &white, nullptr);
    const double margin = 10 * pt_per_mm;
    cv.text({margin, margin + 7 * pt_per_mm}, lay.title, 18, Weight::bold, ink);
    cv.text({margin, margin + 12.5 * pt_per_mm}, lay.subtitle, 10, Weight::normal, muted);

    // Map area.
    cv.push_clip(lay.frame.x, lay.frame.y, lay.frame.w, lay.frame.h);
    const Stroke context_stroke{context_line, 0.4, {}};
    cv.begin_group({{"class", "context"}});
    for (std::size_t i = 0; i < lay.context.size(); ++i)
        cv.path(lay.context_rings[i], true, &context_fill, &context_stroke,
                {{"class", "context-grid"}, {"data-grid", layers.grids[lay.context[i]].grid_id}});
    cv.end_group();
    const double border_w = lay.grids.size() > 400 ? 0.35 : lay.grids.size() > 100 ? 0.6 : 1.0;
    const Stroke border{border_ink, border_w, {}};
    cv.begin_group({{"class", "grids"}});
    for (std::size_t k = 0; k < lay.grids.size(); ++k) {
        const std::size_t g = lay.grids[k];
        const std::size_t c = colours[g] % n_palette;
        cv.path(lay.grid_rings[k], true, &palette[c], &border,
                {{"class", "grid"},
                 {"id", fmt::format("{}grid-{}", lay.id_prefix, g)},
                 {"data-grid", layers.grids[g].grid_id},
                 {"data-colour", std::to_string(c)},
                 {"data-station", layers.grids[g].station_id}});
    }
    cv.end_group();
    const Rgba moved_fill{0.55, 0.05, 0.05, 0.55};
    const Stroke moved_line{rgb(0x8B0000), 0.8, {}};
    if (!lay.moved_rings.empty()) {
        cv.begin_group({{"class", "moved"}});
        for (const auto& r : lay.moved_rings) cv.path(r, true, &moved_fill, &moved_line, {{"class", "moved-area"}});
        cv.end_group();
    }
    if (!lay.station_borders.empty()) {
        const Stroke station{ink, 1.6, {}, true};
        cv.begin_group({{"class", "station-borders"}});
        cv.path(lay.station_borders, false, nullptr, &station);
        cv.end_group();
    }
    if (!lay.admin_rings.empty()) {
        const Stroke admin{muted, 0.35, {2.0, 1.5}};
        cv.begin_group({{"class", "admin"}});
        for (const auto& r : lay.admin_rings) cv.path(r, true, nullptr, &admin);
        cv.end_group();
    }
    if (!lay.transformer_dots.empty()) {
        cv.begin_group({{"class", "transformers"}});
        for (const auto& p : lay.transformer_dots) cv.circle(p, 0.7, &ink, nullptr);
        cv.end_group();
    }
    const Rgba box_fill{1, 1, 1, 0.8};
    const Stroke box_line{muted, 0.3, {}};
    const Stroke leader_line{ink, 0.4, {}};
    auto draw_label = [&](const std::vector<std::string>& lines, double size, const Rect& box) {
        const double pad = 0.25 * size, line = (tm.ascent(size) + tm.descent(size)) * 1.05;
        for (std::size_t i = 0; i < lines.size(); ++i) {
            const Weight w = i == 0 ? Weight::bold : Weight::normal;
            const double x = box.x + box.w / 2 - tm.width(lines[i], size, w) / 2;
            const double y = box.y + pad + line * static_cast<double>(i) + tm.ascent(size);
            cv.text({x, y}, lines[i], size, w, ink);
        }
    };
    cv.begin_group({{"class", "labels"}});
    for (const auto& l : lay.labels) {
        cv.begin_group({{"class", "label"},
                        {"data-grid", layers.grids[l.grid].grid_id},
                        {"data-box", fmt::format("{:.2f} {:.2f} {:.2f} {:.2f}", l.box.x, l.box.y, l.box.w, l.box.h)},
                        {"data-mode", l.leader ? "leader" : "inside"}});
        if (l.leader) {
            const Point end{std::clamp(l.anchor.x, l.box.x, l.box.x + l.box.w),
                            std::clamp(l.anchor.y, l.box.y, l.box.y + l.box.h)};
            cv.path({{l.anchor, end}}, false, nullptr, &leader_line);
            cv.circle(l.anchor, 0.9, &ink, nullptr);
        }
        cv.path(rect_rings(l.box), true, &box_fill, l.leader ? &box_line : nullptr);
        draw_label(l.lines, l.size, l.box);
        cv.end_group();
    }
    cv.end_group();
    cv.pop_clip();
    const Stroke frame_line{ink, 0.6, {}};
    cv.path(rect_rings(lay.frame), true, nullptr, &frame_line);

    // Legend column.
    const Rect& p = lay.panel;
    cv.begin_group({{"class", "legend"}});
    double y = p.y + 12;
    const double x = p.x + 4, sw = 14, text_x = x + sw + 6;
    cv.text({x, y}, "Legend", 11, Weight::bold, ink);
    y += 16;
    for (std::size_t i = 0; i < lay.colours_used.size(); ++i)
        cv.path(rect_rings({x + static_cast<double>(i) * 9.0, y - 8, 8, 9}), true, &palette[lay.colours_used[i]],
                nullptr);
    y += 12;
    cv.text({x, y}, "Grid fills: neighbouring grids always differ", 7.5, Weight::normal, ink);
    y += 14;
    auto legend_line = [&](const Stroke& s, const std::string& what) {
        cv.path({{{x, y - 3}, {x + sw, y - 3}}}, false, nullptr, &s);
        cv.text({text_x, y}, what, 7.5, Weight::normal, ink);
        y += 13;
    };
    legend_line(Stroke{border_ink, 1.0, {}}, "Grid border");
    legend_line(Stroke{ink, 1.8, {}}, "Station border");
    if (!lay.context.empty()) {
        cv.path(rect_rings({x, y - 8, sw, 9}), true, &context_fill, &context_stroke);
        cv.text({text_x, y}, "Grid of another station or branch", 7.5, Weight::normal, ink);
        y += 13;
    }
    if (!lay.admin_rings.empty()) legend_line(Stroke{muted, 0.5, {2.0, 1.5}}, "Admin unit border");
    if (!lay.moved_rings.empty()) {
        cv.path(rect_rings({x, y - 8, sw, 9}), true, &moved_fill, &moved_line);
        cv.text({text_x, y}, "Transformer area the re-plan moved", 7.5, Weight::normal, ink);
        y += 10;
        cv.text({text_x, y}, "into the grid it lies in", 7.5, Weight::normal, ink);
        y += 13;
    }
    if (!lay.transformer_dots.empty()) {
        cv.circle({x + sw / 2, y - 3}, 1.2, &ink, nullptr);
        cv.text({text_x, y}, "Transformer", 7.5, Weight::normal, ink);
        y += 13;
    }
    // Label key, drawn like a label.
    y += 4;
    const bool detailed = lay.detailed;
    std::vector<std::string> key{"Grid id"};
    if (detailed) {
        if (lay.managers) key.push_back("Grid manager");
        key.push_back("Customers");
    }
    const double ks = 8.0;
    double kw = 0;
    for (std::size_t i = 0; i < key.size(); ++i)
        kw = std::max(kw, tm.width(key[i], ks, i == 0 ? Weight::bold : Weight::normal));
    const double kpad = 0.25 * ks, kline = (tm.ascent(ks) + tm.descent(ks)) * 1.05;
    const Rect kbox{x, y, kw + 2 * kpad, kline * static_cast<double>(key.size()) + 2 * kpad};
    cv.path(rect_rings(kbox), true, &box_fill, &box_line);
    draw_label(key, ks, kbox);
    cv.text({kbox.x + kbox.w + 6, kbox.y + kbox.h / 2 + 3}, "Label", 7.5, Weight::normal, ink);
    y = kbox.y + kbox.h + 14;
    std::size_t inside = 0, leader = 0;
    for (const auto& l : lay.labels) (l.leader ? leader : inside)++;
    cv.text({x, y}, fmt::format("Labels: {} in their grid, {} with a leader line", inside, leader), 7.5,
            Weight::normal, ink);
    y += 11;
    if (lay.dropped) {
        cv.text({x, y}, fmt::format("{} grid(s) too small to label here", lay.dropped), 7.5, Weight::bold, ink);
        y += 11;
    }
    y += 8;
    cv.text({x, y}, "Totals", 9, Weight::bold, ink);
    y += 13;
    const std::vector<std::string> totals{
        fmt::format("Grids: {}", with_commas(static_cast<double>(lay.grids.size()))),
        fmt::format("Customers: {}", with_commas(lay.customers)),
        fmt::format("Mean customers per grid: {}", with_commas(lay.customers / static_cast<double>(lay.grids.size()))),
        lay.managers ? fmt::format("Grids with a manager: {} of {}", lay.managers, lay.grids.size())
                     : std::string("Grid managers: not assigned yet")};
    for (const auto& t : totals) {
        cv.text({x, y}, t, 7.5, Weight::normal, ink);
        y += 11;
    }

    // North arrow and scale bar at the foot of the column.
    const double foot = p.y + p.h;
    const Point tip{x + 10, foot - 70};
    cv.path({{tip, {tip.x + 6, tip.y + 20}, {tip.x, tip.y + 15}, {tip.x - 6, tip.y + 20}}}, true, &ink, nullptr);
    cv.text({tip.x - 4, tip.y + 32}, "N", 10, Weight::bold, ink);
    cv.text({x + 26, tip.y + 14}, "Grid north (map CRS)", 7, Weight::normal, muted);
    const double max_bar = std::min(45 * pt_per_mm, p.w - 12);
    const double metres = nice_length(max_bar / lay.scale);
    const double bar = metres * lay.scale;
    const double by = foot - 22;
    for (int i = 0; i < 4; ++i) {
        const Stroke thin{ink, 0.5, {}};
        cv.path(rect_rings({x + bar * i / 4, by, bar / 4, 4}), true, i % 2 ? &white : &ink, &thin);
    }
    cv.text({x - 2, by - 3}, "0", 7, Weight::normal, ink);
    const std::string len = length_text(metres);
    cv.text({x + bar - tm.width(len, 7, Weight::normal) / 2, by - 3}, len, 7, Weight::normal, ink);
    // One millimetre of paper is pt_per_mm / scale metres on the ground.
    const double denominator = 1000.0 * pt_per_mm / lay.scale;
    const double unit = std::pow(10.0, std::max(0.0, std::floor(std::log10(denominator)) - 2.0));
    cv.text({x, by + 14},
            fmt::format("Scale 1:{} on {} · {}", with_commas(std::round(denominator / unit) * unit),
                        opt.paper == PaperSize::a3 ? "A3" : "A4", layers.crs_name),
            6.5, Weight::normal, muted);
    cv.end_group();
}

cairo_status_t append_bytes(void* closure, const unsigned char* data, unsigned int length)
{
    static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
    return CAIRO_STATUS_SUCCESS;
}

void check(cairo_status_t status, const char* what)
{
    if (status != CAIRO_STATUS_SUCCESS)
        throw Error(ErrorCode::internal, fmt::format("render: cairo failed to {}: {}", what, cairo_status_to_string(status)));
}

} // namespace

std::size_t palette_size() noexcept { return n_palette; }

namespace detail {
Rgba palette_colour(std::size_t index) noexcept { return palette[index % n_palette]; }
} // namespace detail

std::vector<MapSpec> plan_maps(const PlanLayers& layers, MapLevel level)
{
    // Beyond this many grids on one sheet, leader lines cover the map more than they help.
    constexpr std::size_t max_leader_grids = 500;
    std::map<std::string, std::vector<std::size_t>> stations, branches;
    for (std::size_t g = 0; g < layers.grids.size(); ++g) {
        stations[layers.grids[g].station_id].push_back(g);
        if (!layers.grids[g].branch_id.empty()) branches[layers.grids[g].branch_id].push_back(g);
    }
    std::vector<MapSpec> out;
    if (level == MapLevel::station || level == MapLevel::all)
        for (const auto& [id, grids] : stations)
            out.push_back({"station", id, id.empty() ? std::string("Grids without a station") : "Station " + id,
                           grids, true, grids.size() <= max_leader_grids});
    if (level == MapLevel::branch || level == MapLevel::all)
        for (const auto& [id, grids] : branches)
            out.push_back({"branch", id, "Branch " + id, grids, true, grids.size() <= max_leader_grids});
    // A re-plan: per station, a sheet of the areas moved into its grids.
    if ((level == MapLevel::station || level == MapLevel::all) && !layers.moved.empty()) {
        std::map<std::string, std::string> station_of;
        for (const auto& g : layers.grids) station_of.emplace(g.grid_id, g.station_id);
        std::set<std::string> moved_into;
        for (const auto& m : layers.moved)
            if (const auto it = station_of.find(m.to_grid); it != station_of.end()) moved_into.insert(it->second);
        for (const auto& [id, grids] : stations)
            if (moved_into.count(id))
                out.push_back({"changes", id,
                               (id.empty() ? std::string("Grids without a station") : "Station " + id) +
                                   ": what the re-plan moved",
                               grids, true, grids.size() <= max_leader_grids});
    }
    if (level == MapLevel::all && !layers.grids.empty()) {
        // Too many grids for leader lines to help: only the labels that fit inside are drawn.
        MapSpec all{"overview", "", "All grids", {}, false, false};
        for (std::size_t g = 0; g < layers.grids.size(); ++g) all.grids.push_back(g);
        out.push_back(std::move(all));
    }
    return out;
}

RenderedMap render_map(const PlanLayers& layers, const std::vector<std::size_t>& colours, const MapSpec& map,
                       const std::vector<MapFormat>& formats, const RenderOptions& options)
{
    if (colours.size() != layers.grids.size())
        throw Error(ErrorCode::invalid_argument,
                    fmt::format("render: {} colours given for {} grids (fix: one colour per grid, e.g. from "
                                "colour_graph(grid_adjacency(...)))",
                                colours.size(), layers.grids.size()));
    if (!(options.dpi >= 10.0 && options.dpi <= 1200.0))
        throw Error(ErrorCode::invalid_argument,
                    fmt::format("render: dpi {} is out of range (fix: give 10..1200)", options.dpi));
    for (const std::size_t g : map.grids)
        if (g >= layers.grids.size())
            throw Error(ErrorCode::invalid_argument, fmt::format("render: map '{}' names grid index {} of {}",
                                                                 map.title, g, layers.grids.size()));
    const TextMeasure tm(options.font_family);
    const Layout lay = make_layout(layers, colours, map, options, tm);

    RenderedMap out;
    out.stats.grids = lay.grids.size();
    for (const auto& l : lay.labels) (l.leader ? out.stats.labels_leader : out.stats.labels_inside)++;
    out.stats.labels_dropped = lay.dropped;
    for (const MapFormat f : formats) {
        std::string bytes;
        if (f == MapFormat::svg) {
            detail::SvgCanvas svg(lay.width, lay.height, lay.width_mm, lay.height_mm, options.font_family,
                                  {{"data-map-level", map.level},
                                   {"data-map-id", map.id},
                                   {"data-grids", std::to_string(lay.grids.size())},
                                   {"data-labels-dropped", std::to_string(lay.dropped)}},
                                  lay.id_prefix);
            draw(lay, layers, colours, options, tm, svg);
            bytes = svg.finish();
        } else if (f == MapFormat::png) {
            const double k = options.dpi / 72.0;
            cairo_surface_t* s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, static_cast<int>(std::lround(lay.width * k)),
                                                            static_cast<int>(std::lround(lay.height * k)));
            cairo_t* cr = cairo_create(s);
            cairo_scale(cr, k, k);
            draw(lay, layers, colours, options, tm, *detail::make_cairo_canvas(cr, options.font_family));
            const cairo_status_t drawn = cairo_status(cr);
            cairo_destroy(cr);
            cairo_surface_flush(s);
            try {
                if (drawn == CAIRO_STATUS_SUCCESS)
                    bytes = detail::encode_png(cairo_image_surface_get_data(s), cairo_image_surface_get_width(s),
                                               cairo_image_surface_get_height(s), cairo_image_surface_get_stride(s),
                                               options.dpi);
            } catch (...) {
                cairo_surface_destroy(s);
                throw;
            }
            cairo_surface_destroy(s);
            check(drawn, "draw the PNG");
        } else {
            cairo_surface_t* s = cairo_pdf_surface_create_for_stream(append_bytes, &bytes, lay.width, lay.height);
            cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, map.title.c_str());
            cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, "libgrid");
            // The map's own date rather than the clock, so that the same inputs give the same file.
            cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATE_DATE, (lay.date + "T00:00:00").c_str());
            cairo_t* cr = cairo_create(s);
            draw(lay, layers, colours, options, tm, *detail::make_cairo_canvas(cr, options.font_family));
            const cairo_status_t drawn = cairo_status(cr);
            cairo_destroy(cr);
            cairo_surface_finish(s);
            const cairo_status_t finished = cairo_surface_status(s);
            cairo_surface_destroy(s);
            check(drawn != CAIRO_STATUS_SUCCESS ? drawn : finished, "draw or write the PDF");
        }
        out.files.push_back(std::move(bytes));
    }
    return out;
}

} // namespace libgrid
