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
#include "server/web/dispatch.hpp"

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

std::string_view version_string(const RequestHead& h) {
  return h.version_minor == 0 ? "HTTP/1.0" : "HTTP/1.1";
}

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

// ---- requests ---------------------------------------------------------------

bool Connection::on_head_complete() {
  const RequestHead& h = buffers_->parser.head();
  if (h.expect_unsupported) {
    reply_and_close(417, "expectation not supported\n");
    return false;
  }
  // RFC 9112 §3.2: exactly one Host on HTTP/1.1, at most one otherwise.
  int hosts = h.host_fields;
  if (hosts > 1 ||
      (hosts == 0 && h.version_major == 1 && h.version_minor >= 1)) {
    reply_and_close(
        400, hosts ? "more than one Host field\n" : "missing Host field\n");
    return false;
  }
  bool has_body = h.chunked || (h.content_length && *h.content_length > 0);
  if (!has_body) return true;
  // The client waits before sending the body (RFC 9110 §10.1.1): a request
  // no handler will take gets its final status now, and no body is sent.
  if (h.expect_continue && !route_takes_request()) return false;
  return start_body();
}

// For Expect: 100-continue: whether the request has a route whose handler
// takes its method. If not, replies 404 or 405 (closing) and returns false.
// Applications with a default handler decide in the handler instead.
bool Connection::route_takes_request() {
  if (manager_.app.default_handler()) return true;
  const RequestHead& h = buffers_->parser.head();
  PathArgs args;
  const Route* route =
      manager_.app.router().match(split_target(h.target).path, args);
  if (!route) {
    reply_and_close(404, "404 Not Found\n");
    return false;
  }
  const MethodSet& methods = route->factory().methods;
  if (methods.contains(h.method)) return true;
  reply_and_close(405, "405 Method Not Allowed\n",
                  "Allow: " + methods.allow_value());
  return false;
}

// The request is complete: its handler runs.
void Connection::dispatch() {
  if (streaming_) return finish_streaming();
  begin_handling();
  if (!create_handler()) return;
  run_handler(detail::HandlerAccess::execute);
}

void Connection::begin_handling() {
  state_ = State::handling;
  parser_needs_reset_ = true;  // once this request's response is done
  clear_timeout();
  bind_request();
  buffers_->writer.begin(buffers_->parser.head());
}

// Makes and binds the request's handler; false if it could not be made
// (the connection then answers 500 and closes).
bool Connection::create_handler() {
  ConnectionBuffers& buffers = *buffers_;
  RoutedHandler routed;
  try {
    routed = make_handler(manager_.app, buffers.request.path());
  } catch (const std::exception& e) {
    log::error("cannot create the handler for ", buffers.request.method(), " ",
               buffers.request.uri(), ": ", e.what());
    state_ = State::reading;
    reply_and_close(500, "internal server error\n");
    return false;
  }
  handler_ = routed.handler;
  detail::HandlerAccess::bind(
      *handler_, {&manager_.app, &buffers.request, this, &manager_.loop,
                  shared_from_this(), std::move(routed.path_args),
                  routed.methods, manager_.pubsub, manager_.websockets});
  return true;
}

// Runs one step of the handler, watched by the heartbeat's activity slot.
void Connection::run_handler(void (*step)(RequestHandler&)) {
  auto handler = handler_;  // the step may release it
  ActivitySlot* activity = this_worker().activity;
  const HttpRequest& request = buffers_->request;
  if (activity) activity->begin(request.method(), request.uri());
  step(*handler);
  if (activity) activity->end();
}

void Connection::reject(ParseError error) {
  if (error == ParseError::body_not_stored) {
    // The server's fault, not the client's: say so where operators look.
    const std::string& dir = manager_.limits.body_temp_dir;
    log::error("cannot spool a request body to ",
               dir.empty() ? "the temp directory" : dir, ": ",
               std::strerror(buffers_->parser.body().error_number()));
  } else {
    log::debug("bad request from ", peer_address(), ": ", describe(error));
  }
  std::string body(describe(error));
  body += '\n';
  reply_and_close(status_for(error), body);
}

// One complete response with Connection: close, for errors found before a
// handler runs. Afterwards the connection lingers (as nginx's
// lingering_close) so the client reads the status instead of a reset.
void Connection::reply_and_close(int status, std::string_view body,
                                 std::string_view extra_field) {
  ResponseWriter& writer = buffers_->writer;
  writer.error_response(status, body, manager_.dates.http_date(), extra_field);
  log_access(status, body.size());
  linger_ = true;
  state_ = State::finishing;
}

