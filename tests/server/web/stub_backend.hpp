// The backend of the long-poll tests (long_poll_test.cpp,
// poll_answer_test.cpp): it orders nothing itself, the tests deliver to the
// hub directly, and it knows which cursors are "on their way"
// (Backend::ahead).
#pragma once

#include <set>
#include <string>
#include <string_view>

#include "server/pubsub/backend.hpp"

namespace gale::web_test {

struct StubBackend final : pubsub::Backend {
  void publish(std::string, std::string, pubsub::PublishCompletion) override {}
  bool ahead(std::string_view, std::string_view cursor) const override {
    return coming.count(std::string(cursor)) > 0;
  }
  std::set<std::string> coming;
};

}  // namespace gale::web_test
