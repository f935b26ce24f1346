// The one CSV field writer and locale-free number text (see libgrid/csv.hpp).
#include <libgrid/csv.hpp>

#include <fmt/format.h>

#include <cmath>

namespace libgrid {

void append_csv_field(std::string& out, std::string_view s)
{
    const bool quote = s.find_first_of(",\"\r\n") != std::string_view::npos;
    if (quote) out.push_back('"');
    for (const char c : s) {
        if (c == '"') out.push_back('"');
        out.push_back(c);
    }
    if (quote) out.push_back('"');
}

std::string csv_field(std::string_view s)
{
    std::string out;
    out.reserve(s.size() + 2);
    append_csv_field(out, s);
    return out;
}

std::string csv_text(std::string_view s)
{
    std::string out = "\"";
    for (const char c : s) {
        if (c == '"') out.push_back('"');
        out.push_back(c);
    }
    return out + "\"";
}

std::string number_text(double value)
{
    if (!std::isfinite(value)) return fmt::format("{}", value);
    // Integral values below 2^53 are exact in a double, so "%.0f" prints them exactly.
    if (std::abs(value) < 9007199254740992.0 && value == std::trunc(value))
        return fmt::format("{:.0f}", value == 0.0 ? 0.0 : value); // no "-0"
    std::string s = fmt::format("{:.6f}", value);
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
    return s == "-0" ? "0" : s;
}

std::string with_commas(double value)
{
    const bool whole = std::abs(value - std::round(value)) < 1e-9;
    std::string digits = fmt::format("{:.0f}", std::abs(std::trunc(value)));
    std::string out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    if (value < 0) out = "-" + out;
    if (!whole) out += fmt::format("{:.2f}", std::abs(value) - std::trunc(std::abs(value))).substr(1);
    return out;
}

} // namespace libgrid
