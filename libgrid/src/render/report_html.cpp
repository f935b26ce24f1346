// report.html: one self-contained page (no network) with the maps inline, a sortable table of
// grids, the quality measures and a bar chart of load per grid against the target band. The
// page's script builds the table and chart from two JSON blocks embedded in it: the grids as
// drawn (ids, managers, colours) and the plan's typed report (report.json's text).
#include "render/canvas.hpp"

#include <libgrid/plan_folder.hpp>
#include <libgrid/render.hpp>

#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include <cmath>

namespace libgrid {
namespace {

/// JSON is embedded as it is; only "</" is escaped ("<\/" reads the same in JSON strings
/// and cannot occur outside them), so the script block cannot be closed early.
std::string embeddable(const std::string& json)
{
    std::string out;
    out.reserve(json.size());
    for (std::size_t i = 0; i < json.size(); ++i) {
        out += json[i];
        if (json[i] == '<' && i + 1 < json.size() && json[i + 1] == '/') out += '\\';
    }
    return out;
}

const char* page_script = R"JS(
(function () {
  'use strict';
  var grids = JSON.parse(document.getElementById('grids-data').textContent);
  var report = null;
  try { report = JSON.parse(document.getElementById('report-data').textContent); } catch (e) { report = null; }
  var byId = {};
  if (report && report.grids) report.grids.forEach(function (g) { byId[g.grid_id] = g; });
  var fmt = function (v, d) { return (v === null || v === undefined || v === '') ? '' : Number(v).toLocaleString('en-US', {maximumFractionDigits: d, minimumFractionDigits: d}); };
  var rows = grids.map(function (g) {
    var r = byId[g.grid_id] || {};
    return {grid_id: g.grid_id, station_id: g.station_id, manager: g.manager_name || g.manager_id, customers: g.customers,
            load: g.load, target: r.target, deviation: (r.deviation !== undefined ? r.deviation : g.deviation) * 100,
            polsby_popper: r.polsby_popper, area_km2: r.area_km2, colour: g.colour};
  });
  var cols = [['grid_id', 'Grid', null], ['station_id', 'Station', null], ['manager', 'Manager', null],
              ['customers', 'Customers', 0], ['load', 'Load', 0], ['target', 'Target', 0],
              ['deviation', 'Deviation %', 2], ['polsby_popper', 'Compactness (PP)', 3], ['area_km2', 'Area km²', 2]];
  var table = document.getElementById('grid-table');
  var sortKey = 'grid_id', sortDir = 1;
  function render() {
    rows.sort(function (a, b) {
      var x = a[sortKey], y = b[sortKey];
      if (x === y) return 0;
      if (x === undefined || x === null) return 1;
      if (y === undefined || y === null) return -1;
      return (x < y ? -1 : 1) * sortDir;
    });
    var head = '<thead><tr>' + cols.map(function (c) {
      return '<th data-key="' + c[0] + '">' + c[1] + (c[0] === sortKey ? (sortDir > 0 ? ' ▲' : ' ▼') : '') + '</th>';
    }).join('') + '</tr></thead>';
    var body = '<tbody>' + rows.map(function (r) {
      return '<tr>' + cols.map(function (c) {
        var v = r[c[0]];
        var text = c[2] === null ? (v === undefined || v === null ? '' : String(v)) : fmt(v, c[2]);
        var cell = document.createElement('td');
        cell.textContent = text;
        if (c[2] !== null) cell.className = 'num';
        return cell.outerHTML;
      }).join('') + '</tr>';
    }).join('') + '</tbody>';
    table.innerHTML = head + body;
    Array.prototype.forEach.call(table.querySelectorAll('th'), function (th) {
      th.addEventListener('click', function () {
        var k = th.getAttribute('data-key');
        sortDir = (k === sortKey) ? -sortDir : 1;
        sortKey = k;
        render();
      });
    });
  }
  render();

  // Quality measures with their bounds.
  var q = document.getElementById('measures');
  if (report && report.overall) {
    var o = report.overall, tol = report.options ? report.options.balance_tolerance : null;
    var items = [['Grids', fmt(o.grids, 0)], ['Customers', fmt(o.customers, 0)],
      ['Max |load / target − 1|', fmt(o.max_abs_deviation * 100, 2) + ' % (lower bound ' + fmt(o.lower_bound * 100, 2) + ' %)'],
      ['Load min .. max', fmt(o.min_load, 0) + ' .. ' + fmt(o.max_load, 0) + ' (max/min ' + fmt(o.max_over_min, 3) + ')'],
      ['Polsby-Popper mean / min', fmt(o.polsby_popper_mean, 3) + ' / ' + fmt(o.polsby_popper_min, 3)],
      ['Cut edges / border km', fmt(o.cut_edges, 0) + ' / ' + fmt(o.cut_border_km, 1)],
      ['Mean distance to grid centre', fmt(o.mean_distance_m, 0) + ' m'],
      ['Feeder splits (lower bound)', fmt(o.feeder_splits, 0) + (o.feeder_splits_bound === undefined ? '' : ' (' + fmt(o.feeder_splits_bound, 0) + ')')], ['Multi-part grids' + (report.kind && report.kind !== 'plan' ? '' : ' (input islands)'), fmt(o.non_contiguous, 0)],
      ['Continuity', o.continuity === null ? 'n/a' : fmt(o.continuity * 100, 2) + ' %'],
      ['Balance tolerance', tol === null ? 'n/a' : fmt(tol * 100, 2) + ' %' + (report.balance ?
        (report.balance.target_met ? ' (met in every station)' : ' (NOT MET in ' + report.balance.stations_missed.length + ' stations)') : '')]];
    if (report.balance) items.splice(3, 0, ['Max deviation from the territory mean', fmt(report.balance.max_deviation_vs_territory_mean * 100, 2) + ' %']);
    (report.stations || []).forEach(function (st) {
      if (st.target_met === false)
        items.push(['Outside the tolerance: station ' + (st.station_id || '(all)'),
                    'asked ' + fmt(st.tolerance * 100, 2) + ' %, achieved ' + fmt(st.max_abs_deviation * 100, 2) +
                    ' %, lower bound ' + fmt(st.lower_bound * 100, 2) + ' %']);
    });
    Object.keys(o.admin_splits || {}).forEach(function (k) {
      var b = o.admin_splits_bound && o.admin_splits_bound[k] !== undefined ? ' (lower bound ' + fmt(o.admin_splits_bound[k], 0) + ')' : '';
      items.push(['Admin splits: ' + k, fmt(o.admin_splits[k], 0) + b]);
    });
    q.innerHTML = items.map(function (i) {
      var tr = document.createElement('tr'), th = document.createElement('th'), td = document.createElement('td');
      th.textContent = i[0]; td.textContent = i[1]; tr.appendChild(th); tr.appendChild(td);
      return tr.outerHTML;
    }).join('');
  } else {
    q.innerHTML = '<tr><td>report.json was not found beside grids.gpkg: measures unavailable.</td></tr>';
  }

  // An evaluation: the verifier's findings and the weakest grids, with why.
  var findings = (report && report.findings) || [], problems = (report && report.verification_problems) || [];
  if (findings.length || problems.length) {
    document.getElementById('findings-section').hidden = false;
    var ul = document.getElementById('problems');
    problems.forEach(function (p) { var li = document.createElement('li'); li.textContent = p; ul.appendChild(li); });
    var ft = document.getElementById('findings');
    var head = document.createElement('tr');
    ['Grid', 'Station', 'What is wrong'].forEach(function (h) { var th = document.createElement('th'); th.textContent = h; head.appendChild(th); });
    ft.appendChild(head);
    findings.forEach(function (f) {
      var tr = document.createElement('tr');
      [f.grid_id, f.station_id || '', f.reasons.join('; ')].forEach(function (v) {
        var td = document.createElement('td'); td.textContent = v; tr.appendChild(td);
      });
      ft.appendChild(tr);
    });
  }

  // A re-plan: what moved, and every measure before and after.
  if (report && report.replan && report.overall) {
    var rp = report.replan, b = rp.before, a = report.overall;
    document.getElementById('replan-section').hidden = false;
    document.getElementById('replan-moved').textContent = 'Moved ' + fmt(rp.moved_transformers, 0) + ' transformer areas, ' +
      fmt(rp.moved, 0) + ' of ' + fmt(rp.total, 0) + ' ' + rp.measure + ' (' + fmt(rp.total > 0 ? 100 * rp.moved / rp.total : 0, 2) +
      ' %; budget ' + fmt(100 * rp.max_moved, 2) + ' %); ' + fmt(rp.new_transformers, 0) + ' new transformers; ' +
      fmt(rp.new_grids, 0) + ' new grids. Every move is in changes.csv.';
    var rows = [['Measure', 'Before', 'After'],
      ['Grids', fmt(b.grids, 0), fmt(a.grids, 0)],
      ['Max |load / target − 1|', fmt(b.max_abs_deviation * 100, 2) + ' %', fmt(a.max_abs_deviation * 100, 2) + ' %'],
      ['Load min .. max', fmt(b.min_load, 0) + ' .. ' + fmt(b.max_load, 0), fmt(a.min_load, 0) + ' .. ' + fmt(a.max_load, 0)],
      ['Polsby-Popper mean', fmt(b.polsby_popper_mean, 3), fmt(a.polsby_popper_mean, 3)],
      ['Cut edges', fmt(b.cut_edges, 0), fmt(a.cut_edges, 0)],
      ['Feeder splits', fmt(b.feeder_splits, 0), fmt(a.feeder_splits, 0)],
      ['Multi-part grids', fmt(b.non_contiguous, 0), fmt(a.non_contiguous, 0)]];
    Object.keys(a.admin_splits || {}).forEach(function (k) {
      rows.push(['Admin splits: ' + k, fmt((b.admin_splits || {})[k], 0), fmt(a.admin_splits[k], 0)]);
    });
    var t = document.getElementById('replan-table');
    rows.forEach(function (r, i) {
      var tr = document.createElement('tr');
      r.forEach(function (v) { var c = document.createElement(i ? 'td' : 'th'); c.textContent = v; tr.appendChild(c); });
      t.appendChild(tr);
    });
  }

  // Load per grid against the target band (target ± (lower bound + balance tolerance)).
  var chart = document.getElementById('chart');
  var ratios = rows.filter(function (r) { return r.target > 0; })
                   .map(function (r) { return {id: r.grid_id, v: r.load / r.target}; })
                   .sort(function (a, b) { return a.v - b.v; });
  if (ratios.length) {
    var half = report && report.overall ? (report.overall.lower_bound || 0) + ((report.options && report.options.balance_tolerance) || 0) : 0.05;
    var lo = Math.min(1 - half, ratios[0].v), hi = Math.max(1 + half, ratios[ratios.length - 1].v);
    var pad = (hi - lo) * 0.1 || 0.05; lo -= pad; hi += pad;
    var W = 900, H = 260, L = 50, B = 20, bw = (W - L) / ratios.length;
    var y = function (v) { return H - B - (v - lo) / (hi - lo) * (H - B - 10); };
    var s = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ' + W + ' ' + H + '" width="100%">';
    s += '<rect x="' + L + '" y="' + y(1 + half) + '" width="' + (W - L) + '" height="' + (y(1 - half) - y(1 + half)) + '" fill="#cde8cd"/>';
    ratios.forEach(function (r, i) {
      var inBand = Math.abs(r.v - 1) <= half + 1e-12;
      s += '<rect x="' + (L + i * bw) + '" y="' + Math.min(y(r.v), y(1)) + '" width="' + Math.max(bw * 0.8, 0.5) +
           '" height="' + Math.abs(y(r.v) - y(1)) + '" fill="' + (inBand ? '#4477aa' : '#cc6677') + '"><title>' +
           r.id.replace(/&/g, '&amp;').replace(/</g, '&lt;') + ': ' + (r.v * 100).toFixed(2) + ' %</title></rect>';
    });
    s += '<line x1="' + L + '" x2="' + W + '" y1="' + y(1) + '" y2="' + y(1) + '" stroke="#222"/>';
    [lo + pad, 1, hi - pad].forEach(function (v) {
      s += '<text x="' + (L - 4) + '" y="' + (y(v) + 4) + '" text-anchor="end" font-size="11">' + (v * 100).toFixed(1) + '%</text>';
    });
    s += '</svg>';
    chart.innerHTML = s;
    document.getElementById('band').textContent = 'Band: target ± ' + (half * 100).toFixed(2) +
      ' % (lower bound on the max deviation + balance tolerance); bars outside it in red.';
  }
})();
)JS";

} // namespace

