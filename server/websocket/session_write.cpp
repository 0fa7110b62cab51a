// The session's writing half: frames to the socket at once when nothing
// is queued, else into the queue and out in gathered sendmsg calls; the
// slow-consumer rule; close frames. See session.hpp.
#include <sys/socket.h>

#include <array>
#include <cerrno>

#include "server/websocket/frame_writer.hpp"
#include "server/websocket/session.hpp"
#include "server/websocket/sessions.hpp"

namespace gale::websocket {

namespace {

// Shorter messages go uncompressed: deflate would only add bytes.
constexpr std::size_t kMinCompressBytes = 64;
// Frames gathered into one sendmsg.
constexpr std::size_t kMaxIov = 64;

// Writes what it can without blocking; -1 with errno on failure.
ssize_t send_gathered(int fd, iovec* iov, std::size_t count) {
  msghdr msg{};
  msg.msg_iov = iov;
  msg.msg_iovlen = count;
  ssize_t n;
  do {
    n = ::sendmsg(fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
  } while (n < 0 && errno == EINTR);
  return n;
}

bool would_block(int err) {
  return err == EAGAIN || err == EWOULDBLOCK;
}

}  // namespace

bool Session::send(std::string_view payload, bool binary) {
  if (state_ != State::open) return false;
  return send_frame(binary ? Opcode::binary : Opcode::text, payload);
}

bool Session::send_shared(const SharedFrame& frame) {
  if (state_ != State::open) return false;
  queue_.push(frame);
  after_queue_grew();
  // Many frames to many sockets at once (a batch from the relay): each
  // socket writes its backlog in one sendmsg, all from one later task.
  if (!flush_posted_ && !write_armed_ && state_ != State::closed) {
    flush_posted_ = true;
    sessions_.flush_later(*this);
  }
  return true;
}

bool Session::ping(std::string_view payload) {
  if (state_ != State::open) return false;
  if (payload.size() > FrameParser::kMaxControlPayload)
    payload = payload.substr(0, FrameParser::kMaxControlPayload);
  return send_frame(Opcode::ping, payload);
}

// Straight to the socket when nothing is queued (no copy); else, or for
// what the socket would not take, into the queue.
bool Session::send_frame(Opcode opcode, std::string_view payload) {
  FrameFlags flags;
  if (deflate_ && !is_control(opcode) && payload.size() >= kMinCompressBytes) {
    std::string& compressed = sessions_.deflated_;
    sessions_.deflater(window_bits_).compress(payload, compressed);
    payload = compressed;
    flags.rsv1 = true;
  }
  std::array<char, kMaxHeaderBytes> head;
  const std::size_t head_size =
      write_header(head, opcode, payload.size(), flags);
  if (busy()) {
    queue_.push_copy({head.data(), head_size}, payload);
    after_queue_grew();
    return true;
  }
  return write_now({head.data(), head_size}, payload);
}

bool Session::write_now(std::string_view head, std::string_view payload) {
  if (state_ == State::closed) return false;
  std::array<iovec, 2> iov{
      {{const_cast<char*>(head.data()), head.size()},
       {const_cast<char*>(payload.data()), payload.size()}}};
  const std::size_t total = head.size() + payload.size();
  ssize_t n = send_gathered(socket_.native_handle(), iov.data(),
                            payload.empty() ? 1 : 2);
  if (n < 0 && !would_block(errno)) {
    finish(CloseCode::abnormal, {});
    return false;
  }
  std::size_t sent = n < 0 ? 0 : static_cast<std::size_t>(n);
  if (sent == total) return true;
  // Queue the rest exactly as it would have gone out.
  if (sent < head.size()) {
    queue_.push_copy(head.substr(sent), payload);
  } else {
    queue_.push_copy({}, payload.substr(sent - head.size()));
  }
  after_queue_grew();
  arm_write();
  return true;
}

void Session::flush_now() {
  flush_posted_ = false;
  flush();
}

void Session::flush() {
  const int fd = socket_.native_handle();
  while (!queue_.empty() && state_ != State::closed) {
    std::array<iovec, kMaxIov> iov;
    const std::size_t count = queue_.gather(iov);
    ssize_t n = send_gathered(fd, iov.data(), count);
    if (n < 0) {
      if (would_block(errno)) return arm_write();
      return finish(CloseCode::abnormal, {});
    }
    queue_.consume(static_cast<std::size_t>(n));
  }
  if (!queue_.empty() || state_ == State::closed) return;
  if (peer_closed_) return finish(close_code_, close_reason_);
  if (failed_) shutdown_write();
}

void Session::arm_write() {
  if (write_armed_ || state_ == State::closed) return;
  write_armed_ = true;
  socket_.async_wait(
      Socket::wait_write,
      [self = shared_from_this()](const boost::system::error_code& ec) {
        self->write_armed_ = false;
        if (self->state_ == State::closed) return;
        if (ec) return self->finish(CloseCode::abnormal, {});
        self->flush();
      });
}

// A client that does not read: past max_queue_bytes its backlog is
// dropped (never half a frame) and it gets close 1008; if it does not
// read that either, close_timeout ends it.
void Session::after_queue_grew() {
  if (state_ != State::open ||
      queue_.bytes() <= sessions_.options().max_queue_bytes)
    return;
  queue_.drop_unstarted();
  close(CloseCode::policy_violation, "send queue full: client too slow");
}

void Session::send_close(CloseCode code, std::string_view reason) {
  close_sent_ = true;
  const std::string payload = close_payload(code, reason);
  std::array<char, kMaxHeaderBytes> head;
  const std::size_t head_size =
      write_header(head, Opcode::close, payload.size());
  if (busy()) {
    queue_.push_copy({head.data(), head_size}, payload);
  } else {
    write_now({head.data(), head_size}, payload);
  }
  if (state_ == State::open) state_ = State::closing;
  if (state_ != State::closed) wait_for(Wait::closing, Clock::now());
}

}  // namespace gale::websocket
