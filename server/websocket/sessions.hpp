// What a worker's WebSocket sessions share: the options, the one read
// buffer they all read into, the pool of frame parsers, the deadline lists
// (one per kind of wait, each sorted by construction as the connections'
// are) and the registry of open sessions, for a drain or a stop.
//
// Owned by the worker, which calls expire() from its tick and
// close_all()/abort_all() when it drains or stops. Single-threaded.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/intrusive/list.hpp>

#include <array>
#include <cstddef>
#include <functional>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "server/core/object_pool.hpp"
#include "server/core/timeout_list.hpp"
#include "server/websocket/deflate_codec.hpp"
#include "server/websocket/frame_parser.hpp"
#include "server/websocket/session.hpp"
#include "server/websocket/session_options.hpp"

namespace gale::websocket {

// Encodes a data message once for many sockets (Session::send_shared).
SharedFrame encode_shared(std::string_view payload, bool binary);

class Sessions {
 public:
  // Bytes read from a socket per read() call; parsed before the next.
  static constexpr std::size_t kReadBufferBytes = 64 * 1024;

  Sessions(boost::asio::io_context& loop, SessionOptions options);
  ~Sessions();
  Sessions(const Sessions&) = delete;
  Sessions& operator=(const Sessions&) = delete;

  const SessionOptions& options() const { return options_; }
  boost::asio::io_context& loop() { return loop_; }

  // Starts a session on an upgraded socket (see Session::start()).
  std::shared_ptr<Session> open(int fd, std::shared_ptr<SessionEvents> events);

  // Runs the deadlines that have passed.
  void expire(Clock::time_point now);
  // Starts the close handshake on every open session (a draining worker:
  // 1001, after what is queued for each).
  void close_all(CloseCode code, std::string_view reason);
  // Drops every session's TCP connection now (a worker that stops).
  void abort_all();
  std::size_t size() const { return size_; }

  // Called after a session's socket is closed (the worker may finish
  // draining, or accept again).
  std::function<void()> on_closed;

 private:
  friend class Session;
  enum Kind : std::size_t { kQuiet, kPong, kClosing, kKinds };
  using Timeouts = TimeoutList<SessionLinks, &SessionLinks::timeout_hook>;
  using Registry = boost::intrusive::list<
      SessionLinks,
      boost::intrusive::member_hook<SessionLinks, ListHook,
                                    &SessionLinks::registry_hook>,
      boost::intrusive::constant_time_size<false>>;

  std::span<char> read_buffer() {
    return {read_buffer_.get(), kReadBufferBytes};
  }
  ObjectPool<FrameParser>::Ptr acquire_parser(bool permessage_deflate);
  // permessage-deflate, shared by every session of the worker: one
  // compressor per window size (no context takeover, reset per message),
  // one decompressor for clients that reset theirs too. Made on first use.
  MessageDeflater& deflater(int window_bits);
  MessageInflater& shared_inflater();
  Timeouts& timeouts(Kind k) { return timeouts_[k]; }
  // Flushes `s` from a task posted once for every session asking before
  // it runs: a broadcast to 5,000 sockets costs one post, not 5,000.
  void flush_later(Session& s);
  void flush_all();
  void closed(Session& s);
  std::vector<std::shared_ptr<Session>> snapshot();

  boost::asio::io_context& loop_;
  SessionOptions options_;
  std::unique_ptr<char[]> read_buffer_;
  ObjectPool<FrameParser> parsers_{64};
  std::array<std::unique_ptr<MessageDeflater>, 16> deflaters_;
  std::unique_ptr<MessageInflater> inflater_;
  std::string inflated_;  // the message being delivered, decompressed
  std::string deflated_;  // the message being sent, compressed
  std::array<Timeouts, kKinds> timeouts_;
  Registry registry_;
  std::vector<std::shared_ptr<Session>> to_flush_;
  std::vector<std::shared_ptr<Session>> flushing_;
  bool flush_posted_ = false;
  // Lets a posted flush_all() tell whether this object still exists.
  std::shared_ptr<Sessions*> alive_ = std::make_shared<Sessions*>(this);
  std::size_t size_ = 0;
};

}  // namespace gale::websocket
