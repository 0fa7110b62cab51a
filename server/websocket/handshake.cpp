// Handshake checks; see handshake.hpp. SHA-1 and base64 come from OpenSSL's
// libcrypto (EVP), never from hand-written code.
#include "server/websocket/handshake.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <array>

#include "server/http/fields.hpp"

namespace gale::websocket {

namespace {

// RFC 6455 §1.3: appended to the client's key before hashing.
constexpr std::string_view kGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

bool is_token(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return is_token_char(static_cast<unsigned char>(c));
  });
}

bool is_base64_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (c >= '0' && c <= '9') || c == '+' || c == '/';
}

// Calls fn(element) for each non-empty, OWS-trimmed element of a
// comma-separated list; stops early when fn returns true.
template <typename Fn>
bool any_element(std::string_view list, Fn fn) {
  while (true) {
    const std::size_t comma = list.find(',');
    std::string_view element = trim_ows(list.substr(0, comma));
    if (!element.empty() && fn(element)) return true;
    if (comma == std::string_view::npos) return false;
    list.remove_prefix(comma + 1);
  }
}

// The host[:port] of "scheme://host[:port][/...]", or nullopt.
std::optional<std::string_view> origin_authority(std::string_view origin) {
  const std::size_t sep = origin.find("://");
  if (sep == std::string_view::npos || sep == 0) return std::nullopt;
  std::string_view rest = origin.substr(sep + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (rest.empty()) return std::nullopt;
  return rest;
}

}  // namespace

int status_for(HandshakeError e) {
  switch (e) {
    case HandshakeError::none:
      return 0;
    case HandshakeError::unsupported_version:
      return 426;
    case HandshakeError::origin_not_allowed:
      return 403;
    case HandshakeError::not_websocket_upgrade:
    case HandshakeError::connection_not_upgrade:
    case HandshakeError::bad_key:
      return 400;
  }
  return 400;
}

std::string_view describe(HandshakeError e) {
  switch (e) {
    case HandshakeError::none:
      return "no error";
    case HandshakeError::not_websocket_upgrade:
      return "Can \"Upgrade\" only to \"WebSocket\"";
    case HandshakeError::connection_not_upgrade:
      return "\"Connection\" must be \"Upgrade\"";
    case HandshakeError::unsupported_version:
      return "Sec-WebSocket-Version must be 13";
    case HandshakeError::bad_key:
      return "Missing or invalid Sec-WebSocket-Key";
    case HandshakeError::origin_not_allowed:
      return "Cross origin websockets not allowed";
  }
  return "bad handshake";
}

HandshakeError check_handshake(const HandshakeRequest& r,
                               std::span<const std::string> allowed_origins) {
  if (!r.upgrade || !is_websocket_upgrade(*r.upgrade))
    return HandshakeError::not_websocket_upgrade;
  if (!r.connection || !connection_has_upgrade(*r.connection))
    return HandshakeError::connection_not_upgrade;
  if (!r.version || !is_supported_version(*r.version))
    return HandshakeError::unsupported_version;
  if (!r.key || !is_valid_client_key(*r.key)) return HandshakeError::bad_key;
  if (!origin_allowed(r.origin, r.host, allowed_origins))
    return HandshakeError::origin_not_allowed;
  return HandshakeError::none;
}

std::string accept_key(std::string_view client_key) {
  std::string input;
  input.reserve(client_key.size() + kGuid.size());
  input.append(client_key).append(kGuid);
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest;
  unsigned int digest_size = 0;
  EVP_Digest(input.data(), input.size(), digest.data(), &digest_size,
             EVP_sha1(), nullptr);
  // base64 of 20 bytes is 28 characters, plus the NUL EVP writes.
  std::array<unsigned char, 4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1> out;
  const int n =
      EVP_EncodeBlock(out.data(), digest.data(), static_cast<int>(digest_size));
  return std::string(reinterpret_cast<const char*>(out.data()),
                     static_cast<std::size_t>(n));
}

bool is_valid_client_key(std::string_view key) {
  // 16 bytes encode to 22 characters and "==". EVP_DecodeBlock is lax (it
  // skips surrounding whitespace and takes a '=' in mid-string for zero
  // bits) and reports the padded size, so the shape and alphabet are
  // checked here first; the size check after decoding is then defensive.
  if (key.size() != 24 || key.substr(22) != "==") return false;
  if (!std::all_of(key.begin(), key.begin() + 22, is_base64_char)) return false;
  std::array<unsigned char, 18> out;
  const int n = EVP_DecodeBlock(
      out.data(), reinterpret_cast<const unsigned char*>(key.data()), 24);
  return n == 18;  // 16 bytes + 2 zero bytes for the padding
}

bool is_websocket_upgrade(std::string_view upgrade) {
  return has_token(upgrade, "websocket");
}

bool connection_has_upgrade(std::string_view connection) {
  return has_token(connection, "upgrade");
}

bool is_supported_version(std::string_view version) {
  return trim_ows(version) == "13";
}

std::vector<std::string_view> parse_subprotocols(std::string_view header) {
  std::vector<std::string_view> out;
  const bool bad = any_element(header, [&out](std::string_view e) {
    if (!is_token(e)) return true;
    out.push_back(e);
    return false;
  });
  if (bad) out.clear();
  return out;
}

std::optional<std::string_view> select_subprotocol(
    std::string_view header, std::span<const std::string_view> supported) {
  for (std::string_view offer : parse_subprotocols(header)) {
    if (std::find(supported.begin(), supported.end(), offer) != supported.end())
      return offer;
  }
  return std::nullopt;
}

bool origin_allowed(std::optional<std::string_view> origin,
                    std::string_view host,
                    std::span<const std::string> allowed_origins) {
  if (!origin) return true;  // not a browser: nothing to protect
  if (allowed_origins.empty()) {
    std::optional<std::string_view> authority = origin_authority(*origin);
    return authority && iequals(*authority, trim_ows(host));
  }
  return std::any_of(allowed_origins.begin(), allowed_origins.end(),
                     [&](const std::string& allowed) {
                       return allowed == "*" || iequals(allowed, *origin);
                     });
}

}  // namespace gale::websocket
