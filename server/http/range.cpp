#include "server/http/range.hpp"

#include <algorithm>
#include <charconv>
#include <limits>

#include "server/core/format.hpp"
#include "server/http/fields.hpp"

namespace gale {
namespace {

constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// 1*DIGIT, saturating instead of overflowing. False if `s` is empty or
// holds anything but digits.
bool parse_digits(std::string_view s, std::uint64_t& out) {
  if (s.empty()) return false;
  std::uint64_t v = 0;
  for (char c : s) {
    if (!is_digit(c)) return false;
    unsigned d = static_cast<unsigned>(c - '0');
    v = v > (kMax - d) / 10 ? kMax : v * 10 + d;
  }
  out = v;
  return true;
}

std::optional<RangeSpec> parse_spec(std::string_view s) {
  std::size_t dash = s.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  std::string_view first = s.substr(0, dash), last = s.substr(dash + 1);
  RangeSpec spec;
  if (first.empty()) {
    spec.kind = RangeSpec::Kind::suffix;
    if (!parse_digits(last, spec.last)) return std::nullopt;
    return spec;
  }
  if (!parse_digits(first, spec.first)) return std::nullopt;
  if (last.empty()) {
    spec.kind = RangeSpec::Kind::from;
    return spec;
  }
  spec.kind = RangeSpec::Kind::from_to;
  if (!parse_digits(last, spec.last) || spec.last < spec.first)
    return std::nullopt;
  return spec;
}

}  // namespace

std::optional<std::vector<RangeSpec>> parse_range(std::string_view value) {
  value = trim_ows(value);
  std::size_t eq = value.find('=');
  // Range units are case-insensitive (RFC 9110 §14.1).
  if (eq == std::string_view::npos || !iequals(value.substr(0, eq), "bytes"))
    return std::nullopt;
  std::string_view rest = value.substr(eq + 1);
  std::vector<RangeSpec> specs;
  for (;;) {
    std::size_t comma = rest.find(',');
    std::string_view element = trim_ows(rest.substr(0, comma));
    if (!element.empty()) {
      std::optional<RangeSpec> spec = parse_spec(element);
      if (!spec) return std::nullopt;
      specs.push_back(*spec);
    }
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  if (specs.empty()) return std::nullopt;
  return specs;
}

std::optional<ByteRange> resolve_range(const RangeSpec& spec,
                                       std::uint64_t size) {
  switch (spec.kind) {
    case RangeSpec::Kind::from_to:
      if (spec.first >= size) return std::nullopt;
      return ByteRange{spec.first,
                       std::min(spec.last, size - 1) - spec.first + 1};
    case RangeSpec::Kind::from:
      if (spec.first >= size) return std::nullopt;
      return ByteRange{spec.first, size - spec.first};
    case RangeSpec::Kind::suffix:
      if (spec.last == 0 || size == 0) return std::nullopt;
      if (spec.last >= size) return ByteRange{0, size};
      return ByteRange{size - spec.last, spec.last};
  }
  return std::nullopt;
}

RangeDecision decide_range(std::string_view value, std::uint64_t size) {
  RangeDecision d;
  if (size == 0) return d;
  std::optional<std::vector<RangeSpec>> specs = parse_range(value);
  if (!specs) return d;
  int satisfiable = 0;
  for (const RangeSpec& spec : *specs) {
    if (std::optional<ByteRange> r = resolve_range(spec, size)) {
      if (++satisfiable > 1) return RangeDecision{};  // several: whole file
      d.range = *r;
    }
  }
  d.outcome = satisfiable == 0 ? RangeDecision::Outcome::unsatisfiable
                               : RangeDecision::Outcome::partial;
  return d;
}

std::string content_range(const ByteRange& range, std::uint64_t size) {
  std::string s = "bytes ";
  append_decimal(s, range.offset);
  s += '-';
  append_decimal(s, range.offset + range.length - 1);
  s += '/';
  append_decimal(s, size);
  return s;
}

std::string unsatisfied_content_range(std::uint64_t size) {
  std::string s = "bytes */";
  append_decimal(s, size);
  return s;
}

}  // namespace gale
