#include "config/rules.hpp"

#include <array>
#include <charconv>
#include <cmath>

#include "config/did_you_mean.hpp"

namespace gale {
namespace {

constexpr std::array<std::string_view, 4> kLevelNames = {"debug", "info",
                                                         "warning", "error"};

std::string range_problem(IntRange range) {
  if (range.max == kUnbounded) return "must be >= " + std::to_string(range.min);
  return "must be " + std::to_string(range.min) + ".." +
         std::to_string(range.max);
}

std::string format_seconds(double seconds) {
  std::array<char, 32> buffer{};
  auto [end, ec] =
      std::to_chars(buffer.data(), buffer.data() + buffer.size(), seconds);
  return std::string(buffer.data(), end);
}

}  // namespace

std::string in_quotes(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string expected(std::string_view noun, std::string_view got) {
  return "expected " + std::string(noun) + ", got " + std::string(got);
}

Checked<std::int64_t> check_integer(std::string_view text, IntRange range) {
  std::int64_t value = 0;
  const char* end = text.data() + text.size();
  auto [next, ec] = std::from_chars(text.data(), end, value);
  if (next != end ||
      (ec != std::errc() && ec != std::errc::result_out_of_range)) {
    return Checked<std::int64_t>::fail(expected(kAnInteger, in_quotes(text)));
  }
  // Too big for 64 bits is, a fortiori, out of any range we accept.
  if (ec == std::errc::result_out_of_range || value < range.min ||
      value > range.max) {
    return Checked<std::int64_t>::fail(range_problem(range));
  }
  return Checked<std::int64_t>::ok(value);
}

Checked<double> check_seconds(std::string_view text, bool zero_allowed) {
  double value = 0;
  const char* end = text.data() + text.size();
  auto [next, ec] = std::from_chars(text.data(), end, value);
  // from_chars also reads "inf" and "nan"; neither is a duration.
  if (text.empty() || next != end || ec != std::errc() ||
      !std::isfinite(value)) {
    return Checked<double>::fail(expected(kANumber, in_quotes(text)));
  }
  if (zero_allowed ? value < 0 : value <= 0) {
    return Checked<double>::fail(zero_allowed ? "must be >= 0" : "must be > 0");
  }
  if (value > kMaxSeconds) {
    return Checked<double>::fail("must be at most " +
                                 format_seconds(kMaxSeconds) + " (a year)");
  }
  return Checked<double>::ok(value);
}

Checked<LogLevel> check_log_level(std::string_view text) {
  for (std::size_t i = 0; i < kLevelNames.size(); ++i) {
    if (text == kLevelNames[i]) {
      return Checked<LogLevel>::ok(static_cast<LogLevel>(i));
    }
  }
  std::string problem = expected(kALevel, in_quotes(text));
  if (auto near = closest_match(text, kLevelNames)) {
    problem += " (did you mean " + in_quotes(*near) + "?)";
  }
  return Checked<LogLevel>::fail(std::move(problem));
}

std::string_view log_level_name(LogLevel level) {
  return kLevelNames.at(static_cast<std::size_t>(level));
}

Checked<PubSubBackend> check_pubsub_backend(std::string_view text) {
  if (text == "local") return Checked<PubSubBackend>::ok(PubSubBackend::local);
  if (text == "redis") {
    return Checked<PubSubBackend>::fail(
        "\"redis\" is not built yet; use \"local\" (the master relays "
        "between this host's workers)");
  }
  return Checked<PubSubBackend>::fail(expected(kABackend, in_quotes(text)));
}

std::string_view pubsub_backend_name(PubSubBackend backend) {
  return backend == PubSubBackend::redis ? "redis" : "local";
}

Checked<std::string> check_host(std::string_view text) {
  if (text.empty()) return Checked<std::string>::fail("must not be empty");
  return Checked<std::string>::ok(std::string(text));
}

Checked<std::string> check_prefix(std::string_view text) {
  if (text.empty() || text.front() != '/' || text.back() != '/') {
    return Checked<std::string>::fail("must start and end with '/', got " +
                                      in_quotes(text));
  }
  return Checked<std::string>::ok(std::string(text));
}

Checked<std::string> check_nonempty(std::string_view text) {
  if (text.empty()) return Checked<std::string>::fail("must not be empty");
  return Checked<std::string>::ok(std::string(text));
}

Checked<std::string> check_access_log(std::string_view text) {
  if (text.empty()) {
    return Checked<std::string>::fail(
        "must not be empty (\"-\" is stdout, \"off\" turns it off)");
  }
  return Checked<std::string>::ok(std::string(text));
}

bool access_log_is_path(std::string_view setting) {
  return setting != "-" && setting != "off";
}

}  // namespace gale
