// Signing and verifying Tornado version-2 signed values (signed_value.hpp)
// with OpenSSL's HMAC-SHA256 and base64; hex from Boost.Algorithm.
#include "server/web/signed_value.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <boost/algorithm/hex.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <climits>
#include <cstdint>
#include <iterator>
#include <stdexcept>

namespace gale::signed_value {
namespace {

constexpr std::size_t kSignatureHexDigits = 64;  // SHA-256, hex
// Longer numbers are refused before parsing: they cannot be a length that
// fits the input, nor a timestamp this side of year 33 million.
constexpr std::size_t kMaxDigits = 15;

// Lowercase hex HMAC-SHA256 of `data` under `key`, or "" if OpenSSL fails.
std::string hmac_sha256_hex(std::string_view key, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest;
  unsigned int size = 0;
  if (key.size() > INT_MAX ||
      !HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
            reinterpret_cast<const unsigned char*>(data.data()), data.size(),
            digest.data(), &size))
    return {};
  std::string hex;
  hex.reserve(2 * size);
  boost::algorithm::hex_lower(digest.begin(), digest.begin() + size,
                              std::back_inserter(hex));
  return hex;
}

std::string base64_encode(std::string_view in) {
  if (in.size() > INT_MAX / 4 * 3 - 3)
    throw std::length_error("signed value too long");
  std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');  // + EVP's NUL
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()),
                          static_cast<int>(in.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

bool is_base64_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (c >= '0' && c <= '9') || c == '+' || c == '/';
}

// Strict standard base64 with padding. EVP_DecodeBlock alone is lax
// (it skips whitespace) and counts padding as zero bytes, so the shape is
// checked here and the padding taken off after.
std::optional<std::string> base64_decode(std::string_view in) {
  if (in.size() % 4 != 0 || in.size() > INT_MAX) return std::nullopt;
  std::size_t padding = 0;
  while (padding < 2 && padding < in.size() &&
         in[in.size() - 1 - padding] == '=')
    ++padding;
  if (!std::all_of(in.begin(), in.end() - padding, is_base64_char))
    return std::nullopt;
  std::string out(in.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()),
                          static_cast<int>(in.size()));
  if (n < 0 || static_cast<std::size_t>(n) < padding) return std::nullopt;
  out.resize(static_cast<std::size_t>(n) - padding);
  return out;
}

// Digits only, no sign or space, at most kMaxDigits of them.
std::optional<std::int64_t> parse_number(std::string_view s) {
  if (s.empty() || s.size() > kMaxDigits) return std::nullopt;
  std::int64_t n = 0;
  auto [end, error] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (error != std::errc() || end != s.data() + s.size() || n < 0)
    return std::nullopt;
  return n;
}

void append_field(std::string& out, std::string_view field) {
  out.append(std::to_string(field.size())).append(":").append(field);
  out.append("|");
}

// Takes one "<length>:<bytes>|" field off the front of `rest`.
std::optional<std::string_view> take_field(std::string_view& rest) {
  std::size_t colon = rest.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::optional<std::int64_t> length = parse_number(rest.substr(0, colon));
  rest.remove_prefix(colon + 1);
  if (!length || static_cast<std::uint64_t>(*length) >= rest.size() ||
      rest[static_cast<std::size_t>(*length)] != '|')
    return std::nullopt;
  std::string_view field = rest.substr(0, static_cast<std::size_t>(*length));
  rest.remove_prefix(field.size() + 1);
  return field;
}

struct Fields {
  std::string_view signed_part;  // everything the signature covers
  std::string_view timestamp, name, value, signature;
};

std::optional<Fields> split(std::string_view in) {
  if (!in.starts_with("2|") || in.size() < kSignatureHexDigits)
    return std::nullopt;
  Fields f;
  std::string_view rest = in.substr(2);
  auto key_version = take_field(rest);
  auto timestamp = key_version ? take_field(rest) : std::nullopt;
  auto name = timestamp ? take_field(rest) : std::nullopt;
  auto value = name ? take_field(rest) : std::nullopt;
  if (!value || rest.size() != kSignatureHexDigits ||
      !parse_number(*key_version))
    return std::nullopt;
  f.signed_part = in.substr(0, in.size() - kSignatureHexDigits);
  f.timestamp = *timestamp;
  f.name = *name;
  f.value = *value;
  f.signature = rest;
  return f;
}

bool signed_by_one_of(std::span<const std::string> secrets, const Fields& f) {
  for (const std::string& secret : secrets) {
    if (secret.empty()) continue;  // never a key, even by mistake
    std::string expected = hmac_sha256_hex(secret, f.signed_part);
    if (expected.size() == kSignatureHexDigits &&
        CRYPTO_memcmp(expected.data(), f.signature.data(),
                      kSignatureHexDigits) == 0)
      return true;
  }
  return false;
}

}  // namespace

std::string sign(std::span<const std::string> secrets, std::string_view name,
                 std::string_view value, std::chrono::sys_seconds now) {
  if (secrets.empty())
    throw std::logic_error(
        "cookie_secrets is not set: signed cookies need "
        "Settings::cookie_secrets");
  if (secrets.front().empty())
    throw std::logic_error("cookie_secrets[0] is empty: it cannot sign");
  std::string out = "2|";
  append_field(out, "0");
  append_field(out, std::to_string(now.time_since_epoch().count()));
  append_field(out, name);
  append_field(out, base64_encode(value));
  std::string signature = hmac_sha256_hex(secrets.front(), out);
  if (signature.empty()) throw std::runtime_error("HMAC-SHA256 failed");
  return out + signature;
}

std::optional<std::string> verify(std::span<const std::string> secrets,
                                  std::string_view name,
                                  std::string_view signed_form,
                                  std::chrono::seconds max_age,
                                  std::chrono::sys_seconds now) {
  std::optional<Fields> f = split(signed_form);
  if (!f || f->name != name) return std::nullopt;
  std::optional<std::int64_t> stamp = parse_number(f->timestamp);
  if (!stamp) return std::nullopt;
  // Both sides are far from overflow: now is a real clock, the stamp has
  // at most kMaxDigits digits.
  const std::int64_t age = now.time_since_epoch().count() - *stamp;
  if (age > max_age.count() || -age > kMaxClockSkew.count())
    return std::nullopt;
  if (!signed_by_one_of(secrets, *f)) return std::nullopt;
  return base64_decode(f->value);
}

}  // namespace gale::signed_value
