// The session's loop, reading and closing; see session.hpp (writing is in
// session_write.cpp).
#include "server/websocket/session.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cerrno>

#include <boost/asio/post.hpp>

#include "server/core/worker_state.hpp"
#include "server/websocket/frame_writer.hpp"
#include "server/websocket/sessions.hpp"
#include "server/websocket/utf8_validator.hpp"

namespace gale::websocket {

namespace {

// Bytes one readable event may take from a socket before the others get
// their turn: a flooding client cannot starve the worker.
constexpr std::size_t kReadBudget = 256 * 1024;
bool would_block(int err) {
  return err == EAGAIN || err == EWOULDBLOCK;
}

}  // namespace

Session::Session(Sessions& sessions, int fd,
                 std::shared_ptr<SessionEvents> events)
    : sessions_(sessions),
      socket_(sessions.loop().get_executor()),
      events_(std::move(events)) {
  boost::system::error_code ec;
  socket_.assign(boost::asio::ip::tcp::v6(), fd, ec);  // family unused here
  if (ec) ::close(fd);
  socket_.non_blocking(true, ec);
  // Small frames go out at once: Nagle would hold a second quick message
  // (an echo behind a pong) for the peer's delayed ACK, ~40 ms.
  socket_.set_option(boost::asio::ip::tcp::no_delay(true), ec);
  ++this_worker().connections;
}

Session::~Session() = default;

void Session::enable_deflate(const DeflateAgreement& agreement) {
  deflate_ = true;
  client_resets_ = agreement.client_no_context_takeover;
  window_bits_ = agreement.server_max_window_bits;
}

void Session::start(std::string_view response_head, std::string_view leftover) {
  auto self = shared_from_this();
  last_heard_ = Clock::now();
  write_now(response_head, {});
  if (state_ == State::closed) return;  // the client left already
  // Armed before open(), so a close() there replaces it with its own wait.
  wait_for(Wait::quiet, last_heard_);
  events_->session_open();
  if (state_ == State::closed) return;
  if (!leftover.empty()) {
    parser_ = sessions_.acquire_parser(deflate_);
    feed(leftover.data(), leftover.size());
    if (state_ == State::closed) return;
    release_parser();
  }
  arm_read();
}

// ---- reading ----------------------------------------------------------------

void Session::arm_read() {
  if (read_armed_ || state_ == State::closed || peer_closed_) return;
  read_armed_ = true;
  socket_.async_wait(
      Socket::wait_read,
      [self = shared_from_this()](const boost::system::error_code& ec) {
        self->read_armed_ = false;
        self->on_readable(ec);
      });
}

void Session::on_readable(const boost::system::error_code& ec) {
  if (state_ == State::closed) return;
  if (ec) return finish(CloseCode::abnormal, {});
  read_available();
  if (state_ != State::closed) arm_read();
}

void Session::read_available() {
  const std::span<char> buffer = sessions_.read_buffer();
  std::size_t taken = 0;
  while (taken < kReadBudget && state_ != State::closed && !peer_closed_) {
    ssize_t n;
    do {
      n = ::recv(socket_.native_handle(), buffer.data(), buffer.size(), 0);
    } while (n < 0 && errno == EINTR);
    if (n < 0 && would_block(errno)) break;
    if (n <= 0) {  // EOF or reset
      return finish(failed_ ? close_code_ : CloseCode::abnormal,
                    failed_ ? std::string_view(close_reason_) : "");
    }
    taken += static_cast<std::size_t>(n);
    last_heard_ = Clock::now();
    if (failed_) continue;  // lingering after a protocol error: discard
    if (!parser_) parser_ = sessions_.acquire_parser(deflate_);
    feed(buffer.data(), static_cast<std::size_t>(n));
    if (static_cast<std::size_t>(n) < buffer.size()) break;  // drained
  }
  release_parser();
}

void Session::feed(const char* data, std::size_t size) {
  while (state_ != State::closed) {
    FrameParser::Step step = parser_->feed(data, size);
    data += step.consumed;
    size -= step.consumed;
    switch (step.event) {
      case FrameParser::Event::need_more:
        return;
      case FrameParser::Event::message_data:
        // A message in one piece goes to its owner straight from the
        // parser; only one cut across pieces is copied together.
        if (message_.empty() && parser_->message_ends_here() &&
            !parser_->message_compressed()) {
          delivered_ = true;
          deliver(parser_->data());
        } else {
          message_.append(parser_->data());
        }
        break;
      case FrameParser::Event::message_complete:
        if (parser_->message_compressed())
          deliver_compressed();
        else if (!delivered_)
          deliver(message_);
        delivered_ = false;
        message_.clear();
        break;
      case FrameParser::Event::control:
        on_control();
        break;
      case FrameParser::Event::error:
        return fail(parser_->error());
    }
  }
}

void Session::deliver(std::string_view data) {
  if (state_ != State::open) return;  // closing: messages are dropped
  events_->session_message(data, parser_->message_opcode() == Opcode::binary);
}

// RFC 7692 §7.2.2: the message is inflated whole, bounded by
// max_message_bytes as it grows, and a text one validated only then (the
// parser saw compressed bytes).
void Session::deliver_compressed() {
  MessageInflater* inflater = inflater_.get();
  if (client_resets_) {
    inflater = &sessions_.shared_inflater();
  } else if (!inflater) {
    inflater_ = std::make_unique<MessageInflater>();
    inflater = inflater_.get();
  }
  std::string& out = sessions_.inflated_;
  const auto result =
      inflater->inflate(message_, sessions_.options().max_message_bytes, out);
  if (client_resets_) inflater->reset();
  if (result == MessageInflater::Result::too_big)
    return fail(CloseCode::message_too_big, "message too big");
  if (result == MessageInflater::Result::corrupt)
    return fail(CloseCode::invalid_payload, "bad deflate data");
  if (parser_->message_opcode() == Opcode::text &&
      !Utf8Validator::is_valid(out))
    return fail(CloseCode::invalid_payload, "text is not UTF-8");
  deliver(out);
}

void Session::on_control() {
  const std::string_view payload = parser_->control_payload();
  switch (parser_->control_opcode()) {
    case Opcode::ping:
      if (!close_sent_) send_frame(Opcode::pong, payload);
      break;
    case Opcode::pong:
      if (wait_ == Wait::pong) wait_for(Wait::quiet, Clock::now());
      if (state_ == State::open) events_->session_pong(payload);
      break;
    case Opcode::close:
      // The peer's code is what the owner hears; it is echoed (§5.5.1)
      // and the server ends TCP once the echo is out (§7.1.1).
      close_code_ = parser_->close_code();
      close_reason_.assign(parser_->close_reason());
      if (!close_sent_) {
        const CloseCode echo = close_code_;
        send_close(echo, {});
      }
      peer_closed_ = true;
      if (queue_.empty() && state_ != State::closed)
        finish(close_code_, close_reason_);
      break;
    default:
      break;
  }
}

// A frame broke a rule: close with its code at once (§7.1.7) and parse
// nothing more. Closing the socket with unread input would send a reset
// that can destroy the close frame in flight, so the session stops
// writing and discards input until the peer closes or close_timeout ends.
void Session::fail(FrameError error) {
  fail(close_code_for(error), describe(error));
}

void Session::fail(CloseCode code, std::string_view reason) {
  failed_ = true;
  close_code_ = code;
  close_reason_.assign(reason);
  if (!close_sent_) send_close(close_code_, close_reason_);
  if (state_ != State::closed && queue_.empty()) shutdown_write();
}

void Session::shutdown_write() {
  boost::system::error_code ec;
  socket_.shutdown(Socket::shutdown_send, ec);
}

void Session::release_parser() {
  if (failed_) parser_.reset();
  if (!parser_ || !parser_->at_rest() || !message_.empty()) return;
  parser_.reset();
  if (message_.capacity() > 0) std::string().swap(message_);
}

// ---- closing and deadlines --------------------------------------------------

void Session::close(CloseCode code, std::string_view reason) {
  if (state_ != State::open) return;
  close_code_ = code;
  close_reason_.assign(reason);
  send_close(code, reason);
}

void Session::abort() {
  finish(CloseCode::abnormal, {});
}

void Session::wait_for(Wait kind, Clock::time_point now) {
  wait_ = kind;
  timeout_hook.unlink();
  if (kind == Wait::none) return;
  if (kind == Wait::quiet &&
      sessions_.options().ping_interval == Clock::duration::zero())
    return;
  const Sessions::Kind list = kind == Wait::quiet  ? Sessions::kQuiet
                              : kind == Wait::pong ? Sessions::kPong
                                                   : Sessions::kClosing;
  sessions_.timeouts(list).arm(*this, now);
}

// Deadlines are checked lazily: a socket heard from since the wait began
// is re-armed from when it was last heard, not pinged.
void Session::on_timeout(Clock::time_point now) {
  auto self = shared_from_this();
  switch (wait_) {
    case Wait::quiet: {
      const Clock::time_point due =
          last_heard_ + sessions_.options().ping_interval;
      if (due > now) {
        sessions_.timeouts(Sessions::kQuiet).arm_at(*this, due);
        return;
      }
      wait_for(Wait::pong, now);
      send_frame(Opcode::ping, {});
      return;
    }
    case Wait::pong:
      if (now - last_heard_ < sessions_.options().ping_timeout)
        return wait_for(Wait::quiet, last_heard_);
      return finish(CloseCode::abnormal, "ping timeout");
    case Wait::closing:
      return finish(close_code_, close_reason_);
    case Wait::none:
      timeout_hook.unlink();
      return;
  }
}

// The one way to the closed state: the socket is closed, the owner hears
// once, and the worker is told.
void Session::finish(CloseCode code, std::string_view reason) {
  if (state_ == State::closed) return;
  auto self = shared_from_this();
  state_ = State::closed;
  wait_ = Wait::none;
  boost::system::error_code ec;
  socket_.close(ec);  // cancels the pending waits
  queue_.clear();
  parser_.reset();
  std::string().swap(message_);
  --this_worker().connections;
  auto events = std::move(events_);
  const std::string why(reason);
  sessions_.closed(*this);
  if (events) events->session_closed(code, why);
}

}  // namespace gale::websocket
