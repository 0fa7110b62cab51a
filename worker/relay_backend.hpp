// The backend of a worker under a master: publishes go to the master's
// relay (master/relay.hpp) over the control socket, which orders them, and
// what it sends back feeds this worker's hub.
//
// A publish becomes a `publish` record with a fresh ref; the completion
// waits for the master's `ack` with that ref (an empty id: refused). The
// publishes of one loop turn leave together, batched into few frames.
// Incoming `message` records go to hub.deliver(), `resync` records to
// hub.resync(). Once the control socket is gone, pending and later
// publishes complete `unavailable`: without a master nothing is ordered.
//
// A publish the master does not acknowledge within the ack timeout (5 s by
// default) completes `unavailable`, so its handler answers 503 instead of
// hanging; should the ack come later it is ignored, and the message, if
// the master did order it, arrives like any other. This needs `after` (a
// timer); without one, publishes wait for their ack or the channel's end.
//
// Repair: the master numbers its ids in one sequence for all channels
// (server/pubsub/id.hpp) and sends every message to every ready worker, so
// a worker that has had its first resync knows which id comes next. A jump
// in that sequence (a frame lost on the way) or a frame that does not
// decode means the hub may be stale: the worker then sends the master a
// `resync_request`, and the master answers with a resync of every channel.
//
// It does no I/O itself: it is given how to send a relay frame, how to
// defer a task to a later loop turn and how to run one after a delay, so
// tests drive it without a socket.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "server/pubsub/backend.hpp"
#include "server/pubsub/hub.hpp"
#include "server/pubsub/relay_frames.hpp"

namespace gale {

class RelayBackend final : public pubsub::Backend {
 public:
  // Queues one relay frame's payload for the master, reliably and in order.
  using SendFrame = std::function<void(std::string payload)>;
  // Runs a task from a later turn of the loop (boost::asio::post).
  using Defer = std::function<void(std::function<void()>)>;
  // Runs a task once `delay` has passed (a steady_timer on the loop).
  using After =
      std::function<void(std::chrono::milliseconds, std::function<void()>)>;

  static constexpr std::chrono::milliseconds kDefaultAckTimeout{5000};

  RelayBackend(pubsub::Hub& hub, SendFrame send, Defer defer, After after = {},
               std::chrono::milliseconds ack_timeout = kDefaultAckTimeout);
  ~RelayBackend() override;
  RelayBackend(const RelayBackend&) = delete;
  RelayBackend& operator=(const RelayBackend&) = delete;

  void publish(std::string channel, std::string body,
               pubsub::PublishCompletion done) override;

  // A local id (id.hpp) newer than every id this worker has received, or
  // any local id before the first resync: the message is on its way.
  bool ahead(std::string_view channel, std::string_view cursor) const override;

  // A relay frame's payload from the master.
  void on_frame(std::string_view payload);
  // The control socket is gone: fails what waits and all that comes.
  void on_channel_gone();

  std::size_t pending() const { return waiting_.size(); }
  // Publishes that timed out, and resyncs asked of the master (for tests).
  std::uint64_t timeouts() const { return timeouts_; }
  std::uint64_t resync_requests() const { return resync_requests_; }

 private:
  using Clock = std::chrono::steady_clock;
  struct Deadline {
    std::uint64_t ref;
    Clock::time_point at;
  };

  void schedule_flush();
  void flush();
  void fail_later(pubsub::PublishCompletion done, pubsub::PublishStatus why);
  void on_message(const pubsub::RelayRecord& r);
  void on_resync(const pubsub::RelayRecord& r);
  void on_ack(const pubsub::RelayRecord& r);
  void arm_timer(Clock::time_point now);
  void on_timer();
  void request_resync(const char* why);

  pubsub::Hub& hub_;
  SendFrame send_;
  Defer defer_;
  After after_;
  std::chrono::milliseconds ack_timeout_;
  pubsub::RelayReassembler reassembler_;
  std::unordered_map<std::uint64_t, pubsub::PublishCompletion> waiting_;
  // The waiting refs in the order they time out (refs and deadlines both
  // grow); acked refs are dropped from the front as they go.
  std::deque<Deadline> deadlines_;
  std::uint64_t next_ref_ = 1;
  std::string batch_;  // records of this turn, not yet sent
  // The master's sequence (id.hpp): its epoch and the newest number this
  // hub holds; `synced_` once a resync or a first message set them.
  std::uint32_t epoch_ = 0;
  std::uint64_t last_seq_ = 0;
  bool synced_ = false;
  std::uint64_t timeouts_ = 0;
  std::uint64_t resync_requests_ = 0;
  bool flush_posted_ = false;
  bool timer_armed_ = false;
  bool gone_ = false;
  bool warned_input_ = false;
  bool warned_timeout_ = false;
  bool warned_gap_ = false;
  // Cleared by the destructor, so a deferred task outliving us does nothing.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace gale
