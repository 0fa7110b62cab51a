// Formatting and parsing of the local backend's "<epoch>-<seq>" ids.
#include "server/pubsub/id.hpp"

#include <chrono>
#include <random>

namespace gale::pubsub {
namespace {

constexpr std::size_t kEpochDigits = 8;
constexpr std::size_t kSeqDigits = 16;
constexpr char kDigits[] = "0123456789abcdef";

void append_hex(std::string& out, std::uint64_t v, std::size_t digits) {
  for (std::size_t i = digits; i-- > 0;)
    out.push_back(kDigits[(v >> (4 * i)) & 0xf]);
}

// Lowercase only, exactly `s.size()` digits: one spelling per id, so two
// equal ids are equal strings.
std::optional<std::uint64_t> parse_hex(std::string_view s) {
  std::uint64_t v = 0;
  for (char c : s) {
    int d;
    if (c >= '0' && c <= '9')
      d = c - '0';
    else if (c >= 'a' && c <= 'f')
      d = c - 'a' + 10;
    else
      return std::nullopt;
    v = (v << 4) | static_cast<std::uint64_t>(d);
  }
  return v;
}

}  // namespace

std::string IdGenerator::next() {
  return format_local_id({epoch_, ++seq_});
}

std::uint32_t fresh_epoch() {
  std::random_device rd;
  auto now = std::chrono::system_clock::now().time_since_epoch().count();
  auto mixed = static_cast<std::uint64_t>(now) ^
               (static_cast<std::uint64_t>(rd()) << 16);
  return static_cast<std::uint32_t>(mixed ^ (mixed >> 32));
}

std::string format_local_id(LocalId id) {
  std::string out;
  out.reserve(kEpochDigits + 1 + kSeqDigits);
  append_hex(out, id.epoch, kEpochDigits);
  out.push_back('-');
  append_hex(out, id.seq, kSeqDigits);
  return out;
}

std::optional<LocalId> parse_local_id(std::string_view id) {
  if (id.size() != kEpochDigits + 1 + kSeqDigits || id[kEpochDigits] != '-')
    return std::nullopt;
  auto epoch = parse_hex(id.substr(0, kEpochDigits));
  auto seq = parse_hex(id.substr(kEpochDigits + 1));
  if (!epoch || !seq) return std::nullopt;
  return LocalId{static_cast<std::uint32_t>(*epoch), *seq};
}

}  // namespace gale::pubsub
