// synth-city: deterministic synthetic territory generator for libgrid benchmarks and tests.
//
// Generates, for a given number of transformers N and a seed, the data a distribution utility
// hands over: transformers (points with customers, kVA, feeder, station, branch, community,
// compound, HV bus, current meter reader), nested admin boundaries (station > community >
// compound, each level tiling its parent exactly, with shared vertices), a node-based radial MV
// network (feeder edge table with switches and normally-open ties) and optionally customer
// points. Everything is generated in metres in EPSG:32649 (UTM 49N) around 113.0E 28.2N and
// written in EPSG:4326 lon/lat with GDAL only.
//
// Determinism: all randomness comes from std::mt19937_64 raw output with our own
// distributions; the same seed gives byte-identical files on the same platform/GDAL build.
//
// Polygons: every level is a Voronoi diagram of its sites clipped to the parent cell. The
// territory is convex, so every cell is convex and is computed by half-plane clipping. Each
// vertex is identified combinatorially (three sites, or a parent edge and two sites) and its
// coordinates are computed once, so neighbouring cells share bit-identical vertices. Every
// vertex that lies on an edge is also inserted into every polygon (at any level) that runs
// along that edge, so the coverage has no T-junctions and nesting is exact vertex-for-vertex.

#include <gdal_priv.h>
#include <ogr_geometry.h>
#include <ogr_spatialref.h>
#include <ogrsf_frmts.h>
#include <cpl_conv.h>
#include <cpl_string.h>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <numeric>
#include <random>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <unistd.h>

namespace fs = std::filesystem;

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kCentreLon = 113.0;
constexpr double kCentreLat = 28.2;
constexpr int kUtmEpsg = 32649;
constexpr int kMaxCustomers = 600;
constexpr double kTransformerMargin = 1.0;  // min distance (m) of a transformer from any boundary
constexpr double kCustomerMargin = 0.5;
constexpr double kMaxEdgeLength = 400.0;     // boundary edges are densified to this length (m)

// ------------------------------------------------------------------------------------------
// Randomness: raw mt19937_64 output, own distributions (portable across standard libraries).
uint64_t splitmix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

class Rng {
 public:
  Rng(uint64_t seed, uint64_t stream) : g_(splitmix64(seed ^ splitmix64(stream * 0x632be59bd9b4e019ULL))) {}
  uint64_t bits() { return g_(); }
  // uniform double in [0, 1) from the top 53 bits
  double uniform() { return static_cast<double>(g_() >> 11) * 0x1.0p-53; }
  double uniform(double a, double b) { return a + (b - a) * uniform(); }
  // uniform integer in [0, n)
  uint64_t below(uint64_t n) {
    if (n <= 1) return 0;
    const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t r = g_();
    while (r >= limit) r = g_();
    return r % n;
  }
  int range(int lo, int hi) {  // inclusive
    return lo + static_cast<int>(below(static_cast<uint64_t>(hi - lo + 1)));
  }
  double normal() {  // Box-Muller, one value per call (no hidden state)
    const double u1 = 1.0 - uniform();  // (0, 1]
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * kPi * u2);
  }
  double lognormal(double median, double sigma) { return median * std::exp(sigma * normal()); }
  bool chance(double p) { return uniform() < p; }

 private:
  std::mt19937_64 g_;
};

// ------------------------------------------------------------------------------------------
// Plane geometry (local metres, origin at the territory centre).
struct P2 {
  double x = 0.0;
  double y = 0.0;
};
inline P2 operator+(P2 a, P2 b) { return {a.x + b.x, a.y + b.y}; }
inline P2 operator-(P2 a, P2 b) { return {a.x - b.x, a.y - b.y}; }
inline P2 operator*(P2 a, double s) { return {a.x * s, a.y * s}; }
inline double dot(P2 a, P2 b) { return a.x * b.x + a.y * b.y; }
inline double crossv(P2 a, P2 b) { return a.x * b.y - a.y * b.x; }
inline double dist2(P2 a, P2 b) { return dot(a - b, a - b); }
inline double dist(P2 a, P2 b) { return std::sqrt(dist2(a, b)); }

std::vector<P2> convexHull(std::vector<P2> pts) {  // CCW, monotone chain
  std::sort(pts.begin(), pts.end(), [](P2 a, P2 b) { return a.x < b.x || (a.x == b.x && a.y < b.y); });
  if (pts.size() < 3) return pts;
  std::vector<P2> h(2 * pts.size());
  size_t k = 0;
  for (size_t i = 0; i < pts.size(); ++i) {
    while (k >= 2 && crossv(h[k - 1] - h[k - 2], pts[i] - h[k - 2]) <= 0) --k;
    h[k++] = pts[i];
  }
  for (size_t i = pts.size() - 1, t = k + 1; i-- > 0;) {
    while (k >= t && crossv(h[k - 1] - h[k - 2], pts[i] - h[k - 2]) <= 0) --k;
    h[k++] = pts[i];
  }
  h.resize(k - 1);
  return h;
}

double ringArea(const std::vector<P2>& r) {
  double a = 0.0;
  for (size_t i = 0, n = r.size(); i < n; ++i) a += crossv(r[i], r[(i + 1) % n]);
  return 0.5 * a;
}

// Signed distance of p from the boundary of a CCW convex ring (positive inside).
double insideDistance(const std::vector<P2>& r, P2 p) {
  double best = 1e300;
  for (size_t i = 0, n = r.size(); i < n; ++i) {
    const P2 a = r[i], b = r[(i + 1) % n];
    const P2 e = b - a;
    const double len = std::sqrt(dot(e, e));
    if (len <= 0.0) continue;
    best = std::min(best, crossv(e, p - a) / len);
  }
  return best;
}

struct BBox {
  double minx = 1e300, miny = 1e300, maxx = -1e300, maxy = -1e300;
  void add(P2 p) {
    minx = std::min(minx, p.x);
    miny = std::min(miny, p.y);
    maxx = std::max(maxx, p.x);
    maxy = std::max(maxy, p.y);
  }
};

BBox ringBox(const std::vector<P2>& r) {
  BBox b;
  for (const P2& p : r) b.add(p);
  return b;
}

P2 uniformInConvex(const std::vector<P2>& ring, const BBox& b, double margin, Rng& rng, bool* ok) {
  for (int t = 0; t < 1000; ++t) {
    P2 p{rng.uniform(b.minx, b.maxx), rng.uniform(b.miny, b.maxy)};
    if (insideDistance(ring, p) >= margin) {
      if (ok) *ok = true;
      return p;
    }
  }
  if (ok) *ok = false;
  return P2{0.5 * (b.minx + b.maxx), 0.5 * (b.miny + b.maxy)};
}

uint64_t hilbertKey(uint32_t x, uint32_t y) {
  constexpr uint32_t n = 1u << 16;
  uint64_t d = 0;
  for (uint32_t s = n / 2; s > 0; s /= 2) {
    const uint32_t rx = (x & s) ? 1u : 0u;
    const uint32_t ry = (y & s) ? 1u : 0u;
    d += static_cast<uint64_t>(s) * s * ((3u * rx) ^ ry);
    if (ry == 0) {
      if (rx == 1) {
        x = n - 1 - x;
        y = n - 1 - y;
      }
      std::swap(x, y);
    }
  }
  return d;
}

uint32_t gridCoord(double v, double lo, double hi) {
  const double t = hi > lo ? (v - lo) / (hi - lo) : 0.5;
  return static_cast<uint32_t>(std::clamp(t, 0.0, 1.0) * 65535.0);
}

// Deterministic centroid (integer millimetre sums: independent of summation order).
P2 centroidOf(const std::vector<P2>& pts, const std::vector<uint32_t>& idx, size_t lo, size_t hi) {
  int64_t sx = 0, sy = 0;
  for (size_t i = lo; i < hi; ++i) {
    sx += std::llround(pts[idx[i]].x * 1000.0);
    sy += std::llround(pts[idx[i]].y * 1000.0);
  }
  const double n = static_cast<double>(hi - lo);
  return {static_cast<double>(sx) / n / 1000.0, static_cast<double>(sy) / n / 1000.0};
}

// Recursive balanced bisection of points into k groups; emits the centroid of each group.
// Sites placed this way follow the point density, so Voronoi cells get comparable counts.
void splitGroups(const std::vector<P2>& pts, std::vector<uint32_t>& idx, size_t lo, size_t hi, size_t k,
                 Rng& rng, double jitter, std::vector<P2>& out) {
  const size_t n = hi - lo;
  if (k <= 1 || n <= 1) {
    out.push_back(centroidOf(pts, idx, lo, hi));
    return;
  }
  const size_t k1 = k / 2, k2 = k - k1;
  const double f = static_cast<double>(k1) / static_cast<double>(k) * (1.0 + jitter * (2.0 * rng.uniform() - 1.0));
  size_t m = static_cast<size_t>(std::llround(f * static_cast<double>(n)));
  m = std::clamp(m, k1, n - k2);
  BBox b;
  for (size_t i = lo; i < hi; ++i) b.add(pts[idx[i]]);
  const bool alongX = (b.maxx - b.minx) >= (b.maxy - b.miny);
  auto key = [&](uint32_t a) { return alongX ? pts[a].x : pts[a].y; };
  std::nth_element(idx.begin() + static_cast<std::ptrdiff_t>(lo), idx.begin() + static_cast<std::ptrdiff_t>(lo + m),
                   idx.begin() + static_cast<std::ptrdiff_t>(hi), [&](uint32_t a, uint32_t c) {
                     const double ka = key(a), kc = key(c);
                     return ka < kc || (ka == kc && a < c);
                   });
  splitGroups(pts, idx, lo, lo + m, k1, rng, jitter, out);
  splitGroups(pts, idx, lo + m, hi, k2, rng, jitter, out);
}

std::vector<P2> groupSites(const std::vector<P2>& pts, const std::vector<uint32_t>& members, size_t k, Rng& rng,
                           double jitter) {
  std::vector<uint32_t> idx(members);
  std::vector<P2> out;
  k = std::max<size_t>(1, std::min(k, idx.size()));
  splitGroups(pts, idx, 0, idx.size(), k, rng, jitter, out);
  return out;
}

// ------------------------------------------------------------------------------------------
// Shared-vertex topology for nested clipped Voronoi diagrams.
struct VKey {
  uint32_t type, a, b, c;
  bool operator==(const VKey& o) const { return type == o.type && a == o.a && b == o.b && c == o.c; }
};
struct VKeyHash {
  size_t operator()(const VKey& k) const {
    uint64_t h = splitmix64((static_cast<uint64_t>(k.a) << 32) ^ k.b);
    h = splitmix64(h ^ ((static_cast<uint64_t>(k.c) << 8) | k.type));
    return static_cast<size_t>(h);
  }
};

