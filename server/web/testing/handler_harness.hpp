// Running handlers in memory, without a socket (after tornado.testing):
// raw request bytes in, what the handler sent to its channel out.
//
//   gale::testing::SentResponse r = gale::testing::fetch(
//       app, "GET /hello/you HTTP/1.1\r\nHost: t\r\n\r\n");
//   EXPECT_EQ(r.status, 200);
//   EXPECT_EQ(r.body(), "Hello, you");
//
// fetch() parses, routes through the Application exactly as the connection
// does (web/dispatch.hpp: route, default handler, or 404), binds, runs the
// method and then the loop until the response ends. A HandlerHarness does
// the same step by step, for tests that look between the steps (a
// coroutine not yet run, a client that leaves half-way).
//
// What the connection checks before dispatch (one Host field, Expect) and
// the HTTP/1.1 framing it then writes (chunked, HEAD, keep-alive) are not
// here: the channel records the calls a handler makes, not bytes.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/http/parse_error.hpp"
#include "server/http/request_parser.hpp"
#include "server/web/application.hpp"
#include "server/web/pubsub.hpp"
#include "server/web/request.hpp"
#include "server/web/request_handler.hpp"
#include "server/web/response_channel.hpp"

namespace gale::testing {

// What a handler handed to its channel, in the order it did.
struct SentResponse {
  struct File {
    std::shared_ptr<const FileDescriptor> file;  // still open: pread it
    std::uint64_t offset = 0;
    std::uint64_t length = 0;
  };

  // The framing calls: a complete response has one start and one end.
  int starts = 0, ends = 0, flushes = 0, aborts = 0;
  int status = 0;
  std::string reason;
  std::vector<std::pair<std::string, std::string>> fields;  // as set
  // The Content-Length promised, or none for a streamed (chunked) body.
  std::optional<std::uint64_t> length;
  std::vector<std::string> pieces;  // one per send_body()
  std::vector<File> files;          // one per send_file()

  std::string body() const;  // the pieces joined
  // Every value of the field `name` (case-insensitive), in order.
  std::vector<std::string> values(std::string_view name) const;
  // The first value of `name`, or "" when there is none (see has()).
  std::string field(std::string_view name) const;
  bool has(std::string_view name) const { return !values(name).empty(); }
};

// A ResponseChannel that records what it is sent; read it as the
// SentResponse it is.
class MemoryChannel final : public ResponseChannel, public SentResponse {
 public:
  explicit MemoryChannel(boost::asio::io_context& loop) : loop_(loop) {}

  void start_response(int status, std::string_view reason,
                      const ResponseHeaders& headers,
                      std::optional<std::uint64_t> content_length) override;
  void send_body(std::string_view data) override { pieces.emplace_back(data); }
  void send_body(std::string&& data) override {
    pieces.push_back(std::move(data));
  }
  void send_file(std::shared_ptr<const FileDescriptor> file,
                 std::uint64_t offset, std::uint64_t length) override {
    files.push_back({std::move(file), offset, length});
  }
  void end_response() override { ++ends; }
  void flush() override { ++flushes; }
  void abort() override;
  bool is_open() const override { return open; }
  std::size_t pending_bytes() const override { return pending; }
  boost::asio::any_io_executor executor() override {
    return loop_.get_executor();
  }

  // Forgets what was sent and reopens, for another request.
  void reset();
  // The response ended or was aborted.
  bool done() const { return ends > 0 || aborts > 0; }

  bool open = true;         // is_open(); abort() clears it
  std::size_t pending = 0;  // what pending_bytes() reports

 private:
  boost::asio::io_context& loop_;
};

// One request at a time through one handler, over a MemoryChannel.
class HandlerHarness {
 public:
  explicit HandlerHarness(ParserLimits limits = {});
  // A handler still running sees its client leave (its tasks cancelled).
  ~HandlerHarness();
  HandlerHarness(const HandlerHarness&) = delete;
  HandlerHarness& operator=(const HandlerHarness&) = delete;

  // Parses the request at the front of `raw`, forgetting the previous one
  // (finish or close its handler first) and resetting the channel. Returns
  // the bytes it took, or nullopt if `raw` holds no complete request:
  // parse_error() then says why (ParseError::none: it is incomplete).
  std::optional<std::size_t> parse(std::string_view raw);
  ParseError parse_error() const { return parser_.error(); }

  // Serves the parsed request as the connection does: the handler of the
  // first matching route, else `app`'s default handler, else a 404; binds
  // it and runs prepare() and the method (the loop does not run). A handler
  // that streams its body gets it as one data_received() in between.
  std::shared_ptr<RequestHandler> dispatch(Application& app);
  // Runs a fresh handler of `factory` on the parsed request, with the
  // `path_args` a route would have captured, in an empty application.
  std::shared_ptr<RequestHandler> run(const HandlerFactory& factory,
                                      PathArgs path_args = {});
  // Binds a fresh handler of `factory` without running any method.
  std::shared_ptr<RequestHandler> bind(const HandlerFactory& factory,
                                       PathArgs path_args = {});

  // Runs the loop until the response ends or is aborted, nothing is left
  // to run, or `timeout` passes.
  void run_until_finished(
      std::chrono::steady_clock::duration timeout = std::chrono::seconds(10));
  // The client goes away: the channel closes, the handler is told (its
  // on_connection_close() runs, its spawned tasks are cancelled).
  void close_connection();
  // The handler answers `status` before any method (as for no route).
  void respond_with_error(int status);

  // What handlers bound from now on get as pubsub() (none by default);
  // it must outlive them. Build it on loop() so its waits run here.
  // The harness's loop runs its long-poll timeouts too.
  void set_pubsub(PubSub* pubsub) {
    pubsub_ = pubsub;
    if (pubsub_) pubsub_->set_long_poll_executor(loop_.get_executor());
  }

  MemoryChannel& channel() { return channel_; }
  boost::asio::io_context& loop() { return loop_; }
  const HttpRequest& request() const { return request_; }

 private:
  void bind_handler(std::shared_ptr<RequestHandler> handler, Application& app,
                    PathArgs path_args, MethodSet methods);

  boost::asio::io_context loop_;  // first: outlives what runs on it
  MemoryChannel channel_{loop_};
  Application empty_app_;
  RequestParser parser_;
  boost::asio::ip::tcp::endpoint peer_;
  HttpRequest request_;
  std::shared_ptr<RequestHandler> handler_;
  PubSub* pubsub_ = nullptr;
};

// Parses `raw` (exactly one complete request; else std::invalid_argument),
// serves it through `app` and runs the loop until the response is done or
// `timeout` passes; returns what was sent.
SentResponse fetch(
    Application& app, std::string_view raw,
    std::chrono::steady_clock::duration timeout = std::chrono::seconds(10));

}  // namespace gale::testing
