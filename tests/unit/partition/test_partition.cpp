// partition(): hard constraints, balance on an instance with a perfect answer, determinism
// (also across thread counts), infeasible inputs, and the balance lower bound.
#include <libgrid/error.hpp>
#include <libgrid/graph.hpp>
#include <libgrid/partition.hpp>
#include <libgrid/service_areas.hpp>
#include <libgrid/validate.hpp>
#include <libgrid/verify.hpp>

#include <doctest/doctest.h>

#include <functional>
#include <limits>

#include <cmath>
#include <string>

using namespace libgrid;

namespace {

/// A 12 x 12 block of 100 m squares, 10 customers each; columns 0-3, 4-7 and 8-11 are
/// stations A, B and C.
struct Block {
    Territory territory;
    AdjacencyGraph graph;
};

Block make_block(double customers_at_corner = 10.0)
{
    Block b;
    for (int y = 0; y < 12; ++y)
        for (int x = 0; x < 12; ++x) {
            TransformerArea t;
            t.id = "T" + std::to_string(y * 12 + x);
            t.customers = (x == 0 && y == 0) ? customers_at_corner : 10.0;
            t.station_id = x < 4 ? "A" : x < 8 ? "B" : "C";
            const double x0 = x * 100.0, y0 = y * 100.0;
            t.shape = {Polygon{{{x0, y0}, {x0 + 100, y0}, {x0 + 100, y0 + 100}, {x0, y0 + 100}, {x0, y0}}, {}}};
            t.location = {x0 + 50, y0 + 50};
            b.territory.transformers.push_back(t);
        }
    ValidationReport report = validate(b.territory);
    const ServiceAreas areas = build_service_areas(b.territory, report);
    b.graph = build_adjacency(b.territory, areas, report);
    return b;
}

} // namespace

TEST_CASE("12 grids over three stations of 48 equal atoms come out exact, contiguous and nested")
{
    const Block b = make_block();
    PartitionOptions options;
    options.grids = 12;
    const Plan plan = partition(b.territory, b.graph, options);
    REQUIRE(plan.num_grids() == 12);
    REQUIRE(plan.stations.size() == 3);
    for (const auto& st : plan.stations) {
        CHECK(st.grids == 4);
        CHECK(st.lower_bound == doctest::Approx(0.0));
        CHECK(st.max_deviation == doctest::Approx(0.0));
    }
    for (const double load : plan.grid_load) CHECK(load == doctest::Approx(120.0));
    const VerifyReport check = verify_plan(b.territory, b.graph.graph, plan);
    CHECK(check.ok());
    // Grid ids carry their station.
    CHECK(plan.grid_id[plan.grid_of[0]].rfind("A-", 0) == 0);
}

TEST_CASE("the same seed gives the same plan whatever the number of threads, another seed differs")
{
    const Block b = make_block();
    PartitionOptions options;
    options.grids = 30;
    options.threads = 1;
    const Plan one = partition(b.territory, b.graph, options);
    options.threads = 2;
    const Plan two = partition(b.territory, b.graph, options);
    CHECK(one.grid_of == two.grid_of);
    CHECK(one.grid_id == two.grid_id);
    options.seed = 99;
    const Plan other = partition(b.territory, b.graph, options);
    CHECK(other.grid_of != one.grid_of);
    CHECK(verify_plan(b.territory, b.graph.graph, other).ok());
}

TEST_CASE("an atom heavier than the cap is named with the numbers, --allow-infeasible relaxes it")
{
    const Block b = make_block(500.0);
    PartitionOptions options;
    options.max_load = 200.0;
    try {
        (void)partition(b.territory, b.graph, options);
        FAIL("an infeasible cap must throw");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::invalid_input);
        const std::string msg = e.what();
        CHECK(msg.find("transformer 'T0' alone has load 500.0, over the cap --max-load 200.0") != std::string::npos);
    }
    options.allow_infeasible = true;
    const Plan plan = partition(b.territory, b.graph, options);
    CHECK((plan.grid_relaxed[plan.grid_of[0]] & relax_cap) != 0);
    CHECK(verify_plan(b.territory, b.graph.graph, plan).ok());
    // Every other grid keeps the cap.
    for (std::size_t g = 0; g < plan.num_grids(); ++g)
        if (g != plan.grid_of[0]) CHECK(plan.grid_load[g] <= 200.0);
}

