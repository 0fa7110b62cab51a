// "did you mean ...?" for unknown flags and YAML keys.
//
// A typo in a config key should cost the user one glance, not a trip to the
// docs: every "unknown key" / "unknown flag" line offers the closest known
// name when one is plausibly what was meant.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace gale {

// Edit distance counting insertions, deletions, substitutions and swaps of
// two adjacent characters (optimal string alignment). Swaps count as one
// edit because "wokrers" is as obvious a typo as "wokers".
std::size_t edit_distance(std::string_view a, std::string_view b);

// The known name closest to `typed`, if close enough to be a likely typo:
// at most 2 edits (or a third of the name's length for long names), and
// fewer edits than `typed` has characters, so "x" never suggests "port".
// A name that `typed` (3+ characters) is the start of counts as one edit.
// Ties go to the earliest name in `known`.
std::optional<std::string> closest_match(
    std::string_view typed, std::span<const std::string_view> known);

}  // namespace gale
