// libgrid/render.hpp: print-ready grid maps (SVG, PNG, PDF) of a written plan.
//
// A map shows the grids of one business station, one branch office or the whole plan: grids
// filled so that no two neighbours share a colour (graph colouring, Paul Tol's colour-blind-safe
// "light" palette), strong grid borders, stronger borders between stations (where a grid of
// another station shares the edge), thin dashed admin borders when the plan has them,
// optional transformer dots, one label per grid (grid id, manager name, customers) at the pole of
// inaccessibility and never overlapping another label, a title with totals and date, a legend, a
// scale bar and a north arrow, on an A4 or A3 landscape sheet.
//
// Every format is drawn by the same composition code (layout, colours, labels, legend) on one
// drawing interface. PNG and PDF are cairo surfaces (the PDF embeds the font subset); SVG is
// written as text by the same calls so that each grid and label carries its id in the file
// (cairo 1.16, Debian bookworm's, can neither tag SVG elements nor keep text as text), with
// text in the same font family. Text uses a CJK-capable font found by fontconfig (Debian
// fonts-noto-cjk: "Noto Sans CJK SC"), so Chinese names render.
//
// In the SVG, each grid of the map is `<path class="grid" data-grid="ID" data-colour="K" ...>`
// (grids of neighbouring stations drawn for context have class "context-grid"), and each label
// is `<g class="label" data-grid="ID" data-box="x y w h" data-mode="inside|leader">` in page
// points (1/72 in, origin top left). The root `<svg>` carries `data-labels-dropped="N"`.
#pragma once

