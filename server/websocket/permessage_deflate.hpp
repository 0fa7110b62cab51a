// Negotiation of the permessage-deflate extension (RFC 7692 §5, §7).
//
// Parses the client's Sec-WebSocket-Extensions value (RFC 6455 §9.1: a
// comma-separated list of `name *(; param[=value])`, values as tokens or
// quoted strings), keeps its permessage-deflate offers that are valid by
// RFC 7692 §7 (known parameters only, none twice, window bits 8..15, the
// no-context-takeover flags without a value), and picks the first one the
// server supports, with the Sec-WebSocket-Extensions value to answer. An
// invalid offer is declined (skipped), not an error: the client may have
// listed fallbacks, and without any the connection simply goes
// uncompressed. Extension and parameter names are compared
// ASCII-case-insensitively. A value whose syntax cannot be split reliably
// (an unterminated quoted string, a stray character) declines everything.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gale::websocket {

// One valid permessage-deflate offer.
struct DeflateOffer {
  bool server_no_context_takeover = false;
  bool client_no_context_takeover = false;
  // 8..15 when the client limits the server's window.
  std::optional<std::uint8_t> server_max_window_bits = std::nullopt;
  // The client accepts a limit on its own window (the parameter appeared).
  bool client_max_window_bits = false;
  // 8..15 when the parameter came with a value (the client's own limit).
  std::optional<std::uint8_t> client_max_window_bits_value = std::nullopt;

  bool operator==(const DeflateOffer&) const = default;
};

// Every valid permessage-deflate offer in `extensions`, in the client's
// order of preference.
std::vector<DeflateOffer> parse_deflate_offers(std::string_view extensions);

// What the server agreed to, and the response header value.
struct DeflateAgreement {
  // The server's compressor resets its context after each message.
  bool server_no_context_takeover = false;
  // The client resets its context: the server's decompressor may too.
  bool client_no_context_takeover = false;
  // The server's compressor window (zlib windowBits, 9..15).
  std::uint8_t server_max_window_bits = 15;
  // Sec-WebSocket-Extensions for the 101 response.
  std::string response = {};
};

// Accepts the first offer the server supports, echoing the parameters it
// must (server_max_window_bits) or may (client_no_context_takeover), and
// always answering server_no_context_takeover, which the server may impose
// on itself (RFC 7692 §7.1.1.1): its compressor then keeps nothing between
// messages, so one per worker serves every socket. client_max_window_bits is
// never answered: our decompressor uses a 15-bit window, which inflates any
// smaller one. An offer with server_max_window_bits=8 is declined: zlib cannot
// deflate raw data with a 256-byte window (it silently uses 512, which the
// client would reject). nullopt: no compression.
std::optional<DeflateAgreement> negotiate_deflate(std::string_view extensions);

}  // namespace gale::websocket
