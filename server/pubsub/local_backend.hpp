// The backend of a worker that has no master to order its messages: a
// standalone run, gale::testing::AppServer, unit tests. With one hub there is
// nothing to relay, so it gives each publish the next id of its own
// IdGenerator and hands the message to the hub itself.
//
// It stays I/O-free, yet backend.hpp forbids completing inside publish():
// a caller may hold iterators across the call, and delivering there would
// also run subscribers re-entrantly from the publisher's stack. So the work
// is deferred through `Defer` (the worker passes boost::asio::post on its
// loop); without one, publishes wait until run_pending() is called, which is
// how a unit test steps it.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "server/pubsub/backend.hpp"
#include "server/pubsub/hub.hpp"
#include "server/pubsub/id.hpp"

namespace gale::pubsub {

namespace detail {
struct LocalBackendState;
}

class LocalBackend final : public Backend {
 public:
  // Runs a task from a later turn of the caller's event loop.
  using Defer = std::function<void(std::function<void()>)>;

  explicit LocalBackend(Hub& hub, Defer defer = {});
  ~LocalBackend() override;
  LocalBackend(const LocalBackend&) = delete;
  LocalBackend& operator=(const LocalBackend&) = delete;

  // Invalid input completes `invalid`; anything else is delivered to the hub
  // and then completes `published`, both from the deferred task, in
  // publish order.
  void publish(std::string channel, std::string body,
               PublishCompletion done) override;

  // Without a Defer: delivers and completes every waiting publish (and any
  // they publish in turn), returns how many ran. With one: returns 0.
  std::size_t run_pending();

  std::size_t pending() const;  // publishes waiting, without a Defer

 private:
  std::shared_ptr<detail::LocalBackendState> state_;
};

// The one validity rule every backend applies before sending (message.hpp).
bool valid_publish(std::string_view channel, std::string_view body);

}  // namespace gale::pubsub
