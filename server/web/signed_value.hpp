// Signed values for cookies, in the format of Tornado's
// create_signed_value() version 2, so a cookie gale signs is one Tornado
// reads with the same secret, and back:
//
//   2|1:0|10:1767225600|4:user|8:YWxpY2U=|<64 hex digits>
//   ^ ^   ^             ^      ^         ^ HMAC-SHA256, hex, of all before
//   | |   |             |      | base64 of the value
//   | |   |             | the cookie's name
//   | |   | seconds since the epoch when it was signed
//   | | key version: always 0 here; the verifier tries every secret
//   | format version
//
// Every field is "<length>:<bytes>|", so no byte of a name or value can be
// mistaken for a separator. No I/O and no clock: the caller passes `now`,
// so tests pin it.
#pragma once

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace gale::signed_value {

// A value stamped more than this far after `now` is refused: a clock
// running a little ahead on another host is fine, a forged far-future
// stamp (to outlive max_age) is not.
inline constexpr std::chrono::seconds kMaxClockSkew = std::chrono::hours(24);

// The signed form of `value` under the cookie `name`, signed with
// secrets[0]. Throws std::logic_error when there is no secret or the first
// is empty: signing with nothing is a setup mistake, not a request's fault.
std::string sign(std::span<const std::string> secrets, std::string_view name,
                 std::string_view value, std::chrono::sys_seconds now);

// The value inside `signed_form`, if it is a well-formed version-2 value
// signed for `name` by any one of `secrets` (rotation: the first signs,
// every one verifies), stamped within `max_age` before `now` and not more
// than kMaxClockSkew after it. Else nullopt: tampered, expired, malformed,
// or signed by an unknown secret all read the same. Never throws on any
// input; the signature is compared in constant time.
std::optional<std::string> verify(std::span<const std::string> secrets,
                                  std::string_view name,
                                  std::string_view signed_form,
                                  std::chrono::seconds max_age,
                                  std::chrono::sys_seconds now);

}  // namespace gale::signed_value
