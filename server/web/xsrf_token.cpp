// XSRF token forms (xsrf_token.hpp); hex from Boost.Algorithm, randomness
// and the constant-time comparison from OpenSSL.
#include "server/web/xsrf_token.hpp"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <boost/algorithm/hex.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <iterator>
#include <stdexcept>

namespace gale::xsrf {
namespace {

constexpr std::size_t kMaxTimestampDigits = 15;

template <std::size_t N>
std::array<unsigned char, N> random_bytes() {
  std::array<unsigned char, N> out;
  if (RAND_bytes(out.data(), static_cast<int>(N)) != 1)
    throw std::runtime_error("RAND_bytes failed: no XSRF token");
  return out;
}

template <std::size_t N>
void append_hex(std::string& out, const std::array<unsigned char, N>& bytes) {
  boost::algorithm::hex_lower(bytes.begin(), bytes.end(),
                              std::back_inserter(out));
}

// Exactly 2*N hex digits (either case) into N bytes.
template <std::size_t N>
std::optional<std::array<unsigned char, N>> parse_hex(std::string_view s) {
  if (s.size() != 2 * N ||
      !std::all_of(s.begin(), s.end(),
                   [](unsigned char c) { return std::isxdigit(c); }))
    return std::nullopt;
  std::array<unsigned char, N> out;
  boost::algorithm::unhex(s.begin(), s.end(), out.begin());
  return out;
}

Token apply_mask(Token token, const Mask& mask) {
  for (std::size_t i = 0; i < token.size(); ++i)
    token[i] ^= mask[i % mask.size()];
  return token;
}

bool is_timestamp(std::string_view s) {
  std::int64_t n = 0;
  if (s.empty() || s.size() > kMaxTimestampDigits) return false;
  auto [end, error] = std::from_chars(s.data(), s.data() + s.size(), n);
  return error == std::errc() && end == s.data() + s.size() && n >= 0;
}

// "2|mask|masked|timestamp": exactly four fields.
std::optional<Token> decode_v2(std::string_view text) {
  std::array<std::string_view, 4> fields;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    std::size_t bar = text.find('|');
    if ((bar == std::string_view::npos) != (i == fields.size() - 1))
      return std::nullopt;
    fields[i] = text.substr(0, bar);
    text = bar == std::string_view::npos ? std::string_view()
                                         : text.substr(bar + 1);
  }
  auto mask = parse_hex<4>(fields[1]);
  auto masked = parse_hex<16>(fields[2]);
  if (fields[0] != "2" || !mask || !masked || !is_timestamp(fields[3]))
    return std::nullopt;
  return apply_mask(*masked, *mask);
}

}  // namespace

Token random_token() {
  return random_bytes<16>();
}

Mask random_mask() {
  return random_bytes<4>();
}

std::string encode(const Token& token, const Mask& mask,
                   std::int64_t timestamp) {
  std::string out = "2|";
  out.reserve(2 + 8 + 1 + 32 + 1 + 20);
  append_hex(out, mask);
  out += '|';
  append_hex(out, apply_mask(token, mask));
  out += '|';
  out += std::to_string(timestamp);
  return out;
}

std::optional<Token> decode(std::string_view text) {
  if (text.starts_with("2|")) return decode_v2(text);
  return parse_hex<16>(text);
}

bool same(const Token& a, const Token& b) {
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace gale::xsrf