std::string report_html(const PlanLayers& layers, const std::vector<std::size_t>& colours,
                        const std::vector<ReportMap>& maps, const PlanReport* report, const std::string& title)
{
    nlohmann::json grids = nlohmann::json::array();
    for (std::size_t g = 0; g < layers.grids.size(); ++g) {
        const auto& x = layers.grids[g];
        grids.push_back({{"grid_id", x.grid_id},
                         {"station_id", x.station_id},
                         {"manager_id", x.manager_id},
                         {"manager_name", x.manager_name},
                         {"customers", x.customers},
                         {"load", x.load},
                         {"deviation", x.deviation},
                         {"colour", g < colours.size() ? colours[g] : 0}});
    }
    std::string sections;
    for (const auto& m : maps) {
        // The SVG documents go inline without their XML declaration.
        std::string svg = m.svg;
        if (svg.rfind("<?xml", 0) == 0) svg.erase(0, svg.find('\n') + 1);
        sections += fmt::format("<section class=\"map\"><h2>{}</h2>\n{}</section>\n", detail::xml_escape(m.title), svg);
    }
    return fmt::format(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{0}</title>\n"
        "<style>\nbody{{font-family:'Noto Sans CJK SC','Noto Sans',sans-serif;margin:24px;color:#222}}\n"
        "section.map svg{{width:100%;height:auto;border:1px solid #ccc}}\n"
        "table{{border-collapse:collapse;font-size:13px}}td,th{{padding:3px 8px;border-bottom:1px solid #eee;text-align:left}}\n"
        "#grid-table th{{cursor:pointer;background:#f4f4f4;position:sticky;top:0}}td.num{{text-align:right}}\n"
        "</style>\n</head>\n<body>\n<h1>{0}</h1>\n"
        "<h2>Quality measures</h2>\n<table id=\"measures\"></table>\n"
        "<section id=\"replan-section\" hidden><h2>What the re-plan changed</h2>\n<p id=\"replan-moved\"></p>\n"
        "<table id=\"replan-table\"></table></section>\n"
        "<section id=\"findings-section\" hidden><h2>What is wrong with the grids</h2>\n<ul id=\"problems\"></ul>\n"
        "<table id=\"findings\"></table></section>\n"
        "<h2>Load per grid against the target</h2>\n<div id=\"chart\"></div>\n<p id=\"band\"></p>\n"
        "{1}"
        "<h2>Grids</h2>\n<p>Click a column to sort.</p>\n<table id=\"grid-table\"></table>\n"
        "<script type=\"application/json\" id=\"grids-data\">{2}</script>\n"
        "<script type=\"application/json\" id=\"report-data\">{3}</script>\n"
        "<script>{4}</script>\n</body>\n</html>\n",
        detail::xml_escape(title), sections,
        embeddable(grids.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)),
        report ? embeddable(to_json(*report)) : std::string("null"),
        page_script);
}

} // namespace libgrid
