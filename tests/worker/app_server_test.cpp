// gale::testing::AppServer against the built-in app: the fixture serves
// over real sockets from a worker in this process, and stops cleanly.
#include "worker/testing/app_server.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <stdexcept>

#include "server/app/builtin_app.hpp"

namespace gale {
namespace {

using testing::AppServer;

class AppServerTest : public ::testing::Test {
 protected:
  Config config_ = AppServer::quiet_config();
  Application app_ = make_builtin_app(config_);
};

TEST_F(AppServerTest, ServesTheApplicationOnAFreePort) {
  AppServer server(app_, config_);
  EXPECT_NE(server.port(), 0);
  testing::Response r = server.fetch("GET", "/hello/w%C3%B6rld");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "Hello, wörld");
  EXPECT_EQ(r.header("content-type"), "text/plain; charset=utf-8");
  EXPECT_EQ(r.header("Server"), "gale");
}

TEST_F(AppServerTest, PostsABodyAndReadsItBack) {
  AppServer server(app_, config_);
  testing::Request req;
  req.method = "PUT";
  req.target = "/echo";
  req.headers = {{"Content-Type", "application/x-test"}};
  req.body = std::string(100000, 'z');
  testing::Response r = server.fetch(req);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, req.body);
  EXPECT_EQ(r.header("Content-Type"), "application/x-test");
}

TEST_F(AppServerTest, ErrorsAreResponsesNotExceptions) {
  AppServer server(app_, config_);
  EXPECT_EQ(server.fetch("GET", "/no/such/route").status, 404);
  testing::Response r = server.fetch("DELETE", "/");
  EXPECT_EQ(r.status, 405);
  EXPECT_NE(r.header("Allow").find("GET"), std::string::npos);
}

TEST_F(AppServerTest, SlowRequestsDoNotBlockTheLoop) {
  AppServer server(app_, config_);
  auto slow = std::async(std::launch::async,
                         [&] { return server.fetch("GET", "/sleep?ms=600"); });
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(server.fetch("GET", "/").body, "Hello, world");
  EXPECT_LT(std::chrono::steady_clock::now() - start,
            std::chrono::milliseconds(500));
  EXPECT_EQ(slow.get().body, "slept 600");
}

TEST_F(AppServerTest, ARequestTimeoutIsAnExceptionWithItsCause) {
  AppServer server(app_, config_);
  testing::Request req;
  req.target = "/sleep?ms=2000";
  req.timeout = std::chrono::milliseconds(200);
  EXPECT_THROW(server.fetch(req), std::runtime_error);
}

TEST_F(AppServerTest, ServersComeAndGoInOneProcess) {
  for (int i = 0; i < 3; ++i) {
    AppServer server(app_, config_);
    EXPECT_EQ(server.fetch("GET", "/health").body, "ok");
  }
}

}  // namespace
}  // namespace gale