// A convex cell: CCW vertex ids; lab[k] labels edge v[k] -> v[k+1]: >= 0 a host segment id,
// < 0 a pending bisector with sibling site -(lab+1) (only while clipping).
struct Cell {
  std::vector<uint32_t> v;
  std::vector<int64_t> lab;
};

class Topo {
 public:
  struct Host {  // a straight segment a->b (a < b) that may carry inserted vertices
    uint32_t a, b;
    std::vector<std::pair<double, uint32_t>> pts;
  };

  explicit Topo(const std::vector<P2>& sites) : sites_(sites) {}

  std::vector<P2> v;
  std::vector<int32_t> vHost;
  std::vector<uint8_t> registered;
  std::vector<Host> hosts;
  size_t inconsistencies = 0;

  uint32_t addVertex(P2 p, int32_t host) {
    v.push_back(p);
    vHost.push_back(host);
    registered.push_back(0);
    return static_cast<uint32_t>(v.size() - 1);
  }
  uint32_t addHost(uint32_t a, uint32_t b) {
    if (a > b) std::swap(a, b);
    hosts.push_back(Host{a, b, {}});
    return static_cast<uint32_t>(hosts.size() - 1);
  }
  double tOn(const Host& h, P2 p) const {
    const P2 A = v[h.a], d = v[h.b] - A;
    return dot(p - A, d) / dot(d, d);
  }
  uint32_t voronoiVertex(uint32_t i, uint32_t j, uint32_t k) {
    std::array<uint32_t, 3> s{i, j, k};
    std::sort(s.begin(), s.end());
    const VKey key{1, s[0], s[1], s[2]};
    auto it = keyed_.find(key);
    if (it != keyed_.end()) return it->second;
    const P2 a = sites_[s[0]], b = sites_[s[1]] - a, c = sites_[s[2]] - a;
    const double d = 2.0 * crossv(b, c);
    const double bb = dot(b, b), cc = dot(c, c);
    P2 p{a.x + (c.y * bb - b.y * cc) / d, a.y + (b.x * cc - c.x * bb) / d};
    const uint32_t id = addVertex(p, -1);
    keyed_.emplace(key, id);
    return id;
  }
  uint32_t hostVertex(uint32_t h, uint32_t i, uint32_t j) {
    if (i > j) std::swap(i, j);
    const VKey key{2, h, i, j};
    auto it = keyed_.find(key);
    if (it != keyed_.end()) return it->second;
    const P2 A = v[hosts[h].a], e = v[hosts[h].b] - A;
    const P2 si = sites_[i], sj = sites_[j];
    const P2 d = sj - si, m = (si + sj) * 0.5;
    const double t = dot(m - A, d) / dot(e, d);
    const uint32_t id = addVertex(A + e * t, static_cast<int32_t>(h));
    keyed_.emplace(key, id);
    return id;
  }
  // Host for the bisector of sites i and j with endpoints u, w (created once per site pair).
  uint32_t bisectorHost(uint32_t i, uint32_t j, uint32_t u, uint32_t w) {
    if (i > j) std::swap(i, j);
    if (u > w) std::swap(u, w);
    const uint64_t key = (static_cast<uint64_t>(i) << 32) | j;
    auto it = bisectorHosts_.find(key);
    if (it != bisectorHosts_.end()) {
      const Host& h = hosts[it->second];
      if (h.a != u || h.b != w) ++inconsistencies;
      return it->second;
    }
    const uint32_t h = addHost(u, w);
    bisectorHosts_.emplace(key, h);
    return h;
  }
  void registerVertex(uint32_t id) {
    if (vHost[id] < 0 || registered[id]) return;
    registered[id] = 1;
    Host& h = hosts[static_cast<size_t>(vHost[id])];
    h.pts.emplace_back(tOn(h, v[id]), id);
  }
  // Sort host points and fill long gaps so that no output edge is longer than maxLen.
  void densify(double maxLen) {
    for (size_t hi = 0; hi < hosts.size(); ++hi) {
      Host& h = hosts[hi];
      std::sort(h.pts.begin(), h.pts.end());
      const P2 A = v[h.a], e = v[h.b] - A;
      const double len = std::sqrt(dot(e, e));
      if (len <= maxLen) continue;
      std::vector<double> ts{0.0};
      for (const auto& p : h.pts) ts.push_back(p.first);
      ts.push_back(1.0);
      std::vector<std::pair<double, uint32_t>> add;
      for (size_t k = 0; k + 1 < ts.size(); ++k) {
        const double gap = (ts[k + 1] - ts[k]) * len;
        if (gap <= maxLen) continue;
        const int m = static_cast<int>(std::ceil(gap / maxLen));
        for (int q = 1; q < m; ++q) {
          const double t = ts[k] + (ts[k + 1] - ts[k]) * q / m;
          const uint32_t id = addVertex(A + e * t, static_cast<int32_t>(hi));
          registered.back() = 1;
          add.emplace_back(tOn(hosts[hi], v[id]), id);
        }
      }
      Host& hh = hosts[hi];  // addVertex does not touch hosts, but be explicit
      hh.pts.insert(hh.pts.end(), add.begin(), add.end());
      std::sort(hh.pts.begin(), hh.pts.end());
    }
  }
  // Full ring (vertex ids, CCW, not closed) including every vertex inserted on its edges.
  std::vector<uint32_t> expand(const Cell& c) const {
    std::vector<uint32_t> out;
    const size_t n = c.v.size();
    out.reserve(n * 2);
    for (size_t k = 0; k < n; ++k) {
      const uint32_t u = c.v[k], w = c.v[(k + 1) % n];
      out.push_back(u);
      const Host& h = hosts[static_cast<size_t>(c.lab[k])];
      if (h.pts.empty()) continue;
      const double tu = tOn(h, v[u]), tw = tOn(h, v[w]);
      if (tu < tw) {
        auto it = std::upper_bound(h.pts.begin(), h.pts.end(), std::make_pair(tu, UINT32_MAX));
        for (; it != h.pts.end() && it->first < tw; ++it)
          if (it->second != u && it->second != w) out.push_back(it->second);
      } else {
        auto it = std::lower_bound(h.pts.begin(), h.pts.end(), std::make_pair(tu, uint32_t{0}));
        while (it != h.pts.begin()) {
          --it;
          if (!(it->first > tw)) break;
          if (it->second != u && it->second != w) out.push_back(it->second);
        }
      }
    }
    return out;
  }
  std::vector<P2> ringPoints(const Cell& c) const {
    std::vector<P2> r;
    r.reserve(c.v.size());
    for (uint32_t id : c.v) r.push_back(v[id]);
    return r;
  }

 private:
  const std::vector<P2>& sites_;
  std::unordered_map<VKey, uint32_t, VKeyHash> keyed_;
  std::unordered_map<uint64_t, uint32_t> bisectorHosts_;
};

// Clip cell (of site i) by the half-plane closer to site i than to site j.
void clipCell(Topo& topo, const std::vector<P2>& sites, Cell& c, uint32_t i, uint32_t j) {
  const P2 si = sites[i], sj = sites[j];
  const P2 d = sj - si, m = (si + sj) * 0.5;
  const size_t n = c.v.size();
  std::vector<double> f(n);
  bool anyOut = false;
  for (size_t k = 0; k < n; ++k) {
    f[k] = dot(topo.v[c.v[k]] - m, d);
    if (f[k] > 0) anyOut = true;
  }
  if (!anyOut) return;
  Cell out;
  out.v.reserve(n + 2);
  out.lab.reserve(n + 2);
  for (size_t k = 0; k < n; ++k) {
    const size_t k2 = (k + 1) % n;
    const bool ina = f[k] <= 0, inb = f[k2] <= 0;
    if (ina) {
      out.v.push_back(c.v[k]);
      out.lab.push_back(c.lab[k]);
    }
    if (ina != inb) {
      const int64_t lab = c.lab[k];
      const uint32_t x = lab < 0 ? topo.voronoiVertex(i, j, static_cast<uint32_t>(-(lab + 1)))
                                 : topo.hostVertex(static_cast<uint32_t>(lab), i, j);
      out.v.push_back(x);
      out.lab.push_back(ina ? -static_cast<int64_t>(j) - 1 : lab);
    }
  }
  c = std::move(out);
}

// Voronoi diagram of `ids` (global site ids) clipped to `parent`; finalises hosts.
std::vector<Cell> voronoiInCell(Topo& topo, const std::vector<P2>& sites, const Cell& parent,
                                const std::vector<uint32_t>& ids) {
  std::vector<Cell> cells(ids.size());
  std::vector<std::pair<double, uint32_t>> order;
  for (size_t a = 0; a < ids.size(); ++a) {
    const uint32_t i = ids[a];
    Cell c = parent;
    order.clear();
    for (uint32_t j : ids)
      if (j != i) order.emplace_back(dist2(sites[i], sites[j]), j);
    std::sort(order.begin(), order.end());
    auto radius2 = [&]() {
      double r = 0.0;
      for (uint32_t id : c.v) r = std::max(r, dist2(topo.v[id], sites[i]));
      return r;
    };
    double r2 = radius2();
    for (const auto& [d2, j] : order) {
      if (d2 < 1e-12) continue;  // coincident site: cannot separate
      if (d2 * 0.25 > r2) break;
      clipCell(topo, sites, c, i, j);
      r2 = radius2();
    }
    cells[a] = std::move(c);
  }
  for (size_t a = 0; a < ids.size(); ++a) {
    Cell& c = cells[a];
    const size_t n = c.v.size();
    for (size_t k = 0; k < n; ++k) {
      if (c.lab[k] < 0)
        c.lab[k] = topo.bisectorHost(ids[a], static_cast<uint32_t>(-(c.lab[k] + 1)), c.v[k], c.v[(k + 1) % n]);
    }
    for (uint32_t id : c.v) topo.registerVertex(id);
  }
  return cells;
}

// ------------------------------------------------------------------------------------------
// Names (UTF-8 Chinese).
const std::array<const char*, 72> kSyllables = {
    "东", "西", "南", "北", "中", "湖", "山", "河", "江", "桥", "园", "林", "花", "桂", "枫", "梅", "兰", "竹",
    "松", "柳", "新", "华", "阳", "光", "明", "星", "月", "金", "银", "龙", "凤", "安", "康", "宁", "泰", "和",
    "平", "福", "兴", "盛", "茶", "岳", "湘", "麓", "洲", "沙", "坪", "塘", "湾", "岭", "泉", "石", "桃", "李",
    "杨", "丰", "利", "民", "乐", "春", "秋", "云", "霞", "德", "仁", "义", "礼", "智", "信", "锦", "荷", "望"};

std::string placeName(Rng& rng) {
  const size_t a = rng.below(kSyllables.size());
  size_t b = rng.below(kSyllables.size() - 1);
  if (b >= a) ++b;
  return std::string(kSyllables[a]) + kSyllables[b];
}

