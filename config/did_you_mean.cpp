#include "config/did_you_mean.hpp"

#include <algorithm>
#include <vector>

namespace gale {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  // Full (|a|+1) x (|b|+1) table: the names are short, and the swap rule
  // needs the row two back, which a rolling pair of rows would not keep.
  const std::size_t rows = a.size() + 1;
  const std::size_t cols = b.size() + 1;
  std::vector<std::size_t> d(rows * cols);
  auto at = [&](std::size_t i, std::size_t j) -> std::size_t& {
    return d[i * cols + j];
  };
  for (std::size_t i = 0; i < rows; ++i)
    at(i, 0) = i;
  for (std::size_t j = 0; j < cols; ++j)
    at(0, j) = j;
  for (std::size_t i = 1; i < rows; ++i) {
    for (std::size_t j = 1; j < cols; ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      at(i, j) = std::min(
          {at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        at(i, j) = std::min(at(i, j), at(i - 2, j - 2) + 1);
      }
    }
  }
  return at(rows - 1, cols - 1);
}

std::optional<std::string> closest_match(
    std::string_view typed, std::span<const std::string_view> known) {
  std::optional<std::string> best;
  std::size_t best_distance = 0;
  for (std::string_view name : known) {
    std::size_t distance = edit_distance(typed, name);
    const std::size_t allowed = std::max<std::size_t>(2, name.size() / 3);
    // A truncation ("work" for "workers", "warn" for "warning") is as
    // likely a slip as one wrong letter, however many letters are missing.
    if (typed.size() >= 3 && name.starts_with(typed)) distance = 1;
    if (distance > allowed || distance >= typed.size()) continue;
    if (!best || distance < best_distance) {
      best = std::string(name);
      best_distance = distance;
    }
  }
  return best;
}

}  // namespace gale
