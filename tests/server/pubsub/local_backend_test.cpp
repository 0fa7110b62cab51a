// LocalBackend: ids in publish order, delivery before completion, and never
// a completion inside publish().
#include "server/pubsub/local_backend.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

namespace gale::pubsub {
namespace {

TEST(LocalBackend, CompletesOnlyWhenRun) {
  Hub hub;
  LocalBackend backend(hub);
  bool called = false;
  backend.publish("c", "hi", [&](PublishResult) { called = true; });
  EXPECT_FALSE(called);
  EXPECT_EQ(backend.pending(), 1u);
  EXPECT_EQ(backend.run_pending(), 1u);
  EXPECT_TRUE(called);
}

TEST(LocalBackend, DeliversBeforeCompletingWithOrderedIds) {
  Hub hub;
  LocalBackend backend(hub);
  std::vector<std::string> ids;
  for (const char* body : {"m0", "m1", "m2"}) {
    backend.publish("c", body, [&](PublishResult r) {
      ASSERT_EQ(r.status, PublishStatus::published);
      EXPECT_EQ(hub.last_id("c"), r.id);  // already in the hub
      ids.push_back(r.id);
    });
  }
  backend.run_pending();
  ASSERT_EQ(ids.size(), 3u);
  EXPECT_LT(ids[0], ids[1]);
  EXPECT_LT(ids[1], ids[2]);
  auto kept = hub.after("c", "");
  ASSERT_EQ(kept.size(), 3u);
  EXPECT_EQ(kept[2]->body, "m2");
}

TEST(LocalBackend, RefusesInvalidInput) {
  Hub hub;
  LocalBackend backend(hub);
  std::vector<PublishStatus> got;
  auto note = [&](PublishResult r) { got.push_back(r.status); };
  backend.publish("", "x", note);
  backend.publish(std::string(kMaxChannelBytes + 1, 'c'), "x", note);
  backend.publish("c", std::string(kMaxBodyBytes + 1, 'b'), note);
  backend.run_pending();
  EXPECT_EQ(got, std::vector<PublishStatus>(3, PublishStatus::invalid));
  EXPECT_EQ(hub.channels(), 0u);
}

TEST(LocalBackend, DefersThroughTheGivenExecutor) {
  Hub hub;
  std::vector<std::function<void()>> loop;
  LocalBackend backend(
      hub, [&](std::function<void()> f) { loop.push_back(std::move(f)); });
  std::string id;
  backend.publish("c", "x", [&](PublishResult r) { id = r.id; });
  EXPECT_EQ(backend.run_pending(), 0u);
  ASSERT_EQ(loop.size(), 1u);
  EXPECT_TRUE(id.empty());
  loop[0]();
  EXPECT_FALSE(id.empty());
}

TEST(LocalBackend, TaskAfterDestructionDropsTheCompletion) {
  Hub hub;
  std::vector<std::function<void()>> loop;
  bool called = false;
  {
    LocalBackend backend(
        hub, [&](std::function<void()> f) { loop.push_back(std::move(f)); });
    backend.publish("c", "x", [&](PublishResult) { called = true; });
  }
  loop[0]();
  EXPECT_FALSE(called);
  EXPECT_EQ(hub.channels(), 0u);
}

}  // namespace
}  // namespace gale::pubsub