void Connection::finish_close() {
  bool unread = linger_ || (buffers_ && !buffers_->in.empty());
  if (!unread) return close();
  boost::system::error_code ec;
  socket_.shutdown(Socket::shutdown_send, ec);
  if (ec) return close();
  state_ = State::lingering;
  set_timeout(TimeoutKind::linger);
  if (buffers_) buffers_->in.consume(buffers_->in.size());
  arm_read();
}

void Connection::close() {
  if (state_ == State::closed) return;
  auto self = weak_from_this().lock();  // we may drop the last other owner
  state_ = State::closed;
  clear_timeout();
  registry_hook.unlink();
  body_waiting_ = false;
  streaming_ = false;
  if (buffers_) buffers_->body_reservation.release();
  boost::system::error_code ec;
  socket_.close(ec);  // cancels the pending waits
  --this_worker().connections;
  release_handler(true);
  if (manager_.on_connection_closed) manager_.on_connection_closed();
}

// The one way out of the handler/connection cycle (see handler_).
void Connection::release_handler(bool tell_closed) {
  if (!handler_) return;
  auto h = std::move(handler_);
  if (tell_closed) detail::HandlerAccess::connection_closed(*h);
}

void Connection::drain() {
  if (this_worker().drain == DrainState::handing_over && idle()) hand_over();
}

Clock::duration Connection::idle_for(Clock::time_point now) const {
  return idle() ? now - idle_since_ : Clock::duration::zero();
}

// Gives the socket to the worker (which passes it on through the master)
// and forgets it: nothing was read that the next owner would miss.
void Connection::hand_over() {
  if (warm_read_armed()) {
    // The reactor may already have read the next request into our buffer,
    // its completion still queued: releasing now would lose that request
    // (the client then waits forever). Cancel, and hand over from on_read()
    // only if the read took nothing; if data won, serve it first.
    boost::system::error_code ec;
    socket_.cancel(ec);
    return;
  }
  auto self = weak_from_this().lock();
  int fd = release_socket();
  if (fd < 0) return close();
  buffers_.reset();
  manager_.hand_over(fd);
  if (manager_.on_connection_closed) manager_.on_connection_closed();
}

// The socket leaves this connection open (a hand-over, a protocol
// switch): its descriptor is returned, or -1; the connection is closed
// for the worker without closing the socket.
int Connection::release_socket() {
  boost::system::error_code ec;
  const int fd = socket_.release(ec);  // cancels our pending wait
  if (ec) return -1;
  state_ = State::closed;
  clear_timeout();
  registry_hook.unlink();
  --this_worker().connections;
  return fd;
}

bool Connection::idle() const {
  if (state_ != State::reading) return false;
  if (!buffers_) return true;
  return (!buffers_->parser.started() || parser_needs_reset_) &&
         buffers_->in.empty() && buffers_->out.empty();
}

bool Connection::busy_since(Clock::time_point& since) const {
  if (state_ != State::handling) return false;
  since = buffers_->request.start_time();
  return true;
}

std::string Connection::current_request() const {
  if (state_ != State::handling) return {};
  const RequestHead& h = buffers_->parser.head();
  std::string s(h.method_name);
  s += ' ';
  s += h.target.substr(0, 200);
  return s;
}

// ---- the response (ResponseChannel) -------------------------------------

void Connection::start_response(int status, std::string_view reason,
                                const ResponseHeaders& headers,
                                std::optional<std::uint64_t> content_length) {
  if (state_ != State::handling) return;
  // A response begun before the body has all arrived (a streaming handler
  // that refused it) closes the connection: the rest is not read.
  bool may_keep_alive = !this_worker().draining() && !streaming_ &&
                        requests_ + 1 < manager_.limits.max_keepalive_requests;
  buffers_->writer.start(status, reason, headers, content_length,
                         manager_.dates.http_date(), may_keep_alive);
}

void Connection::send_body(std::string_view data) {
  if (state_ == State::handling) buffers_->writer.body(data);
}

void Connection::send_body(std::string&& data) {
  if (state_ == State::handling) buffers_->writer.body(std::move(data));
}

