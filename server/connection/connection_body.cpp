// The request body side of a Connection (see connection.hpp): where the
// body goes once its head is in. Into the request's RequestBody (spooled
// to a file past limits.body_buffer_bytes) within the worker's body memory
// budget, waiting for it if need be; or, for a handler that streams its
// body, to that handler piece by piece as it arrives.
#include <algorithm>

#include "server/connection/connection.hpp"
#include "server/web/dispatch.hpp"

namespace gale {

// The head of a request with a body has been read. False if the body must
// not be read now (waiting for memory, or answered and closing).
bool Connection::start_body() {
  const RequestHead& h = buffers_->parser.head();
  RequestBody& body = buffers_->parser.body();
  if (streams_request_body(manager_.app, split_target(h.target).path)) {
    body.set_spooling(RequestBody::kNoLimit, nullptr);  // handed on, not kept
    return start_streaming() && continue_body();
  }
  body.set_spooling(manager_.limits.body_buffer_bytes,
                    &manager_.limits.body_temp_dir);
  return reserve_body_memory() && continue_body();
}

// "100 Continue" for a client that waits for it before sending the body.
bool Connection::continue_body() {
  if (buffers_->parser.head().expect_continue)
    buffers_->writer.continue_response();
  return true;
}

// Takes the body's share of the worker's body memory, or queues the
// connection until there is enough (false: it waits, unread).
bool Connection::reserve_body_memory() {
  if (hold_body_share()) return true;
  body_waiting_ = true;
  // The queue holds the connection: no wait of its own is pending now.
  manager_.body_memory.wait(
      [self = shared_from_this()] { return self->resume_body(); });
  return false;
}

bool Connection::hold_body_share() {
  const RequestHead& h = buffers_->parser.head();
  const std::uint64_t limit = manager_.limits.body_buffer_bytes;
  const std::uint64_t share =
      std::min(h.chunked ? limit : h.content_length.value_or(0), limit);
  if (share == 0) return true;
  if (!manager_.body_memory.try_reserve(share)) return false;
  buffers_->body_reservation.hold(manager_.body_memory, share);
  // Room for what will stay in memory, once it is granted; never more than
  // the in-memory share, whatever length a client declares.
  if (!h.chunked) buffers_->parser.body().reserve(share);
  return true;
}

// Memory came back while this connection waited (it is first in line):
// false if still too little.
bool Connection::resume_body() {
  if (!body_waiting_ || state_ != State::reading) return true;  // closed
  if (!hold_body_share()) return false;
  body_waiting_ = false;
  continue_body();
  run();
  return true;
}

// The handler is made and prepared now, before the body; false if it
// answered already (it refused the body: the connection closes after).
bool Connection::start_streaming() {
  begin_handling();
  parser_needs_reset_ = false;  // the message is still being read
  if (!create_handler()) return false;
  streaming_ = true;
  run_handler(detail::HandlerAccess::begin_streaming);
  return streaming_;
}

// Hands what the parser has framed of the body to the handler, and
// forgets it: a streamed body is never held whole.
void Connection::deliver_body_chunk() {
  RequestBody& body = buffers_->parser.body();
  auto handler = handler_;
  detail::HandlerAccess::receive_chunk(*handler, body.view());
  body.clear();
}

// The streamed body is complete: the handler's method runs.
void Connection::finish_streaming() {
  streaming_ = false;
  parser_needs_reset_ = true;
  clear_timeout();
  run_handler(detail::HandlerAccess::execute_after_body);
}

}  // namespace gale
