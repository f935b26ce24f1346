// The verifiers' list of problem sentences, capped (internal to verify/).
#pragma once

#include <fmt/format.h>

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace libgrid::detail {

// Beyond this many problems the list stops growing: a plan this broken is rejected anyway, and a
// report of a million identical lines hides the first, most telling one.
constexpr std::size_t max_listed_problems = 50;

// Collects problem sentences up to the cap and counts the rest.
class Problems {
public:
    void add(std::string sentence)
    {
        if (m_list.size() < max_listed_problems)
            m_list.push_back(std::move(sentence));
        else
            ++m_unlisted;
    }
    std::vector<std::string> finish()
    {
        if (m_unlisted > 0)
            m_list.push_back(fmt::format("... and {} more {}", m_unlisted,
                                         m_unlisted == 1 ? "problem" : "problems"));
        return std::move(m_list);
    }

private:
    std::vector<std::string> m_list;
    std::size_t m_unlisted = 0;
};

} // namespace libgrid::detail