class NameSet {  // unique names within one parent
 public:
  std::string make(Rng& rng, const std::string& suffix) {
    for (int t = 0; t < 50; ++t) {
      std::string s = placeName(rng) + suffix;
      if (used_.emplace(s, 1).second) return s;
    }
    std::string s = placeName(rng) + std::to_string(++counter_) + suffix;
    used_.emplace(s, 1);
    return s;
  }
  std::string numbered(const char* prefix, const char* suffix) {
    std::string s = fmt::format("{}{}{}", prefix, ++numbered_, suffix);
    used_.emplace(s, 1);
    return s;
  }

 private:
  std::map<std::string, int> used_;
  int counter_ = 0;
  int numbered_ = 0;
};

std::string makeId(const char* prefix, int width, uint64_t n) { return fmt::format("{}{:0{}}", prefix, n, width); }

int idWidth(size_t count, int minWidth) {
  int w = 1;
  for (size_t c = count; c >= 10; c /= 10) ++w;
  return std::max(w, minWidth);
}

// ------------------------------------------------------------------------------------------
// Output through GDAL.
enum class Format { Gpkg, Shp, GeoJson, Csv };

struct FieldDef {
  const char* name;
  const char* shpName;  // <= 10 characters for DBF
  OGRFieldType type;
  int width;
  int precision;
};

class LayerSink {
 public:
  LayerSink(GDALDataset* ds, OGRLayer* lyr, bool ownsDataset)
      : ds_(ds), lyr_(lyr), owns_(ownsDataset), feat_(OGRFeature::CreateFeature(lyr->GetLayerDefn())) {
    beginTx();
  }
  ~LayerSink() { finish(); }
  LayerSink(const LayerSink&) = delete;
  LayerSink& operator=(const LayerSink&) = delete;

  OGRFeature* f() { return feat_; }
  void write() {
    if (lyr_->CreateFeature(feat_) != OGRERR_NONE) throw std::runtime_error("CreateFeature failed");
    feat_->SetFID(OGRNullFID);
    ++count_;
    if (tx_ && count_ % 100000 == 0) {
      ds_->CommitTransaction();
      beginTx();
    }
  }
  void finish() {
    if (!feat_) return;
    OGRFeature::DestroyFeature(feat_);
    feat_ = nullptr;
    if (tx_ && ds_->CommitTransaction() != OGRERR_NONE) throw std::runtime_error("CommitTransaction failed");
    tx_ = false;
    if (owns_) GDALClose(ds_);
  }
  int64_t count() const { return count_; }

 private:
  void beginTx() { tx_ = ds_->StartTransaction(FALSE) == OGRERR_NONE; }
  GDALDataset* ds_;
  OGRLayer* lyr_;
  bool owns_;
  OGRFeature* feat_;
  bool tx_ = false;
  int64_t count_ = 0;
};

class Writer {
 public:
  Writer(Format fmt, fs::path dir) : fmt_(fmt), dir_(std::move(dir)) {
    prefix_ = fmt::format(".synth-tmp-{}-", static_cast<long>(getpid()));
    srs_.importFromEPSG(4326);
    srs_.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  }
  ~Writer() {
    for (auto& [name, ds] : containers_) GDALClose(ds);
  }
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // container: file base for GeoPackage (e.g. "boundaries"); other formats write one file per layer.
  std::unique_ptr<LayerSink> layer(const std::string& container, const std::string& name, OGRwkbGeometryType gtype,
                                   const std::vector<FieldDef>& fields) {
    GDALDataset* ds = nullptr;
    bool owns = true;
    CPLStringList lco;
    OGRwkbGeometryType layerType = gtype;
    const bool shp = fmt_ == Format::Shp;
    if (fmt_ == Format::Gpkg) {
      auto it = containers_.find(container);
      if (it == containers_.end()) {
        ds = create("GPKG", container + ".gpkg");
        containers_.emplace(container, ds);
      } else {
        ds = it->second;
      }
      owns = false;
      // GDAL builds the R*tree spatial index in bulk when the dataset is closed.
    } else if (shp) {
      ds = create("ESRI Shapefile", name + ".shp");
      lco.SetNameValue("ENCODING", "UTF-8");
      lco.SetNameValue("DBF_DATE_LAST_UPDATE", "2026-01-01");
    } else if (fmt_ == Format::GeoJson) {
      ds = create("GeoJSON", name + ".geojson");
    } else {
      ds = create("CSV", name + ".csv");
      lco.SetNameValue("CREATE_CSVT", "YES");
      lco.SetNameValue("STRING_QUOTING", "IF_NEEDED");
      if (gtype == wkbPoint) {
        lco.SetNameValue("GEOMETRY", "AS_XY");
      } else {
        lco.SetNameValue("GEOMETRY", "AS_WKT");
      }
    }
    OGRLayer* lyr = ds->CreateLayer(name.c_str(), &srs_, layerType, lco.List());
    if (!lyr) throw std::runtime_error("cannot create layer " + name);
    for (const FieldDef& fd : fields) {
      OGRFieldDefn def(shp ? fd.shpName : fd.name, fd.type);
      if (shp) {
        def.SetWidth(fd.width);
        def.SetPrecision(fd.precision);
      }
      if (lyr->CreateField(&def) != OGRERR_NONE) throw std::runtime_error("cannot create field " + std::string(fd.name));
    }
    return std::make_unique<LayerSink>(ds, lyr, owns);
  }

  // Close remaining datasets and move every temporary file to its final name.
  std::vector<std::string> commit() {
    for (auto& [name, ds] : containers_) GDALClose(ds);
    containers_.clear();
    std::vector<std::string> done;
    std::vector<fs::path> tmp;
    for (const auto& e : fs::directory_iterator(dir_)) {
      const std::string fn = e.path().filename().string();
      if (fn.rfind(prefix_, 0) == 0) tmp.push_back(e.path());
    }
    std::sort(tmp.begin(), tmp.end());
    for (const fs::path& p : tmp) {
      const std::string finalName = p.filename().string().substr(prefix_.size());
      fs::rename(p, dir_ / finalName);
      done.push_back(finalName);
    }
    return done;
  }

 private:
  GDALDataset* create(const char* driverName, const std::string& fileName) {
    GDALDriver* drv = GetGDALDriverManager()->GetDriverByName(driverName);
    if (!drv) throw std::runtime_error(fmt::format("GDAL driver {} not available", driverName));
    const fs::path p = dir_ / (prefix_ + fileName);
    GDALDataset* ds = drv->Create(p.string().c_str(), 0, 0, 0, GDT_Unknown, nullptr);
    if (!ds) throw std::runtime_error("cannot create " + p.string());
    return ds;
  }

  Format fmt_;
  fs::path dir_;
  std::string prefix_;
  OGRSpatialReference srs_;
  std::map<std::string, GDALDataset*> containers_;
};

// ------------------------------------------------------------------------------------------
// The generated territory.
struct Transformer {
  P2 p;
  uint32_t station = 0, community = 0, compound = 0, feeder = 0, manager = 0, hvBus = 0;
  int32_t customers = 0, residential = 0, commercial = 0, kva = 0;
  bool urban = false;
};

struct Edge {
  uint32_t from, to, feeder;
  uint8_t isSwitch, open;
  double length;
};

struct Options {
  uint64_t transformers = 0;
  uint64_t seed = 1;
  int64_t stations = 0;
  int64_t customersTotal = -1;
  std::string out;
  std::string format = "gpkg";
  bool customerPoints = false;
};

class Timer {
 public:
  double lap() {
    const auto now = std::chrono::steady_clock::now();
    const double s = std::chrono::duration<double>(now - last_).count();
    last_ = now;
    return s;
  }
  double total() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count(); }

 private:
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_ = start_;
};

class Generator {
 public:
  explicit Generator(const Options& o) : opt_(o), N_(static_cast<size_t>(o.transformers)), topo_(sites_) {}

  int run();

 private:
  Rng rng(uint64_t stream) const { return Rng(opt_.seed, stream); }
  void makeTerritory();
  void makeTransformers();
  void makeSites();
  void makeCells();
  void makeEmptyCompounds();
  void fixMargins();
  void makeCustomers();
  void makeManagers();
  void makeBranchesAndNames();
  void makeNetwork();
  void checkNetwork();
  double checkTiling() const;
  void transformAll();
  void write();

  uint32_t nearestOf(const std::vector<uint32_t>& siteIds, P2 p) const {
    uint32_t best = 0;
    double bd = 1e300;
    for (uint32_t k = 0; k < siteIds.size(); ++k) {
      const double d = dist2(sites_[siteIds[k]], p);
      if (d < bd) {
        bd = d;
        best = k;
      }
    }
    return best;
  }

  Options opt_;
  size_t N_;
  Timer timer_;
  std::vector<std::pair<std::string, double>> phases_;

  // geometry
  std::vector<P2> territory_;
  double areaM2_ = 0.0;
  struct Cluster {
    P2 c;
    double sx, sy, cr, sr;
    size_t n;
    double density;
  };
  std::vector<Cluster> clusters_;
  std::vector<Transformer> tr_;
  std::vector<P2> trPos_;  // copy of positions for grouping

  // admin units (all site ids index sites_)
  std::vector<P2> sites_;
  Topo topo_;
  Cell territoryCell_;
  std::vector<uint32_t> stSite_, cmSite_, cpSite_;
  std::vector<uint32_t> cmStation_, cpCommunity_;
  std::vector<std::vector<uint32_t>> stComms_, cmCmpds_;  // children (local indices)
  std::vector<std::vector<uint32_t>> stMembers_, cmMembers_;
  std::vector<uint8_t> cpPlannedEmpty_;
  std::vector<Cell> stCell_, cmCell_, cpCell_;
  std::vector<uint32_t> cpNumber_;  // output number (community order)
  std::vector<uint32_t> stBranch_;
  size_t nBranches_ = 0;
  std::vector<std::string> stName_, cmName_, cpName_;
  size_t nManagers_ = 0;
  size_t moved_ = 0;

  // network
  std::vector<P2> nodePos_;
  std::vector<int32_t> nodeSub_;   // substation index or -1
  std::vector<uint32_t> nodeNum_;  // display number for N-nodes
  std::vector<Edge> edges_;
  std::vector<uint32_t> feederStation_;
  size_t nSubstations_ = 0, nTies_ = 0, nClosedSwitches_ = 0;
  std::string networkCheck_;

  // output coordinates (lon/lat)
  std::vector<double> trLon_, trLat_, vLon_, vLat_, nLon_, nLat_;
  std::unique_ptr<OGRCoordinateTransformation> ct_;
  P2 origin_;  // UTM coordinates of the local origin
  std::map<std::string, std::pair<int64_t, double>> written_;
  Timer layerTimer_;
  std::vector<std::string> files_;
};

