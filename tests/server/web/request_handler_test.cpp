// RequestHandler over an in-memory ResponseChannel: what a handler's calls
// become (status, fields, body, framing), 405 with Allow from the methods a
// handler type overrides, HEAD, errors and exceptions, redirects, cookies,
// arguments, JSON, streaming, and finishing later.
#include "server/web/request_handler.hpp"

#include <gtest/gtest.h>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <fcntl.h>
#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "server/http/request_parser.hpp"
#include "server/web/application.hpp"
#include "server/web/handler_factory.hpp"

namespace gale {
namespace {

using Fields = std::vector<std::pair<std::string, std::string>>;

// Records what the handler hands to the connection.
class FakeChannel : public ResponseChannel {
 public:
  explicit FakeChannel(boost::asio::io_context& loop) : loop_(loop) {}

  void start_response(int status, std::string_view reason,
                      const ResponseHeaders& headers,
                      std::optional<std::uint64_t> content_length) override {
    ++starts;
    this->status = status;
    this->reason = std::string(reason);
    fields.assign(headers.begin(), headers.end());
    length = content_length;
  }
  void send_body(std::string_view data) override { pieces.emplace_back(data); }
  void send_body(std::string&& data) override {
    pieces.push_back(std::move(data));
  }
  void send_file(std::shared_ptr<const FileDescriptor> file,
                 std::uint64_t offset, std::uint64_t length) override {
    files.push_back({file->get(), offset, length});
  }
  void end_response() override { ++ends; }
  void flush() override { ++flushes; }
  void abort() override {
    ++aborts;
    open = false;
  }
  bool is_open() const override { return open; }
  std::size_t pending_bytes() const override { return pending; }
  boost::asio::any_io_executor executor() override {
    return loop_.get_executor();
  }

  void reset() {
    starts = ends = flushes = aborts = status = 0;
    reason.clear();
    fields.clear();
    length.reset();
    pieces.clear();
    files.clear();
    open = true;
  }
  std::string body() const {
    std::string out;
    for (const std::string& p : pieces)
      out += p;
    return out;
  }
  // Every value of the field `name` (case-insensitive), in order.
  std::vector<std::string> values(std::string_view name) const {
    std::vector<std::string> out;
    for (const auto& [k, v] : fields)
      if (iequals(k, name)) out.push_back(v);
    return out;
  }
  std::string field(std::string_view name) const {
    auto v = values(name);
    return v.empty() ? "<absent>" : v.front();
  }

  int starts = 0, ends = 0, flushes = 0, aborts = 0;
  int status = 0;
  std::string reason;
  Fields fields;
  std::optional<std::uint64_t> length;
  std::vector<std::string> pieces;
  struct File {
    int fd;
    std::uint64_t offset, length;
  };
  std::vector<File> files;
  bool open = true;
  std::size_t pending = 0;

 private:
  boost::asio::io_context& loop_;
};

class RequestHandlerTest : public ::testing::Test {
 protected:
  // Parses `raw` and runs a fresh H over it, as the connection would.
  template <class H, class... Args>
  std::shared_ptr<H> run(std::string_view raw, PathArgs args = {},
                         Args&&... ctor) {
    parse(raw);
    HandlerFactory f = handler<H>(std::forward<Args>(ctor)...);
    std::shared_ptr<RequestHandler> h = f.create();
    h->bind({&app_, &request_, &channel_, &loop_, nullptr, std::move(args),
             f.methods});
    h->execute();
    return std::static_pointer_cast<H>(h);
  }

  void parse(std::string_view raw) {
    parser_.reset();
    std::size_t off = 0;
    RequestParser::Step s{};
    do {
      s = parser_.feed(raw.data() + off, raw.size() - off);
      off += s.consumed;
    } while (s.event == RequestParser::Event::head_complete);
    ASSERT_EQ(s.event, RequestParser::Event::message_complete)
        << describe(parser_.error());
    request_.bind(&parser_.head(), &parser_.body(), &peer_);
  }

