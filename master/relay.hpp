// The master's side of pub/sub: it orders every published message and fans
// it out to every worker over the control sockets (worker/relay_backend.hpp
// is the other side; server/pubsub/relay_codec.hpp the records).
//
// A `publish` from a worker gets the next id, goes into the master's own hub
// (the history a starting worker is given, bounded by pubsub.history), and
// leaves as a `message` to every ready worker, the publisher included, then
// as an `ack` to the publisher. Records are batched: everything one poll
// round brings is sent in as few frames as fit (flush()).
//
// Nothing here blocks. Frames go out with MSG_DONTWAIT; what a socket does
// not take stays in that worker's queue until POLLOUT. The queue is bounded:
// a worker too slow to keep up has its queue dropped (acks excepted, they
// are small and a publisher waits for them) and gets every channel's whole
// history as `resync` records instead, which puts its hub right. So one
// slow worker costs the master memory up to the bound and never stalls the
// others. A worker that reports ready (new, restarted, after a reload) gets
// that same resync before any live message, and so does a worker that asks
// for one (a `resync_request`: it saw a gap in the ids or a bad frame).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "server/pubsub/hub.hpp"
#include "server/pubsub/id.hpp"

namespace gale {

class Relay {
 public:
  // What a worker's queue may hold beyond a resync it is being sent.
  static constexpr std::size_t kDefaultQueueLimit = 4 * 1024 * 1024;

  explicit Relay(std::size_t history,
                 std::size_t queue_limit = kDefaultQueueLimit,
                 std::uint32_t epoch = pubsub::fresh_epoch());
  ~Relay();
  Relay(const Relay&) = delete;
  Relay& operator=(const Relay&) = delete;

  // Workers are known by their control socket: a relay frame's payload from
  // the worker on `fd`. Its records are answered at the next flush().
  void on_frame(int fd, std::string_view payload);
  // The worker on `fd` accepts connections: queues the whole history for
  // it, and live messages from then on.
  void on_ready(int fd);
  // Its socket is being closed: forget it now, before the number is reused.
  void forget(int fd);

  // The end of a poll round: queues the round's messages for every ready
  // worker and the acks for their publishers, and sends what fits.
  void flush();
  // Whether the worker on `fd` has frames waiting for POLLOUT.
  bool wants_write(int fd) const;
  void on_writable(int fd);

  const pubsub::Hub& hub() const { return hub_; }
  std::size_t queued_bytes(int fd) const;
  std::uint64_t overflows() const { return overflows_; }
  std::uint64_t resync_requests() const { return resync_requests_; }

 private:
  struct Peer;
  Peer& peer(int fd);
  void publish(Peer& from, std::uint64_t ref, std::string_view channel,
               std::string_view body);
  void enqueue(Peer& p, std::string_view batch, bool counted);
  void overflow(int fd, Peer& p);
  void request_resync(int fd, Peer& p);
  void resync(Peer& p);
  void send(int fd, Peer& p);

  pubsub::Hub hub_;
  pubsub::IdGenerator ids_;
  std::size_t queue_limit_;
  std::map<int, Peer> peers_;
  std::string round_;  // message records of this poll round
  std::uint64_t overflows_ = 0;
  std::uint64_t resync_requests_ = 0;
};

}  // namespace gale