void Generator::makeTerritory() {
  Rng r = rng(1);
  const double nU = static_cast<double>(N_) * 0.68, nR = static_cast<double>(N_) - nU;
  const double areaKm2 = nR / 6.0 + nU / 120.0;
  areaM2_ = areaKm2 * 1e6;
  const int nv = r.range(14, 20);
  const double aspect = r.uniform(1.1, 1.5), rot = r.uniform(0.0, kPi);
  std::vector<P2> pts;
  for (int k = 0; k < nv; ++k) {
    const double ang = 2.0 * kPi * (k + r.uniform(-0.3, 0.3)) / nv;
    const double rad = r.uniform(0.85, 1.1);
    const double x = aspect * rad * std::cos(ang), y = rad / aspect * std::sin(ang);
    pts.push_back({x * std::cos(rot) - y * std::sin(rot), x * std::sin(rot) + y * std::cos(rot)});
  }
  std::vector<P2> hull = convexHull(pts);
  const double s = std::sqrt(areaM2_ / ringArea(hull));
  for (P2& p : hull) p = p * s;
  // round vertices to the millimetre: exact, readable numbers
  for (P2& p : hull) p = {std::round(p.x * 1000.0) / 1000.0, std::round(p.y * 1000.0) / 1000.0};
  territory_ = hull;
  areaM2_ = ringArea(territory_);
}

void Generator::makeTransformers() {
  Rng r = rng(2);
  const BBox tb = ringBox(territory_);
  const double R = std::sqrt(areaM2_ / kPi);
  const size_t nU = static_cast<size_t>(std::llround(static_cast<double>(N_) * 0.68));
  const size_t nR = N_ - nU;
  const int nc = std::clamp(static_cast<int>(std::lround(2.0 + std::sqrt(static_cast<double>(N_) / 1500.0))), 2, 40);
  // cluster weights and sizes (largest remainder)
  std::vector<double> w(static_cast<size_t>(nc));
  for (int k = 0; k < nc; ++k) w[static_cast<size_t>(k)] = (k == 0 ? 3.0 : 1.0) * r.lognormal(1.0, k == 0 ? 0.3 : 0.8);
  const double ws = std::accumulate(w.begin(), w.end(), 0.0);
  std::vector<size_t> sizes(w.size());
  std::vector<std::pair<double, size_t>> rem;
  size_t assigned = 0;
  for (size_t k = 0; k < w.size(); ++k) {
    const double exact = static_cast<double>(nU) * w[k] / ws;
    sizes[k] = static_cast<size_t>(std::floor(exact));
    assigned += sizes[k];
    rem.emplace_back(-(exact - std::floor(exact)), k);
  }
  std::sort(rem.begin(), rem.end());
  for (size_t k = 0; assigned < nU; ++k, ++assigned) ++sizes[rem[k % rem.size()].second];
  // cluster centres
  double minSep = 0.3 * R;
  for (int k = 0; k < nc; ++k) {
    Cluster cl{};
    if (k == 0) {
      cl.c = {r.uniform(-0.1, 0.1) * R, r.uniform(-0.1, 0.1) * R};
    } else {
      for (int t = 0;; ++t) {
        bool ok = false;
        P2 c = uniformInConvex(territory_, tb, 0.2 * R, r, &ok);
        if (!ok) c = uniformInConvex(territory_, tb, 0.0, r, &ok);
        bool far = true;
        for (const Cluster& o : clusters_) far = far && dist(o.c, c) >= minSep;
        if (far || t > 400) {
          cl.c = c;
          break;
        }
        if (t % 50 == 49) minSep *= 0.8;
      }
    }
    cl.n = sizes[static_cast<size_t>(k)];
    cl.density = r.uniform(150.0, 300.0) / 1e6;  // transformers per m^2 at the core peak
    const double sigma = std::sqrt(0.7 * static_cast<double>(std::max<size_t>(cl.n, 1)) / (2.0 * kPi * cl.density));
    const double a = r.uniform(1.0, 1.5), th = r.uniform(0.0, kPi);
    cl.sx = sigma * a;
    cl.sy = sigma / a;
    cl.cr = std::cos(th);
    cl.sr = std::sin(th);
    clusters_.push_back(cl);
  }
  tr_.reserve(N_);
  auto push = [&](P2 p, bool urban) {
    Transformer t;
    t.p = p;
    t.urban = urban;
    tr_.push_back(t);
  };
  auto inside = [&](P2 p, double m) { return insideDistance(territory_, p) >= m; };
  // urban: blocks of transformers (compound-like clumps) around Gaussian cores with halos
  for (const Cluster& cl : clusters_) {
    size_t left = cl.n;
    while (left > 0) {
      const size_t b = std::min(left, static_cast<size_t>(1 + std::min(24.0, std::floor(-std::log(1.0 - r.uniform()) * 6.0))));
      P2 centre = cl.c;
      for (int t = 0; t < 50; ++t) {
        const double k = r.chance(0.7) ? 1.0 : 2.5;
        const double a = r.normal() * cl.sx * k, c = r.normal() * cl.sy * k;
        const P2 q{cl.c.x + a * cl.cr - c * cl.sr, cl.c.y + a * cl.sr + c * cl.cr};
        if (inside(q, 30.0)) {
          centre = q;
          break;
        }
      }
      for (size_t i = 0; i < b; ++i) {
        P2 p = centre;
        for (int t = 0; t < 20; ++t) {
          const P2 q{centre.x + r.normal() * 40.0, centre.y + r.normal() * 40.0};
          if (inside(q, 5.0)) {
            p = q;
            break;
          }
        }
        push(p, true);
      }
      left -= b;
    }
  }
  // rural: scattered singles and villages
  size_t left = nR;
  while (left > 0) {
    const P2 c = uniformInConvex(territory_, tb, 5.0, r, nullptr);
    if (r.chance(0.65) || left < 3) {
      push(c, false);
      --left;
      continue;
    }
    const size_t b = std::min(left, static_cast<size_t>(r.range(3, 12)));
    for (size_t i = 0; i < b; ++i) {
      P2 p = c;
      for (int t = 0; t < 20; ++t) {
        const P2 q{c.x + r.normal() * 150.0, c.y + r.normal() * 150.0};
        if (inside(q, 5.0)) {
          p = q;
          break;
        }
      }
      push(p, false);
    }
    left -= b;
  }
  trPos_.resize(N_);
  for (size_t i = 0; i < N_; ++i) trPos_[i] = tr_[i].p;
}

void Generator::makeSites() {
  Rng r = rng(3);
  size_t K = opt_.stations > 0 ? static_cast<size_t>(opt_.stations)
                               : std::max<size_t>(1, static_cast<size_t>(std::llround(static_cast<double>(N_) / 3000.0)));
  K = std::min(K, N_);
  std::vector<uint32_t> all(N_);
  std::iota(all.begin(), all.end(), 0u);
  for (P2 s : groupSites(trPos_, all, K, r, 0.08)) {
    stSite_.push_back(static_cast<uint32_t>(sites_.size()));
    sites_.push_back(s);
  }
  K = stSite_.size();
  stMembers_.assign(K, {});
  for (uint32_t i = 0; i < N_; ++i) {
    tr_[i].station = nearestOf(stSite_, tr_[i].p);
    stMembers_[tr_[i].station].push_back(i);
  }
  stComms_.assign(K, {});
  for (uint32_t s = 0; s < K; ++s) {
    const auto& mem = stMembers_[s];
    std::vector<P2> cs;
    if (mem.empty()) {
      cs.push_back(sites_[stSite_[s]]);
    } else {
      const size_t k = static_cast<size_t>(std::llround(static_cast<double>(mem.size()) / r.uniform(42.0, 62.0)));
      cs = groupSites(trPos_, mem, std::max<size_t>(1, k), r, 0.25);
    }
    std::vector<uint32_t> ids;
    for (P2 c : cs) {
      const uint32_t cm = static_cast<uint32_t>(cmSite_.size());
      stComms_[s].push_back(cm);
      cmStation_.push_back(s);
      cmSite_.push_back(static_cast<uint32_t>(sites_.size()));
      ids.push_back(cmSite_.back());
      sites_.push_back(c);
      cmMembers_.emplace_back();
    }
    for (uint32_t i : mem) {
      const uint32_t cm = stComms_[s][nearestOf(ids, tr_[i].p)];
      tr_[i].community = cm;
      cmMembers_[cm].push_back(i);
    }
  }
  const size_t C = cmSite_.size();
  cmCmpds_.assign(C, {});
  for (uint32_t c = 0; c < C; ++c) {
    const auto& mem = cmMembers_[c];
    std::vector<P2> ps;
    if (mem.empty()) {
      ps.push_back(sites_[cmSite_[c]]);
    } else {
      const size_t k = static_cast<size_t>(std::llround(static_cast<double>(mem.size()) / r.uniform(7.0, 11.0)));
      ps = groupSites(trPos_, mem, std::max<size_t>(1, k), r, 0.3);
    }
    std::vector<uint32_t> ids;
    for (P2 p : ps) {
      const uint32_t cp = static_cast<uint32_t>(cpSite_.size());
      cmCmpds_[c].push_back(cp);
      cpCommunity_.push_back(c);
      cpSite_.push_back(static_cast<uint32_t>(sites_.size()));
      cpPlannedEmpty_.push_back(0);
      ids.push_back(cpSite_.back());
      sites_.push_back(p);
    }
    for (uint32_t i : mem) tr_[i].compound = cmCmpds_[c][nearestOf(ids, tr_[i].p)];
  }
}

void Generator::makeCells() {
  // territory: one host per edge
  territoryCell_.v.clear();
  for (const P2& p : territory_) territoryCell_.v.push_back(topo_.addVertex(p, -1));
  const size_t n = territoryCell_.v.size();
  for (size_t k = 0; k < n; ++k)
    territoryCell_.lab.push_back(topo_.addHost(territoryCell_.v[k], territoryCell_.v[(k + 1) % n]));
  stCell_ = voronoiInCell(topo_, sites_, territoryCell_, stSite_);
  cmCell_.assign(cmSite_.size(), {});
  for (size_t s = 0; s < stSite_.size(); ++s) {
    std::vector<uint32_t> ids;
    for (uint32_t c : stComms_[s]) ids.push_back(cmSite_[c]);
    std::vector<Cell> cells = voronoiInCell(topo_, sites_, stCell_[s], ids);
    for (size_t k = 0; k < cells.size(); ++k) cmCell_[stComms_[s][k]] = std::move(cells[k]);
  }
}

