// RequestHandler over an in-memory ResponseChannel: what a handler's calls
// become (status, fields, body, framing), 405 with Allow from the methods a
// handler type overrides, HEAD, send_error/write_error, HttpError and other
// exceptions, clear(). Redirects, cookies, arguments and JSON are in
// request_handler_io_test.cpp; streaming and finishing later in
// request_handler_async_test.cpp.
#include "server/web/request_handler.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "tests/server/web/request_handler_fixture.hpp"

namespace gale {
namespace {

using web_test::kGet;
using web_test::RequestHandlerTest;

// ---- a plain response ----------------------------------------------------

struct HelloHandler : RequestHandler {
  void get() override { write("Hello, world"); }
};

TEST_F(RequestHandlerTest, WriteGives200WithContentLengthAndBody) {
  auto h = run<HelloHandler>(kGet);
  EXPECT_EQ(channel_.starts, 1);
  EXPECT_EQ(channel_.status, 200);
  EXPECT_EQ(channel_.reason, "OK");
  EXPECT_EQ(channel_.length, 12u);
  EXPECT_EQ(channel_.body(), "Hello, world");
  EXPECT_EQ(channel_.ends, 1);
  EXPECT_EQ(channel_.flushes, 0);
  EXPECT_TRUE(h->finished());
}

TEST_F(RequestHandlerTest, DefaultContentTypeIsHtml) {
  run<HelloHandler>(kGet);
  EXPECT_EQ(channel_.field("Content-Type"), "text/html; charset=utf-8");
}

struct NothingHandler : RequestHandler {
  void get() override {}
};

TEST_F(RequestHandlerTest, MethodThatWritesNothingIsAnEmpty200) {
  run<NothingHandler>(kGet);
  EXPECT_EQ(channel_.status, 200);
  EXPECT_EQ(channel_.length, 0u);
  EXPECT_EQ(channel_.ends, 1);
}

struct FieldsHandler : RequestHandler {
  void get() override {
    set_status(201);
    set_header("Content-Type", "text/plain");
    set_header("X-One", "a");
    set_header("x-one", "b");  // replaces
    add_header("X-Two", "1");
    add_header("X-Two", "2");
    add_header("X-Gone", "g");
    clear_header("x-gone");
    write("made");
  }
};

TEST_F(RequestHandlerTest, StatusAndFieldsAsSet) {
  run<FieldsHandler>(kGet);
  EXPECT_EQ(channel_.status, 201);
  EXPECT_EQ(channel_.reason, "Created");
  EXPECT_EQ(channel_.field("Content-Type"), "text/plain");
  EXPECT_EQ(channel_.values("X-One"), std::vector<std::string>{"b"});
  EXPECT_EQ(channel_.values("X-Two"), (std::vector<std::string>{"1", "2"}));
  EXPECT_TRUE(channel_.values("X-Gone").empty());
}

struct ReasonHandler : RequestHandler {
  void get() override { set_status(299, "Fine Indeed"); }
};

TEST_F(RequestHandlerTest, CustomReasonPhrase) {
  run<ReasonHandler>(kGet);
  EXPECT_EQ(channel_.status, 299);
  EXPECT_EQ(channel_.reason, "Fine Indeed");
}

struct NoContentHandler : RequestHandler {
  void get() override { set_status(204); }
};

TEST_F(RequestHandlerTest, NoContentGetsNoContentType) {
  run<NoContentHandler>(kGet);
  EXPECT_EQ(channel_.status, 204);
  EXPECT_TRUE(channel_.values("Content-Type").empty());
}

struct BadStatusHandler : RequestHandler {
  void get() override { set_status(1000); }
};

TEST_F(RequestHandlerTest, InvalidStatusIs500) {
  ::testing::internal::CaptureStderr();
  run<BadStatusHandler>(kGet);
  ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(channel_.status, 500);
}

struct CrlfHeaderHandler : RequestHandler {
  void get() override { set_header("X", "a\r\nSet-Cookie: evil=1"); }
};

TEST_F(RequestHandlerTest, HeaderValueWithCrlfIs500NotInjected) {
  ::testing::internal::CaptureStderr();
  run<CrlfHeaderHandler>(kGet);
  ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(channel_.status, 500);
  EXPECT_TRUE(channel_.values("Set-Cookie").empty());
  EXPECT_TRUE(channel_.values("X").empty());
}

// ---- 405 and Allow ---------------------------------------------------------

struct GetPostHandler : RequestHandler {
  void get() override { write("got"); }
  void post() override { write("posted"); }
};
struct PostOnlyHandler : RequestHandler {
  void post() override { write("posted"); }
};
struct DerivedHandler : GetPostHandler {
  void delete_() override { write("deleted"); }
};
struct AllHandler : RequestHandler {
  void get() override {}
  void head() override {}
  void post() override {}
  void put() override {}
  void patch() override {}
  void delete_() override {}
  void options() override {}
};

TEST(HandlerFactoryTest, MethodsAreDetectedFromOverridesAtCompileTime) {
  constexpr MethodSet gp = detail::methods_of<GetPostHandler>();
  static_assert(gp.contains(Method::get) && gp.contains(Method::head) &&
                gp.contains(Method::post) && !gp.contains(Method::put));
  constexpr MethodSet po = detail::methods_of<PostOnlyHandler>();
  static_assert(po.contains(Method::post) && !po.contains(Method::head));
  constexpr MethodSet d = detail::methods_of<DerivedHandler>();
  static_assert(d.contains(Method::get) && d.contains(Method::delete_));
  EXPECT_EQ(gp.allow_value(), "GET, HEAD, POST");
  EXPECT_EQ(d.allow_value(), "GET, HEAD, POST, DELETE");
  EXPECT_EQ(detail::methods_of<AllHandler>().allow_value(),
            "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
  EXPECT_EQ(MethodSet().allow_value(), "");
}

TEST(HandlerFactoryTest, FactoryMakesAFreshHandlerWithItsArguments) {
  struct Greeter : RequestHandler {
    explicit Greeter(std::string g) : greeting(std::move(g)) {}
    void get() override { write(greeting); }
    std::string greeting;
  };
  HandlerFactory f = handler<Greeter>(std::string("hi"));
  auto a = f.create();
  auto b = f.create();
  EXPECT_NE(a, b);
  EXPECT_EQ(static_cast<Greeter&>(*a).greeting, "hi");
  EXPECT_TRUE(f.methods.contains(Method::get));
}

TEST_F(RequestHandlerTest, MethodNotImplementedIs405WithAllow) {
  run<GetPostHandler>("PUT /x HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(channel_.status, 405);
  EXPECT_EQ(channel_.values("Allow"),
            std::vector<std::string>{"GET, HEAD, POST"});
  EXPECT_EQ(channel_.ends, 1);
}

TEST_F(RequestHandlerTest, AllowListsInheritedMethods) {
  run<DerivedHandler>("PATCH /x HTTP/1.1\r\n\r\n");
  EXPECT_EQ(channel_.status, 405);
  EXPECT_EQ(channel_.field("Allow"), "GET, HEAD, POST, DELETE");
}

TEST_F(RequestHandlerTest, MethodWithoutAHandlerSlotIs405) {
  run<GetPostHandler>("PROPFIND /x HTTP/1.1\r\n\r\n");
  EXPECT_EQ(channel_.status, 405);
  EXPECT_EQ(channel_.field("Allow"), "GET, HEAD, POST");
}

TEST_F(RequestHandlerTest, ImplementedMethodsRun) {
  run<DerivedHandler>("DELETE /x HTTP/1.1\r\n\r\n");
  EXPECT_EQ(channel_.status, 200);
  EXPECT_EQ(channel_.body(), "deleted");
}

// ---- HEAD ------------------------------------------------------------------

TEST_F(RequestHandlerTest, HeadRunsGetAndKeepsItsLength) {
  // The connection drops the body of a HEAD response; the handler gives it
  // the same length as GET (RFC 9110 §9.3.2).
  run<HelloHandler>("HEAD /x HTTP/1.1\r\n\r\n");
  EXPECT_EQ(channel_.status, 200);
  EXPECT_EQ(channel_.length, 12u);
  EXPECT_EQ(channel_.ends, 1);
}

TEST_F(RequestHandlerTest, HeadWithoutGetIs405) {
  run<PostOnlyHandler>("HEAD /x HTTP/1.1\r\n\r\n");
  EXPECT_EQ(channel_.status, 405);
  EXPECT_EQ(channel_.field("Allow"), "POST");
}

struct OwnHeadHandler : RequestHandler {
  void head() override { set_header("X-Head", "own"); }
};

TEST_F(RequestHandlerTest, OverriddenHeadRuns) {
  run<OwnHeadHandler>("HEAD /x HTTP/1.1\r\n\r\n");
  EXPECT_EQ(channel_.status, 200);
  EXPECT_EQ(channel_.field("X-Head"), "own");
}

// ---- send_error, write_error, HttpError, exceptions -----------------------

struct SendErrorHandler : RequestHandler {
  void get() override {
    set_header("X-Before", "1");
    write("half a page");
    send_error(403);
  }
};

TEST_F(RequestHandlerTest, SendErrorReplacesBufferedOutputWithTheErrorPage) {
  run<SendErrorHandler>(kGet);
  EXPECT_EQ(channel_.status, 403);
  EXPECT_EQ(channel_.body(), "403 Forbidden\n");
  EXPECT_EQ(channel_.field("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_TRUE(channel_.values("X-Before").empty());
  EXPECT_EQ(channel_.ends, 1);
}

struct CustomErrorHandler : RequestHandler {
  void get() override { send_error(404); }
  void write_error(int status) override {
    set_header("Content-Type", "application/json");
    write(boost::json::object{{"error", status}});
  }
};

TEST_F(RequestHandlerTest, WriteErrorOverrideShapesTheErrorPage) {
  run<CustomErrorHandler>(kGet);
  EXPECT_EQ(channel_.status, 404);
  EXPECT_EQ(channel_.body(), R"({"error":404})");
}

struct ThrowingWriteErrorHandler : RequestHandler {
  void get() override { send_error(502); }
  void write_error(int) override {
    write("partial");
    throw std::runtime_error("write_error broke");
  }
};

TEST_F(RequestHandlerTest, ThrowingWriteErrorStillSendsTheStatus) {
  ::testing::internal::CaptureStderr();
  run<ThrowingWriteErrorHandler>(kGet);
  std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(channel_.status, 502);
  EXPECT_EQ(channel_.body(), "");
  EXPECT_NE(log.find("write_error broke"), std::string::npos) << log;
}

struct HttpErrorHandler : RequestHandler {
  void get() override {
    write("discarded");
    throw HttpError(403, "user 7 may not see this");
  }
};

TEST_F(RequestHandlerTest, HttpErrorAnswersItsStatusAndLogsItsMessage) {
  ::testing::internal::CaptureStderr();
  run<HttpErrorHandler>(kGet);
  std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(channel_.status, 403);
  EXPECT_EQ(channel_.body(), "403 Forbidden\n");  // the message stays private
  EXPECT_NE(log.find("user 7 may not see this"), std::string::npos) << log;
  EXPECT_NE(log.find("[warning]"), std::string::npos) << log;
}

struct DetailedHttpErrorHandler : RequestHandler {
  void get() override { throw HttpError(409, "log only", "field x is odd"); }
};

TEST_F(RequestHandlerTest, HttpErrorDetailIsShownToTheClient) {
  ::testing::internal::CaptureStderr();
  run<DetailedHttpErrorHandler>(kGet);
  std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(channel_.status, 409);
  EXPECT_EQ(channel_.body(), "409 Conflict\nfield x is odd\n");
  EXPECT_NE(log.find("log only"), std::string::npos) << log;
}

struct DetailReadingHandler : DetailedHttpErrorHandler {
  void write_error(int status) override {
    write(std::to_string(status) + "|" + std::string(error_detail()));
  }
};

TEST_F(RequestHandlerTest, WriteErrorReadsTheDetailOnlyForAnHttpError) {
  ::testing::internal::CaptureStderr();
  run<DetailReadingHandler>(kGet);
  ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(channel_.body(), "409|field x is odd");
}

struct ThrowingHandler : RequestHandler {
  void get() override { throw std::runtime_error("database password wrong"); }
};

TEST_F(RequestHandlerTest, ExceptionIs500WithoutLeakingTheMessage) {
  ::testing::internal::CaptureStderr();
  run<ThrowingHandler>(kGet);
  std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(channel_.status, 500);
  EXPECT_EQ(channel_.body(), "500 Internal Server Error\n");
  EXPECT_NE(log.find("database password wrong"), std::string::npos) << log;
  EXPECT_NE(log.find("GET /x"), std::string::npos) << log;
  EXPECT_EQ(channel_.ends, 1);
}

struct ThrowsIntHandler : RequestHandler {
  void get() override { throw 42; }
};

TEST_F(RequestHandlerTest, NonStandardExceptionIs500) {
  ::testing::internal::CaptureStderr();
  run<ThrowsIntHandler>(kGet);
  std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(channel_.status, 500);
  EXPECT_NE(log.find("non-standard"), std::string::npos) << log;
}

struct ThrowsAfterFlushHandler : RequestHandler {
  void get() override {
    write("first part");
    flush();
    throw std::runtime_error("mid-stream");
  }
};

TEST_F(RequestHandlerTest, ExceptionAfterTheResponseStartedAbortsIt) {
  ::testing::internal::CaptureStderr();
  run<ThrowsAfterFlushHandler>(kGet);
  ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(channel_.starts, 1);
  EXPECT_EQ(channel_.status, 200);
  EXPECT_EQ(channel_.aborts, 1);  // the client sees a truncated response
  EXPECT_EQ(channel_.ends, 0);
}

struct ThrowingPrepareHandler : RequestHandler {
  void prepare() override { throw HttpError(401); }
  void get() override { ran = true; }
  bool ran = false;
};

TEST_F(RequestHandlerTest, ExceptionInPrepareSkipsTheMethod) {
  auto h = run<ThrowingPrepareHandler>(kGet);
  EXPECT_EQ(channel_.status, 401);
  EXPECT_FALSE(h->ran);
}

struct RedirectingPrepareHandler : RequestHandler {
  void prepare() override { redirect("/login"); }
  void get() override { ran = true; }
  bool ran = false;
};

TEST_F(RequestHandlerTest, PrepareThatFinishesSkipsTheMethod) {
  auto h = run<RedirectingPrepareHandler>(kGet);
  EXPECT_EQ(channel_.status, 302);
  EXPECT_EQ(channel_.field("Location"), "/login");
  EXPECT_FALSE(h->ran);
  EXPECT_EQ(channel_.ends, 1);
}

TEST_F(RequestHandlerTest, RespondWithErrorBeforeAnyMethod) {
  parse(kGet);
  harness_.bind(handler<GetPostHandler>());
  harness_.respond_with_error(404);
  EXPECT_EQ(channel_.status, 404);
  EXPECT_EQ(channel_.body(), "404 Not Found\n");
}

// ---- clear
// ------------------------------------------------------------------------

struct ClearHandler : RequestHandler {
  void get() override {
    set_status(418);
    set_header("X", "1");
    write("junk");
    clear();
    write("clean");
  }
};

TEST_F(RequestHandlerTest, ClearResetsStatusFieldsAndBody) {
  run<ClearHandler>(kGet);
  EXPECT_EQ(channel_.status, 200);
  EXPECT_TRUE(channel_.values("X").empty());
  EXPECT_EQ(channel_.body(), "clean");
}

}  // namespace
}  // namespace gale
