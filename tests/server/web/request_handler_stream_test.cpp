// A handler that streams its request body (stream_request_body): the
// factory knows it at compile time, and the in-memory harness runs it as
// the connection does — prepare(), the body through data_received(), then
// the method — with request().body() left empty.
#include <gtest/gtest.h>

#include <string>

#include "server/web/application.hpp"
#include "server/web/handler_factory.hpp"
#include "server/web/testing/handler_harness.hpp"

namespace gale {
namespace {

using testing::SentResponse;

struct Plain : RequestHandler {
  void post() override {}
};

struct Counting : RequestHandler {
  static constexpr bool stream_request_body = true;
  void prepare() override {
    steps += "prepare;";
    if (!request().header("X-Refuse").empty()) send_error(403);
  }
  void data_received(std::string_view chunk) override {
    steps += "data " + std::string(chunk) + ";";
  }
  void post() override {
    steps += "post body=" + std::to_string(request().body().size()) + ";";
    write(steps);
  }
  std::string steps;
};

TEST(RequestHandlerStreamTest, TheFactoryKnowsWhichHandlersStream) {
  EXPECT_FALSE(handler<Plain>().streams_body);
  EXPECT_TRUE(handler<Counting>().streams_body);
}

TEST(RequestHandlerStreamTest, PrepareThenTheBodyThenTheMethod) {
  Application app;
  app.add({"/up", handler<Counting>()});
  SentResponse r = testing::fetch(
      app, "POST /up HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body(), "prepare;data hello;post body=0;");
}

TEST(RequestHandlerStreamTest, RefusedInPrepareSeesNoBody) {
  Application app;
  app.add({"/up", handler<Counting>()});
  SentResponse r = testing::fetch(app,
                                  "POST /up HTTP/1.1\r\nHost: t\r\nX-Refuse: 1"
                                  "\r\nContent-Length: 5\r\n\r\nhello");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.ends, 1);
}

}  // namespace
}  // namespace gale