void Generator::makeEmptyCompounds() {
  Rng r = rng(4);
  const size_t regular = cpSite_.size();
  // ~2% of compounds empty overall; some regular compounds already ended up without members.
  std::vector<uint8_t> hasMember(regular, 0);
  for (const Transformer& t : tr_) hasMember[t.compound] = 1;
  const size_t natural = static_cast<size_t>(std::count(hasMember.begin(), hasMember.end(), uint8_t{0}));
  const size_t wanted = static_cast<size_t>(std::llround(0.02 * static_cast<double>(regular) / 0.98));
  const size_t target = wanted > natural ? wanted - natural : 0;
  std::vector<uint32_t> order(cmSite_.size());
  std::iota(order.begin(), order.end(), 0u);
  for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[r.below(i)]);
  size_t made = 0;
  for (uint32_t c : order) {
    if (made >= target) break;
    const std::vector<P2> ring = topo_.ringPoints(cmCell_[c]);
    const BBox b = ringBox(ring);
    for (int attempt = 0; attempt < 25; ++attempt) {
      bool ok = false;
      const P2 e = uniformInConvex(ring, b, 15.0, r, &ok);
      if (!ok) break;
      for (uint32_t cp : cmCmpds_[c]) ok = ok && dist(sites_[cpSite_[cp]], e) >= 40.0;
      for (uint32_t i : cmMembers_[c]) {
        if (!ok) break;
        const P2 t = tr_[i].p, s = sites_[cpSite_[tr_[i].compound]];
        ok = dist2(t, e) - dist2(t, s) >= 2.0 * 3.0 * dist(e, s);  // >= 3 m on the own side
      }
      if (!ok) continue;
      const uint32_t cp = static_cast<uint32_t>(cpSite_.size());
      auto& kids = cmCmpds_[c];
      kids.insert(kids.begin() + static_cast<std::ptrdiff_t>(r.below(kids.size() + 1)), cp);
      cpCommunity_.push_back(c);
      cpSite_.push_back(static_cast<uint32_t>(sites_.size()));
      cpPlannedEmpty_.push_back(1);
      sites_.push_back(e);
      ++made;
      break;
    }
  }
  // compound cells
  cpCell_.assign(cpSite_.size(), {});
  cpNumber_.assign(cpSite_.size(), 0);
  uint32_t num = 0;
  for (size_t c = 0; c < cmSite_.size(); ++c) {
    std::vector<uint32_t> ids;
    for (uint32_t cp : cmCmpds_[c]) {
      ids.push_back(cpSite_[cp]);
      cpNumber_[cp] = ++num;
    }
    std::vector<Cell> cells = voronoiInCell(topo_, sites_, cmCell_[c], ids);
    for (size_t k = 0; k < cells.size(); ++k) cpCell_[cmCmpds_[c][k]] = std::move(cells[k]);
  }
}

// Keep every transformer at least kTransformerMargin inside its compound (so no point sits on,
// or numerically near, a boundary at any level). Moves towards the compound site stay inside.
void Generator::fixMargins() {
  for (uint32_t i = 0; i < N_; ++i) {
    Transformer& t = tr_[i];
    const std::vector<P2> ring = topo_.ringPoints(cpCell_[t.compound]);
    if (insideDistance(ring, t.p) >= kTransformerMargin) continue;
    const P2 s = sites_[cpSite_[t.compound]];
    P2 p = t.p;
    for (int k = 0; k < 60 && insideDistance(ring, p) < kTransformerMargin; ++k) {
      const double d = dist(p, s);
      const double step = k < 10 ? std::min(d, 2.0) : 0.25 * d;
      if (d <= 0) break;
      p = p + (s - p) * (step / d);
    }
    t.p = p;
    trPos_[i] = p;
    ++moved_;
  }
}

void Generator::makeCustomers() {
  Rng r = rng(5);
  static const std::array<int32_t, 7> kKva{50, 100, 200, 315, 400, 630, 800};
  for (Transformer& t : tr_) {
    if (r.chance(0.004)) {
      t.customers = 0;
      continue;
    }
    double c = 0;
    for (int k = 0; k < 5; ++k) {
      c = t.urban ? r.lognormal(135.0, 0.55) : r.lognormal(75.0, 0.6);
      if (c <= kMaxCustomers) break;
    }
    t.customers = std::clamp(static_cast<int32_t>(std::lround(c)), 1, kMaxCustomers);
  }
  if (opt_.customersTotal >= 0) {
    int64_t sum = 0, nonzero = 0;
    for (const Transformer& t : tr_) {
      sum += t.customers;
      nonzero += t.customers > 0;
    }
    const double scale = sum > 0 ? static_cast<double>(opt_.customersTotal) / static_cast<double>(sum) : 0.0;
    const bool keepOne = opt_.customersTotal >= nonzero;
    sum = 0;
    for (Transformer& t : tr_) {
      if (t.customers == 0) continue;
      t.customers = std::clamp(static_cast<int32_t>(std::lround(t.customers * scale)), keepOne ? 1 : 0, kMaxCustomers);
      sum += t.customers;
    }
    int64_t diff = opt_.customersTotal - sum;
    // transformers without customers stay empty unless the total cannot be reached otherwise
    const bool useAll = !keepOne || opt_.customersTotal > nonzero * kMaxCustomers;
    std::vector<uint32_t> adjustable;
    for (uint32_t i = 0; i < N_; ++i)
      if (tr_[i].customers > 0 || useAll) adjustable.push_back(i);
    while (diff != 0) {
      Transformer& t = tr_[adjustable[r.below(adjustable.size())]];
      if (diff > 0 && t.customers < kMaxCustomers) {
        ++t.customers;
        --diff;
      } else if (diff < 0 && t.customers > (keepOne && !useAll ? 1 : 0)) {
        --t.customers;
        ++diff;
      }
    }
  }
  for (Transformer& t : tr_) {
    const double pres = std::clamp(0.87 + 0.08 * r.normal() - (t.urban ? 0.03 : 0.0), 0.4, 1.0);
    t.residential = static_cast<int32_t>(std::lround(t.customers * pres));
    t.commercial = t.customers - t.residential;
    const double need = t.customers * r.uniform(1.3, 2.6);
    t.kva = t.customers == 0 ? (r.chance(0.5) ? 50 : 100) : 800;
    if (t.customers > 0)
      for (int32_t k : kKva)
        if (k >= need) {
          t.kva = k;
          break;
        }
  }
}

// Meter readers: runs of 5-8 transformers along a Hilbert order inside each community, with a
// few transformers handed to a neighbouring run (real assignments are only roughly contiguous).
void Generator::makeManagers() {
  Rng r = rng(6);
  uint32_t next = 0;
  for (size_t c = 0; c < cmMembers_.size(); ++c) {
    const auto& mem = cmMembers_[c];
    if (mem.empty()) continue;
    BBox b;
    for (uint32_t i : mem) b.add(tr_[i].p);
    std::vector<std::pair<uint64_t, uint32_t>> ord;
    for (uint32_t i : mem)
      ord.emplace_back(hilbertKey(gridCoord(tr_[i].p.x, b.minx, b.maxx), gridCoord(tr_[i].p.y, b.miny, b.maxy)), i);
    std::sort(ord.begin(), ord.end());
    const uint32_t first = next;
    size_t pos = 0;
    while (pos < ord.size()) {
      size_t len = static_cast<size_t>(r.range(5, 8));
      if (ord.size() - pos < len + 3) len = ord.size() - pos;  // no tiny tail group
      for (size_t k = pos; k < pos + len; ++k) tr_[ord[k].second].manager = next;
      ++next;
      pos += len;
    }
    if (next - first >= 2)
      for (size_t k = 0; k < ord.size(); ++k)
        if (r.chance(0.03)) {
          const uint32_t m = tr_[ord[k].second].manager;
          tr_[ord[k].second].manager = (m > first && r.chance(0.5)) || m + 1 == next ? m - 1 : m + 1;
        }
  }
  nManagers_ = next;
}

void Generator::makeBranchesAndNames() {
  Rng r = rng(7);
  const size_t K = stSite_.size();
  BBox b = ringBox(territory_);
  std::vector<std::pair<uint64_t, uint32_t>> ord;
  for (uint32_t s = 0; s < K; ++s) {
    const P2 p = sites_[stSite_[s]];
    ord.emplace_back(hilbertKey(gridCoord(p.x, b.minx, b.maxx), gridCoord(p.y, b.miny, b.maxy)), s);
  }
  std::sort(ord.begin(), ord.end());
  nBranches_ = std::max<size_t>(1, static_cast<size_t>(std::llround(static_cast<double>(K) / 7.0)));
  stBranch_.assign(K, 0);
  for (size_t k = 0; k < K; ++k) stBranch_[ord[k].second] = static_cast<uint32_t>(k * nBranches_ / K);

  NameSet stationNames;
  stName_.resize(K);
  cmName_.resize(cmSite_.size());
  cpName_.resize(cpSite_.size());
  for (uint32_t s = 0; s < K; ++s) {
    stName_[s] = stationNames.make(r, "供电所");
    NameSet cmNames;
    for (uint32_t c : stComms_[s]) {
      size_t urban = 0;
      for (uint32_t i : cmMembers_[c]) urban += tr_[i].urban;
      const bool isUrban = 2 * urban >= cmMembers_[c].size() && !cmMembers_[c].empty();
      cmName_[c] = cmNames.make(r, isUrban ? "社区" : "村");
      NameSet cpNames;
      static const std::array<const char*, 5> kUrbanSuffix{"小区", "花园", "苑", "新村", "家园"};
      for (uint32_t cp : cmCmpds_[c]) {
        if (isUrban) {
          cpName_[cp] = r.chance(0.3) ? cpNames.numbered("第", "小区")
                                      : cpNames.make(r, kUrbanSuffix[r.below(kUrbanSuffix.size())]);
        } else {
          cpName_[cp] = r.chance(0.5) ? cpNames.numbered("第", "组") : cpNames.make(r, "组");
        }
      }
    }
  }
}

