#include "server/web/websocket_handler.hpp"

#include <ctime>
#include <exception>
#include <stdexcept>
#include <utility>
#include <vector>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/system/system_error.hpp>

#include "server/core/log.hpp"
#include "server/http/date_cache.hpp"
#include "server/websocket/handshake.hpp"
#include "server/websocket/permessage_deflate.hpp"
#include "server/websocket/session.hpp"
#include "server/websocket/sessions.hpp"

namespace gale {

namespace {

std::optional<std::string_view> field(const HttpRequest& r,
                                      std::string_view name) {
  if (!r.headers().contains(name)) return std::nullopt;
  return r.header(name);
}

// A handler's exception must not unwind into the socket's loop: it is
// logged, and the socket closed with 1011 (as Tornado does).
template <class F>
void guarded(WebSocketHandler& h, const char* what, F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    log::error("WebSocket ", what, " threw: ", e.what());
    h.close(1011, "internal error");
  }
}

}  // namespace

// ---- the handshake (WebSocketUpgrade) -----------------------------------

// Answers a failed check itself and returns false, or returns true.
bool WebSocketUpgrade::handshake_allowed(WebSocketHandler& socket) {
  const HttpRequest& r = request();
  websocket::HandshakeRequest h{field(r, "Upgrade"),
                                field(r, "Connection"),
                                field(r, "Sec-WebSocket-Key"),
                                field(r, "Sec-WebSocket-Version"),
                                field(r, "Origin"),
                                r.host()};
  static const std::vector<std::string> any_origin{"*"};  // checked below
  websocket::HandshakeError error = websocket::check_handshake(h, any_origin);
  if (error == websocket::HandshakeError::none && h.origin &&
      !socket.check_origin(*h.origin))
    error = websocket::HandshakeError::origin_not_allowed;
  if (error == websocket::HandshakeError::none) return true;
  log::info("WebSocket handshake refused (", websocket::describe(error), ")");
  set_status(websocket::status_for(error));
  if (error == websocket::HandshakeError::unsupported_version)
    set_header("Sec-WebSocket-Version", "13");
  set_header("Content-Type", "text/plain; charset=utf-8");
  finish(std::string(websocket::describe(error)) + "\n");
  return false;
}

std::string WebSocketUpgrade::response_head(std::string_view accept,
                                            std::string_view extensions,
                                            std::string_view subprotocol) {
  char date[32];
  format_http_date(std::time(nullptr), date);
  std::string head =
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
      "Connection: Upgrade\r\nSec-WebSocket-Accept: ";
  head.append(accept);
  if (!subprotocol.empty())
    head.append("\r\nSec-WebSocket-Protocol: ").append(subprotocol);
  if (!extensions.empty())
    head.append("\r\nSec-WebSocket-Extensions: ").append(extensions);
  head.append("\r\nServer: gale\r\nDate: ").append(date).append("\r\n\r\n");
  return head;
}

void WebSocketUpgrade::get() {
  websocket::Sessions* sessions = detail::HandlerAccess::websockets(*this);
  if (!sessions) throw HttpError(503, "no WebSocket support in this server");
  std::shared_ptr<WebSocketHandler> socket = create_();
  socket->upgrade_ = this;
  socket->application_ = &application();
  socket->pubsub_ = detail::HandlerAccess::pubsub(*this);
  socket->loop_ = &sessions->loop();
  if (!handshake_allowed(*socket)) return;
  const HttpRequest& r = request();
  if (auto offered = field(r, "Sec-WebSocket-Protocol")) {
    const auto names = websocket::parse_subprotocols(*offered);
    if (!names.empty()) {
      if (auto chosen = socket->select_subprotocol(names))
        socket->subprotocol_ = *chosen;
    }
  }
  std::optional<websocket::DeflateAgreement> deflate;
  if (auto offers = field(r, "Sec-WebSocket-Extensions");
      offers && sessions->options().compression)
    deflate = websocket::negotiate_deflate(*offers);
  const std::string head = response_head(
      websocket::accept_key(*field(r, "Sec-WebSocket-Key")),
      deflate ? deflate->response : std::string_view{}, socket->subprotocol_);
  ResponseChannel* channel = detail::HandlerAccess::channel(*this);
  auto detached = channel ? channel->detach_socket() : std::nullopt;
  if (!detached) throw HttpError(503, "cannot switch protocols here");
  detail::HandlerAccess::detached(*this);
  // The session owns the socket's handler (as its events) until on_close().
  std::shared_ptr<websocket::SessionEvents> events(
      socket, static_cast<websocket::SessionEvents*>(socket.get()));
  std::shared_ptr<websocket::Session> session =
      sessions->open(detached->fd, std::move(events));
  socket->session_ = session.get();
  if (deflate) session->enable_deflate(*deflate);
  session->start(head, detached->leftover);  // open() runs in here
  socket->upgrade_ = nullptr;  // the request goes with this handler
}

