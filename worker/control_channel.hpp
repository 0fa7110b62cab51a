// The worker's end of its channel to the master (see control_protocol.hpp):
// receives commands on the worker's loop and sends reports, queueing the
// ones that must not be lost (handed-over connections) when the socket is
// momentarily full.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include <deque>
#include <functional>
#include <string>
#include <string_view>

#include "worker/control_protocol.hpp"

namespace gale {

class ControlChannel {
 public:
  struct Handlers {
    std::function<void(DrainMode)> drain;
    std::function<void()> stop_now;
    std::function<void(int fd)> adopt;  // takes ownership of fd
    std::function<void()> reopen_logs;
    std::function<void(std::string_view)> relay;
    // EOF: the master is gone (crashed or killed).
    std::function<void()> master_gone;
  };

  ControlChannel(boost::asio::io_context& loop, int fd, Handlers handlers);
  ~ControlChannel();

  void start();
  // Best effort: dropped if the socket is full (heartbeats).
  void send(ControlType type, std::string_view payload);
  // Must arrive: queued and retried if the socket is full. Takes
  // ownership of `fd` (closed once sent).
  void send_reliably(ControlType type, std::string payload, int fd = -1);
  void close();
  // Whether every reliable message has been sent.
  bool all_sent() const { return pending_.empty(); }

 private:
  struct Pending {
    ControlType type;
    std::string payload;
    int fd;
  };
  void arm_read();
  void on_readable();
  void dispatch(ControlMessage& m);
  void flush_pending();

  boost::asio::posix::stream_descriptor socket_;
  Handlers handlers_;
  std::deque<Pending> pending_;
  bool write_armed_ = false;
  bool closed_ = false;
};

}  // namespace gale
