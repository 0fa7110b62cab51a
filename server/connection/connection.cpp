// A Connection's own loop (see connection.hpp): run(), its waits for the
// socket, reads, gathered writes and sendfile, and its deadlines. Requests
// and responses are in connection_request.cpp, bodies in
// connection_body.cpp.
#include "server/connection/connection.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/sendfile.h>
#include <sys/socket.h>

#include <boost/asio/post.hpp>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>

#include "server/core/format.hpp"
#include "server/core/log.hpp"
#include "server/core/worker_state.hpp"
#include "server/http/status.hpp"

namespace gale {
namespace {

using namespace std::string_view_literals;

constexpr std::size_t kMinReadSpace = 2048;
// Unparsed input a connection may hold (pipelined requests waiting behind a
// slow handler); past it the connection stops reading.
constexpr std::size_t kMaxInputBuffer = 64 * 1024;
// Responses queued before pipelined parsing pauses to write them.
constexpr std::uint64_t kMaxQueuedOutput = 256 * 1024;
// Bytes written in one turn before yielding to the other connections.
constexpr std::uint64_t kWriteSlice = 1 << 20;
constexpr std::size_t kSendfileChunk = 1 << 20;  // one call per kWriteSlice

}  // namespace

Connection::Connection(ConnectionManager& ctx, Socket socket,
                       const boost::asio::ip::tcp::endpoint& peer)
    : manager_(ctx), socket_(std::move(socket)), peer_(peer) {}

Connection::~Connection() = default;

void Connection::start(bool adopted) {
  boost::system::error_code ec;
  socket_.non_blocking(true, ec);
  if (adopted) set_no_delay();
  WorkerState& w = this_worker();
  ++w.connections;
  ++w.connections_total;
  manager_.connections.push_back(*this);
  idle_since_ = Clock::now();
  // A new connection's first request is timed from accept (as nginx);
  // an adopted one is between requests.
  set_timeout(adopted ? TimeoutKind::idle : TimeoutKind::header);
  if (adopted) requests_ = 1;
  // A client's first request has usually arrived by the time it is
  // accepted: reading it at once (warm) spares the epoll_ctl that arming
  // an async_wait costs, and a wait for the next readiness. Within the
  // same budget as between requests, so a flood of silent connections
  // still waits holding nothing.
  if (!adopted && manager_.buffer_pool.in_use() < kWarmBufferBudget)
    acquire_buffers();
  arm_read();
}

// ---- the connection's loop ----------------------------------------------

void Connection::run() {
  if (in_run_) return;  // the outer run() will see the new state
  in_run_ = true;
  auto self = shared_from_this();
  bool waiting_to_write = false;
  for (;;) {
    if (state_ == State::reading || streaming_) process_input();
    if (state_ == State::closed) break;
    if (buffers_ && !buffers_->out.empty() && !write_out()) {
      waiting_to_write = true;
      break;
    }
    // Output held back pipelined requests; it is written now.
    if (state_ == State::reading && buffers_ && !buffers_->in.empty() &&
        !body_waiting_)
      continue;
    break;
  }
  if (!waiting_to_write) {
    switch (state_) {
      case State::reading:
        if (body_waiting_) {
          clear_timeout();  // the wait is ours, not the client's
          break;
        }
        if (this_worker().drain == DrainState::handing_over && idle()) {
          hand_over();
          break;
        }
        if (buffers_ && idle() &&
            manager_.buffer_pool.in_use() > kWarmBufferBudget) {
          buffers_.reset();  // over budget: wait for the next request cold
          parser_needs_reset_ = false;
        }
        settle_timeout();
        if (can_read_warm())
          arm_read_later();
        else
          arm_read();
        break;
      case State::handling:
        if (streaming_) {  // the handler takes the body as it comes
          settle_timeout();
          arm_read();
          break;
        }
        // Watch the socket so a client that leaves cancels its request;
        // unless the buffer is full of pipelined requests already.
        clear_timeout();
        if (buffers_->in.reserve(kMinReadSpace, kMaxInputBuffer)) arm_read();
        break;
      case State::finishing:
        finish_close();
        break;
      case State::lingering:
        if (buffers_) buffers_->in.consume(buffers_->in.size());
        arm_read();
        break;
      case State::closed:
        break;
    }
  }
  in_run_ = false;
}

// Runs the loop later, from the event loop: used when a handler finishes or
// flushes from its own callback, outside run().
void Connection::schedule() {
  if (in_run_ || run_posted_ || state_ == State::closed) return;
  run_posted_ = true;
  boost::asio::post(socket_.get_executor(), [self = shared_from_this()] {
    self->run_posted_ = false;
    if (self->state_ != State::closed) self->run();
  });
}

// Two ways to wait for a request. A connection holding its read buffer
// between requests (warm) reads straight into it: after a short read Asio
// arms this without a system call, where async_wait costs an epoll_ctl per
// request. Otherwise it waits for readability holding nothing, which is
// what lets thousands of idle connections cost almost no memory.
void Connection::arm_read() {
  if (read_wait_ != ReadWait::none || state_ == State::closed) return;
  read_wait_ = can_read_warm() ? ReadWait::warm : ReadWait::readable;
  if (read_wait_ == ReadWait::warm) {
    // Nothing touches buffers_->in until this completes: the connection is
    // between requests with nothing buffered either way.
    InputBuffer& in = buffers_->in;
    socket_.async_read_some(
        boost::asio::buffer(in.write_ptr(), in.write_space()),
        [self = shared_from_this()](const boost::system::error_code& ec,
                                    std::size_t n) { self->on_read(ec, n); });
    return;
  }
  socket_.async_wait(
      Socket::wait_read,
      [self = shared_from_this()](const boost::system::error_code& ec) {
        self->on_readable(ec);
      });
}

void Connection::arm_write() {
  if (write_armed_ || state_ == State::closed) return;
  write_armed_ = true;
  set_timeout(TimeoutKind::write);
  socket_.async_wait(
      Socket::wait_write,
      [self = shared_from_this()](const boost::system::error_code& ec) {
        self->write_armed_ = false;
        if (self->state_ == State::closed) return;
        if (ec) return self->close();
        self->run();
      });
}

// The warm read tries a recv() at once when armed; right after a response
// the client has rarely answered yet, so that recv() mostly fails. Armed
// once the loop has run the other ready handlers, it mostly finds the next
// request waiting, and no epoll_wait is needed for it.
void Connection::arm_read_later() {
  if (arm_posted_ || read_wait_ != ReadWait::none) return;
  arm_posted_ = true;
  boost::asio::post(socket_.get_executor(), [self = shared_from_this()] {
    self->arm_posted_ = false;
    if (self->state_ == State::reading) self->arm_read();
  });
}

bool Connection::can_read_warm() const {
  return state_ == State::reading && buffers_ && buffers_->in.empty() &&
         buffers_->out.empty() && buffers_->in.write_space() >= kMinReadSpace;
}

void Connection::on_read(const boost::system::error_code& ec, std::size_t n) {
  bool cooling = read_wait_ == ReadWait::cooling;
  read_wait_ = ReadWait::none;
  if (state_ == State::closed) return;
  if (ec == boost::asio::error::operation_aborted) {
    // Cancelled by hand_over() (it comes first: a hand-over must not be
    // lost to a cool-down that re-arms the read) or by the warm timeout.
    if (this_worker().drain == DrainState::handing_over && idle()) {
      return hand_over();
    }
    if (cooling) return cool_down();
  }
  // Otherwise data won the race against a cancellation.
  if (ec) return close();  // EOF or reset
  buffers_->in.commit(n);
  run();
}

// A warm connection quiet for kWarmTime gives its buffer back and waits for
// the rest of its idle time holding nothing.
void Connection::cool_down() {
  if (!idle() || !buffers_) return arm_read();
  buffers_.reset();
  parser_needs_reset_ = false;
  Clock::duration idle_time = manager_.timeout(TimeoutKind::idle).duration();
  timeout_kind_ = TimeoutKind::idle;
  manager_.timeout(TimeoutKind::idle).arm_at(*this, idle_since_ + idle_time);
  arm_read();
}

void Connection::on_readable(const boost::system::error_code& ec) {
  read_wait_ = ReadWait::none;
  if (state_ == State::closed) return;
  if (ec) return close();
  if (!buffers_) acquire_buffers();
  if (!read_available()) return;
  run();
}

// One read of what the socket has. False when the peer has gone (the
// connection is then closed).
bool Connection::read_available() {
  InputBuffer& in = buffers_->in;
  if (!in.reserve(kMinReadSpace, kMaxInputBuffer)) return true;
  boost::system::error_code ec;
  std::size_t n = socket_.read_some(
      boost::asio::buffer(in.write_ptr(), in.write_space()), ec);
  if (ec == boost::asio::error::would_block ||
      ec == boost::asio::error::try_again)
    return true;
  if (ec) {
    close();  // EOF or reset: a waiting handler hears of it in close()
    return false;
  }
  in.commit(n);
  return true;
}

// Parses and dispatches buffered requests until input runs out (true) or
// the state changes or output must be written first (false).
bool Connection::process_input() {
  ConnectionBuffers& buffers = *buffers_;
  while ((state_ == State::reading || streaming_) && !body_waiting_) {
    if (buffers.out.size() >= kMaxQueuedOutput) return false;
    std::string_view data = buffers.in.unparsed();
    if (data.empty()) return true;
    if (parser_needs_reset_) {
      buffers.parser.reset();
      buffers.body_reservation.release();
      parser_needs_reset_ = false;
    }
    RequestParser::Step step = buffers.parser.feed(data.data(), data.size());
    buffers.in.consume(step.consumed);
    // A body spooled to its file holds no more memory.
    if (buffers.body_reservation.held() && buffers.parser.body().in_file())
      buffers.body_reservation.release();
    if (streaming_ && !buffers.parser.body().empty()) deliver_body_chunk();
    switch (step.event) {
      case RequestParser::Event::need_more:
        break;
      case RequestParser::Event::head_complete:
        if (!on_head_complete()) return false;
        break;
      case RequestParser::Event::message_complete:
        dispatch();
        break;
      case RequestParser::Event::error:
        reject(buffers.parser.error());
        return false;
    }
  }
  return false;
}

// Writes queued output until done (true) or the socket is full, the turn
// is over, or the connection failed (false).
bool Connection::write_out() {
  OutputQueue& out = buffers_->out;
  const int fd = socket_.native_handle();
  std::uint64_t sent = 0;
  while (!out.empty()) {
    if (sent >= kWriteSlice) {
      // A long body must not starve the worker's other connections.
      run_posted_ = false;
      boost::asio::post(socket_.get_executor(), [self = shared_from_this()] {
        if (self->state_ != State::closed) self->run();
      });
      return false;
    }
    ssize_t n;
    if (out.front_is_file()) {
      set_no_delay();
      OutputQueue::FileRange f = out.front_file();
      off_t offset = static_cast<off_t>(f.offset);
      n = ::sendfile(fd, f.fd, &offset,
                     std::min<std::uint64_t>(f.length, kSendfileChunk));
      if (n == 0) {
        log::warning("file shrank while being sent to ", peer_address(),
                     "; closing the connection");
        close();
        return false;
      }
    } else {
      iovec iov[OutputQueue::kMaxIov];
      int count = out.gather(iov);
      // Nagle can only hold back a write made while earlier bytes are
      // unacknowledged: a connection's first write, one piece, goes out at
      // once without TCP_NODELAY, so a request per connection spares the
      // setsockopt (nginx, too, sets it only when a connection stays open).
      if (wrote_ || count != 1 || out.file_follows()) set_no_delay();
      // MSG_MORE lets the head share a segment with the file that follows.
      int flags = MSG_NOSIGNAL | (out.file_follows() ? MSG_MORE : 0);
      if (count == 1) {
        // The common case, a whole response in one piece: send() spares
        // the kernel importing a msghdr and an iovec.
        n = ::send(fd, iov[0].iov_base, iov[0].iov_len, flags);
      } else {
        msghdr msg{};
        msg.msg_iov = iov;
        msg.msg_iovlen = static_cast<std::size_t>(count);
        n = ::sendmsg(fd, &msg, flags);
      }
    }
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        arm_write();
        return false;
      }
      close();  // EPIPE, ECONNRESET: the client is gone
      return false;
    }
    out.consume(static_cast<std::uint64_t>(n));
    sent += static_cast<std::uint64_t>(n);
    wrote_ = true;
  }
  if (timeout_kind_ == TimeoutKind::write) clear_timeout();
  return true;
}