// Radial MV network. Per station 1-3 substations; transformers go to the nearest substation
// and are split by angle into feeders of ~20-60; each feeder is a Prim-Dijkstra tree (an MST
// with a small path-length penalty, giving trunk-and-branch shapes) rooted at a feeder head
// behind a breaker. Transformer poles connect to the transformer's HV bus by a drop-out fuse
// (closed switch); long spans get intermediate poles; one sectionalising switch per feeder;
// normally-open tie switches join the far ends of neighbouring feeders (~2% of switches).
void Generator::makeNetwork() {
  Rng r = rng(8);
  uint32_t nNum = 0;
  auto addNode = [&](P2 p, int32_t sub) {
    nodePos_.push_back(p);
    nodeSub_.push_back(sub);
    nodeNum_.push_back(sub >= 0 ? 0 : ++nNum);
    return static_cast<uint32_t>(nodePos_.size() - 1);
  };
  auto addEdge = [&](uint32_t a, uint32_t b, uint32_t feeder, bool sw, bool open) {
    edges_.push_back(Edge{a, b, feeder, static_cast<uint8_t>(sw), static_cast<uint8_t>(open),
                          std::round(dist(nodePos_[a], nodePos_[b]) * 10.0) / 10.0});
    if (sw && !open) ++nClosedSwitches_;
  };
  auto addLine = [&](uint32_t a, uint32_t b, uint32_t feeder) {  // with intermediate poles on long spans
    const double L = dist(nodePos_[a], nodePos_[b]);
    const int segs = L > 1000.0 ? static_cast<int>(std::ceil(L / 800.0)) : 1;
    uint32_t prev = a;
    for (int k = 1; k < segs; ++k) {
      const double t = static_cast<double>(k) / segs;
      const P2 q = nodePos_[a] + (nodePos_[b] - nodePos_[a]) * t;
      const uint32_t mid = addNode(q + P2{r.normal() * 5.0, r.normal() * 5.0}, -1);
      addEdge(prev, mid, feeder, false, false);
      prev = mid;
    }
    addEdge(prev, b, feeder, false, false);
  };
  std::vector<uint32_t> pole(N_, 0);
  std::vector<double> farPath;     // per feeder: path length of the farthest pole
  std::vector<uint32_t> farPole;   // per feeder: that pole
  uint32_t feederCount = 0;
  for (uint32_t s = 0; s < stSite_.size(); ++s) {
    const auto& mem = stMembers_[s];
    if (mem.empty()) continue;
    const size_t nSub = std::clamp<size_t>(static_cast<size_t>(std::llround(static_cast<double>(mem.size()) / 1500.0 + r.uniform())), 1, 3);
    std::vector<P2> subPos = groupSites(trPos_, mem, nSub, r, 0.2);
    std::vector<uint32_t> subNode;
    for (P2 p : subPos) subNode.push_back(addNode(p, static_cast<int32_t>(nSubstations_++)));
    std::vector<std::vector<uint32_t>> bySub(subPos.size());
    for (uint32_t i : mem) {
      size_t best = 0;
      for (size_t k = 1; k < subPos.size(); ++k)
        if (dist2(subPos[k], tr_[i].p) < dist2(subPos[best], tr_[i].p)) best = k;
      bySub[best].push_back(i);
    }
    for (size_t k = 0; k < subPos.size(); ++k) {
      auto& list = bySub[k];
      if (list.empty()) continue;
      const P2 sp = subPos[k];
      std::vector<std::pair<double, uint32_t>> ang;
      for (uint32_t i : list) ang.emplace_back(std::atan2(tr_[i].p.y - sp.y, tr_[i].p.x - sp.x), i);
      std::sort(ang.begin(), ang.end());
      size_t start = 0;  // begin after the largest angular gap
      double gap = -1;
      for (size_t q = 0; q < ang.size(); ++q) {
        const double a0 = ang[q].first, a1 = q + 1 < ang.size() ? ang[q + 1].first : ang[0].first + 2 * kPi;
        if (a1 - a0 > gap) {
          gap = a1 - a0;
          start = (q + 1) % ang.size();
        }
      }
      std::rotate(ang.begin(), ang.begin() + static_cast<std::ptrdiff_t>(start), ang.end());
      const size_t nf = std::max<size_t>(1, static_cast<size_t>(std::llround(static_cast<double>(ang.size()) / r.uniform(28.0, 45.0))));
      std::vector<size_t> cuts{0};
      for (size_t f = 1; f < nf; ++f) {
        const double c = (static_cast<double>(f) + r.uniform(-0.2, 0.2)) * static_cast<double>(ang.size()) / static_cast<double>(nf);
        cuts.push_back(std::max(cuts.back() + 1, static_cast<size_t>(std::llround(c))));
      }
      cuts.push_back(ang.size());
      for (size_t f = 0; f < nf; ++f) {
        if (cuts[f] >= cuts[f + 1]) continue;
        const uint32_t feeder = feederCount++;
        feederStation_.push_back(s);
        std::vector<uint32_t> tids;
        P2 mean{0, 0};
        for (size_t q = cuts[f]; q < cuts[f + 1]; ++q) {
          tids.push_back(ang[q].second);
          mean = mean + (tr_[ang[q].second].p - sp);
        }
        const double ml = std::sqrt(dot(mean, mean));
        const P2 dir = ml > 0 ? mean * (1.0 / ml) : P2{1, 0};
        const uint32_t head = addNode(sp + dir * 20.0, -1);
        addEdge(subNode[k], head, feeder, true, false);  // feeder breaker
        // poles and drop-out fuses
        std::vector<uint32_t> tn{head};
        for (uint32_t i : tids) {
          Transformer& t = tr_[i];
          t.feeder = feeder;
          t.hvBus = addNode(t.p, -1);
          const double a = r.uniform(0.0, 2.0 * kPi), d = r.uniform(6.0, 15.0);
          pole[i] = addNode(t.p + P2{d * std::cos(a), d * std::sin(a)}, -1);
          addEdge(pole[i], t.hvBus, feeder, true, false);
          tn.push_back(pole[i]);
        }
        // Prim-Dijkstra tree over head + poles
        const size_t m = tn.size();
        constexpr double alpha = 0.2;
        std::vector<double> key(m, 1e300), path(m, 0.0);
        std::vector<uint32_t> parent(m, 0), added;
        std::vector<uint8_t> in(m, 0);
        key[0] = 0;
        for (size_t step = 0; step < m; ++step) {
          size_t u = m;
          for (size_t q = 0; q < m; ++q)
            if (!in[q] && (u == m || key[q] < key[u])) u = q;
          in[u] = 1;
          if (u != 0) path[u] = path[parent[u]] + dist(nodePos_[tn[parent[u]]], nodePos_[tn[u]]);
          added.push_back(static_cast<uint32_t>(u));
          for (size_t q = 0; q < m; ++q) {
            if (in[q]) continue;
            const double c = alpha * path[u] + dist(nodePos_[tn[u]], nodePos_[tn[q]]);
            if (c < key[q]) {
              key[q] = c;
              parent[q] = static_cast<uint32_t>(u);
            }
          }
        }
        // sectionaliser: the edge whose subtree holds about half of the feeder
        std::vector<size_t> sub(m, 1);
        for (size_t q = m; q-- > 1;) sub[parent[added[q]]] += sub[added[q]];
        size_t sect = 0;
        if (m >= 12) {
          for (size_t q = 1; q < m; ++q) {
            const auto diffOf = [&](size_t x) { return std::abs(static_cast<double>(sub[x]) - static_cast<double>(m) / 2.0); };
            if (sect == 0 || diffOf(q) < diffOf(sect)) sect = q;
          }
        }
        for (size_t q = 1; q < m; ++q) {
          const uint32_t v = added[q];
          uint32_t from = tn[parent[v]];
          if (v == sect) {
            const P2 a = nodePos_[from], b = nodePos_[tn[v]];
            const double L = dist(a, b);
            const uint32_t sw = addNode(L > 0 ? a + (b - a) * (std::min(3.0, 0.5 * L) / L) : a, -1);
            addEdge(from, sw, feeder, true, false);
            from = sw;
          }
          addLine(from, tn[v], feeder);
        }
        size_t far = 1;
        for (size_t q = 1; q < m; ++q)
          if (path[q] > path[far]) far = q;
        farPath.push_back(path[far]);
        farPole.push_back(tn[far]);
      }
    }
  }
  // tie switches between neighbouring feeders
  const size_t target = static_cast<size_t>(std::llround(0.02 / 0.98 * static_cast<double>(nClosedSwitches_)));
  const double cellSize = std::max(50.0, 3.0 * std::sqrt(areaM2_ / static_cast<double>(N_)));
  const BBox tb = ringBox(territory_);
  const int64_t gw = static_cast<int64_t>((tb.maxx - tb.minx) / cellSize) + 3;
  std::unordered_map<int64_t, std::vector<uint32_t>> grid;
  auto cellOf = [&](P2 p, int64_t& cx, int64_t& cy) {
    cx = static_cast<int64_t>((p.x - tb.minx) / cellSize) + 1;
    cy = static_cast<int64_t>((p.y - tb.miny) / cellSize) + 1;
  };
  for (uint32_t i = 0; i < N_; ++i) {
    int64_t cx, cy;
    cellOf(nodePos_[pole[i]], cx, cy);
    grid[cy * gw + cx].push_back(i);
  }
  struct Cand {
    double d;
    uint32_t a, b;  // transformer-pole owners: feeder far pole node, other transformer
  };
  std::vector<Cand> cands;
  const int64_t maxRing = static_cast<int64_t>(std::ceil(2500.0 / cellSize));
  std::vector<uint32_t> poleOwner(nodePos_.size(), UINT32_MAX);
  for (uint32_t i = 0; i < N_; ++i) poleOwner[pole[i]] = i;
  for (uint32_t f = 0; f < farPole.size(); ++f) {
    const uint32_t pa = farPole[f];
    if (poleOwner[pa] == UINT32_MAX) continue;
    const P2 p = nodePos_[pa];
    int64_t cx, cy;
    cellOf(p, cx, cy);
    double best = 1e300;
    uint32_t bi = UINT32_MAX;
    for (int64_t ring = 0; ring <= maxRing; ++ring) {
      if (bi != UINT32_MAX && (static_cast<double>(ring) - 1.0) * cellSize > std::sqrt(best)) break;
      for (int64_t y = cy - ring; y <= cy + ring; ++y)
        for (int64_t x = cx - ring; x <= cx + ring; ++x) {
          if (std::max(std::llabs(x - cx), std::llabs(y - cy)) != ring) continue;
          auto it = grid.find(y * gw + x);
          if (it == grid.end()) continue;
          for (uint32_t j : it->second) {
            if (tr_[j].feeder == f) continue;
            const double d = dist2(nodePos_[pole[j]], p);
            if (d < best || (d == best && j < bi)) {
              best = d;
              bi = j;
            }
          }
        }
    }
    if (bi != UINT32_MAX && best <= 2500.0 * 2500.0) cands.push_back({std::sqrt(best), poleOwner[pa], bi});
  }
  std::sort(cands.begin(), cands.end(), [](const Cand& x, const Cand& y) { return x.d < y.d || (x.d == y.d && x.a < y.a); });
  std::map<std::pair<uint32_t, uint32_t>, int> tied;
  std::vector<int> tiesPerFeeder(feederCount, 0);
  for (const Cand& c : cands) {
    if (nTies_ >= target) break;
    const uint32_t fa = tr_[c.a].feeder, fb = tr_[c.b].feeder;
    const auto key = std::minmax(fa, fb);
    if (tied.count(key) || tiesPerFeeder[fa] >= 2 || tiesPerFeeder[fb] >= 2) continue;
    tied[key] = 1;
    ++tiesPerFeeder[fa];
    ++tiesPerFeeder[fb];
    addEdge(pole[c.a], pole[c.b], fa, true, true);
    ++nTies_;
  }
}