// ---- WebSocketHandler -----------------------------------------------------

WebSocketHandler::~WebSocketHandler() = default;

bool WebSocketHandler::check_origin(std::string_view origin) {
  websocket::Sessions* sessions =
      upgrade_ ? detail::HandlerAccess::websockets(*upgrade_) : nullptr;
  if (!sessions) return false;
  return websocket::origin_allowed(origin, request().host(),
                                   sessions->options().allowed_origins);
}

const HttpRequest& WebSocketHandler::request() const {
  if (!upgrade_)
    throw std::logic_error(
        "WebSocketHandler::request() is readable only until open() returns; "
        "copy what you need in open()");
  return upgrade_->request();
}

std::string_view WebSocketHandler::path_arg(std::string_view name) const {
  if (!upgrade_) (void)request();  // throws the same explanation
  return upgrade_->path_arg(name);
}

PubSub& WebSocketHandler::pubsub() const {
  if (!pubsub_) throw std::runtime_error("this server has no pub/sub");
  return *pubsub_;
}

boost::asio::any_io_executor WebSocketHandler::executor() const {
  return loop_->get_executor();
}

void WebSocketHandler::session_open() {
  guarded(*this, "open()", [this] { open(); });
}

void WebSocketHandler::session_message(std::string_view data, bool binary) {
  guarded(*this, "on_message()", [&] { on_message(data, binary); });
}

void WebSocketHandler::session_pong(std::string_view payload) {
  guarded(*this, "on_pong()", [&] { on_pong(payload); });
}

void WebSocketHandler::spawn(boost::asio::awaitable<void> task) {
  if (!tasks_) tasks_ = std::make_unique<decltype(tasks_)::element_type>();
  tasks_->push_back(std::make_unique<boost::asio::cancellation_signal>());
  boost::asio::cancellation_signal* signal = tasks_->back().get();
  if (!session_) signal->emit(boost::asio::cancellation_type::terminal);
  auto done = [self = shared_from_this(), signal](std::exception_ptr error) {
    if (error) {
      try {
        std::rethrow_exception(error);
      } catch (const boost::system::system_error& e) {
        if (e.code() != boost::asio::error::operation_aborted)
          log::error("WebSocket task failed: ", e.what());
      } catch (const std::exception& e) {
        log::error("WebSocket task threw: ", e.what());
        self->close(1011, "internal error");
      }
    }
    // Dropped from a later turn: the slot may be in use until this returns.
    boost::asio::post(*self->loop_, [self, signal] {
      auto& all = *self->tasks_;
      std::erase_if(all, [signal](const auto& s) { return s.get() == signal; });
    });
  };
  boost::asio::co_spawn(
      executor(), std::move(task),
      boost::asio::bind_cancellation_slot(signal->slot(), std::move(done)));
}

void WebSocketHandler::session_closed(websocket::CloseCode code,
                                      std::string_view reason) {
  session_ = nullptr;
  if (tasks_) {
    for (auto& signal : *tasks_)
      signal->emit(boost::asio::cancellation_type::terminal);
  }
  close_code_ = websocket::to_int(code);
  close_reason_.assign(reason);
  try {
    on_close();
  } catch (const std::exception& e) {
    log::error("WebSocket on_close() threw: ", e.what());
  }
}

bool WebSocketHandler::write_message(std::string_view message, bool binary) {
  return session_ && session_->send(message, binary);
}

websocket::SharedFrame WebSocketHandler::prepare_message(
    std::string_view message, bool binary) {
  return websocket::encode_shared(message, binary);
}

bool WebSocketHandler::write_prepared(const websocket::SharedFrame& frame) {
  return session_ && session_->send_shared(frame);
}

bool WebSocketHandler::ping(std::string_view data) {
  return session_ && session_->ping(data);
}

void WebSocketHandler::close(std::uint16_t code, std::string_view reason) {
  if (!session_) return;
  if (!websocket::is_valid_on_wire(code)) code = 1000;
  session_->close(websocket::CloseCode{code}, reason);
}

bool WebSocketHandler::is_open() const {
  return session_ && session_->is_open();
}

std::size_t WebSocketHandler::queued_bytes() const {
  return session_ ? session_->queued_bytes() : 0;
}

}  // namespace gale