// ---- deadlines ------------------------------------------------------------

// Chooses the deadline for a connection about to wait for input.
void Connection::settle_timeout() {
  bool between_requests =
      !buffers_ || !buffers_->parser.started() || parser_needs_reset_;
  if (between_requests) {
    // The first request's head is timed from accept, as nginx does.
    TimeoutKind kind = requests_ == 0 ? TimeoutKind::header
                       : buffers_     ? TimeoutKind::warm
                                      : TimeoutKind::idle;
    if (timeout_kind_ != kind) {
      set_timeout(kind);
      idle_since_ = Clock::now();
    }
  } else if (!buffers_->parser.head_done()) {
    if (timeout_kind_ != TimeoutKind::header) set_timeout(TimeoutKind::header);
  } else {
    set_timeout(TimeoutKind::body);  // re-armed after every read
  }
}

void Connection::set_timeout(TimeoutKind kind) {
  timeout_kind_ = kind;
  manager_.timeout(kind).arm(*this, Clock::now());
}

void Connection::clear_timeout() {
  timeout_hook.unlink();
  timeout_kind_ = TimeoutKind::none;
}

void Connection::on_timeout() {
  auto self = shared_from_this();
  TimeoutKind kind = timeout_kind_;
  clear_timeout();
  if (kind == TimeoutKind::warm) {
    Clock::duration idle_time = manager_.timeout(TimeoutKind::idle).duration();
    if (Clock::now() - idle_since_ >= idle_time) return close();
    if (warm_read_armed()) {
      read_wait_ = ReadWait::cooling;
      boost::system::error_code ec;
      socket_.cancel(ec);  // on_read() then cools down
      return;
    }
    return cool_down();
  }
  bool mid_request = state_ == State::reading && buffers_ &&
                     buffers_->parser.started() && !parser_needs_reset_;
  if ((kind == TimeoutKind::header || kind == TimeoutKind::body) &&
      mid_request) {
    reply_and_close(408, "request timeout\n");
    linger_ = false;  // the client is slow, not sending more
    run();
    return;
  }
  close();
}

}  // namespace gale
