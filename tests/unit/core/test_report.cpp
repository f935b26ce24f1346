// Spec of errors and validation reports (libgrid/error.hpp, libgrid/validation.hpp).
#include <libgrid/error.hpp>
#include <libgrid/model.hpp>
#include <libgrid/validation.hpp>

#include <doctest/doctest.h>

#include <set>
#include <string>

using namespace libgrid;

TEST_CASE("format_issue writes severity, code, place, message and fix on one line")
{
    const Issue issue{Severity::error, IssueCode::id_duplicate, "tx.gpkg", "L", "X",
                      "id 'X' is also used by feature fid 3", "give each transformer a unique id"};
    CHECK(format_issue(issue) ==
          "error [id_duplicate]: tx.gpkg, layer 'L', feature 'X': id 'X' is also used by feature "
          "fid 3 (fix: give each transformer a unique id)");
}

TEST_CASE("format_issue leaves out the parts an issue does not have")
{
    SUBCASE("no place and no fix")
    {
        const Issue issue{Severity::warning, IssueCode::geometry_repaired, "", "", "",
                          "polygon repaired", ""};
        CHECK(format_issue(issue) == "warning [geometry_repaired]: polygon repaired");
    }
    SUBCASE("a layer but no file or feature")
    {
        const Issue issue{Severity::info, IssueCode::excluded_by_filter, "", "tx", "",
                          "2 of 5 features excluded", ""};
        CHECK(format_issue(issue) == "info [excluded_by_filter]: layer 'tx': 2 of 5 features excluded");
    }
    SUBCASE("a file and a feature but no layer")
    {
        const Issue issue{Severity::error, IssueCode::id_missing, "a.csv", "", "fid 7", "no id",
                          "fill it in"};
        CHECK(format_issue(issue) == "error [id_missing]: a.csv, feature 'fid 7': no id (fix: fill it in)");
    }
}

TEST_CASE("every error code has its own non-empty description")
{
    std::set<std::string> seen;
    for (int c = static_cast<int>(ErrorCode::ok); c <= static_cast<int>(ErrorCode::invalid_option); ++c) {
        const char* text = describe(static_cast<ErrorCode>(c));
        REQUIRE(text != nullptr);
        CHECK(std::string(text).size() > 0);
        CHECK_MESSAGE(seen.insert(text).second, "code ", c, " shares its description");
    }
    CHECK(std::string(describe(ErrorCode::io_open)) == "cannot open input");
    // The loop above must reach the last code: a code appended after `invalid_option` has its own
    // description, so this fails until the loop's bound is moved to the new last code.
    const int after_last = static_cast<int>(ErrorCode::invalid_option) + 1;
    CHECK_MESSAGE(std::string(describe(static_cast<ErrorCode>(after_last))) == "unknown error code",
                  "code ", after_last, " exists: extend this test to the new last code");
    CHECK(std::string(describe(static_cast<ErrorCode>(999))) == "unknown error code");
}

TEST_CASE("every issue code has its own snake_case name")
{
    std::set<std::string> seen;
    for (int c = static_cast<int>(IssueCode::file_unreadable);
         c <= static_cast<int>(IssueCode::transformer_no_area); ++c) {
        const std::string name = issue_name(static_cast<IssueCode>(c));
        CHECK(name != "unknown");
        CHECK(name.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") == std::string::npos);
        CHECK_MESSAGE(seen.insert(name).second, "code ", c, " shares its name");
    }
    CHECK(std::string(issue_name(IssueCode::units_overlap)) == "units_overlap");
}

TEST_CASE("an Error carries its code and its message")
{
    const Error e(ErrorCode::io_write, "io: cannot write 'x.gpkg': disk full");
    CHECK(e.code() == ErrorCode::io_write);
    CHECK(std::string(e.what()) == "io: cannot write 'x.gpkg': disk full");
    const std::runtime_error& base = e; // catchable as a standard exception
    CHECK(std::string(base.what()) == e.what());
}

TEST_CASE("a report counts issues by severity and is ok without errors")
{
    ValidationReport report;
    CHECK(report.ok());
    CHECK(report.count(Severity::error) == 0);
    report.add(Issue{Severity::info, IssueCode::islands, "", "", "", "two pieces", ""});
    report.add(Issue{Severity::warning, IssueCode::geometry_repaired, "", "", "U1", "repaired", ""});
    report.add(Issue{Severity::warning, IssueCode::value_invalid, "", "", "T1", "kva bad", ""});
    CHECK(report.ok());
    CHECK(report.count(Severity::info) == 1);
    CHECK(report.count(Severity::warning) == 2);
    report.add(Issue{Severity::error, IssueCode::id_missing, "", "", "fid 1", "no id", ""});
    CHECK_FALSE(report.ok());
    CHECK(report.count(Severity::error) == 1);
}

TEST_CASE("merging reports appends the other's issues and rejections in order")
{
    ValidationReport first;
    first.add(Issue{Severity::error, IssueCode::id_missing, "a", "", "", "one", ""});
    first.rejected.push_back(Rejected{"a", "tx", 1, "", IssueCode::id_missing, "one"});
    ValidationReport second;
    second.add(Issue{Severity::warning, IssueCode::geometry_repaired, "b", "", "", "two", ""});
    second.add(Issue{Severity::error, IssueCode::outside_boundaries, "b", "", "T9", "three", ""});
    second.rejected.push_back(Rejected{"b", "tx", 9, "T9", IssueCode::outside_boundaries, "three"});

    first.merge(second);
    REQUIRE(first.issues.size() == 3);
    CHECK(first.issues[0].message == "one");
    CHECK(first.issues[1].message == "two");
    CHECK(first.issues[2].message == "three");
    REQUIRE(first.rejected.size() == 2);
    CHECK(first.rejected[1].id == "T9");
    CHECK(first.count(Severity::error) == 2);
    CHECK(second.issues.size() == 2); // the other report is left as it was
}

TEST_CASE("total_customers adds up every transformer's customers")
{
    Territory t;
    CHECK(t.total_customers() == 0.0);
    CHECK(t.finest_level() == npos);
    for (double c : {3.0, 0.0, 12.5}) {
        TransformerArea tr;
        tr.customers = c;
        t.transformers.push_back(tr);
    }
    CHECK(t.total_customers() == doctest::Approx(15.5));
    t.levels.resize(2);
    CHECK(t.finest_level() == 1);
}
