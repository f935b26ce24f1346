/// @file
/// @brief Text for tables and summaries: the one CSV field writer and locale-free numbers.
///
/// Every CSV libgrid and grid-partition write (assignments, managers, contacts, locate results)
/// goes through these, so that a field is quoted the same way everywhere (RFC 4180) and a number
/// reads the same on every machine and run.
#pragma once

#include <string>
#include <string_view>

namespace libgrid {

/// One CSV field (RFC 4180): quoted only when it holds a comma, quote or line break; a quote
/// inside is doubled. O(length).
std::string csv_field(std::string_view s);

/// csv_field() appended to `out` (no temporary: for tables of a million rows). O(length).
void append_csv_field(std::string& out, std::string_view s);

/// One CSV field always quoted (ids such as 00123 that a spreadsheet must not read as numbers).
std::string csv_text(std::string_view s);

/// A number as text that depends on the value only (files compared byte for byte across runs
/// must not vary with locale or printf defaults): integral values without decimals, others
/// with up to 6 decimals and no trailing zeros; "nan", "inf" and "-inf" as such. O(1).
std::string number_text(double value);

/// A number for people, with thousands separators: 12345 -> "12,345", 1234.5 -> "1,234.50"
/// (two decimals when not whole). Locale-free. O(digits).
std::string with_commas(double value);

} // namespace libgrid
