// What each setting accepts: text -> a typed, range-checked value.
//
// Flags and the YAML file both go through these, so `--port 0` and
// `port: 0` are refused in the same words. The problem text never says where
// the value came from; the caller prefixes that ("--port 0: " or
// "gale.yaml:3:5: listen[0].port: ").
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "config/config.hpp"

namespace gale {

// Either a value, or why the text gives none (e.g. "must be 1..65535").
template <typename T>
struct Checked {
  std::optional<T> value;
  std::string problem;

  static Checked ok(T v) { return {std::move(v), {}}; }
  static Checked fail(std::string why) {
    return {std::nullopt, std::move(why)};
  }
};

// Inclusive bounds of an integer setting; max == kUnbounded reads ">= min".
struct IntRange {
  std::int64_t min;
  std::int64_t max;
};
inline constexpr std::int64_t kUnbounded =
    std::numeric_limits<std::int64_t>::max();
inline constexpr std::int64_t kUint32Max =
    std::numeric_limits<std::uint32_t>::max();

inline constexpr IntRange kPortRange{1, 65535};
// 0 means one per CPU. Past 1024 a worker count is a typo, not a plan.
inline constexpr IntRange kWorkersRange{0, 1024};
// The kernel clamps to somaxconn anyway; 65535 is its largest sane setting.
inline constexpr IntRange kBacklogRange{1, 65535};
inline constexpr IntRange kPositiveUint32{1, kUint32Max};
inline constexpr IntRange kNonNegative{0, kUnbounded};
inline constexpr IntRange kPositive{1, kUnbounded};

// Durations are capped at a year: any longer is a mistake, and huge doubles
// overflow when turned into std::chrono durations downstream.
inline constexpr double kMaxSeconds = 365.0 * 24 * 3600;

// Nouns for "expected <noun>, got <what>", shared with the YAML reader for
// values that are not scalars at all.
inline constexpr std::string_view kAnInteger = "an integer";
inline constexpr std::string_view kANumber = "a number of seconds";
inline constexpr std::string_view kAString = "a string";
inline constexpr std::string_view kABool = "true or false";
inline constexpr std::string_view kALevel = "one of debug|info|warning|error";
inline constexpr std::string_view kABackend = "one of local|redis";
inline constexpr std::string_view kAnOrigin =
    "\"*\" or an origin scheme://host[:port]";

// `text` in double quotes, for echoing user input in messages.
std::string in_quotes(std::string_view text);

// "expected <noun>, got <got>".
std::string expected(std::string_view noun, std::string_view got);

// A base-10 integer within `range`.
Checked<std::int64_t> check_integer(std::string_view text, IntRange range);

// A finite number of seconds, > 0 (or >= 0 when `zero_allowed`, for the
// "0 = never" settings), at most kMaxSeconds.
Checked<double> check_seconds(std::string_view text, bool zero_allowed);

Checked<LogLevel> check_log_level(std::string_view text);
std::string_view log_level_name(LogLevel level);

// pubsub.backend: local (the master relays between this host's workers) or
// redis (every host, through pubsub.redis_url).
Checked<PubSubBackend> check_pubsub_backend(std::string_view text);
std::string_view pubsub_backend_name(PubSubBackend backend);

// A listen host: any non-empty name or address (binding it is the master's
// job, and it reports what the kernel says).
Checked<std::string> check_host(std::string_view text);

// The static URL prefix: must start and end with '/', e.g. "/static/".
Checked<std::string> check_prefix(std::string_view text);

// A non-empty string (cache_control, a path, ...).
Checked<std::string> check_nonempty(std::string_view text);

// pubsub.redis_url: one of the forms config/redis_url.hpp accepts.
Checked<std::string> check_redis_url(std::string_view text);

// The access log setting: "-" (stdout) and "off" are kept as they are;
// anything else is a file path, to be made absolute. Empty is refused.
Checked<std::string> check_access_log(std::string_view text);
bool access_log_is_path(std::string_view setting);

// One entry of websocket.allowed_origins: "*" (any origin), or an origin as
// RFC 6454 serializes it, scheme://host[:port] with no path, e.g.
// "https://example.com" or "http://[::1]:8888". It is returned the way a
// browser would send it in `Origin:`: scheme and host in lower case, a
// port without leading zeros, the scheme's default port (80 for http and
// ws, 443 for https and wss) left out.
Checked<std::string> check_origin(std::string_view text);

// One entry of proxy.trusted: a CIDR ("10.0.0.0/8", "fd00::/8") or a bare
// address (/32 or /128). Host bits past the prefix are cleared.
inline constexpr std::string_view kANetwork = "an IP address or CIDR";
Checked<IpNetwork> check_trusted_proxy(std::string_view text);

}  // namespace gale