void Connection::send_file(std::shared_ptr<const FileDescriptor> file,
                           std::uint64_t offset, std::uint64_t length) {
  if (state_ == State::handling)
    buffers_->writer.file(std::move(file), offset, length);
}

void Connection::end_response() {
  if (state_ != State::handling) return;
  ResponseWriter& writer = buffers_->writer;
  writer.end();
  streaming_ = false;  // answered before the body ended: closes after
  log_access(writer.status(), writer.body_bytes());
  // The body is the handler's no more: a spooled one's file closes (unless
  // the response still sends it) and its memory goes back to the budget.
  buffers_->parser.body().clear();
  buffers_->body_reservation.release();
  ++requests_;
  ++this_worker().requests;
  release_handler(false);  // the handler's finish() holds its own reference
  state_ = writer.keep_alive() ? State::reading : State::finishing;
  schedule();
}

void Connection::flush() {
  schedule();
}

// The response cannot be completed. What is queued (the head, flushed body
// chunks) still goes out, then the connection closes without the message's
// end, so the client sees a truncated response rather than none at all.
void Connection::abort() {
  if (state_ != State::handling) return close();
  state_ = State::finishing;
  streaming_ = false;
  release_handler(true);  // its tasks are cancelled, as close() does
  schedule();
}

// A protocol switch: the socket leaves with what the client sent after the
// handshake; this connection is over, though its buffers (the request the
// handler still reads in open()) live until the handler lets it go.
std::optional<ResponseChannel::DetachedSocket> Connection::detach_socket() {
  if (state_ != State::handling || !buffers_ || !buffers_->out.empty() ||
      warm_read_armed())
    return std::nullopt;
  DetachedSocket detached;
  detached.leftover.assign(buffers_->in.unparsed());
  detached.fd = release_socket();
  if (detached.fd < 0) return std::nullopt;
  log_access(101, 0);
  ++requests_;
  ++this_worker().requests;
  handler_.reset();  // quietly: the handler lives on with its socket
  return detached;
}

std::size_t Connection::pending_bytes() const {
  return buffers_ ? static_cast<std::size_t>(buffers_->out.size()) : 0;
}

// ---- bookkeeping
// --------------------------------------------------------------

void Connection::log_access(int status, std::uint64_t body_bytes) {
  if (!manager_.access_log.enabled()) return;
  AccessRecord r;
  std::string formatted;
  r.remote_ip = client_address(formatted);
  r.clf_date = manager_.dates.clf_date();
  r.status = status;
  r.body_bytes = body_bytes;
  if (buffers_->parser.head_done()) {
    const RequestHead& h = buffers_->parser.head();
    r.method = h.method_name;
    r.target = h.target;
    r.version = version_string(h);
    r.referer = h.headers.get("Referer");
    r.user_agent = h.headers.get("User-Agent");
  }
  manager_.access_log.record(r);
}

std::string Connection::peer_address() const {
  return peer_.address().to_string();
}

void Connection::bind_request() {
  ConnectionBuffers& b = *buffers_;
  b.request.bind(&b.parser.head(), &b.parser.body(), &peer_);
  // The one branch proxy.trusted costs when empty (the default).
  if (!manager_.trusted_proxies.empty())
    b.request.apply_proxy_headers(manager_.trusted_proxies);
}

// After dispatch the request has (or will cache) the address. A reply
// before it (404, 405, 413, ...) with the head read still names the client
// a trusted proxy forwarded; with no head, only the peer is known.
std::string_view Connection::client_address(std::string& formatted) {
  if (parser_needs_reset_) return buffers_->request.remote_ip();
  if (!manager_.trusted_proxies.empty() && buffers_->parser.head_done()) {
    bind_request();
    return buffers_->request.remote_ip();
  }
  return formatted = peer_address();
}

void Connection::set_no_delay() {
  if (no_delay_) return;
  no_delay_ = true;
  int one = 1;
  ::setsockopt(socket_.native_handle(), IPPROTO_TCP, TCP_NODELAY, &one,
               sizeof one);
}

void Connection::acquire_buffers() {
  buffers_ = manager_.buffer_pool.acquire();
  buffers_->parser.set_limits(
      {manager_.limits.max_header_bytes, manager_.limits.max_body_bytes});
  buffers_->parser.reset();
  parser_needs_reset_ = false;
}

}  // namespace gale