TEST_CASE("without K, --max-load picks enough grids per station")
{
    const Block b = make_block();
    PartitionOptions options;
    options.max_load = 100.0; // 480 per station: at least 5 grids each
    const Plan plan = partition(b.territory, b.graph, options);
    for (const auto& st : plan.stations) CHECK(st.grids >= 5);
    for (const double load : plan.grid_load) CHECK(load <= 100.0);
    CHECK(verify_plan(b.territory, b.graph.graph, plan).ok());
}

TEST_CASE("asking for more grids than atoms, or for none, is refused")
{
    const Block b = make_block();
    PartitionOptions options;
    options.grids_per_station = {{"A", 49}};
    options.grids = 0;
    options.target_load = 100.0;
    CHECK_THROWS_AS((void)partition(b.territory, b.graph, options), Error);
    CHECK_THROWS_AS((void)partition(b.territory, b.graph, PartitionOptions{}), Error);
}

TEST_CASE("options that are not finite numbers >= 0, or weigh a class no transformer has, are refused by name")
{
    const Block b = make_block();
    const double nan = std::numeric_limits<double>::quiet_NaN();
    auto message = [&](const std::function<void(PartitionOptions&)>& set) {
        PartitionOptions o;
        o.grids = 6;
        set(o);
        try {
            (void)partition(b.territory, b.graph, o);
        } catch (const Error& e) {
            CHECK(e.code() == ErrorCode::invalid_option);
            return std::string(e.what());
        }
        return std::string("no error");
    };
    CHECK(message([&](PartitionOptions& o) { o.balance_tolerance = nan; }).find("--balance-tolerance nan is not a finite "
                                                                              "number >= 0") != std::string::npos);
    CHECK(message([&](PartitionOptions& o) { o.workload.per_transformer = nan; }).find("--per-transformer-weight nan") !=
          std::string::npos);
    CHECK(message([&](PartitionOptions& o) { o.workload.default_class_weight = -1; }).find("--default-class-weight -1") !=
          std::string::npos);
    CHECK(message([&](PartitionOptions& o) { o.weights.compactness = std::numeric_limits<double>::infinity(); })
              .find("--weight-compactness inf") != std::string::npos);
    CHECK(message([&](PartitionOptions& o) { o.workload.class_weights = {{"comercial", 3.0}}; })
              .find("--class-weight names class 'comercial', which no transformer has") != std::string::npos);
    CHECK(message([](PartitionOptions&) {}) == "no error");
}

