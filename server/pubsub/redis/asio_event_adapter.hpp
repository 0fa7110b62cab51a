// hiredis on an Asio loop: the event-library hooks hiredis asks for
// (addRead/delRead/addWrite/delWrite/cleanup), as hiredis ships them for
// libevent and libuv but not for Asio.
//
// FdWatcher is the generic part: it watches one file descriptor it does not
// own on an io_context and calls on_readable/on_writable each time the fd is
// ready, for as long as that interest is on. The fd goes into a
// posix::stream_descriptor that is released, never closed: hiredis closes
// its socket itself.
//
// Lifetime: hiredis may free its context, and call cleanup(), from inside
// on_readable (a disconnect). So a watcher lives in a shared_ptr, each
// pending wait holds a reference, and the watcher keeps a reference to
// itself until cleanup(): after cleanup() no callback runs, and the waits
// still pending complete (aborted) against a live object.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include <functional>
#include <memory>

struct redisAsyncContext;

namespace gale::pubsub::redis {

class FdWatcher : public std::enable_shared_from_this<FdWatcher> {
 public:
  using Ready = std::function<void()>;

  // Owned by itself until cleanup(); the returned pointer may be dropped.
  static std::shared_ptr<FdWatcher> create(boost::asio::io_context& loop,
                                           int fd, Ready on_readable,
                                           Ready on_writable);
  ~FdWatcher();
  FdWatcher(const FdWatcher&) = delete;
  FdWatcher& operator=(const FdWatcher&) = delete;

  // Interest on or off; idempotent, as hiredis expects.
  void add_read();
  void del_read();
  void add_write();
  void del_write();
  // Stops for good: no callback after this returns (or, when called from a
  // callback, after that callback), the fd is released, not closed.
  void cleanup();

  bool stopped() const { return stopped_; }

 private:
  enum class Kind { read, write };
  FdWatcher(boost::asio::io_context& loop, int fd, Ready on_readable,
            Ready on_writable);
  void arm(Kind kind);
  void on_ready(Kind kind, const boost::system::error_code& ec);

  boost::asio::posix::stream_descriptor descriptor_;
  Ready on_readable_;
  Ready on_writable_;
  bool want_read_ = false;
  bool want_write_ = false;
  bool read_pending_ = false;
  bool write_pending_ = false;
  bool stopped_ = false;
  std::shared_ptr<FdWatcher> self_;  // until cleanup()
};

// Installs a FdWatcher as `context`'s event hooks, calling
// redisAsyncHandleRead/Write when its socket is ready. Call it right after
// redisAsyncConnect*, before redisAsyncSetConnectCallback (which asks for
// write readiness to learn that the connect finished). False if the
// context already has hooks.
bool attach(redisAsyncContext* context, boost::asio::io_context& loop);

}  // namespace gale::pubsub::redis
