#include "config/rules.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstddef>

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

bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

char to_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c;
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    c = to_lower(c);
  return out;
}

// RFC 3986 scheme: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ).
bool is_scheme(std::string_view text) {
  if (text.empty() || !is_alpha(text.front())) return false;
  for (char c : text) {
    if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '-' && c != '.') {
      return false;
    }
  }
  return true;
}

// A DNS name or IPv4 address (letters, digits, '-', '.', '_'), or an IPv6
// address in brackets. Browsers send internationalized names as punycode,
// so nothing outside ASCII can ever match.
bool is_origin_host(std::string_view host) {
  if (host.empty()) return false;
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') return false;
    for (char c : host.substr(1, host.size() - 2)) {
      const bool hex =
          is_digit(c) || (to_lower(c) >= 'a' && to_lower(c) <= 'f');
      if (!hex && c != ':' && c != '.') return false;
    }
    return true;
  }
  for (char c : host) {
    if (!is_alpha(c) && !is_digit(c) && c != '-' && c != '.' && c != '_') {
      return false;
    }
  }
  return true;
}

int default_port(std::string_view scheme) {
  if (scheme == "http" || scheme == "ws") return 80;
  if (scheme == "https" || scheme == "wss") return 443;
  return 0;
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
  if (text == "redis") return Checked<PubSubBackend>::ok(PubSubBackend::redis);
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

Checked<std::string> check_redis_url(std::string_view text) {
  RedisUrlParse parsed = parse_redis_url(text);
  if (!parsed.endpoint) return Checked<std::string>::fail(parsed.problem);
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

Checked<std::string> check_origin(std::string_view text) {
  using Result = Checked<std::string>;
  if (text == "*") return Result::ok("*");
  const auto malformed = [&] {
    return Result::fail(expected(kAnOrigin, in_quotes(text)));
  };
  const std::size_t sep = text.find("://");
  if (sep == std::string_view::npos || !is_scheme(text.substr(0, sep))) {
    return malformed();
  }
  const std::string scheme = lower(text.substr(0, sep));
  std::string_view authority = text.substr(sep + 3);
  // The usual slip is a URL where an origin belongs: "https://a.example/".
  const std::size_t path = authority.find_first_of("/?#");
  if (path != std::string_view::npos) {
    const auto bare = check_origin(text.substr(0, sep + 3 + path));
    if (!bare.value) return malformed();
    return Result::fail("an origin has no path, query or fragment: expected " +
                        in_quotes(*bare.value) + ", got " + in_quotes(text));
  }
  // The port follows the last ':' past any IPv6 brackets.
  const std::size_t bracket = authority.rfind(']');
  const std::size_t colon = authority.rfind(':');
  std::string_view host = authority;
  std::string port_text;
  if (colon != std::string_view::npos &&
      (bracket == std::string_view::npos || colon > bracket)) {
    host = authority.substr(0, colon);
    const std::string_view digits = authority.substr(colon + 1);
    if (digits.empty() ||
        !std::all_of(digits.begin(), digits.end(), is_digit)) {
      return malformed();
    }
    const auto port = check_integer(digits, kPortRange);
    if (!port.value) {
      return Result::fail("its port " + port.problem + ", got " +
                          in_quotes(text));
    }
    if (*port.value != default_port(scheme)) {
      port_text = ":" + std::to_string(*port.value);
    }
  }
  if (!is_origin_host(host)) return malformed();
  return Result::ok(scheme + "://" + lower(host) + port_text);
}

Checked<IpNetwork> check_trusted_proxy(std::string_view text) {
  IpNetworkParse parsed = parse_ip_network(text);
  if (!parsed.network) return Checked<IpNetwork>::fail(parsed.problem);
  return Checked<IpNetwork>::ok(*parsed.network);
}

}  // namespace gale
