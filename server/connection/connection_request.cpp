// The request side of a Connection (see connection.hpp): from a parsed
// head to its handler, the response the handler writes (ResponseChannel),
// closing, handing over, and the access log. The socket's loop, reads,
// writes and deadlines are in connection.cpp; the body in
// connection_body.cpp.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cstring>

#include "server/connection/connection.hpp"
#include "server/core/log.hpp"
#include "server/core/worker_state.hpp"
#include "server/web/dispatch.hpp"

namespace gale {
namespace {

std::string_view version_string(const RequestHead& h) {
  return h.version_minor == 0 ? "HTTP/1.0" : "HTTP/1.1";
}

}  // namespace

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
