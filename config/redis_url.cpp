#include "config/redis_url.hpp"

#include <charconv>
#include <limits>

namespace gale {
namespace {

RedisUrlParse refuse(std::string problem) {
  return RedisUrlParse{std::nullopt, std::move(problem)};
}

std::optional<int> hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return std::nullopt;
}

// %XX escapes decoded; nullopt on a broken escape.
std::optional<std::string> percent_decoded(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    const auto hi = hex_digit(text[i + 1]);
    const auto lo = hex_digit(text[i + 2]);
    if (!hi || !lo) return std::nullopt;
    out.push_back(static_cast<char>(*hi * 16 + *lo));
    i += 2;
  }
  return out;
}

template <typename T>
std::optional<T> whole_number(std::string_view text, T low, T high) {
  T value{};
  const auto [end, ec] =
      std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size())
    return std::nullopt;
  if (value < low || value > high) return std::nullopt;
  return value;
}

// "[user]:password@" in front of the rest; returns the problem, if any.
std::string take_credentials(std::string_view& rest, RedisEndpoint& out) {
  const auto at = rest.rfind('@');
  if (at == std::string_view::npos) return {};
  const std::string_view userinfo = rest.substr(0, at);
  rest.remove_prefix(at + 1);
  const auto colon = userinfo.find(':');
  if (colon == std::string_view::npos)
    return "credentials must be written \"[user]:password@\"";
  auto user = percent_decoded(userinfo.substr(0, colon));
  auto password = percent_decoded(userinfo.substr(colon + 1));
  if (!user || !password) return "a %XX escape in the credentials is broken";
  out.username = std::move(*user);
  out.password = std::move(*password);
  return {};
}

std::string take_host_port(std::string_view authority, RedisEndpoint& out) {
  std::string_view host = authority;
  std::optional<std::string_view> port;
  if (authority.starts_with('[')) {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return "unclosed '[' in the host";
    host = authority.substr(1, close - 1);
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return "expected ':port' after ']'";
      port = after.substr(1);
    }
  } else if (const auto colon = authority.find(':');
             colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty()) return "the host is missing";
  out.host = std::string(host);
  if (port) {
    const auto number = whole_number<std::uint16_t>(*port, 1, 65535);
    if (!number) return "the port must be 1..65535 (an IPv6 host goes in [])";
    out.port = *number;
  }
  return {};
}

std::string take_db(std::string_view text, RedisEndpoint& out) {
  if (text.empty()) return {};
  const auto db = whole_number<int>(text, 0, std::numeric_limits<int>::max());
  if (!db) return "the database must be a number >= 0";
  out.db = *db;
  return {};
}

RedisUrlParse parse_tcp(std::string_view rest) {
  RedisEndpoint out;
  if (auto problem = take_credentials(rest, out); !problem.empty())
    return refuse(std::move(problem));
  const auto slash = rest.find('/');
  const std::string_view authority = rest.substr(0, slash);
  if (auto problem = take_host_port(authority, out); !problem.empty())
    return refuse(std::move(problem));
  if (slash != std::string_view::npos) {
    if (auto problem = take_db(rest.substr(slash + 1), out); !problem.empty())
      return refuse(std::move(problem));
  }
  return RedisUrlParse{std::move(out), {}};
}

RedisUrlParse parse_unix(std::string_view rest) {
  RedisEndpoint out;
  if (auto problem = take_credentials(rest, out); !problem.empty())
    return refuse(std::move(problem));
  const auto query = rest.find('?');
  const std::string_view path = rest.substr(0, query);
  if (!path.starts_with('/')) return refuse("the socket path must be absolute");
  out.unix_path = std::string(path);
  if (query != std::string_view::npos) {
    const std::string_view q = rest.substr(query + 1);
    if (!q.starts_with("db="))
      return refuse("the only query parameter is db=N");
    if (auto problem = take_db(q.substr(3), out); !problem.empty())
      return refuse(std::move(problem));
    if (q.size() == 3) return refuse("the database must be a number >= 0");
  }
  return RedisUrlParse{std::move(out), {}};
}

}  // namespace

RedisUrlParse parse_redis_url(std::string_view url) {
  constexpr std::string_view kTcp = "redis://";
  constexpr std::string_view kUnix = "unix://";
  if (url.starts_with("rediss://"))
    return refuse("rediss:// (TLS) is not supported: hiredis 0.14 has no TLS");
  if (url.starts_with(kTcp)) return parse_tcp(url.substr(kTcp.size()));
  if (url.starts_with(kUnix)) return parse_unix(url.substr(kUnix.size()));
  return refuse(
      "expected redis://[[user]:password@]host[:port][/db] or "
      "unix://[[user]:password@]/path[?db=N]");
}

std::string describe_redis_endpoint(const RedisEndpoint& endpoint) {
  std::string where = endpoint.unix_path.empty()
                          ? endpoint.host + ":" + std::to_string(endpoint.port)
                          : endpoint.unix_path;
  if (endpoint.host.find(':') != std::string::npos &&
      endpoint.unix_path.empty())
    where = "[" + endpoint.host + "]:" + std::to_string(endpoint.port);
  return where + " db " + std::to_string(endpoint.db);
}

}  // namespace gale
