// The base class of WebSocket handlers, after Tornado's WebSocketHandler.
//
//   struct EchoSocket : gale::WebSocketHandler {
//     void on_message(std::string_view message, bool binary) override {
//       write_message(message, binary);
//     }
//   };
//   app.add({"/ws/echo", gale::handler<EchoSocket>()});
//
// Routed like any handler (handler<H>() sees that H is a WebSocketHandler):
// a GET that asks to upgrade gets the handshake checks (RFC 6455 §4.2: 400,
// 403 for a browser Origin that check_origin() refuses, 426 for a version
// other than 13), then the 101, then open(). From there the object lives
// as long as its socket: on_message() for each whole message, on_close()
// once at the end. All of it runs on the worker's loop; write_message()
// never blocks (past websocket.max_queue_bytes unsent, the client is
// closed with 1008).
//
// Unlike a RequestHandler, this object lives for hours, once per open
// socket, so it is kept small: it is not a RequestHandler, and the request
// it was opened with is readable only until open() returns (it lived in
// the connection's buffers, which an idle socket does not keep). Copy in
// open() what you need later.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "server/web/request_handler.hpp"
#include "server/websocket/close_code.hpp"
#include "server/websocket/send_queue.hpp"
#include "server/websocket/session_events.hpp"

namespace gale {

namespace websocket {
class Session;
}

class WebSocketHandler : private websocket::SessionEvents,
                         public std::enable_shared_from_this<WebSocketHandler> {
 public:
  ~WebSocketHandler() override;
  WebSocketHandler(const WebSocketHandler&) = delete;
  WebSocketHandler& operator=(const WebSocketHandler&) = delete;

  // ---- Overridable ------------------------------------------------------
  // The socket is open: messages may be written.
  virtual void open() {}
  // A whole message: UTF-8 text, or binary. Valid during the call only.
  virtual void on_message(std::string_view message, bool binary) = 0;
  // A pong came (an answer to ping()).
  virtual void on_pong(std::string_view /*data*/) {}
  // Once, when the socket is gone: close_code()/close_reason() say why.
  virtual void on_close() {}
  // Whether a browser from `origin` may connect (called only when the
  // request has an Origin). Default: websocket.allowed_origins (SPEC §2).
  virtual bool check_origin(std::string_view origin);
  // Picks one of the subprotocols the client offers (its order), or none.
  virtual std::optional<std::string> select_subprotocol(
      std::span<const std::string_view> /*offered*/) {
    return std::nullopt;
  }

  // ---- Use --------------------------------------------------------------
  // False (and nothing is sent) once the socket is closing or closed.
  bool write_message(std::string_view message, bool binary = false);
  // The same encoded frame to many sockets: encode once, send to each
  // (uncompressed, so every socket can share it).
  static websocket::SharedFrame prepare_message(std::string_view message,
                                                bool binary = false);
  bool write_prepared(const websocket::SharedFrame& frame);
  bool ping(std::string_view data = {});
  // Starts the close handshake; on_close() follows.
  void close(std::uint16_t code = 1000, std::string_view reason = {});

  bool is_open() const;
  // Bytes written but not yet taken by the client.
  std::size_t queued_bytes() const;
  // After the close: the peer's code (1005 if its close had none), or ours,
  // or 1006 if the connection just ended.
  std::optional<std::uint16_t> close_code() const { return close_code_; }
  const std::string& close_reason() const { return close_reason_; }
  const std::string& selected_subprotocol() const { return subprotocol_; }

  // The handshake request, until open() returns; throws std::logic_error
  // after (see the top of this file).
  const HttpRequest& request() const;
  // A `{name}` route parameter; same lifetime as request().
  std::string_view path_arg(std::string_view name) const;
  // The worker's pub/sub (pubsub.hpp), as RequestHandler::pubsub().
  PubSub& pubsub() const;
  Application& application() const { return *application_; }
  boost::asio::any_io_executor executor() const;
  // Runs `task` on the worker's loop (e.g. an on_message that co_awaits a
  // publish or a timer). The handler lives until it ends; when the socket
  // closes it is cancelled (its pending co_await throws
  // operation_aborted). An exception from it is logged and closes the
  // socket with 1011.
  void spawn(boost::asio::awaitable<void> task);

 protected:
  WebSocketHandler() = default;

 private:
  friend struct detail::HandlerAccess;
  friend class WebSocketUpgrade;

  void session_open() override;
  void session_message(std::string_view data, bool binary) override;
  void session_pong(std::string_view payload) override;
  void session_closed(websocket::CloseCode code,
                      std::string_view reason) override;

  websocket::Session* session_ = nullptr;  // null before open, after close
  RequestHandler* upgrade_ = nullptr;      // during the handshake only
  Application* application_ = nullptr;
  PubSub* pubsub_ = nullptr;
  boost::asio::io_context* loop_ = nullptr;
  std::optional<std::uint16_t> close_code_;
  std::string close_reason_;
  std::string subprotocol_;
  // One per spawned task still running; none (and no vector) before the
  // first spawn(), so an idle socket pays 8 bytes for the feature.
  std::unique_ptr<
      std::vector<std::unique_ptr<boost::asio::cancellation_signal>>>
      tasks_;
};

// The short-lived RequestHandler a WebSocket route makes for each request:
// it runs the handshake, then hands the socket to a fresh WebSocketHandler
// and ends. handler<H>() builds it for any H derived from WebSocketHandler.
class WebSocketUpgrade final : public RequestHandler {
 public:
  using Create = std::function<std::shared_ptr<WebSocketHandler>()>;
  explicit WebSocketUpgrade(Create create) : create_(std::move(create)) {}
  void get() override;

 private:
  bool handshake_allowed(WebSocketHandler& socket);
  std::string response_head(std::string_view accept,
                            std::string_view extensions,
                            std::string_view subprotocol);

  Create create_;
};

}  // namespace gale
