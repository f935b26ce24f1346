// Workload model: the load every balance decision is made on.
#include <libgrid/partition.hpp>

#include <cmath>

namespace libgrid {

std::vector<double> compute_loads(const Territory& territory, const WorkloadModel& model)
{
    const auto& txs = territory.transformers;
    std::vector<double> load(txs.size(), 0.0);
    auto class_weight = [&](const std::string& name) {
        for (const auto& [cls, w] : model.class_weights)
            if (cls == name) return w;
        return model.default_class_weight;
    };
    for (std::size_t i = 0; i < txs.size(); ++i) {
        const auto& t = txs[i];
        double l = 0.0;
        if (t.classes.empty()) {
            l = model.default_class_weight * t.customers;
        } else {
            // Customers not covered by a class (class counts may not add up) keep the default.
            double in_classes = 0.0;
            for (const auto& c : t.classes) {
                l += class_weight(c.name) * c.count;
                in_classes += c.count;
            }
            if (t.customers > in_classes) l += model.default_class_weight * (t.customers - in_classes);
        }
        l += model.per_transformer;
        if (model.workload_weight != 0.0 && !std::isnan(t.workload)) l += model.workload_weight * t.workload;
        load[i] = l;
    }
    if (model.per_km_feeder != 0.0)
        for (const auto& link : territory.feeder_links) {
            // Each link's length is shared by the two transformers it joins.
            const double half_km = 0.5 * link.length_m / 1000.0;
            load[link.a] += model.per_km_feeder * half_km;
            load[link.b] += model.per_km_feeder * half_km;
        }
    return load;
}

} // namespace libgrid
