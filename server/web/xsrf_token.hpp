// XSRF tokens in Tornado's two forms, so pages and cookies interoperate:
//
//   version 1: the 16 random bytes as 32 hex digits;
//   version 2: "2|<mask>|<masked token>|<timestamp>", the token XORed with
//              a fresh 4-byte mask (hex, 8 digits) repeated over it.
//
// A page carries the token masked anew for each request, so no two pages
// hold the same bytes and a compression oracle (BREACH) has nothing stable
// to find; every form unmasks to the same token, the one in the _xsrf
// cookie. No I/O; randomness from OpenSSL's RAND_bytes.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gale::xsrf {

inline constexpr std::string_view kCookieName = "_xsrf";
inline constexpr std::string_view kFieldName = "_xsrf";

using Token = std::array<unsigned char, 16>;
using Mask = std::array<unsigned char, 4>;

// Fresh random bytes; std::runtime_error if OpenSSL has no entropy.
Token random_token();
Mask random_mask();

// The version-2 form of `token` under `mask`, stamped `timestamp` (seconds
// since the epoch; carried for Tornado's sake, not checked).
std::string encode(const Token& token, const Mask& mask,
                   std::int64_t timestamp);

// The token inside either form, or nullopt when `text` is neither exactly
// (wrong length, not hex, a field missing or extra). Never throws.
std::optional<Token> decode(std::string_view text);

// Whether two tokens are equal, in time independent of where they differ.
bool same(const Token& a, const Token& b);

}  // namespace gale::xsrf
