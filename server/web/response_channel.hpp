// What a handler's response is written into: the connection side of a
// request. RequestHandler produces status, fields and body; the channel
// decides the framing (Content-Length or chunked), keep-alive, HEAD, and
// when bytes reach the socket. Tests implement it in memory.
#pragma once

#include <boost/asio/any_io_executor.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "server/core/file_descriptor.hpp"
#include "server/http/fields.hpp"

namespace gale {

class ResponseChannel {
 public:
  virtual ~ResponseChannel() = default;

  // Queues the status line and fields. With `content_length` the body is
  // exactly that long; without, it is streamed (chunked on HTTP/1.1,
  // delimited by closing the connection on HTTP/1.0).
  virtual void start_response(int status, std::string_view reason,
                              const ResponseHeaders& headers,
                              std::optional<std::uint64_t> content_length) = 0;
  // Queues body bytes (copied, or moved in when large).
  virtual void send_body(std::string_view data) = 0;
  virtual void send_body(std::string&& data) = 0;
  // Queues `length` bytes of an open file from `offset`, sent with
  // sendfile(2) without passing through user space.
  virtual void send_file(std::shared_ptr<const FileDescriptor> file,
                         std::uint64_t offset, std::uint64_t length) = 0;
  // Ends the response; the connection moves on to the next request.
  virtual void end_response() = 0;
  // Starts writing what is queued now rather than at the end.
  virtual void flush() = 0;
  // The response cannot be completed (an error after part of it was sent):
  // close the connection so the client sees it truncated.
  virtual void abort() = 0;

  // False once the client has gone: writes are then dropped.
  virtual bool is_open() const = 0;
  // Bytes queued but not yet written to the socket; lets a streaming
  // handler apply backpressure.
  virtual std::size_t pending_bytes() const = 0;
  // The worker's loop, for timers and coroutines.
  virtual boost::asio::any_io_executor executor() = 0;

  // A protocol switch (WebSocket): the connection gives its socket away
  // instead of writing a response, with the bytes the client sent after
  // this request. The channel is then closed for good, and the caller
  // writes everything, the 101 included. nullopt where it cannot (an
  // in-memory channel, or earlier pipelined responses still unsent).
  struct DetachedSocket {
    int fd = -1;
    std::string leftover;
  };
  virtual std::optional<DetachedSocket> detach_socket() { return {}; }
};

}  // namespace gale
