// Spec of validate() (libgrid/validate.hpp): overlaps, nesting, transformers outside the
// boundaries, repairs and unknown feeders, on territories built in memory.
#include <libgrid/validate.hpp>

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace libgrid;

namespace {

MultiPolygon rect(double x0, double y0, double x1, double y1)
{
    return {Polygon{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}, {}}};
}

AdminLevel level(const std::string& name, const std::vector<MultiPolygon>& shapes,
                 const std::string& prefix)
{
    AdminLevel l;
    l.name = name;
    l.file = name + ".gpkg";
    l.layer = name;
    for (std::size_t i = 0; i < shapes.size(); ++i) {
        AdminUnit u;
        u.id = prefix + std::to_string(i);
        u.shape = shapes[i];
        u.source_fid = static_cast<std::int64_t>(i + 1);
        l.units.push_back(u);
    }
    return l;
}

void add_transformer(Territory& t, const std::string& id, Point where, const std::string& feeder = "")
{
    TransformerArea tr;
    tr.id = id;
    tr.customers = 10;
    tr.location = where;
    tr.feeder_id = feeder;
    tr.source_fid = static_cast<std::int64_t>(t.transformers.size() + 1);
    t.transformers.push_back(tr);
}

std::vector<const Issue*> issues_of(const ValidationReport& r, IssueCode code)
{
    std::vector<const Issue*> out;
    for (const auto& i : r.issues)
        if (i.code == code) out.push_back(&i);
    return out;
}

} // namespace

TEST_CASE("a clean territory validates without issues and locates every transformer")
{
    Territory t;
    t.transformers_file = "tx.gpkg";
    t.levels.push_back(level("communities", {rect(0, 0, 10, 10), rect(10, 0, 20, 10)}, "U"));
    add_transformer(t, "T0", {5, 5});
    add_transformer(t, "T1", {15, 5});
    add_transformer(t, "T2", {10, 5}); // on the shared border: the lower-numbered unit
    const ValidationReport report = validate(t);
    CHECK(report.issues.empty());
    CHECK(t.transformer_unit == std::vector<std::size_t>{0, 1, 0});
}

TEST_CASE("overlapping units of one level are an error and the overlap leaves the later unit")
{
    Territory t;
    t.levels.push_back(level("communities", {rect(0, 0, 10, 10), rect(5, 0, 15, 10)}, "U"));
    const ValidationReport report = validate(t);

    const auto overlaps = issues_of(report, IssueCode::units_overlap);
    REQUIRE(overlaps.size() == 1);
    const Issue& issue = *overlaps[0];
    CHECK(issue.severity == Severity::error);
    CHECK(issue.file == "communities.gpkg");
    CHECK(issue.layer == "communities");
    CHECK(issue.feature_id == "U0");
    CHECK(issue.message == "admin unit overlaps unit 'U1' of the same level by 50.0 m²");
    CHECK_FALSE(report.ok());

    const auto& units = t.levels[0].units;
    CHECK(area(units[0].shape) == doctest::Approx(100.0)); // the earlier unit keeps its shape
    CHECK(area(units[1].shape) == doctest::Approx(50.0));  // 10..15 is left of the later one
    const Box b = bounds(units[1].shape);
    CHECK(b.min_x == doctest::Approx(10.0));
    CHECK(b.max_x == doctest::Approx(15.0));
}

TEST_CASE("slivers below the overlap tolerance are not reported")
{
    Territory t;
    t.levels.push_back(level("communities", {rect(0, 0, 10, 10), rect(9.99, 0, 20, 10)}, "U"));
    CHECK(issues_of(validate(t), IssueCode::units_overlap).empty()); // 0.1 m² < 1 m²

    ValidateOptions strict;
    strict.overlap_tolerance_m2 = 0.01;
    Territory t2;
    t2.levels.push_back(level("communities", {rect(0, 0, 10, 10), rect(9.99, 0, 20, 10)}, "U"));
    CHECK(issues_of(validate(t2, strict), IssueCode::units_overlap).size() == 1);
}

