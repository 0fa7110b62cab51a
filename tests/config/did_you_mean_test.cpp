#include "config/did_you_mean.hpp"

#include <gtest/gtest.h>

#include <array>

namespace gale {
namespace {

constexpr std::array<std::string_view, 5> kKeys = {
    "listen", "workers", "reuse_port", "backlog", "static"};

TEST(EditDistance, CountsInsertDeleteSubstitute) {
  EXPECT_EQ(edit_distance("", ""), 0u);
  EXPECT_EQ(edit_distance("abc", ""), 3u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("workers", "workers"), 0u);
  EXPECT_EQ(edit_distance("wokers", "workers"), 1u);    // deletion
  EXPECT_EQ(edit_distance("workerss", "workers"), 1u);  // insertion
  EXPECT_EQ(edit_distance("workars", "workers"), 1u);   // substitution
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
}

TEST(EditDistance, CountsAnAdjacentSwapAsOneEdit) {
  EXPECT_EQ(edit_distance("wokrers", "workers"), 1u);
  EXPECT_EQ(edit_distance("prot", "port"), 1u);
}

TEST(ClosestMatch, SuggestsTheNearestKnownName) {
  EXPECT_EQ(closest_match("wokers", kKeys), "workers");
  EXPECT_EQ(closest_match("listne", kKeys), "listen");
  EXPECT_EQ(closest_match("reuseport", kKeys), "reuse_port");
}

TEST(ClosestMatch, SuggestsNothingWhenNothingIsClose) {
  EXPECT_EQ(closest_match("timeout", kKeys), std::nullopt);
  EXPECT_EQ(closest_match("x", kKeys), std::nullopt);
  // Two edits, but as many as the word has letters: not a typo of "ab".
  constexpr std::array<std::string_view, 1> kShort = {"ab"};
  EXPECT_EQ(closest_match("xy", kShort), std::nullopt);
}

TEST(ClosestMatch, AllowsAThirdOfALongName) {
  constexpr std::array<std::string_view, 1> kLong = {
      "max_connections_per_worker"};
  EXPECT_EQ(closest_match("max_conections_per_wroker", kLong),
            "max_connections_per_worker");
}

TEST(ClosestMatch, SuggestsTheNameATruncationStarts) {
  constexpr std::array<std::string_view, 2> kLevels = {"info", "warning"};
  EXPECT_EQ(closest_match("warn", kLevels), "warning");
  EXPECT_EQ(closest_match("wa", kLevels), std::nullopt);  // too short
  constexpr std::array<std::string_view, 2> kFlags = {"port", "workers"};
  EXPECT_EQ(closest_match("work", kFlags), "workers");  // "port" is 2 edits
}

TEST(ClosestMatch, PrefersTheFewestEdits) {
  constexpr std::array<std::string_view, 2> kNames = {"host", "port"};
  EXPECT_EQ(closest_match("pory", kNames), "port");
  EXPECT_EQ(closest_match("pots", kNames), "host");  // tie: first listed
}

}  // namespace
}  // namespace gale
