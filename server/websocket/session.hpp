// One upgraded WebSocket connection on the worker's loop (RFC 6455 after
// the handshake): reads frames, hands whole messages to its owner, writes
// frames, keeps the socket alive with pings, and runs the close handshake.
//
//   open --close()/protocol error/drain--> closing --peer's close or
//     |                                       close_timeout--> closed
//     \--peer's close (echoed)/EOF/RST/ping timeout/slow consumer--> closed
//
// Memory: an idle session waits for readability holding no buffer. Bytes
// are read into the worker's one read buffer (Sessions) and parsed at
// once; the frame parser is borrowed from the worker's pool only while a
// frame is cut by a read, and the send queue holds storage only while
// bytes are unsent. What stays per idle socket is this object, the
// socket's reactor entry and the one wait.
//
// Writes go out at once when nothing is queued (one sendmsg of header and
// payload, nothing copied); otherwise they queue behind, and one sendmsg
// gathers many frames. A broadcast's frame is encoded once and shared.
// Past max_queue_bytes unsent, the socket is closed with 1008 and its
// backlog dropped: one client that stops reading never costs the others.
#pragma once

#include <boost/asio/ip/tcp.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "server/core/object_pool.hpp"
#include "server/core/timeout_list.hpp"
#include "server/websocket/close_code.hpp"
#include "server/websocket/deflate_codec.hpp"
#include "server/websocket/frame_error.hpp"
#include "server/websocket/frame_parser.hpp"
#include "server/websocket/opcode.hpp"
#include "server/websocket/permessage_deflate.hpp"
#include "server/websocket/send_queue.hpp"
#include "server/websocket/session_events.hpp"

namespace gale::websocket {

class Sessions;

// The intrusive links a session needs in the worker's lists.
struct SessionLinks {
  ListHook timeout_hook;
  ListHook registry_hook;
  Clock::time_point deadline;
};

class Session final : public SessionLinks,
                      public std::enable_shared_from_this<Session> {
 public:
  using Socket =
      boost::asio::basic_stream_socket<boost::asio::ip::tcp,
                                       boost::asio::io_context::executor_type>;

  // Takes the connected socket `fd`. Call start() next.
  Session(Sessions& sessions, int fd, std::shared_ptr<SessionEvents> events);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // permessage-deflate was agreed in the handshake (before start()).
  void enable_deflate(const DeflateAgreement& agreement);

  // Writes the handshake's response, tells the owner it is open, then
  // parses `leftover` (frames that came with the handshake) and reads.
  void start(std::string_view response_head, std::string_view leftover);

  // A data message to this socket. False when closing or closed.
  bool send(std::string_view payload, bool binary);
  // An encoded frame shared with other sockets (encode_shared()).
  bool send_shared(const SharedFrame& frame);
  bool ping(std::string_view payload);
  // Starts the close handshake (once); the peer has close_timeout to answer.
  void close(CloseCode code, std::string_view reason = {});
  // Drops the TCP connection now, with no close frame (worker stopping).
  void abort();

  bool is_open() const { return state_ == State::open; }
  boost::asio::any_io_executor executor() { return socket_.get_executor(); }
  std::size_t queued_bytes() const { return queue_.bytes(); }

  // For Sessions: a deadline of this session's current kind has passed.
  void on_timeout(Clock::time_point now);
  // For Sessions: the batched flush asked for by send_shared() is due.
  void flush_now();

 private:
  enum class State : std::uint8_t { open, closing, closed };
  enum class Wait : std::uint8_t { none, quiet, pong, closing };

  void arm_read();
  void on_readable(const boost::system::error_code& ec);
  void read_available();
  void feed(const char* data, std::size_t size);
  void on_control();
  void deliver(std::string_view data);
  void deliver_compressed();
  void fail(FrameError error);
  void fail(CloseCode code, std::string_view reason);
  void shutdown_write();

  bool send_frame(Opcode opcode, std::string_view payload);
  bool write_now(std::string_view head, std::string_view payload);
  void flush();
  void arm_write();
  void after_queue_grew();
  void send_close(CloseCode code, std::string_view reason);

  // Something is queued or about to be written: a new frame must go behind.
  bool busy() const { return !queue_.empty() || flush_posted_ || write_armed_; }
  void wait_for(Wait kind, Clock::time_point now);
  void finish(CloseCode code, std::string_view reason);
  void release_parser();

  Sessions& sessions_;
  Socket socket_;
  std::shared_ptr<SessionEvents> events_;
  ObjectPool<FrameParser>::Ptr parser_;
  std::string message_;  // a message cut into pieces, while it lasts
  // The client keeps its deflate context: this socket's own decompressor
  // (else the worker's shared one serves, reset after each message).
  std::unique_ptr<MessageInflater> inflater_;
  SendQueue queue_;
  Clock::time_point last_heard_{};
  State state_ = State::open;
  Wait wait_ = Wait::none;
  bool read_armed_ = false;
  bool write_armed_ = false;
  bool flush_posted_ = false;
  bool close_sent_ = false;
  bool peer_closed_ = false;       // its close came: end TCP once flushed
  bool failed_ = false;            // a protocol error: discard input, then end
  bool delivered_ = false;         // the current message went out in one piece
  bool deflate_ = false;           // permessage-deflate agreed
  bool client_resets_ = false;     // client_no_context_takeover agreed
  std::uint8_t window_bits_ = 15;  // our compressor's window
  CloseCode close_code_ = CloseCode::abnormal;  // what on_close reports
  std::string close_reason_;
};

}  // namespace gale::websocket
