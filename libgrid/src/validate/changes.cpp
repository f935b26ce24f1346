// apply_transformer_changes(): a changes table (new, removed, customers) applied to the
// transformers read, before validation (see libgrid/validate.hpp).
#include "validate/remove.hpp"

#include <libgrid/io.hpp>
#include <libgrid/validate.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>

namespace libgrid {

ChangesApplied apply_transformer_changes(Territory& territory, const TransformerChanges& changes)
{
    ChangesApplied out;
    auto fail = [&](IssueCode code, std::int64_t fid, std::string what, std::string fix) {
        out.report.add(Issue{Severity::error, code, changes.file, changes.layer, fmt::format("fid {}", fid),
                             std::move(what), std::move(fix)});
    };
    auto& tx = territory.transformers;
    std::unordered_map<std::string, std::size_t> index;
    for (std::size_t i = 0; i < tx.size(); ++i) index.emplace(tx[i].id, i);
    std::vector<char> drop(tx.size(), 0), changed(tx.size(), 0);
    for (const auto& c : changes.changes) {
        const auto it = index.find(c.transformer_id);
        if (it == index.end()) {
            fail(IssueCode::transformer_unknown, c.fid,
                 fmt::format("row names transformer '{}', which the transformers layer '{}' does not have",
                             c.transformer_id, territory.transformers_file),
                 c.removed ? "drop the row: it is gone already" : "check the id, or make the row new with a position");
            continue;
        }
        const std::size_t i = it->second;
        if ((c.removed && changed[i]) || (!c.removed && drop[i])) {
            fail(IssueCode::change_invalid, c.fid,
                 fmt::format("transformer '{}' is both removed and given a customer count", c.transformer_id),
                 "keep one of the two rows");
            continue;
        }
        if (c.removed) {
            if (!drop[i]) out.removed_ids.push_back(c.transformer_id);
            out.removed += !drop[i];
            drop[i] = 1;
            continue;
        }
        out.changed += !changed[i];
        changed[i] = 1;
        tx[i].customers = c.customers;
        for (const auto& cls : c.classes) {
            const auto found = std::find_if(tx[i].classes.begin(), tx[i].classes.end(),
                                            [&](const ClassCount& k) { return k.name == cls.name; });
            if (found == tx[i].classes.end()) tx[i].classes.push_back(cls);
            else found->count = cls.count;
        }
    }
    for (const auto& a : changes.added) {
        if (const auto it = index.find(a.id); it != index.end()) {
            fail(IssueCode::id_duplicate, a.source_fid,
                 fmt::format("new transformer '{}' is already in the transformers layer '{}'", a.id,
                             territory.transformers_file),
                 "write customers to change its count, or give the new one another id");
            continue;
        }
        index.emplace(a.id, tx.size());
        tx.push_back(a);
        drop.push_back(0);
        ++out.added;
    }
    if (out.removed) detail::remove_transformers(territory, drop);
    return out;
}

} // namespace libgrid