TEST_CASE("each unit is nested in the coarser unit it overlaps most")
{
    Territory t;
    t.levels.push_back(level("districts", {rect(0, 0, 20, 10), rect(20, 0, 40, 10)}, "D"));
    t.levels.push_back(level("communities",
                             {rect(0, 0, 10, 10), rect(10, 0, 20, 10), rect(20, 0, 28, 10),
                              rect(28, 0, 40, 10)},
                             "C"));
    const ValidationReport report = validate(t);
    CHECK(report.issues.empty());
    std::vector<std::size_t> parents;
    for (const auto& u : t.levels[1].units) parents.push_back(u.parent);
    CHECK(parents == std::vector<std::size_t>{0, 0, 1, 1});
    for (const auto& u : t.levels[0].units) CHECK(u.parent == npos); // the coarsest level

    SUBCASE("a unit straddling two parents goes to the one holding more of it")
    {
        Territory s;
        s.levels.push_back(level("districts", {rect(0, 0, 20, 10), rect(20, 0, 40, 10)}, "D"));
        s.levels.push_back(level("communities", {rect(15, 0, 30, 10)}, "C")); // 50 m² vs 100 m²
        validate(s);
        CHECK(s.levels[1].units[0].parent == 1);
    }
}

TEST_CASE("a unit outside every coarser unit is not nested, with a warning")
{
    Territory t;
    t.levels.push_back(level("districts", {rect(0, 0, 20, 10)}, "D"));
    t.levels.push_back(level("communities", {rect(0, 0, 20, 10), rect(100, 100, 110, 110)}, "C"));
    const ValidationReport report = validate(t);
    CHECK(t.levels[1].units[0].parent == 0);
    CHECK(t.levels[1].units[1].parent == npos);
    const auto issues = issues_of(report, IssueCode::unit_not_nested);
    REQUIRE(issues.size() == 1);
    CHECK(issues[0]->severity == Severity::warning);
    CHECK(issues[0]->feature_id == "C1");
    CHECK(issues[0]->layer == "communities");
    CHECK(issues[0]->message.find("'districts'") != std::string::npos);
    CHECK(report.ok());
}

TEST_CASE("a transformer outside every unit is rejected and removed, links and customers renumbered")
{
    Territory t;
    t.transformers_file = "tx.gpkg";
    t.transformers_layer = "transformers";
    t.levels.push_back(level("communities", {rect(0, 0, 10, 10)}, "U"));
    add_transformer(t, "T0", {5, 5});
    add_transformer(t, "T1", {50, 50}); // outside
    add_transformer(t, "T2", {2, 2});
    add_transformer(t, "T3", {8, 8});
    t.feeder_links = {{0, 1, "F", 10}, {1, 2, "F", 20}, {0, 2, "F", 30}, {2, 3, "G", 40}};
    t.customers = {{0, {5, 6}}, {1, {50, 51}}, {2, {2, 3}}, {3, {8, 9}}, {1, {49, 50}}};

    const ValidationReport report = validate(t);

    REQUIRE(t.transformers.size() == 3);
    CHECK(t.transformers[0].id == "T0");
    CHECK(t.transformers[1].id == "T2");
    CHECK(t.transformers[2].id == "T3");
    CHECK(t.transformer_unit == std::vector<std::size_t>{0, 0, 0});
    // Links touching T1 are gone; the others now name T2 as 1 and T3 as 2.
    REQUIRE(t.feeder_links.size() == 2);
    CHECK(t.feeder_links[0].a == 0);
    CHECK(t.feeder_links[0].b == 1);
    CHECK(t.feeder_links[0].length_m == 30.0);
    CHECK(t.feeder_links[1].a == 1);
    CHECK(t.feeder_links[1].b == 2);
    CHECK(t.feeder_links[1].feeder_id == "G");
    // T1's customer points are gone; the others follow their transformer.
    REQUIRE(t.customers.size() == 3);
    CHECK(t.customers[0].transformer == 0);
    CHECK(t.customers[1].transformer == 1);
    CHECK(t.customers[1].location.y == 3.0);
    CHECK(t.customers[2].transformer == 2);

    REQUIRE(report.rejected.size() == 1);
    const Rejected& r = report.rejected[0];
    CHECK(r.id == "T1");
    CHECK(r.fid == 2);
    CHECK(r.file == "tx.gpkg");
    CHECK(r.layer == "transformers");
    CHECK(r.code == IssueCode::outside_boundaries);
    // 40 m east and 40 m north of the unit's corner (10, 10): 57 m.
    CHECK(r.reason ==
          "transformer lies outside every unit of level 'communities' (nearest: unit 'U0', 57 m away)");
    const auto issues = issues_of(report, IssueCode::outside_boundaries);
    REQUIRE(issues.size() == 1);
    CHECK(issues[0]->severity == Severity::error);
    CHECK(issues[0]->feature_id == "T1");
}