// Closed edges must form a forest with exactly one substation per tree, covering every node.
void Generator::checkNetwork() {
  std::vector<uint32_t> parent(nodePos_.size());
  std::iota(parent.begin(), parent.end(), 0u);
  auto find = [&](uint32_t x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  };
  size_t cycles = 0, closed = 0;
  for (const Edge& e : edges_) {
    if (e.open) continue;
    ++closed;
    const uint32_t a = find(e.from), b = find(e.to);
    if (a == b)
      ++cycles;
    else
      parent[a] = b;
  }
  std::vector<int> subsIn(nodePos_.size(), 0);
  for (uint32_t v = 0; v < nodePos_.size(); ++v)
    if (nodeSub_[v] >= 0) ++subsIn[find(v)];
  size_t bad = 0;
  for (uint32_t v = 0; v < nodePos_.size(); ++v)
    if (subsIn[find(v)] != 1) ++bad;
  networkCheck_ = (cycles == 0 && bad == 0)
                      ? fmt::format("ok (closed edges form {} radial trees, one per substation)", nSubstations_)
                      : fmt::format("FAILED: {} cycles, {} nodes not on exactly one substation tree", cycles, bad);
}

// Sum of child areas against parent area (exact tiling implies equality up to rounding).
double Generator::checkTiling() const {
  auto area = [&](const Cell& c) {
    std::vector<P2> ring;
    for (uint32_t id : topo_.expand(c)) ring.push_back(topo_.v[id]);
    return ringArea(ring);
  };
  double worst = 0.0;
  double stSum = 0.0;
  for (const Cell& c : stCell_) stSum += area(c);
  worst = std::max(worst, std::abs(stSum / area(territoryCell_) - 1.0));
  for (size_t s = 0; s < stCell_.size(); ++s) {
    double sum = 0.0;
    for (uint32_t c : stComms_[s]) sum += area(cmCell_[c]);
    worst = std::max(worst, std::abs(sum / area(stCell_[s]) - 1.0));
  }
  for (size_t c = 0; c < cmCell_.size(); ++c) {
    double sum = 0.0;
    for (uint32_t cp : cmCmpds_[c]) sum += area(cpCell_[cp]);
    worst = std::max(worst, std::abs(sum / area(cmCell_[c]) - 1.0));
  }
  return worst;
}

void Generator::transformAll() {
  auto tr = [&](std::vector<double>& xs, std::vector<double>& ys) {
    for (size_t i = 0; i < xs.size(); ++i) {
      xs[i] += origin_.x;
      ys[i] += origin_.y;
    }
    constexpr size_t chunk = 1 << 20;
    for (size_t off = 0; off < xs.size(); off += chunk) {
      const int n = static_cast<int>(std::min(chunk, xs.size() - off));
      if (!ct_->Transform(n, xs.data() + off, ys.data() + off)) throw std::runtime_error("coordinate transformation failed");
    }
  };
  trLon_.resize(N_);
  trLat_.resize(N_);
  for (size_t i = 0; i < N_; ++i) {
    trLon_[i] = tr_[i].p.x;
    trLat_[i] = tr_[i].p.y;
  }
  tr(trLon_, trLat_);
  vLon_.resize(topo_.v.size());
  vLat_.resize(topo_.v.size());
  for (size_t i = 0; i < topo_.v.size(); ++i) {
    vLon_[i] = topo_.v[i].x;
    vLat_[i] = topo_.v[i].y;
  }
  tr(vLon_, vLat_);
  nLon_.resize(nodePos_.size());
  nLat_.resize(nodePos_.size());
  for (size_t i = 0; i < nodePos_.size(); ++i) {
    nLon_[i] = nodePos_[i].x;
    nLat_[i] = nodePos_[i].y;
  }
  tr(nLon_, nLat_);
}

void Generator::write() {
  const Format fmtv = opt_.format == "shp"       ? Format::Shp
                      : opt_.format == "geojson" ? Format::GeoJson
                      : opt_.format == "csv"     ? Format::Csv
                                                 : Format::Gpkg;
  Writer w(fmtv, opt_.out);
  layerTimer_.lap();
  const int wT = idWidth(N_, 6), wS = idWidth(stSite_.size(), 4), wC = idWidth(cmSite_.size(), 5),
            wQ = idWidth(cpSite_.size(), 6), wF = idWidth(feederStation_.size(), 5), wM = idWidth(nManagers_, 5),
            wN = idWidth(nodePos_.size(), 7), wE = idWidth(edges_.size(), 7), wB = idWidth(nBranches_, 2),
            wSS = idWidth(nSubstations_, 4);
  auto nodeId = [&](uint32_t n) {
    return nodeSub_[n] >= 0 ? makeId("SS", wSS, static_cast<uint64_t>(nodeSub_[n]) + 1) : makeId("N", wN, nodeNum_[n]);
  };
  // transformers
  {
    const std::vector<FieldDef> fields{
        {"id", "id", OFTString, 12, 0},
        {"customers", "customers", OFTInteger, 6, 0},
        {"customers_residential", "cust_res", OFTInteger, 6, 0},
        {"customers_commercial", "cust_com", OFTInteger, 6, 0},
        {"kva", "kva", OFTInteger, 5, 0},
        {"feeder_id", "feeder_id", OFTString, 10, 0},
        {"station_id", "station_id", OFTString, 10, 0},
        {"branch_id", "branch_id", OFTString, 6, 0},
        {"community_id", "comm_id", OFTString, 12, 0},
        {"compound_id", "cmpd_id", OFTString, 12, 0},
        {"hv_bus", "hv_bus", OFTString, 12, 0},
        {"manager_id", "manager_id", OFTString, 10, 0},
    };
    auto sink = w.layer("transformers", "transformers", wkbPoint, fields);
    OGRFeature* f = sink->f();
    f->SetGeometryDirectly(new OGRPoint(0, 0));
    auto* pt = f->GetGeometryRef()->toPoint();
    for (size_t i = 0; i < N_; ++i) {
      const Transformer& t = tr_[i];
      f->SetField(0, makeId("T", wT, i + 1).c_str());
      f->SetField(1, t.customers);
      f->SetField(2, t.residential);
      f->SetField(3, t.commercial);
      f->SetField(4, t.kva);
      f->SetField(5, makeId("F", wF, t.feeder + 1).c_str());
      f->SetField(6, makeId("ST", wS, t.station + 1).c_str());
      f->SetField(7, makeId("BR", wB, stBranch_[t.station] + 1).c_str());
      f->SetField(8, makeId("CM", wC, t.community + 1).c_str());
      f->SetField(9, makeId("CP", wQ, cpNumber_[t.compound]).c_str());
      f->SetField(10, nodeId(t.hvBus).c_str());
      f->SetField(11, makeId("M", wM, t.manager + 1).c_str());
      pt->setX(trLon_[i]);
      pt->setY(trLat_[i]);
      sink->write();
    }
    sink->finish();
    written_["transformers"] = {sink->count(), layerTimer_.lap()};
  }
  // boundaries
  {
    const std::vector<FieldDef> fields{
        {"id", "id", OFTString, 12, 0},
        {"name", "name", OFTString, 60, 0},
        {"parent_id", "parent_id", OFTString, 12, 0},
        {"level", "level", OFTString, 10, 0},
    };
    auto writeLevel = [&](const char* name, size_t count, auto&& cellOf, auto&& idOf, auto&& nameOf, auto&& parentOf) {
      auto sink = w.layer("boundaries", name, wkbPolygon, fields);
      OGRFeature* f = sink->f();
      for (size_t k = 0; k < count; ++k) {
        const std::vector<uint32_t> ring = topo_.expand(cellOf(k));
        auto* lr = new OGRLinearRing();
        lr->setNumPoints(static_cast<int>(ring.size() + 1), FALSE);
        for (size_t q = 0; q <= ring.size(); ++q) {
          const uint32_t id = ring[q % ring.size()];
          lr->setPoint(static_cast<int>(q), vLon_[id], vLat_[id]);
        }
        auto* poly = new OGRPolygon();
        poly->addRingDirectly(lr);
        f->SetGeometryDirectly(poly);
        f->SetField(0, idOf(k).c_str());
        f->SetField(1, nameOf(k).c_str());
        f->SetField(2, parentOf(k).c_str());
        f->SetField(3, name);
        sink->write();
      }
      sink->finish();
    written_[name] = {sink->count(), layerTimer_.lap()};
    };
    writeLevel(
        "station", stSite_.size(), [&](size_t k) -> const Cell& { return stCell_[k]; },
        [&](size_t k) { return makeId("ST", wS, k + 1); }, [&](size_t k) { return stName_[k]; },
        [&](size_t k) { return makeId("BR", wB, stBranch_[k] + 1); });
    writeLevel(
        "community", cmSite_.size(), [&](size_t k) -> const Cell& { return cmCell_[k]; },
        [&](size_t k) { return makeId("CM", wC, k + 1); }, [&](size_t k) { return cmName_[k]; },
        [&](size_t k) { return makeId("ST", wS, cmStation_[k] + 1); });
    // compounds in output-number order (grouped by community)
    std::vector<uint32_t> cpOrder(cpSite_.size());
    for (uint32_t cp = 0; cp < cpSite_.size(); ++cp) cpOrder[cpNumber_[cp] - 1] = cp;
    writeLevel(
        "compound", cpSite_.size(), [&](size_t k) -> const Cell& { return cpCell_[cpOrder[k]]; },
        [&](size_t k) { return makeId("CP", wQ, k + 1); }, [&](size_t k) { return cpName_[cpOrder[k]]; },
        [&](size_t k) { return makeId("CM", wC, cpCommunity_[cpOrder[k]] + 1); });
  }
  // feeder edges
  {
    const std::vector<FieldDef> fields{
        {"id", "id", OFTString, 12, 0},
        {"from_id", "from_id", OFTString, 12, 0},
        {"to_id", "to_id", OFTString, 12, 0},
        {"feeder_id", "feeder_id", OFTString, 10, 0},
        {"kind", "kind", OFTString, 6, 0},
        {"normally_open", "norm_open", OFTInteger, 1, 0},
        {"length_m", "length_m", OFTReal, 10, 1},
    };
    auto sink = w.layer("feeders", "feeder_edges", wkbLineString, fields);
    OGRFeature* f = sink->f();
    auto* ls = new OGRLineString();
    ls->setNumPoints(2, FALSE);
    f->SetGeometryDirectly(ls);
    auto* line = f->GetGeometryRef()->toLineString();
    for (size_t k = 0; k < edges_.size(); ++k) {
      const Edge& e = edges_[k];
      f->SetField(0, makeId("E", wE, k + 1).c_str());
      f->SetField(1, nodeId(e.from).c_str());
      f->SetField(2, nodeId(e.to).c_str());
      f->SetField(3, makeId("F", wF, e.feeder + 1).c_str());
      f->SetField(4, e.isSwitch ? "switch" : "line");
      f->SetField(5, static_cast<int>(e.open));
      f->SetField(6, e.length);
      line->setPoint(0, nLon_[e.from], nLat_[e.from]);
      line->setPoint(1, nLon_[e.to], nLat_[e.to]);
      sink->write();
    }
    sink->finish();
    written_["feeder_edges"] = {sink->count(), layerTimer_.lap()};
  }
  // customer points (generated while writing, in batches)
  if (opt_.customerPoints) {
    Rng r = rng(9);
    const std::vector<FieldDef> fields{
        {"id", "id", OFTString, 12, 0},
        {"transformer_id", "tr_id", OFTString, 12, 0},
        {"class", "class", OFTString, 12, 0},
    };
    auto sink = w.layer("customers", "customers", wkbPoint, fields);
    OGRFeature* f = sink->f();
    f->SetGeometryDirectly(new OGRPoint(0, 0));
    auto* pt = f->GetGeometryRef()->toPoint();
    size_t total = 0;
    for (const Transformer& t : tr_) total += static_cast<size_t>(std::min(t.customers, 5));
    const int wU = idWidth(total, 7);
    uint64_t next = 0;
    std::vector<double> xs, ys;
    std::vector<uint32_t> owner;
    std::vector<uint8_t> residential;
    auto flush = [&]() {
      for (size_t q = 0; q < xs.size(); ++q) {
        xs[q] += origin_.x;
        ys[q] += origin_.y;
      }
      if (!xs.empty() && !ct_->Transform(static_cast<int>(xs.size()), xs.data(), ys.data()))
        throw std::runtime_error("coordinate transformation failed");
      for (size_t q = 0; q < xs.size(); ++q) {
        f->SetField(0, makeId("U", wU, ++next).c_str());
        f->SetField(1, makeId("T", wT, owner[q] + 1).c_str());
        f->SetField(2, residential[q] ? "residential" : "commercial");
        pt->setX(xs[q]);
        pt->setY(ys[q]);
        sink->write();
      }
      xs.clear();
      ys.clear();
      owner.clear();
      residential.clear();
    };
    for (uint32_t i = 0; i < N_; ++i) {
      const Transformer& t = tr_[i];
      const int k = std::min(t.customers, 5);
      if (k == 0) continue;
      const std::vector<P2> ring = topo_.ringPoints(cpCell_[t.compound]);
      const double sigma = t.urban ? 35.0 : 120.0;
      for (int q = 0; q < k; ++q) {
        P2 p = t.p;
        for (int tries = 0; tries < 10; ++tries) {
          const P2 c{t.p.x + r.normal() * sigma, t.p.y + r.normal() * sigma};
          if (insideDistance(ring, c) >= kCustomerMargin) {
            p = c;
            break;
          }
        }
        xs.push_back(p.x);
        ys.push_back(p.y);
        owner.push_back(i);
        residential.push_back(r.uniform() * t.customers < t.residential ? 1 : 0);
      }
      if (xs.size() >= 100000) flush();
    }
    flush();
    sink->finish();
    written_["customers"] = {sink->count(), layerTimer_.lap()};
  }
  files_ = w.commit();
  written_["(close+index)"] = {0, layerTimer_.lap()};
}

