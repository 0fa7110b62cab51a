// SPEC §6: a WebSocketHandler can co_await (spawn()), against the real
// binary's /test/ws/tasks route (tests/support/test_routes.cpp): a task's
// answer arrives; a task that throws closes the socket with 1011; a task
// still waiting when the client leaves is cancelled and its handler freed
// (no socket-long leak, and under ASan no leak at exit).
#include <string>

#include "tests/support/gale_test.hpp"
#include "tests/support/wait.hpp"
#include "tests/support/ws_client.hpp"

namespace gale::itest {

using namespace gale::test;

namespace {

class WebSocketTasksTest : public GaleTest {
 protected:
  WsClient open_tasks() {
    WsClient c;
    EXPECT_TRUE(c.open(port(), "/test/ws/tasks")) << c.error();
    return c;
  }
  // TaskSocket handlers alive in the (single) worker.
  std::string live() {
    return fetch_ok("GET /test/ws/live HTTP/1.1\r\nHost: t\r\n\r\n").body;
  }
};

TEST_F(WebSocketTasksTest, ATaskCanAwaitAndThenWrite) {
  WsClient c = open_tasks();
  ASSERT_TRUE(c.send_text("quick"));
  auto m = c.read_message();
  ASSERT_TRUE(m) << describe(c.last_end());
  EXPECT_EQ(m->payload, "done");
}

TEST_F(WebSocketTasksTest, ATaskThatThrowsClosesWith1011) {
  WsClient c = open_tasks();
  ASSERT_TRUE(c.send_text("throw"));
  auto f = c.read_frame();
  ASSERT_TRUE(f) << describe(c.last_end());
  ASSERT_EQ(f->opcode, ws_op::close);
  EXPECT_EQ(f->close_code(), 1011);
}

TEST_F(WebSocketTasksTest, AWaitingTaskIsCancelledWhenTheClientCloses) {
  WsClient c = open_tasks();
  ASSERT_TRUE(c.send_text("wait"));  // would answer in 60 s
  ASSERT_TRUE(wait_until([&] { return live() == "1"; }, 5s)) << live();
  ASSERT_TRUE(c.send_close(1000));
  auto f = c.read_frame();
  ASSERT_TRUE(f) << describe(c.last_end());
  EXPECT_EQ(f->opcode, ws_op::close);
  EXPECT_TRUE(c.wait_closed());
  // Not 60 s later: the task is cancelled, so nothing holds the handler.
  EXPECT_TRUE(wait_until([&] { return live() == "0"; }, 5s)) << live();
}

}  // namespace
}  // namespace gale::itest
