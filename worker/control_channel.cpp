#include "worker/control_channel.hpp"

#include <unistd.h>

#include "server/core/log.hpp"

namespace gale {

ControlChannel::ControlChannel(boost::asio::io_context& loop, int fd,
                               Handlers handlers)
    : socket_(loop, fd), handlers_(std::move(handlers)) {}

ControlChannel::~ControlChannel() {
  for (Pending& p : pending_)
    if (p.fd >= 0) ::close(p.fd);
}

void ControlChannel::start() {
  arm_read();
}

void ControlChannel::close() {
  closed_ = true;
  boost::system::error_code ec;
  socket_.close(ec);
}

void ControlChannel::arm_read() {
  if (closed_) return;
  socket_.async_wait(boost::asio::posix::descriptor_base::wait_read,
                     [this](const boost::system::error_code& ec) {
                       if (ec || closed_) return;
                       on_readable();
                     });
}

void ControlChannel::on_readable() {
  for (;;) {
    ControlMessage m;
    IoResult r = receive_control(socket_.native_handle(), m);
    if (r == IoResult::would_block) break;
    if (r == IoResult::closed) {
      closed_ = true;
      if (handlers_.master_gone) handlers_.master_gone();
      return;
    }
    if (r == IoResult::error) {
      log::error("malformed message from the master; ignored");
      continue;
    }
    dispatch(m);
    if (closed_) return;
  }
  arm_read();
}

void ControlChannel::dispatch(ControlMessage& m) {
  switch (m.type) {
    case ControlType::drain: {
      DrainMode mode = DrainMode::stop;
      if (!m.payload.empty() &&
          static_cast<DrainMode>(m.payload[0]) == DrainMode::hand_over)
        mode = DrainMode::hand_over;
      if (handlers_.drain) handlers_.drain(mode);
      break;
    }
    case ControlType::stop_now:
      if (handlers_.stop_now) handlers_.stop_now();
      break;
    case ControlType::adopt:
      if (m.fd >= 0 && handlers_.adopt) {
        handlers_.adopt(m.fd);
        m.fd = -1;
      }
      break;
    case ControlType::reopen_logs:
      if (handlers_.reopen_logs) handlers_.reopen_logs();
      break;
    case ControlType::relay:
      if (handlers_.relay) handlers_.relay(m.payload);
      break;
    default:
      log::warning("unexpected message type ", static_cast<int>(m.type),
                   " from the master");
  }
  if (m.fd >= 0) ::close(m.fd);
}

void ControlChannel::send(ControlType type, std::string_view payload) {
  if (closed_) return;
  send_control(socket_.native_handle(), type, payload);
}

void ControlChannel::send_reliably(ControlType type, std::string payload,
                                   int fd) {
  pending_.push_back({type, std::move(payload), fd});
  flush_pending();
}

void ControlChannel::flush_pending() {
  while (!pending_.empty() && !closed_) {
    Pending& p = pending_.front();
    IoResult r = send_control(socket_.native_handle(), p.type, p.payload, p.fd);
    if (r == IoResult::would_block) {
      if (!write_armed_) {
        write_armed_ = true;
        socket_.async_wait(boost::asio::posix::descriptor_base::wait_write,
                           [this](const boost::system::error_code& ec) {
                             write_armed_ = false;
                             if (!ec) flush_pending();
                           });
      }
      return;
    }
    if (p.fd >= 0) ::close(p.fd);  // sent (the master has its own copy) or lost
    pending_.pop_front();
  }
}

}  // namespace gale