  boost::asio::io_context loop_;
  FakeChannel channel_{loop_};
  Application app_;
  RequestParser parser_;
  boost::asio::ip::tcp::endpoint peer_{
      boost::asio::ip::make_address("127.0.0.1"), 54321};
  HttpRequest request_;
};

constexpr const char* kGet = "GET /x HTTP/1.1\r\nHost: h\r\n\r\n";

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
    write(Json::object({{"error", status}}));
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
  HandlerFactory f = handler<GetPostHandler>();
  auto h = f.create();
  h->bind({&app_, &request_, &channel_, &loop_, nullptr, {}, f.methods});
  h->respond_with_error(404);
  EXPECT_EQ(channel_.status, 404);
  EXPECT_EQ(channel_.body(), "404 Not Found\n");
}

// ---- redirect
// -----------------------------------------------------------------

struct RedirectHandler : RequestHandler {
  explicit RedirectHandler(bool permanent = false, int status = 0)
      : permanent_(permanent), status_(status) {}
  void get() override { redirect("/new?a=1", permanent_, status_); }
  bool permanent_;
  int status_;
};

TEST_F(RequestHandlerTest, RedirectIs302WithLocation) {
  run<RedirectHandler>(kGet);
  EXPECT_EQ(channel_.status, 302);
  EXPECT_EQ(channel_.field("Location"), "/new?a=1");
  EXPECT_EQ(channel_.ends, 1);
}

TEST_F(RequestHandlerTest, PermanentRedirectIs301) {
  run<RedirectHandler>(kGet, {}, true, 0);
  EXPECT_EQ(channel_.status, 301);
}

TEST_F(RequestHandlerTest, RedirectWithExplicitStatus) {
  run<RedirectHandler>(kGet, {}, false, 307);
  EXPECT_EQ(channel_.status, 307);
  EXPECT_EQ(channel_.field("Location"), "/new?a=1");
}

struct RedirectAfterFlushHandler : RequestHandler {
  void get() override {
    flush();
    redirect("/late");
  }
};

TEST_F(RequestHandlerTest, RedirectAfterFlushAbortsTheResponse) {
  ::testing::internal::CaptureStderr();
  run<RedirectAfterFlushHandler>(kGet);
  ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(channel_.starts, 1);
  EXPECT_EQ(channel_.aborts, 1);
  EXPECT_TRUE(channel_.values("Location").empty());
}

struct InjectingRedirectHandler : RequestHandler {
  void get() override { redirect("/a\r\nX-Evil: 1"); }
};

TEST_F(RequestHandlerTest, RedirectToAUrlWithCrlfIs500) {
  ::testing::internal::CaptureStderr();
  run<InjectingRedirectHandler>(kGet);
  ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(channel_.status, 500);
  EXPECT_TRUE(channel_.values("Location").empty());
}

// ---- cookies
// --------------------------------------------------------------------

struct CookieHandler : RequestHandler {
  void get() override {
    set_cookie("plain", "1");
    CookieOptions o;
    o.path = "/app";
    o.domain = "example.com";
    o.max_age_s = 60;
    o.secure = true;
    o.http_only = true;
    o.same_site = "Lax";
    set_cookie("session", "abc", o);
    clear_cookie("old");
  }
};

TEST_F(RequestHandlerTest, SetCookieFieldsOnePerCookie) {
  run<CookieHandler>(kGet);
  std::vector<std::string> c = channel_.values("Set-Cookie");
  ASSERT_EQ(c.size(), 3u);
  EXPECT_EQ(c[0], "plain=1; Path=/");
  EXPECT_TRUE(c[1].starts_with(
      "session=abc; Path=/app; Domain=example.com; Max-Age=60; Expires="))
      << c[1];
  EXPECT_TRUE(c[1].ends_with(" GMT; Secure; HttpOnly; SameSite=Lax")) << c[1];
  EXPECT_TRUE(c[2].starts_with("old=; Path=/; Max-Age=0; Expires=")) << c[2];
}

struct BadCookieHandler : RequestHandler {
  explicit BadCookieHandler(std::string name, std::string value)
      : name_(std::move(name)), value_(std::move(value)) {}
  void get() override { set_cookie(name_, value_); }
  std::string name_, value_;
};

TEST_F(RequestHandlerTest, InvalidCookieIs500) {
  ::testing::internal::CaptureStderr();
  for (auto [name, value] :
       std::vector<std::pair<std::string, std::string>>{{"", "v"},
                                                        {"a b", "v"},
                                                        {"a", "v;Path=/evil"},
                                                        {"a", "v w"},
                                                        {"a", "v\r\nX: y"},
                                                        {"a", "v,w"}}) {
    channel_.reset();
    run<BadCookieHandler>(kGet, {}, name, value);
    EXPECT_EQ(channel_.status, 500) << name << "=" << value;
    EXPECT_TRUE(channel_.values("Set-Cookie").empty());
  }
  ::testing::internal::GetCapturedStderr();
}

struct ReadCookieHandler : RequestHandler {
  void get() override {
    for (const char* n : {"a", "b", "c", "d", "e"}) {
      auto v = get_cookie(n);
      write(std::string(n) + "=" + (v ? std::string(*v) : "<none>") + ";");
    }
  }
};

TEST_F(RequestHandlerTest, GetCookieReadsEveryCookieField) {
  run<ReadCookieHandler>(
      "GET / HTTP/1.1\r\nCookie: a=1; b=\"two\";c=\r\n"
      "Cookie: e=five=5\r\n\r\n");
  EXPECT_EQ(channel_.body(), "a=1;b=two;c=;d=<none>;e=five=5;");
}

// ---- arguments
// --------------------------------------------------------------------

struct ArgsHandler : RequestHandler {
  void get() override { post(); }
  void post() override {
    write("a=" + get_argument("a") + "\n");
    write("s=[" + get_argument("s", "dflt") + "]\n");
    write("e=[" + get_argument("e", "dflt") + "]\n");
    write("m=" + get_argument("m", "dflt") + "\n");
    std::string all;
    for (const std::string& v : get_arguments("a"))
      all += v + ",";
    write("all=" + all + "\n");
    write("q=" + get_query_argument("a").value_or("<none>") + "\n");
    write("b=" + get_body_argument("a").value_or("<none>") + "\n");
  }
};

TEST_F(RequestHandlerTest, QueryArgumentsLastWinsStrippedWithDefaults) {
  run<ArgsHandler>("GET /?a=1&a=+2+&s=%20x%09&e= HTTP/1.1\r\n\r\n");
  EXPECT_EQ(channel_.status, 200);
  EXPECT_EQ(channel_.body(),
            "a=2\ns=[x]\ne=[]\nm=dflt\nall=1,2,\nq=2\nb=<none>\n");
}

TEST_F(RequestHandlerTest, FormBodyArgumentsComeAfterTheQuery) {
  run<ArgsHandler>(
      "POST /?a=1 HTTP/1.1\r\n"
      "Content-Type: application/x-www-form-urlencoded; charset=utf-8\r\n"
      "Content-Length: 13\r\n\r\na=3&s=x+y&a=4");
  EXPECT_EQ(channel_.body(),
            "a=4\ns=[x y]\ne=[dflt]\nm=dflt\nall=1,3,4,\nq=1\nb=4\n");
}

TEST_F(RequestHandlerTest, NonFormBodyHasNoArguments) {
  run<ArgsHandler>(
      "POST /?a=1 HTTP/1.1\r\nContent-Type: text/plain\r\n"
      "Content-Length: 3\r\n\r\na=3");
  EXPECT_EQ(channel_.body(),
            "a=1\ns=[dflt]\ne=[dflt]\nm=dflt\nall=1,\nq=1\nb=<none>\n");
}

struct RequiredArgHandler : RequestHandler {
  void get() override { write(get_argument("needed")); }
};

TEST_F(RequestHandlerTest, MissingRequiredArgumentIs400) {
  ::testing::internal::CaptureStderr();
  run<RequiredArgHandler>("GET /?other=1 HTTP/1.1\r\n\r\n");
  std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(channel_.status, 400);
  EXPECT_EQ(channel_.body(), "400 Bad Request\n");
  EXPECT_NE(log.find("missing argument needed"), std::string::npos) << log;
}

struct PathArgHandler : RequestHandler {
  void get() override {
    write(std::string(path_arg("name")) + "|" +
          std::string(path_arg("absent")) + "|" +
          std::to_string(path_args().size()));
  }
};

TEST_F(RequestHandlerTest, PathArgumentsByName) {
  PathArgs args;
  args.add("name", "J\xc3\xbcrgen");
  run<PathArgHandler>(kGet, std::move(args));
  EXPECT_EQ(channel_.body(), "J\xc3\xbcrgen||1");
}

struct RequestViewHandler : RequestHandler {
  void post() override {
    const HttpRequest& r = request();
    write(std::string(r.method()) + " " + std::string(r.uri()) + " " +
          std::string(r.path()) + " " + std::string(r.query()) + " " +
          std::string(r.version()) + " " + std::string(r.host()) + " " +
          std::string(r.header("x-custom", "none")) + " " + r.body() + " " +
          std::string(r.remote_ip()));
  }
};

TEST_F(RequestHandlerTest, RequestIsVisibleToTheHandler) {
  run<RequestViewHandler>(
      "POST /p%20q?x=1 HTTP/1.1\r\nHost: example.com\r\nX-Custom: c\r\n"
      "Content-Length: 4\r\n\r\nbody");
  EXPECT_EQ(channel_.body(),
            "POST /p%20q?x=1 /p%20q x=1 HTTP/1.1 example.com c body "
            "127.0.0.1");
}

// ---- JSON
// ------------------------------------------------------------------------

struct JsonHandler : RequestHandler {
  void get() override {
    write(Json::object({{"pid", 1}, {"ok", true}, {"name", "<b>"}}));
  }
};

TEST_F(RequestHandlerTest, JsonWriteSetsItsContentType) {
  run<JsonHandler>(kGet);
  EXPECT_EQ(channel_.field("Content-Type"), "application/json; charset=utf-8");
  EXPECT_EQ(channel_.body(), R"({"pid":1,"ok":true,"name":"\u003cb\u003e"})");
  EXPECT_EQ(channel_.length, channel_.body().size());
}

// ---- streaming
// --------------------------------------------------------------------

struct StreamingHandler : RequestHandler {
  void get() override {
    write("one,");
    flush();
    write("two,");
    flush();
    write("three");
  }
};

TEST_F(RequestHandlerTest, FlushStreamsWithoutContentLength) {
  run<StreamingHandler>(kGet);
  EXPECT_EQ(channel_.starts, 1);
  EXPECT_EQ(channel_.length, std::nullopt);  // chunked on the wire
  EXPECT_EQ(channel_.pieces,
            (std::vector<std::string>{"one,", "two,", "three"}));
  EXPECT_EQ(channel_.flushes, 2);
  EXPECT_EQ(channel_.ends, 1);
}

struct EmptyFlushHandler : RequestHandler {
  void get() override {
    flush();
    sent_after_flush = headers_sent();
  }
  bool sent_after_flush = false;
};

TEST_F(RequestHandlerTest, FlushWithNothingBufferedSendsTheHeadOnly) {
  auto h = run<EmptyFlushHandler>(kGet);
  EXPECT_TRUE(h->sent_after_flush);
  EXPECT_EQ(channel_.starts, 1);
  EXPECT_TRUE(channel_.pieces.empty());
  EXPECT_EQ(channel_.ends, 1);
}

struct FileHandler : RequestHandler {
  void get() override {
    auto fd =
        std::make_shared<const FileDescriptor>(::open("/dev/null", O_RDONLY));
    write_file(fd, 10, 90);
  }
};

TEST_F(RequestHandlerTest, WriteFileSendsItsLengthAndTheRange) {
  run<FileHandler>(kGet);
  EXPECT_EQ(channel_.length, 90u);
  ASSERT_EQ(channel_.files.size(), 1u);
  EXPECT_EQ(channel_.files[0].offset, 10u);
  EXPECT_EQ(channel_.files[0].length, 90u);
  EXPECT_EQ(channel_.ends, 1);
}

// ---- finish
// ----------------------------------------------------------------------

struct FinishTwiceHandler : RequestHandler {
  void get() override {
    finish("once");
    finish();
  }
  void on_finish() override { ++finishes; }
  int finishes = 0;
};

TEST_F(RequestHandlerTest, FinishTwiceIsLoggedAndIgnored) {
  ::testing::internal::CaptureStderr();
  auto h = run<FinishTwiceHandler>(kGet);
  std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(channel_.ends, 1);
  EXPECT_EQ(channel_.body(), "once");
  EXPECT_EQ(h->finishes, 1);
  EXPECT_NE(log.find("finish() called twice for GET /x"), std::string::npos)
      << log;
}

struct WriteAfterFinishHandler : RequestHandler {
  void get() override {
    finish("done");
    write("more");
  }
};

TEST_F(RequestHandlerTest, WriteAfterFinishIsLoggedAndTheResponseStands) {
  ::testing::internal::CaptureStderr();
  run<WriteAfterFinishHandler>(kGet);
  std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(channel_.starts, 1);
  EXPECT_EQ(channel_.ends, 1);
  EXPECT_EQ(channel_.body(), "done");
  EXPECT_NE(log.find("write() after finish()"), std::string::npos) << log;
}

struct LaterHandler : RequestHandler {
  void get() override {
    finish_later();
    write("queued ");
  }
  void on_connection_close() override { ++closes; }
  int closes = 0;
};

TEST_F(RequestHandlerTest, FinishLaterKeepsTheResponseOpen) {
  auto h = run<LaterHandler>(kGet);
  EXPECT_EQ(channel_.starts, 0);
  EXPECT_EQ(channel_.ends, 0);
  EXPECT_FALSE(h->finished());
  h->write("later");
  h->finish();
  EXPECT_EQ(channel_.ends, 1);
  EXPECT_EQ(channel_.body(), "queued later");
  EXPECT_EQ(channel_.length, 12u);
}

TEST_F(RequestHandlerTest, ConnectionCloseNotifiesAndDetachesTheChannel) {
  auto h = run<LaterHandler>(kGet);
  EXPECT_TRUE(h->connection_open());
  channel_.open = false;
  h->connection_closed();
  EXPECT_EQ(h->closes, 1);
  EXPECT_FALSE(h->connection_open());
  h->connection_closed();  // idempotent
  EXPECT_EQ(h->closes, 1);
  h->finish();  // nobody to answer: nothing reaches the old channel
  EXPECT_TRUE(h->finished());
  EXPECT_EQ(channel_.starts, 0);
  EXPECT_EQ(channel_.ends, 0);
}

TEST_F(RequestHandlerTest, PendingBytesComeFromTheChannel) {
  auto h = run<LaterHandler>(kGet);
  channel_.pending = 1234;
  EXPECT_EQ(h->pending_bytes(), 1234u);
  h->finish();
}

// ---- coroutines
// --------------------------------------------------------------------

struct SleepyHandler : RequestHandler {
  explicit SleepyHandler(int ms = 1, bool fail = false)
      : ms_(ms), fail_(fail) {}
  void get() override { spawn(sleep_then_answer()); }
  boost::asio::awaitable<void> sleep_then_answer() {
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor,
                                    std::chrono::milliseconds(ms_));
    try {
      co_await timer.async_wait(boost::asio::use_awaitable);
    } catch (const boost::system::system_error& e) {
      cancelled = e.code() == boost::asio::error::operation_aborted;
      throw;
    }
    if (fail_) throw std::runtime_error("task failed");
    write("slept");
  }
  void on_connection_close() override { ++closes; }
  int ms_;
  bool fail_;
  bool cancelled = false;
  int closes = 0;
};

