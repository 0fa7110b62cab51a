// One HTTP/1.1 client connection: reads requests, runs their handlers,
// writes responses, in order, until either side closes.
//
// Life cycle (one pass of run() does whatever the state allows, then arms
// exactly one wait):
//
//   reading  --head+body-->  handling  --end_response-->  reading (keep-alive)
//      |                                      \--> close after write
//      \--parse error--> reply with the status, then linger and close
//
// An idle connection waits for readability without holding a buffer; the
// ConnectionBuffers (read buffer, parser, output queue) is taken from the
// worker's pool when bytes arrive and given back when it goes idle again.
// Writes are attempted at once (one sendmsg of gathered buffers, or
// sendfile); only when the socket is full does the connection wait for
// writability. Deadlines live in the worker's timeout lists, not in a timer
// per connection.
#pragma once

#include <boost/asio/ip/tcp.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "server/connection/connection_buffers.hpp"
#include "server/connection/connection_manager.hpp"
#include "server/core/object_pool.hpp"
#include "server/http/parse_error.hpp"
#include "server/web/request_handler.hpp"
#include "server/web/response_channel.hpp"

namespace gale {

class Connection final : public ResponseChannel,
                         public ConnectionLinks,
                         public std::enable_shared_from_this<Connection> {
 public:
  using Socket =
      boost::asio::basic_stream_socket<boost::asio::ip::tcp,
                                       boost::asio::io_context::executor_type>;

  Connection(ConnectionManager& ctx, Socket socket,
             const boost::asio::ip::tcp::endpoint& peer);
  ~Connection() override;

  // `adopted`: an established keep-alive connection handed over by another
  // worker, so waiting for its next request is timed as idle.
  void start(bool adopted = false);
  // Closes at once; a running handler is told the client is gone.
  void close();
  // A deadline of the kind this connection waits on has passed.
  void on_timeout();
  // The worker started draining (this_worker().drain says how): while
  // handing over, an idle connection goes to the master now and a busy one
  // as soon as it is idle again.
  void drain();
  // How long the connection has been waiting for a request (zero if busy).
  Clock::duration idle_for(Clock::time_point now) const;

  // Whether no request is in progress and nothing is buffered either way:
  // closing (or handing over) the connection now loses nothing.
  bool idle() const;
  // For the heartbeat: the request line being handled, and since when.
  bool busy_since(Clock::time_point& since) const;
  std::string current_request() const;

  // ResponseChannel
  void start_response(int status, std::string_view reason,
                      const ResponseHeaders& headers,
                      std::optional<std::uint64_t> content_length) override;
  void send_body(std::string_view data) override;
  void send_body(std::string&& data) override;
  void send_file(std::shared_ptr<const FileDescriptor> file,
                 std::uint64_t offset, std::uint64_t length) override;
  void end_response() override;
  void flush() override;
  void abort() override;
  bool is_open() const override { return state_ != State::closed; }
  std::size_t pending_bytes() const override;
  std::optional<DetachedSocket> detach_socket() override;
  boost::asio::any_io_executor executor() override {
    return socket_.get_executor();
  }

 private:
  // How the read side waits, if it does (one operation at most):
  //
  //   none --arm_read()--> readable   async_wait, holding no buffer
  //        --arm_read()--> warm       async_read_some into buffers_->in
  //   warm --warm deadline--> cooling  cancelled: on_read() then gives the
  //                                    buffer back (unless data won)
  //   readable | warm | cooling --completion--> none
  enum class ReadWait : std::uint8_t { none, readable, warm, cooling };
  bool warm_read_armed() const {
    return read_wait_ == ReadWait::warm || read_wait_ == ReadWait::cooling;
  }

  enum class State : std::uint8_t {
    reading,    // receiving (or waiting for) a request
    handling,   // a handler owns the response
    finishing,  // the last response is queued; close once written
    lingering,  // error sent; draining input briefly before closing
    closed,
  };

  // The event loop of this connection.
  void run();
  void schedule();
  void arm_read();
  void arm_write();
  void on_readable(const boost::system::error_code& ec);
  void on_read(const boost::system::error_code& ec, std::size_t n);
  bool can_read_warm() const;
  void arm_read_later();
  void cool_down();
  bool read_available();
  bool process_input();
  bool write_out();
  void settle_timeout();
  void set_timeout(TimeoutKind kind);
  void clear_timeout();
  void finish_close();

  // Request handling.
  void begin_request();
  bool on_head_complete();
  void dispatch();
  void begin_handling();
  bool create_handler();
  void run_handler(void (*step)(RequestHandler&));
  // The body (connection_body.cpp).
  bool start_body();
  bool reserve_body_memory();
  bool hold_body_share();
  bool resume_body();
  bool continue_body();
  bool start_streaming();
  void deliver_body_chunk();
  void finish_streaming();
  void reject(ParseError error);
  void reply_and_close(int status, std::string_view body,
                       std::string_view extra_field = {});
  bool route_takes_request();
  void bind_request();
  void log_access(int status, std::uint64_t body_bytes);
  std::string_view client_address(std::string& formatted);
  std::string peer_address() const;
  void acquire_buffers();
  void set_no_delay();
  void hand_over();
  int release_socket();
  // Drops handler_; with `tell_closed`, the handler learns its client is
  // gone (its tasks are cancelled).
  void release_handler(bool tell_closed);

  ConnectionManager& manager_;
  Socket socket_;
  boost::asio::ip::tcp::endpoint peer_;
  ObjectPool<ConnectionBuffers>::Ptr buffers_;
  // The running handler. It holds this connection in turn (its binding's
  // owner), so a finish_later() handler and its request stay alive: a
  // deliberate cycle, broken only by release_handler(), which every way
  // out of `handling` calls (end_response, abort, close).
  std::shared_ptr<RequestHandler> handler_;
  std::uint32_t requests_ = 0;  // answered on this connection
  Clock::time_point idle_since_{};
  State state_ = State::reading;
  TimeoutKind timeout_kind_ = TimeoutKind::none;
  bool linger_ = false;
  ReadWait read_wait_ = ReadWait::none;
  bool arm_posted_ = false;  // arm_read_later() is pending
  bool write_armed_ = false;
  bool in_run_ = false;
  bool run_posted_ = false;
  bool parser_needs_reset_ = false;
  bool wrote_ = false;     // some bytes have gone out on this socket
  bool no_delay_ = false;  // TCP_NODELAY is set
  // Waiting for the worker's body memory (BodyMemory): the socket is not
  // read and no deadline runs until resume_body().
  bool body_waiting_ = false;
  // A handler that streams its body is running while the body arrives.
  bool streaming_ = false;
};

}  // namespace gale
