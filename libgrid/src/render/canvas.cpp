// The two canvases of the render module: cairo (PNG, PDF) and SVG text.
#include "render/canvas.hpp"

#include <libgrid/error.hpp>

#include <cairo.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iterator>

namespace libgrid::detail {
namespace {

void set_font(cairo_t* cr, const std::string& family, double size, Weight weight)
{
    cairo_select_font_face(cr, family.c_str(), CAIRO_FONT_SLANT_NORMAL,
                           weight == Weight::bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
}

/// Unhinted metrics: the same text measures the same at any size and on any surface.
void unhinted(cairo_t* cr)
{
    cairo_font_options_t* fo = cairo_font_options_create();
    cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
    cairo_set_font_options(cr, fo);
    cairo_font_options_destroy(fo);
}

class CairoCanvas : public Canvas {
public:
    CairoCanvas(cairo_t* cr, std::string family) : m_cr(cr), m_family(std::move(family)) { unhinted(m_cr); }
    void begin_group(const Attrs&) override {}
    void end_group() override {}
    void push_clip(double x, double y, double w, double h) override
    {
        cairo_save(m_cr);
        cairo_rectangle(m_cr, x, y, w, h);
        cairo_clip(m_cr);
    }
    void pop_clip() override { cairo_restore(m_cr); }
    void path(const std::vector<std::vector<Point>>& rings, bool closed, const Rgba* fill, const Stroke* stroke,
              const Attrs&) override
    {
        cairo_new_path(m_cr);
        for (const auto& ring : rings) {
            if (ring.empty()) continue;
            cairo_move_to(m_cr, ring[0].x, ring[0].y);
            for (std::size_t i = 1; i < ring.size(); ++i) cairo_line_to(m_cr, ring[i].x, ring[i].y);
            if (closed) cairo_close_path(m_cr);
        }
        paint(fill, stroke);
    }
    void circle(Point c, double r, const Rgba* fill, const Stroke* stroke) override
    {
        cairo_new_path(m_cr);
        cairo_arc(m_cr, c.x, c.y, r, 0.0, 6.283185307179586);
        paint(fill, stroke);
    }
    void text(Point at, const std::string& utf8, double size, Weight weight, const Rgba& colour) override
    {
        set_font(m_cr, m_family, size, weight);
        cairo_set_source_rgba(m_cr, colour.r, colour.g, colour.b, colour.a);
        cairo_move_to(m_cr, at.x, at.y);
        cairo_show_text(m_cr, utf8.c_str());
        cairo_new_path(m_cr);
    }

private:
    void paint(const Rgba* fill, const Stroke* stroke)
    {
        cairo_set_fill_rule(m_cr, CAIRO_FILL_RULE_EVEN_ODD);
        if (fill) {
            cairo_set_source_rgba(m_cr, fill->r, fill->g, fill->b, fill->a);
            if (stroke) cairo_fill_preserve(m_cr);
            else cairo_fill(m_cr);
        }
        if (stroke) {
            cairo_set_source_rgba(m_cr, stroke->colour.r, stroke->colour.g, stroke->colour.b, stroke->colour.a);
            cairo_set_line_width(m_cr, stroke->width);
            cairo_set_line_join(m_cr, CAIRO_LINE_JOIN_ROUND);
            cairo_set_line_cap(m_cr, stroke->round_caps ? CAIRO_LINE_CAP_ROUND : CAIRO_LINE_CAP_BUTT);
            cairo_set_dash(m_cr, stroke->dash.empty() ? nullptr : stroke->dash.data(),
                           static_cast<int>(stroke->dash.size()), 0.0);
            cairo_stroke(m_cr);
        }
        cairo_new_path(m_cr);
    }
    cairo_t* m_cr;
    std::string m_family;
};

std::string hex(const Rgba& c)
{
    auto byte = [](double v) { return static_cast<int>(std::lround(std::clamp(v, 0.0, 1.0) * 255.0)); };
    return fmt::format("#{:02x}{:02x}{:02x}", byte(c.r), byte(c.g), byte(c.b));
}

std::string attrs_text(const Attrs& attrs)
{
    std::string s;
    for (const auto& [k, v] : attrs) s += fmt::format(" {}=\"{}\"", k, xml_escape(v));
    return s;
}

std::string paint_attrs(const Rgba* fill, const Stroke* stroke)
{
    std::string s;
    if (fill) {
        s += fmt::format(" fill=\"{}\"", hex(*fill));
        if (fill->a < 1.0) s += fmt::format(" fill-opacity=\"{:.2f}\"", fill->a);
    } else {
        s += " fill=\"none\"";
    }
    if (stroke) {
        s += fmt::format(" stroke=\"{}\" stroke-width=\"{:.2f}\" stroke-linejoin=\"round\"", hex(stroke->colour),
                         stroke->width);
        if (stroke->colour.a < 1.0) s += fmt::format(" stroke-opacity=\"{:.2f}\"", stroke->colour.a);
        if (stroke->round_caps) s += " stroke-linecap=\"round\"";
        if (!stroke->dash.empty()) {
            s += " stroke-dasharray=\"";
            for (std::size_t i = 0; i < stroke->dash.size(); ++i) s += fmt::format("{}{:.2f}", i ? " " : "", stroke->dash[i]);
            s += "\"";
        }
    }
    return s;
}

} // namespace

std::string xml_escape(const std::string& s)
{
    std::string out;
    out.reserve(s.size());
    for (const char c : s) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&apos;"; break;
        default:
            // Control characters are not allowed in XML 1.0 text.
            if (static_cast<unsigned char>(c) >= 0x20 || c == '\t' || c == '\n') out += c;
        }
    }
    return out;
}