#include <libgrid/geometry_types.hpp>
#include <libgrid/plan_layers.hpp>
#include <libgrid/progress.hpp>

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace libgrid {

struct PlanReport; // plan_folder.hpp

/// Output file formats of render_map().
enum class MapFormat { svg, png, pdf };

/// Paper sizes (always landscape).
enum class PaperSize {
    a4, ///< 297 x 210 mm.
    a3, ///< 420 x 297 mm.
};

/// Options of render_map(). Every default is here.
struct RenderOptions {
    PaperSize paper = PaperSize::a3;   ///< Sheet size, landscape. Default: A3.
    double dpi = 150.0;                ///< PNG resolution in dots per inch (10..1200). Default: 150.
    bool transformers = false;         ///< Draw a small dot per transformer. Default: false.
    bool admin_borders = true;         ///< Draw admin units as thin dashed lines. Default: true.
    bool context = true;               ///< Draw grids outside the map's set in grey. Default: true.
    /// Date printed in the title, e.g. "2026-11-22". Default: "" = today (UTC).
    std::string date;
    /// Font family (fontconfig name) for every text. Default: "Noto Sans CJK SC" (Latin and
    /// Chinese in one face; fontconfig substitutes a near match when it is not installed).
    std::string font_family = "Noto Sans CJK SC";
    double label_font_pt = 8.0;      ///< Largest label font size, points. Default: 8.
    double min_label_font_pt = 4.5;  ///< Smallest label font size inside a grid, points. Default: 4.5.
};

/// Which maps plan_maps() lists.
enum class MapLevel {
    station, ///< One map per business station.
    branch,  ///< One map per branch office (none when no grid has a branch id).
    all,     ///< Stations, branches and one overview of every grid.
};

/// One map to draw: a set of grids and how to name it.
struct MapSpec {
    std::string level;  ///< "station", "branch", "changes" (a re-plan's moved areas over a
                        ///< station's grids) or "overview" (also the file-name prefix).
    std::string id;     ///< Station or branch id ("" for the overview).
    std::string title;  ///< Title line, e.g. "Station S1".
    std::vector<std::size_t> grids; ///< Indices into PlanLayers::grids.
    bool detailed_labels = true;    ///< Labels with manager and customers (else the grid id only).
    bool leader_lines = true;       ///< Labels that fit in no grid go beside it with a leader line
                                    ///< (else they are dropped and counted).
};

/// What render_map() placed, for the summary and tests.
struct MapStats {
    std::size_t grids = 0;          ///< Grids of the map.
    std::size_t labels_inside = 0;  ///< Labels drawn inside their grid.
    std::size_t labels_leader = 0;  ///< Labels drawn beside their grid with a leader line.
    std::size_t labels_dropped = 0; ///< Grids left without label (no room; counted in the legend).
};

/// One drawn map: one file content per requested format, in the order requested.
struct RenderedMap {
    std::vector<std::string> files; ///< Bytes of each file (SVG text, PNG, PDF).
    MapStats stats;                 ///< Label placement figures.
};

/// The maps to draw for a plan: one per station (sorted by id), one per branch when grids carry
/// branch ids (`level` branch or all), for a re-plan one "changes" map per station that areas
/// moved into (`level` station or all), and an overview (`level` all). Grids without station
/// form the station map with id "". Leader lines are on for station and branch maps of at most
/// 500 grids; the overview labels only the grids that hold their id. Complexity: O(grids log grids).
std::vector<MapSpec> plan_maps(const PlanLayers& layers, MapLevel level);

/// Grid adjacency from the polygons: two grids are neighbours when their boundaries share a
/// vertex (coordinates equal within 1 mm), which holds for grids dissolved from one tiling of
/// service areas; touching at a corner counts, so colours differ there too.
/// @returns for each grid the sorted indices of its neighbours. Complexity: O(vertices log vertices).
std::vector<std::vector<std::size_t>> grid_adjacency(const std::vector<MultiPolygon>& shapes);

/// Colours the vertices of a graph so that no edge joins two equal colours (DSATUR: the vertex
/// with the most distinct neighbour colours first, ties by degree, then index; deterministic).
/// @param adjacency neighbours of each vertex (symmetric; self loops ignored).
/// @returns colour index per vertex, 0-based; uses at most max degree + 1 colours.
/// Complexity: O((V + E) log V).
std::vector<std::size_t> colour_graph(const std::vector<std::vector<std::size_t>>& adjacency);

/// Number of fill colours of the map palette; colour indices from colour_graph() are taken
/// modulo this (a plan needing more colours would then repeat one on a border; planar grid
/// maps need at most 4 with exact borders, a few more with greedy colouring).
std::size_t palette_size() noexcept;

/// Pole of inaccessibility of a polygon: the interior point farthest from its boundary
/// (outer ring and holes), found by quadtree search within `precision` (same units as the
/// polygon). The label anchor of a grid: unlike the centroid, it is inside concave shapes.
/// @param polygon the polygon (outer ring and holes, closed rings).
/// @param precision stop refining cells smaller than this (CRS units, e.g. metres).
/// @param distance when not null, receives the distance from the point to the boundary.
/// @returns the point; for an empty or degenerate polygon, the first outer point (or 0,0).
/// Complexity: O(vertices * cells), cells ~ log of (size / precision) per level.
Point pole_of_inaccessibility(const Polygon& polygon, double precision, double* distance = nullptr);

/// Draws one map in each requested format. Colours come from `colours` (one per grid of
/// `layers`, e.g. colour_graph(grid_adjacency(...)) over the whole plan, so that a grid keeps its
/// colour on every map). Pure: nothing is written to disk.
/// @throws Error(invalid_argument) when `colours` does not have one entry per grid, the map
///         has no grid with a polygon, or `options.dpi` is out of range; Error(internal) when
///         cairo fails to draw or encode.
RenderedMap render_map(const PlanLayers& layers, const std::vector<std::size_t>& colours, const MapSpec& map,
                       const std::vector<MapFormat>& formats, const RenderOptions& options = {});

/// Draws every map of `maps` as render_map() does, on up to `threads` threads (0 = one per core;
/// the maps are the same whatever the count), and hands each to `sink(index, map)` as soon as it
/// is drawn, so that only a few maps are held in memory at once. `sink` is called from several
/// threads at once, for different indices: it must be safe for that (e.g. write one file per
/// index). The first exception (of a map or of the sink) stops the maps not yet started and is
/// rethrown. Complexity: as render_map() per map.
void render_maps(const PlanLayers& layers, const std::vector<std::size_t>& colours, const std::vector<MapSpec>& maps,
                 const std::vector<MapFormat>& formats, const RenderOptions& options,
                 const std::function<void(std::size_t, RenderedMap&&)>& sink, std::size_t threads = 0);

/// File name of a map: `overview`, else `<level>-<id>` with path separators, spaces and other
/// characters no file system takes replaced by '_' (UTF-8 names such as Chinese ones are kept),
/// and the format's extension (.svg, .png, .pdf).
std::string map_file_name(const MapSpec& map, MapFormat format);

/// A QGIS style (QML, QGIS 3) for the `grids` layer of a plan: fills categorised by `grid_id`
/// with each grid's map colour (so that QGIS shows the same colours as the printed maps, without a
/// colour column in the data), strong dark outlines, and labels with the grid id and, where the
/// layer has it, the manager name. Complexity: O(grids).
std::string qgis_style(const PlanLayers& layers, const std::vector<std::size_t>& colours,
                       const std::string& font_family = "Noto Sans CJK SC");

/// A map shown in report_html(): its title and its SVG document (from render_map()).
struct ReportMap {
    std::string title; ///< Section heading.
    std::string svg;   ///< SVG document text.
};

/// report.html: one self-contained page (no network access, no external file) with the maps
/// inline (e.g. the overview first, then each station), the plan's quality measures with their
/// bounds, a bar chart of load / target per grid against the band target ± (lower bound +
/// balance tolerance), and a table of grids (load, customers, deviation, compactness, manager)
/// sortable by any column. Built by a small script in the page from the grids of `layers` and
/// the plan's `report` (read_plan_folder()'s; null when absent: the page then lists the grids
/// without targets and measures). Complexity: O(size of the inputs).
std::string report_html(const PlanLayers& layers, const std::vector<std::size_t>& colours,
                        const std::vector<ReportMap>& maps, const PlanReport* report, const std::string& title);

/// How render_plan_folder() draws a plan folder.
struct RenderFolderOptions {
    MapLevel level = MapLevel::all; ///< Maps per station, per branch, or all. Default: all.
    /// File formats of each map. Default: SVG, PNG and PDF.
    std::vector<MapFormat> formats{MapFormat::svg, MapFormat::png, MapFormat::pdf};
    std::string out_dir;   ///< Folder for the maps. Default: "" = `<plan>/maps`.
    RenderOptions map;     ///< How each map is drawn.
    bool report = true;    ///< With level all: write `<plan>/report.html`. Default: true.
    /// Write `<plan>/grids.qml` and store the style as the default of layer `grids` in
    /// `<plan>/grids.gpkg`, so that QGIS shows the maps' colours. Default: true.
    bool style = true;
    std::size_t threads = 0; ///< Maps drawn at once (0 = one per core). Default: 0.
    ProgressFn progress;     ///< Stages "read plan" and "render". Default: none.
};

/// One map render_plan_folder() wrote.
struct RenderedFile {
    std::string title;              ///< Map title.
    MapStats stats;                 ///< Label placement.
    std::vector<std::string> files; ///< Paths written, one per format.
};

/// What render_plan_folder() did.
struct RenderFolderResult {
    std::size_t grids = 0;         ///< Grids of the plan.
    std::size_t transformers = 0;  ///< Transformers of the plan.
    std::string crs_name;          ///< Metric CRS the maps are drawn in.
    std::string out_dir;           ///< Folder of the maps.
    std::vector<RenderedFile> maps; ///< In plan_maps() order.
    std::string style_path;        ///< grids.qml written ("" without).
    std::string report_path;       ///< report.html written ("" without).
    std::vector<std::string> warnings; ///< What was left out and why (e.g. a report.json that does not read).
};

/// Draws every map of a plan folder (read_plan_layers(); report.json's typed report for
/// report.html) into `options.out_dir`, one colouring for the whole plan so that a grid keeps
/// its colour on every map; then the QGIS style and report.html as asked. Never writes over
/// an input of the plan other than the style it stores in grids.gpkg. O(maps x render_map()).
/// @throws Error(invalid_input) when the plan holds no grid or no map of the level can be
///         drawn (e.g. branch maps without branch ids); as read_plan_layers() and render_map().
RenderFolderResult render_plan_folder(const std::string& plan_dir, const RenderFolderOptions& options = {});

} // namespace libgrid
