// The server's checks of a WebSocket opening handshake (RFC 6455 §4.2).
//
// Pure functions over header values the HTTP layer has already parsed
// (string_views, not a request type), so they can be tested alone and the
// HTTP layer keeps the only knowledge of how headers are stored. A failed
// check is a HandshakeError with the status to answer and a human-readable
// reason for the response body. The method (GET) and HTTP version are the
// router's and request parser's business, not checked here.
// permessage-deflate negotiation lives in permessage_deflate.hpp.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "server/http/fields.hpp"

namespace gale::websocket {

enum class HandshakeError : std::uint8_t {
  none,
  // 400: Upgrade absent or without the `websocket` token.
  not_websocket_upgrade,
  // 400: Connection absent or without the `upgrade` token.
  connection_not_upgrade,
  // 426 (with `Sec-WebSocket-Version: 13`): version absent or not 13.
  unsupported_version,
  // 400: Sec-WebSocket-Key absent or not base64 of exactly 16 bytes.
  bad_key,
  // 403: a browser's Origin outside websocket.allowed_origins.
  origin_not_allowed,
};

// The status to answer with: 400, 403 or 426 (0 for none).
int status_for(HandshakeError e);
// A short human-readable reason, used as the response body and in the log.
std::string_view describe(HandshakeError e);

// The handshake fields of a request; nullopt when a field is absent.
struct HandshakeRequest {
  std::optional<std::string_view> upgrade = {};     // Upgrade
  std::optional<std::string_view> connection = {};  // Connection
  std::optional<std::string_view> key = {};         // Sec-WebSocket-Key
  std::optional<std::string_view> version = {};     // Sec-WebSocket-Version
  std::optional<std::string_view> origin = {};      // Origin
  std::string_view host = {};                       // Host
};

// Runs every check below in this order: Upgrade, Connection, version, key,
// origin. Returns the first that fails, or none.
HandshakeError check_handshake(const HandshakeRequest& request,
                               std::span<const std::string> allowed_origins);

// Sec-WebSocket-Accept for a client key (§4.2.2): base64(SHA-1(key + GUID)).
std::string accept_key(std::string_view client_key);

// Whether `key` is base64 (with padding) that decodes to exactly 16 bytes.
bool is_valid_client_key(std::string_view key);

// Whether a comma-separated field value holds a token: HTTP's own rule.
using gale::has_token;

// Upgrade holds `websocket`; Connection holds `upgrade`; version is `13`.
bool is_websocket_upgrade(std::string_view upgrade);
bool connection_has_upgrade(std::string_view connection);
bool is_supported_version(std::string_view version);

// The subprotocols a client offers in Sec-WebSocket-Protocol, in its order
// of preference (OWS trimmed, empty elements dropped). Any element that is
// not an RFC 9110 token makes the whole offer invalid: an empty list.
std::vector<std::string_view> parse_subprotocols(std::string_view header);

// The first subprotocol the client offers that `supported` holds (exact,
// case-sensitive match: subprotocol names are opaque), or nullopt: then the
// response carries no Sec-WebSocket-Protocol. Views into `header`.
std::optional<std::string_view> select_subprotocol(
    std::string_view header, std::span<const std::string_view> supported);

// SPEC §2 websocket.allowed_origins. An absent Origin (not a browser) is
// allowed. Otherwise: a "*" in the list allows any origin; an empty list
// allows only the same host (the Origin's host[:port] equal to the Host
// header, ASCII-case-insensitively, as Tornado's check_origin); else the
// Origin (scheme://host[:port]) must equal an entry, ASCII-case-
// insensitively.
bool origin_allowed(std::optional<std::string_view> origin,
                    std::string_view host,
                    std::span<const std::string> allowed_origins);

}  // namespace gale::websocket
