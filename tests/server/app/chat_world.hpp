// What the chat's in-memory tests share: a real hub and a LocalBackend on
// the harness's loop, the PubSub its handlers get, the application and the
// handler harness. A fixture derives from it and adds the chat's routes.
#pragma once

#include <boost/asio/post.hpp>

#include <functional>
#include <utility>

#include "server/pubsub/local_backend.hpp"
#include "server/web/application.hpp"
#include "server/web/pubsub.hpp"
#include "server/web/testing/handler_harness.hpp"

namespace gale {

struct ChatWorld {
  ChatWorld() { harness_.set_pubsub(&pubsub_); }

  pubsub::Hub hub_{3};
  pubsub::LocalBackend backend_{hub_, [this](std::function<void()> task) {
                                  boost::asio::post(harness_.loop(),
                                                    std::move(task));
                                }};
  PubSub pubsub_{hub_, backend_};
  Application app_;
  testing::HandlerHarness harness_;  // last: its tasks end before the rest
};

}  // namespace gale
