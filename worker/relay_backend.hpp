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
// It does no I/O itself: it is given how to send a relay frame and how to
// defer a task to a later loop turn, so tests drive it without a socket.
#pragma once

#include <cstdint>
#include <functional>
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

  RelayBackend(pubsub::Hub& hub, SendFrame send, Defer defer);
  ~RelayBackend() override;
  RelayBackend(const RelayBackend&) = delete;
  RelayBackend& operator=(const RelayBackend&) = delete;

  void publish(std::string channel, std::string body,
               pubsub::PublishCompletion done) override;

  // A relay frame's payload from the master.
  void on_frame(std::string_view payload);
  // The control socket is gone: fails what waits and all that comes.
  void on_channel_gone();

  std::size_t pending() const { return waiting_.size(); }

 private:
  void flush();
  void fail_later(pubsub::PublishCompletion done, pubsub::PublishStatus why);

  pubsub::Hub& hub_;
  SendFrame send_;
  Defer defer_;
  pubsub::RelayReassembler reassembler_;
  std::unordered_map<std::uint64_t, pubsub::PublishCompletion> waiting_;
  std::uint64_t next_ref_ = 1;
  std::string batch_;  // publish records of this turn, not yet sent
  bool flush_posted_ = false;
  bool gone_ = false;
  bool warned_input_ = false;
  // Cleared by the destructor, so a deferred task outliving us does nothing.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace gale