TextMeasure::TextMeasure(std::string family) : m_family(std::move(family))
{
    cairo_surface_t* s = cairo_image_surface_create(CAIRO_FORMAT_A8, 1, 1);
    m_cr = cairo_create(s);
    cairo_surface_destroy(s); // the context keeps its reference
    unhinted(m_cr);
    set_font(m_cr, m_family, 100.0, Weight::normal);
    cairo_font_extents_t fe;
    cairo_font_extents(m_cr, &fe);
    if (fe.ascent > 0) m_ascent = fe.ascent / 100.0;
    if (fe.descent > 0) m_descent = fe.descent / 100.0;
}

TextMeasure::~TextMeasure() { cairo_destroy(m_cr); }

double TextMeasure::width(const std::string& utf8, double size, Weight weight) const
{
    set_font(m_cr, m_family, size, weight);
    cairo_text_extents_t te;
    cairo_text_extents(m_cr, utf8.c_str(), &te);
    return te.x_advance;
}

std::unique_ptr<Canvas> make_cairo_canvas(cairo_t* cr, const std::string& family)
{
    return std::make_unique<CairoCanvas>(cr, family);
}

SvgCanvas::SvgCanvas(double width_pt, double height_pt, double width_mm, double height_mm, std::string family,
                     const Attrs& root_attrs, std::string id_prefix)
    : m_prefix(std::move(id_prefix))
{
    m_out = fmt::format("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}mm\" height=\"{}mm\" "
                        "viewBox=\"0 0 {:.2f} {:.2f}\" font-family=\"{}, 'Noto Sans CJK', 'Source Han Sans SC', "
                        "sans-serif\"{}>\n",
                        width_mm, height_mm, width_pt, height_pt, xml_escape("'" + family + "'"),
                        attrs_text(root_attrs));
}

void SvgCanvas::begin_group(const Attrs& attrs) { m_out += "<g" + attrs_text(attrs) + ">\n"; }

void SvgCanvas::end_group() { m_out += "</g>\n"; }

void SvgCanvas::push_clip(double x, double y, double w, double h)
{
    ++m_clips;
    m_out += fmt::format("<clipPath id=\"{5}clip{0}\"><rect x=\"{1:.2f}\" y=\"{2:.2f}\" width=\"{3:.2f}\" "
                         "height=\"{4:.2f}\"/></clipPath>\n<g clip-path=\"url(#{5}clip{0})\">\n",
                         m_clips, x, y, w, h, m_prefix);
}

void SvgCanvas::pop_clip() { m_out += "</g>\n"; }

void SvgCanvas::path(const std::vector<std::vector<Point>>& rings, bool closed, const Rgba* fill,
                     const Stroke* stroke, const Attrs& attrs)
{
    std::string d;
    for (const auto& ring : rings) {
        for (std::size_t i = 0; i < ring.size(); ++i)
            fmt::format_to(std::back_inserter(d), "{}{:.2f} {:.2f}", i == 0 ? (d.empty() ? "M" : " M") : " L",
                           ring[i].x, ring[i].y);
        if (closed && !ring.empty()) d += " Z";
    }
    m_out += "<path" + attrs_text(attrs) + paint_attrs(fill, stroke) + (closed ? " fill-rule=\"evenodd\"" : "") +
             " d=\"" + d + "\"/>\n";
}

void SvgCanvas::circle(Point c, double r, const Rgba* fill, const Stroke* stroke)
{
    m_out += fmt::format("<circle cx=\"{:.2f}\" cy=\"{:.2f}\" r=\"{:.2f}\"{}/>\n", c.x, c.y, r, paint_attrs(fill, stroke));
}

void SvgCanvas::text(Point at, const std::string& utf8, double size, Weight weight, const Rgba& colour)
{
    m_out += fmt::format("<text x=\"{:.2f}\" y=\"{:.2f}\" font-size=\"{:.2f}\"{} fill=\"{}\">{}</text>\n", at.x, at.y,
                         size, weight == Weight::bold ? " font-weight=\"bold\"" : "", hex(colour), xml_escape(utf8));
}

std::string SvgCanvas::finish() { return m_out + "</svg>\n"; }

} // namespace libgrid::detail
