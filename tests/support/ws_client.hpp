// A raw WebSocket client (RFC 6455) for the end-to-end tests: it sends what
// a test says, byte for byte, including what no real client would send
// (unmasked frames, RSV bits, reserved opcodes, broken UTF-8), and reads
// the server's frames strictly, never fixing them.
//
// Like HttpClient (which it uses for the socket and the handshake's
// response) it is independent of the gale server libraries: frames are
// encoded and decoded here by hand, so a bug in server/websocket cannot
// hide itself by agreeing with its own test client. Every read has a
// deadline; last_end() says how a failed one ended.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "tests/support/http_client.hpp"

namespace gale::test {

// RFC 6455 §1.3's example key and the accept value it must produce.
inline constexpr std::string_view kWsExampleKey = "dGhlIHNhbXBsZSBub25jZQ==";
inline constexpr std::string_view kWsExampleAccept =
    "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

namespace ws_op {
inline constexpr std::uint8_t continuation = 0x0;
inline constexpr std::uint8_t text = 0x1;
inline constexpr std::uint8_t binary = 0x2;
inline constexpr std::uint8_t close = 0x8;
inline constexpr std::uint8_t ping = 0x9;
inline constexpr std::uint8_t pong = 0xA;
}  // namespace ws_op

// One frame as it came from the server.
struct WsFrame {
  bool fin = true;
  std::uint8_t rsv = 0;  // RSV1..3 as bits 2..0
  std::uint8_t opcode = 0;
  bool masked = false;
  std::string payload;

  // The close code of a close frame: 1005 when it has none.
  int close_code() const;
  std::string close_reason() const;
};

// How to encode one client frame. The defaults make a valid final frame.
struct FrameOptions {
  bool fin = true;
  bool mask = true;
  std::uint8_t rsv = 0;  // RSV1..3 as bits 2..0
};

// One frame as a client sends it (masked with a random key unless told).
std::string ws_frame(std::uint8_t opcode, std::string_view payload,
                     FrameOptions options = {});
// A close frame's payload: the code in network order, then the reason.
std::string ws_close_payload(int code, std::string_view reason = {});
// A GET handshake for `target` with `extra` header lines (each ending in
// CRLF) added; `key` is sent as Sec-WebSocket-Key.
std::string ws_handshake(std::string_view target = "/ws/echo",
                         std::string_view extra = {},
                         std::string_view key = kWsExampleKey);

class WsClient {
 public:
  // Connects, sends ws_handshake(target, extra) and reads the response.
  // True only for a 101 whose Upgrade, Connection and Sec-WebSocket-Accept
  // are right; error() says what was wrong otherwise. `after` is sent in
  // the same write as the handshake.
  bool open(int port, std::string_view target = "/ws/echo",
            std::string_view extra = {}, std::string_view after = {});
  // open() in two steps: a plain HTTP/1.1 connection first (http() may
  // send requests on it), then the handshake on it.
  bool connect(int port);
  bool upgrade(std::string_view target = "/ws/echo",
               std::string_view extra = {}, std::string_view after = {});
  HttpClient& http() { return http_; }
  // Before connect(): a small receive buffer (SO_RCVBUF), for slow consumers.
  void set_receive_buffer(int bytes) { rcvbuf_ = bytes; }

  bool send_raw(std::string_view bytes) { return http_.send(bytes); }
  bool send(std::uint8_t opcode, std::string_view payload,
            FrameOptions options = {}) {
    return send_raw(ws_frame(opcode, payload, options));
  }
  bool send_text(std::string_view s) { return send(ws_op::text, s); }
  bool send_binary(std::string_view s) { return send(ws_op::binary, s); }
  bool send_close(int code, std::string_view reason = {}) {
    return send(ws_op::close, ws_close_payload(code, reason));
  }

  // The next frame within `timeout`; nullopt on EOF, reset, timeout or a
  // malformed header (last_end() says which).
  std::optional<WsFrame> read_frame(Millis timeout = 5s);
  // The next whole data message, answering nothing: control frames in
  // between are kept in skipped_controls (pings counted). nullopt when the
  // connection ends or a close frame comes (then last_close() has it).
  std::optional<WsFrame> read_message(Millis timeout = 5s);
  // Whether the server closed TCP (EOF or reset) within `timeout`; frames
  // arriving meanwhile are discarded (counted in discarded_frames).
  bool wait_closed(Millis timeout = 5s);
  // A poll that must time out: nothing arrived and the socket is open.
  bool quiet(Millis wait = 50ms) {
    return buf_.empty() && http_.still_open(wait);
  }

  void close(bool reset = false) { http_.close(reset); }
  bool is_open() const { return http_.is_open(); }
  int fd() const { return http_.fd(); }

  const HttpResponse& response() const { return response_; }
  Outcome last_end() const { return last_end_; }
  const std::optional<WsFrame>& last_close() const { return last_close_; }
  const std::string& error() const { return error_; }
  int skipped_pings = 0;
  std::size_t discarded_frames = 0;

 private:
  bool fill(std::size_t n, std::chrono::steady_clock::time_point deadline);
  std::optional<WsFrame> decode(std::chrono::steady_clock::time_point deadline);

  HttpClient http_;
  HttpResponse response_;
  std::string buf_;  // received, not yet decoded
  int rcvbuf_ = 0;
  Outcome last_end_ = Outcome::ok;
  std::optional<WsFrame> last_close_;
  std::string error_;
};

// Everything a frame says, for failure messages.
std::string describe(const WsFrame& f);

// A number field of GET /info on a fresh connection ("worker",
// "connections"); nullopt when there is no answer.
std::optional<long long> info_field(int port, std::string_view key);
// The same from a response already read.
std::optional<long long> json_field(const std::string& json,
                                    std::string_view key);

}  // namespace gale::test
