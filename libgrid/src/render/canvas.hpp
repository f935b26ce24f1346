// Private drawing interface of the render module. The map composition draws once onto a
// Canvas; CairoCanvas puts the calls on a cairo surface (PNG, PDF), SvgCanvas writes them as
// SVG text keeping the group attributes (ids, colour index, label boxes) that cairo 1.16's SVG
// surface cannot carry. Coordinates are page points (1/72 in), origin top left, y down.
#pragma once

#include <libgrid/geometry_types.hpp>

#include <memory>
#include <string>
#include <utility>
#include <vector>

typedef struct _cairo cairo_t;

namespace libgrid::detail {

/// A colour with opacity, each channel 0..1.
struct Rgba {
    double r = 0.0, g = 0.0, b = 0.0, a = 1.0;
};

/// How a line is drawn.
struct Stroke {
    Rgba colour;
    double width = 1.0;        ///< Points.
    std::vector<double> dash;  ///< On/off lengths in points; empty = solid.
    bool round_caps = false;   ///< Round line ends (lines drawn as separate segments join cleanly).
};

/// Extra attributes of an SVG element (ignored by raster and PDF output).
using Attrs = std::vector<std::pair<std::string, std::string>>;

/// Text weight.
enum class Weight { normal, bold };

/// Drawing calls of the map composition.
class Canvas {
public:
    virtual ~Canvas() = default;
    /// Opens a group (an SVG <g>) carrying `attrs`.
    virtual void begin_group(const Attrs& attrs) = 0;
    /// Closes the last open group.
    virtual void end_group() = 0;
    /// Restricts drawing to a rectangle until pop_clip().
    virtual void push_clip(double x, double y, double w, double h) = 0;
    /// Ends the last push_clip().
    virtual void pop_clip() = 0;
    /// Draws rings (closed when `closed`) filled by the even-odd rule and/or stroked.
    virtual void path(const std::vector<std::vector<Point>>& rings, bool closed, const Rgba* fill,
                      const Stroke* stroke, const Attrs& attrs = {}) = 0;
    /// Draws a circle.
    virtual void circle(Point centre, double radius, const Rgba* fill, const Stroke* stroke) = 0;
    /// Draws one line of text with its baseline starting at `at`.
    virtual void text(Point at, const std::string& utf8, double size, Weight weight, const Rgba& colour) = 0;
};

/// Text metrics from cairo with the font the canvases draw with (hinting off, so that sizes
/// scale linearly and every format measures alike).
class TextMeasure {
public:
    explicit TextMeasure(std::string family);
    ~TextMeasure();
    TextMeasure(const TextMeasure&) = delete;
    TextMeasure& operator=(const TextMeasure&) = delete;
    /// Advance width of a line of text, points.
    double width(const std::string& utf8, double size, Weight weight) const;
    /// Ascent of the font at `size`, points.
    double ascent(double size) const { return m_ascent * size; }
    /// Descent of the font at `size`, points.
    double descent(double size) const { return m_descent * size; }
    const std::string& family() const { return m_family; }

private:
    std::string m_family;
    cairo_t* m_cr = nullptr;
    double m_ascent = 0.8, m_descent = 0.2; // per point of size
};

/// A canvas on a cairo context (owned by the caller).
std::unique_ptr<Canvas> make_cairo_canvas(cairo_t* cr, const std::string& family);

/// A canvas that writes SVG text; finish() returns the document.
class SvgCanvas : public Canvas {
public:
    /// `id_prefix` starts every id the canvas makes (clip paths), so that several maps can be
    /// inlined in one HTML page.
    SvgCanvas(double width_pt, double height_pt, double width_mm, double height_mm, std::string family,
              const Attrs& root_attrs, std::string id_prefix);
    void begin_group(const Attrs& attrs) override;
    void end_group() override;
    void push_clip(double x, double y, double w, double h) override;
    void pop_clip() override;
    void path(const std::vector<std::vector<Point>>& rings, bool closed, const Rgba* fill, const Stroke* stroke,
              const Attrs& attrs) override;
    void circle(Point centre, double radius, const Rgba* fill, const Stroke* stroke) override;
    void text(Point at, const std::string& utf8, double size, Weight weight, const Rgba& colour) override;
    /// Closes the document and returns it.
    std::string finish();

private:
    std::string m_out;
    std::string m_prefix;
    int m_clips = 0;
};

/// XML text escape (&, <, >, ", ').
std::string xml_escape(const std::string& s);

} // namespace libgrid::detail