TEST_CASE("without boundaries no transformer is located or rejected")
{
    Territory t;
    add_transformer(t, "T0", {5, 5});
    const ValidationReport report = validate(t);
    CHECK(report.issues.empty());
    CHECK(t.transformers.size() == 1);
    CHECK(t.transformer_unit == std::vector<std::size_t>{npos});
}

TEST_CASE("an invalid bow-tie unit is repaired with a warning")
{
    Territory t;
    t.levels.push_back(level("communities", {{Polygon{{{0, 0}, {10, 10}, {10, 0}, {0, 10}, {0, 0}}, {}}}},
                             "U"));
    add_transformer(t, "T0", {2, 5}); // in the left triangle
    const ValidationReport report = validate(t);

    const auto repaired = issues_of(report, IssueCode::geometry_repaired);
    REQUIRE(repaired.size() == 1);
    CHECK(repaired[0]->severity == Severity::warning);
    CHECK(repaired[0]->feature_id == "U0");
    CHECK(repaired[0]->message.find("repaired with MakeValid") != std::string::npos);
    CHECK(report.ok());
    const MultiPolygon& shape = t.levels[0].units[0].shape;
    CHECK(shape.size() == 2); // two triangles
    CHECK(area(shape) == doctest::Approx(50.0));
    CHECK(t.transformer_unit == std::vector<std::size_t>{0});
}

TEST_CASE("an invalid transformer-area polygon is repaired with a warning")
{
    Territory t;
    t.transformers_file = "tx.gpkg";
    add_transformer(t, "T0", {2, 5});
    t.transformers[0].shape = {Polygon{{{0, 0}, {10, 10}, {10, 0}, {0, 10}, {0, 0}}, {}}};
    const ValidationReport report = validate(t);
    const auto repaired = issues_of(report, IssueCode::geometry_repaired);
    REQUIRE(repaired.size() == 1);
    CHECK(repaired[0]->feature_id == "T0");
    CHECK(repaired[0]->file == "tx.gpkg");
    CHECK(area(t.transformers[0].shape) == doctest::Approx(50.0));
    CHECK(t.transformers.size() == 1);
}

TEST_CASE("a transformer naming a feeder the feeder layer lacks is an error")
{
    Territory t;
    t.feeders = {"F1", "F2"};
    add_transformer(t, "T0", {0, 0}, "F1");
    add_transformer(t, "T1", {1, 0}, "F9");
    add_transformer(t, "T2", {2, 0}, ""); // unknown feeder: nothing to check
    const ValidationReport report = validate(t);
    const auto unknown = issues_of(report, IssueCode::feeder_unknown);
    REQUIRE(unknown.size() == 1);
    CHECK(unknown[0]->severity == Severity::error);
    CHECK(unknown[0]->feature_id == "T1");
    CHECK(unknown[0]->message.find("'F9'") != std::string::npos);
    CHECK(t.transformers.size() == 3); // reported, not removed

    SUBCASE("without a feeder layer feeder ids are not checked")
    {
        Territory u;
        add_transformer(u, "T0", {0, 0}, "F9");
        CHECK(validate(u).issues.empty());
    }
}

TEST_CASE("validate reports progress from 0 to 1")
{
    Territory t;
    std::vector<double> seen;
    ValidateOptions options;
    options.progress = [&](const Progress& p) { seen.push_back(p.fraction); };
    validate(t, options);
    REQUIRE_FALSE(seen.empty());
    CHECK(seen.front() == 0.0);
    CHECK(seen.back() == 1.0);
}

TEST_CASE("removing a transformer keeps customer points that name no transformer")
{
    // CustomerPoint::transformer is npos by default ("none"): removing another transformer
    // must not index with it.
    Territory t;
    t.levels.push_back(level("communities", {rect(0, 0, 10, 10)}, "U"));
    add_transformer(t, "T0", {5, 5});
    add_transformer(t, "T1", {50, 50}); // outside: removed
    t.customers = {{0, {5, 6}}, {npos, {7, 7}}};
    validate(t);
    REQUIRE(t.transformers.size() == 1);
    REQUIRE_FALSE(t.customers.empty());
    CHECK(t.customers[0].transformer == 0);
    // Whether kept (still npos) or dropped, no customer may name a transformer that is not there.
    for (const auto& c : t.customers) CHECK((c.transformer == npos || c.transformer < t.transformers.size()));
}
