// answer_now(), the one rule both forms of PubSub::wait_after() answer by
// (long_poll_test.cpp and pubsub_test.cpp run it through each form): kept
// messages at once, a wait when there are none, an empty answer when
// draining, and a cursor that is on its way waited for, never taken as
// unknown.
#include "server/web/poll_answer.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "tests/server/web/stub_backend.hpp"

namespace gale {
namespace {

using web_test::StubBackend;

class PollAnswerTest : public ::testing::Test {
 protected:
  PollAnswerTest() {
    hub_.deliver(pubsub::Message{"room", "1", "a"});
    hub_.deliver(pubsub::Message{"room", "2", "b"});
    backend_.coming.insert("3");
  }
  // The bodies answered now, or nullopt for a wait.
  std::optional<std::vector<std::string>> answer(const std::string& cursor,
                                                 bool draining = false) {
    auto messages = answer_now(hub_, backend_, "room", cursor, draining);
    if (!messages) return std::nullopt;
    std::vector<std::string> bodies;
    for (const auto& m : *messages)
      bodies.push_back(m->body);
    return bodies;
  }

  pubsub::Hub hub_{3};
  StubBackend backend_;
};

using Bodies = std::vector<std::string>;

TEST_F(PollAnswerTest, KeptMessagesAfterTheCursorAreAnsweredAtOnce) {
  EXPECT_EQ(answer("1"), Bodies{"b"});
  EXPECT_EQ(answer(""), (Bodies{"a", "b"}));
  EXPECT_EQ(answer("unknown"), (Bodies{"a", "b"}));  // the whole history
}

TEST_F(PollAnswerTest, TheNewestCursorWaitsUnlessDraining) {
  EXPECT_EQ(answer("2"), std::nullopt);
  EXPECT_EQ(answer("2", true), Bodies{});
}

TEST_F(PollAnswerTest, ACursorOnItsWayWaitsUnlessDraining) {
  EXPECT_EQ(answer("3"), std::nullopt);  // not the whole history
  EXPECT_EQ(answer("3", true), Bodies{});
}

TEST_F(PollAnswerTest, AnotherChannelIsItsOwn) {
  EXPECT_EQ(answer_now(hub_, backend_, "other", "", false), std::nullopt);
}

}  // namespace
}  // namespace gale