TEST_CASE("the balance lower bound: heaviest atom, subset sums, averages")
{
    // Three atoms of 5 into 2 parts: target 7.5, the nearest subset sums are 5 and 10.
    CHECK(balance_lower_bound({5, 5, 5}, 2) == doctest::Approx(2.5 / 7.5));
    // One atom of 9 among ones: target 10 for 2 parts; 9 + 1 = 10 reachable, bound 0.
    CHECK(balance_lower_bound({9, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, 2) == doctest::Approx(0.0));
    // An atom over the target: bound = its excess.
    CHECK(balance_lower_bound({30, 5, 5}, 2) == doctest::Approx(30.0 / 20.0 - 1.0));
    CHECK(balance_lower_bound({4, 4, 4, 4}, 4) == doctest::Approx(0.0));
}

TEST_CASE("a feeder link pulls areas together but never connects a part")
{
    // Six areas in a row (border edges 0-1-...-5); areas 0 and 5, at the two ends, hang on one
    // feeder whose link is very dear to cut. Keeping them together ({0, 5} and {1..4}, both
    // exactly on target) would be the cheapest plan if the link counted as a connection, but on
    // the map {0, 5} is two squares 400 m apart. Every part must be connected by borders.
    std::vector<GraphEdge> edges;
    for (std::uint32_t v = 0; v + 1 < 6; ++v) edges.push_back(GraphEdge{v, v + 1, 100.0, edge_border});
    edges.push_back(GraphEdge{0, 5, 0.0, edge_feeder});
    const CsrGraph g = make_csr(6, edges, {10.0, 5.0, 5.0, 5.0, 5.0, 10.0});
    GraphPartitionOptions o;
    o.parts = 2;
    o.extra_cut_cost.assign(g.adjncy.size(), 0.0);
    for (std::size_t k = 0; k < g.adjncy.size(); ++k)
        if (g.kind[k] & edge_feeder) o.extra_cut_cost[k] = 1e6;
    const std::vector<std::uint32_t> part = partition_graph(g, o);
    REQUIRE(part.size() == 6);
    // Connected by borders: in a row, each part is a run of consecutive areas.
    std::size_t changes = 0;
    for (std::size_t v = 0; v + 1 < 6; ++v) changes += part[v] != part[v + 1];
    CHECK(changes == 1);
    CHECK(part[0] != part[5]);
}

TEST_CASE("the balance bound sees whole customers: 1,177 one-customer areas into 78 put some grid at 16")
{
    const std::vector<double> ones(1177, 1.0);
    // 1,177 / 78 = 15.09: some grid holds at least 16 (+6.03%), some at most 15 (-0.59%).
    CHECK(balance_lower_bound(ones, 78) == doctest::Approx(16.0 / (1177.0 / 78.0) - 1.0).epsilon(1e-9));
    const std::vector<double> even(1170, 1.0);
    CHECK(balance_lower_bound(even, 78) == doctest::Approx(0.0));
}

TEST_CASE("a pocket sets the bound and is named: an area whose only neighbours push any grid off target")
{
    // A row of 42 squares, station A, into 3 grids: square 0 holds 40 customers, its only
    // neighbour square 1 holds 10, the other 40 squares 2 each (130 in all, target 43.3). A grid
    // holding square 0 has 40 (-7.7%) or at least 50 (+15.4%). The loads alone allow 42 or 44
    // (-3.1% / +1.5%); the pocket forces 7.7%.
    Territory t;
    for (int x = 0; x < 42; ++x) {
        TransformerArea a;
        a.id = "T" + std::to_string(x);
        a.customers = x == 0 ? 40.0 : x == 1 ? 10.0 : 2.0;
        a.station_id = "A";
        const double x0 = x * 100.0;
        a.shape = {Polygon{{{x0, 0}, {x0 + 100, 0}, {x0 + 100, 100}, {x0, 100}, {x0, 0}}, {}}};
        a.location = {x0 + 50, 50};
        t.transformers.push_back(a);
    }
    ValidationReport report = validate(t);
    const ServiceAreas areas = build_service_areas(t, report);
    const AdjacencyGraph g = build_adjacency(t, areas, report);
    PartitionOptions options;
    options.grids = 3;
    const Plan plan = partition(t, g, options);
    REQUIRE(plan.stations.size() == 1);
    const double target = 130.0 / 3.0;
    CHECK(plan.stations[0].lower_bound == doctest::Approx(1.0 - 40.0 / target).epsilon(1e-9));
    CHECK(plan.stations[0].max_deviation == doctest::Approx(1.0 - 40.0 / target).epsilon(1e-9));
    // Named by an area of the pocket or the one closing it.
    const std::string& reason = plan.stations[0].bound_reason;
    CHECK((reason == "pocket at transformer 'T0'" || reason == "pocket at transformer 'T1'"));
    CHECK(balance_lower_bound(plan.load, 3) < 0.035); // the loads alone
}