TEST_F(RequestHandlerTest, SpawnedTaskFinishesTheResponseWhenItReturns) {
  auto h = run<SleepyHandler>(kGet);
  EXPECT_EQ(channel_.ends, 0);  // the loop has not run yet
  loop_.run();
  EXPECT_EQ(channel_.status, 200);
  EXPECT_EQ(channel_.body(), "slept");
  EXPECT_EQ(channel_.ends, 1);
}

TEST_F(RequestHandlerTest, SpawnedTaskThatThrowsIs500) {
  ::testing::internal::CaptureStderr();
  auto h = run<SleepyHandler>(kGet, {}, 1, true);
  loop_.run();
  std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(channel_.status, 500);
  EXPECT_EQ(channel_.ends, 1);
  EXPECT_NE(log.find("task failed"), std::string::npos) << log;
}

TEST_F(RequestHandlerTest, ClientGoneCancelsTheSpawnedTask) {
  auto h = run<SleepyHandler>(kGet, {}, 60000);
  loop_.poll();  // the task starts and waits on its timer
  auto start = std::chrono::steady_clock::now();
  h->connection_closed();
  loop_.run();  // returns at once: the timer was cancelled
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_TRUE(h->cancelled);
  EXPECT_EQ(h->closes, 1);
  EXPECT_EQ(channel_.starts, 0);  // nobody to answer
  EXPECT_EQ(channel_.ends, 0);
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