int Generator::run() {
  OGRSpatialReference utm, geo;
  utm.importFromEPSG(kUtmEpsg);
  geo.importFromEPSG(4326);
  utm.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  geo.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  ct_.reset(OGRCreateCoordinateTransformation(&utm, &geo));
  std::unique_ptr<OGRCoordinateTransformation> inv(OGRCreateCoordinateTransformation(&geo, &utm));
  if (!ct_ || !inv) throw std::runtime_error("cannot create EPSG:32649 <-> EPSG:4326 transformation");
  double ox = kCentreLon, oy = kCentreLat;
  if (!inv->Transform(1, &ox, &oy)) throw std::runtime_error("cannot project the centre");
  origin_ = {std::round(ox), std::round(oy)};

  makeTerritory();
  makeTransformers();
  phases_.emplace_back("territory + transformers", timer_.lap());
  makeSites();
  makeCells();
  makeEmptyCompounds();
  fixMargins();
  topo_.densify(kMaxEdgeLength);
  phases_.emplace_back("admin units (Voronoi, nested)", timer_.lap());
  makeCustomers();
  makeManagers();
  makeBranchesAndNames();
  phases_.emplace_back("customers, managers, names", timer_.lap());
  makeNetwork();
  checkNetwork();
  phases_.emplace_back("feeder network", timer_.lap());
  const double tiling = checkTiling();
  phases_.emplace_back("self-check (areas)", timer_.lap());
  transformAll();
  phases_.emplace_back("EPSG:32649 -> EPSG:4326", timer_.lap());
  write();
  phases_.emplace_back(fmt::format("write ({})", opt_.format), timer_.lap());

  // summary
  int64_t customers = 0, res = 0;
  std::vector<int32_t> cs;
  for (const Transformer& t : tr_) {
    customers += t.customers;
    res += t.residential;
    cs.push_back(t.customers);
  }
  std::nth_element(cs.begin(), cs.begin() + static_cast<std::ptrdiff_t>(cs.size() / 2), cs.end());
  std::vector<size_t> cpCount(cpSite_.size(), 0), stCount(stSite_.size(), 0), cmCount(cmSite_.size(), 0);
  for (const Transformer& t : tr_) {
    ++cpCount[t.compound];
    ++stCount[t.station];
    ++cmCount[t.community];
  }
  const size_t emptyCp = static_cast<size_t>(std::count(cpCount.begin(), cpCount.end(), size_t{0}));
  const size_t emptyCm = static_cast<size_t>(std::count(cmCount.begin(), cmCount.end(), size_t{0}));
  double minLon = 1e9, maxLon = -1e9, minLat = 1e9, maxLat = -1e9;
  for (uint32_t id : territoryCell_.v) {
    minLon = std::min(minLon, vLon_[id]);
    maxLon = std::max(maxLon, vLon_[id]);
    minLat = std::min(minLat, vLat_[id]);
    maxLat = std::max(maxLat, vLat_[id]);
  }
  size_t core = 0;
  for (const Transformer& t : tr_) core += dist2(t.p, clusters_[0].c) <= 500.0 * 500.0;
  fmt::print("synth-city: N={} seed={} format={} -> {}\n", N_, opt_.seed, opt_.format, opt_.out);
  fmt::print("  territory     {:.1f} km^2, {} urban clusters, {:.0f} transformers/km^2 within 500 m of the main centre\n",
             areaM2_ / 1e6, clusters_.size(), static_cast<double>(core) / (kPi * 0.25));
  fmt::print("  extent        lon {:.5f} .. {:.5f}, lat {:.5f} .. {:.5f} (EPSG:4326; generated in EPSG:32649)\n", minLon,
             maxLon, minLat, maxLat);
  fmt::print("  transformers  {} ({} moved off boundaries), customers {} (median {} per transformer, {:.1f}% residential)\n",
             N_, moved_, customers, cs.empty() ? 0 : cs[cs.size() / 2],
             customers > 0 ? 100.0 * static_cast<double>(res) / static_cast<double>(customers) : 0.0);
  fmt::print("  branches      {}\n", nBranches_);
  fmt::print("  stations      {} (transformers per station {}..{})\n", stSite_.size(),
             *std::min_element(stCount.begin(), stCount.end()), *std::max_element(stCount.begin(), stCount.end()));
  fmt::print("  communities   {} ({} without transformers; mean {:.1f} transformers)\n", cmSite_.size(), emptyCm,
             static_cast<double>(N_) / static_cast<double>(cmSite_.size()));
  fmt::print("  compounds     {} ({} without transformers = {:.1f}%; mean {:.1f} transformers)\n", cpSite_.size(), emptyCp,
             100.0 * static_cast<double>(emptyCp) / static_cast<double>(cpSite_.size()),
             static_cast<double>(N_) / static_cast<double>(cpSite_.size()));
  fmt::print("  managers      {}\n", nManagers_);
  fmt::print("  network       {} substations, {} feeders, {} nodes, {} edges, {} closed switches, {} open ties\n",
             nSubstations_, feederStation_.size(), nodePos_.size(), edges_.size(), nClosedSwitches_, nTies_);
  fmt::print("  checks        network {}; tiling max area mismatch {:.2e}; topology inconsistencies {}\n", networkCheck_,
             tiling, topo_.inconsistencies);
  for (const auto& [name, nt] : written_)
    fmt::print("  layer {:<13} {:>9} features  {:6.2f} s\n", name, nt.first, nt.second);
  for (const std::string& f : files_) fmt::print("  wrote {}\n", (fs::path(opt_.out) / f).string());
  for (const auto& [name, s] : phases_) fmt::print("  time  {:<30} {:.2f} s\n", name, s);
  fmt::print("  time  {:<30} {:.2f} s\n", "total", timer_.total());
  return (topo_.inconsistencies == 0 && networkCheck_.rfind("ok", 0) == 0) ? 0 : 3;
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  CLI::App app{"synth-city: deterministic synthetic distribution territory (transformers, boundaries, feeders)"};
  app.add_option("--transformers,-n", opt.transformers, "Number of transformers (50 .. 1,000,000)")
      ->required()
      ->check(CLI::Range(uint64_t{50}, uint64_t{5000000}));
  app.add_option("--seed,-s", opt.seed, "Random seed (same seed => identical files)");
  app.add_option("--stations", opt.stations, "Business stations (default max(1, round(N/3000)))")->check(CLI::PositiveNumber);
  app.add_option("--customers-total", opt.customersTotal, "Scale customer counts to this exact total")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--out,-o", opt.out, "Output directory")->required();
  app.add_option("--format,-f", opt.format, "Output format")->check(CLI::IsMember({"gpkg", "shp", "geojson", "csv"}));
  app.add_flag("--customer-points", opt.customerPoints, "Also write customer points (min(customers, 5) per transformer)");
  CLI11_PARSE(app, argc, argv);

  if (opt.customersTotal > static_cast<int64_t>(opt.transformers) * kMaxCustomers) {
    fmt::print(stderr, "synth-city: --customers-total exceeds {} x {} transformers\n", kMaxCustomers, opt.transformers);
    return 2;
  }
  if (opt.stations > static_cast<int64_t>(opt.transformers)) {
    fmt::print(stderr, "synth-city: --stations must not exceed --transformers\n");
    return 2;
  }
  try {
    fs::create_directories(opt.out);
    GDALAllRegister();
    CPLSetConfigOption("OGR_SQLITE_SYNCHRONOUS", "OFF");
    CPLSetConfigOption("OGR_CURRENT_DATE", "2026-01-01T00:00:00.000Z");  // reproducible GeoPackage timestamps
    Generator g(opt);
    return g.run();
  } catch (const std::exception& e) {
    fmt::print(stderr, "synth-city: {}\n", e.what());
    return 1;
  }
}
