// HTTP/1.1 response framing, taken out of the socket: status line and
// fields, Content-Length vs chunked vs close-delimited, HEAD, the
// Connection field and the keep-alive decision. It writes into an
// OutputQueue and knows nothing of sockets, so it is tested in memory
// (tests/server/connection/response_writer_test.cpp).
//
// One writer lives in each ConnectionBuffers and frames the response of the
// request those buffers carry. The keep-alive rule, in one place:
// a response keeps the connection open when the request allowed it
// (HTTP/1.1 without `Connection: close`, or 1.0 with `keep-alive`), the
// connection may serve another request (not draining, under
// max_keepalive_requests), the handler did not send `Connection: close`,
// and the body's end is known without closing (not HTTP/1.0 streaming).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "server/connection/output_queue.hpp"
#include "server/core/file_descriptor.hpp"
#include "server/http/fields.hpp"
#include "server/http/request_parser.hpp"

namespace gale {

class ResponseWriter {
 public:
  ResponseWriter(OutputQueue& out, std::string& scratch)
      : out_(out), scratch_(scratch) {}

  // Prepares for the response to `request`.
  void begin(const RequestHead& request);

  // Queues the head. `date` is the current IMF-fixdate; `may_keep_alive`
  // whether the connection may serve another request after this one.
  void start(int status, std::string_view reason,
             const ResponseHeaders& headers,
             std::optional<std::uint64_t> content_length, std::string_view date,
             bool may_keep_alive);
  void body(std::string_view data);
  void body(std::string&& data);
  void file(std::shared_ptr<const FileDescriptor> file, std::uint64_t offset,
            std::uint64_t length);
  // Queues the end of the message (the last chunk, when chunked).
  void end();

  bool keep_alive() const { return keep_alive_; }
  int status() const { return status_; }
  // Body bytes the handler produced (also for HEAD), for the access log.
  std::uint64_t body_bytes() const { return body_bytes_; }

  // A complete response with `Connection: close`, for errors found before
  // a handler runs: a text/plain `body`, and `extra_field` ("Name: value")
  // when not empty.
  void error_response(int status, std::string_view body, std::string_view date,
                      std::string_view extra_field = {});
  // `100 Continue`, before the body of an Expect: 100-continue request.
  void continue_response();

 private:
  enum class BodyMode : std::uint8_t { none, fixed, chunked, until_close };

  // The status line and the fields every response carries, in scratch_.
  std::string& begin_head(int status, std::string_view reason,
                          std::string_view date);
  void chunk_size_line(std::uint64_t size);

  OutputQueue& out_;
  std::string& scratch_;
  BodyMode mode_ = BodyMode::none;
  bool http11_ = true;
  bool request_keep_alive_ = true;  // what the request asked for
  bool head_ = false;               // HEAD: fields as for GET, no body
  bool keep_alive_ = false;
  int status_ = 0;
  std::uint64_t body_bytes_ = 0;
};

}  // namespace gale
