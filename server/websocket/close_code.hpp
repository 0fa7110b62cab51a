// Close status codes (RFC 6455 §7.4) and which of them may travel in a
// close frame.
//
// CloseCode has a fixed underlying type, so any 16-bit value a peer sends
// can be held in it (CloseCode{3001}); the named values are the ones gale
// itself sends or must recognise.
#pragma once

#include <cstdint>
#include <string_view>

namespace gale::websocket {

enum class CloseCode : std::uint16_t {
  normal = 1000,               // the purpose of the connection is fulfilled
  going_away = 1001,           // server shutting down, or browser leaving page
  protocol_error = 1002,       // a framing rule of RFC 6455 was broken
  unsupported_data = 1003,     // a data type we do not accept (binary on chat)
  no_status = 1005,            // local only: the close frame had no payload
  abnormal = 1006,             // local only: TCP closed without a close frame
  invalid_payload = 1007,      // text (or a close reason) that is not UTF-8
  policy_violation = 1008,     // e.g. a slow consumer past max_queue_bytes
  message_too_big = 1009,      // a message over max_message_bytes
  mandatory_extension = 1010,  // client only: an extension was not agreed
  internal_error = 1011,       // the server hit an unexpected condition
  service_restart = 1012,      // IANA-registered: the service restarts
  try_again_later = 1013,      // IANA-registered: temporary overload
  bad_gateway = 1014,          // IANA-registered: upstream failure
  tls_handshake = 1015,        // local only: the TLS handshake failed
};

// Whether `code` may appear in a close frame on the wire, either direction.
// Valid: 1000-1003, 1007-1011, 1012-1014 and 3000-4999. We accept
// 1012-1014 because they are registered with IANA since RFC 6455 and sent
// by real servers (the RFC's own list predates them; Autobahn accepts
// them). Invalid: below 1000, 1004 (reserved), 1005/1006/1015 (local
// meanings that must never be sent), 1016-2999 (reserved for future RFCs)
// and 5000 and above.
bool is_valid_on_wire(std::uint16_t code);

inline std::uint16_t to_int(CloseCode code) {
  return static_cast<std::uint16_t>(code);
}

}  // namespace gale::websocket
