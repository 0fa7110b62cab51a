// gale::HttpClient against scripted stub servers: bodies, redirects and
// keep-alive reuse (the failures are in http_client_failure_test.cpp).
#include "server/client/http_client.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>

#include "tests/server/client/run_fetch.hpp"
#include "tests/server/client/stub_server.hpp"

namespace gale::test {
namespace {

using namespace std::chrono_literals;

// Answers every request of a connection by `answer`, recording them.
class RecordingStub {
 public:
  using Answer = std::function<std::string(const StubRequest&)>;
  explicit RecordingStub(Answer answer)
      : answer_(std::move(answer)), server_([this](StubConnection& c) {
          while (auto r = c.read_request()) {
            {
              std::lock_guard lock(mutex_);
              requests_.push_back(*r);
            }
            c.send(answer_(*r));
          }
        }) {}
  std::vector<StubRequest> requests() {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  StubServer& server() { return server_; }
  std::string url(const std::string& path) { return server_.url(path); }

 private:
  Answer answer_;
  std::mutex mutex_;
  std::vector<StubRequest> requests_;
  StubServer server_;  // last: its threads stop before the rest goes
};

class HttpClientTest : public ::testing::Test {
 protected:
  boost::asio::io_context loop_;
  gale::HttpClient client_{loop_.get_executor()};
};

TEST_F(HttpClientTest, ReadsAContentLengthResponse) {
  RecordingStub stub([](const StubRequest&) {
    return http_response("201 Made", "hello", "X-Thing: 1\r\n");
  });
  HttpClientResponse r = run_fetch(loop_, client_, stub.url("/a?b=c"));
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.reason, "Made");
  EXPECT_EQ(r.body, "hello");
  EXPECT_EQ(r.header("x-thing"), "1");
  EXPECT_EQ(r.effective_url, stub.url("/a?b=c"));
  EXPECT_EQ(r.redirects, 0);
  ASSERT_EQ(stub.requests().size(), 1u);
  const StubRequest sent = stub.requests()[0];
  EXPECT_EQ(sent.method, "GET");
  EXPECT_EQ(sent.target, "/a?b=c");
  EXPECT_NE(
      sent.head.find("Host: 127.0.0.1:" + std::to_string(stub.server().port())),
      std::string::npos);
  EXPECT_NE(sent.head.find("User-Agent: gale"), std::string::npos);
}

TEST_F(HttpClientTest, ReadsAChunkedResponse) {
  RecordingStub stub([](const StubRequest&) {
    return std::string(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        "4\r\nWiki\r\n5\r\npedia\r\n0\r\n\r\n");
  });
  EXPECT_EQ(run_fetch(loop_, client_, stub.url("/")).body, "Wikipedia");
  EXPECT_EQ(client_.idle_connections(), 1u);  // chunked ends cleanly
}

TEST_F(HttpClientTest, ReadsABodyUntilCloseAndDoesNotKeepThatConnection) {
  StubServer stub([](StubConnection& c) {
    if (c.read_request()) c.send("HTTP/1.1 200 OK\r\n\r\nto the end");
  });
  EXPECT_EQ(run_fetch(loop_, client_, stub.url("/")).body, "to the end");
  EXPECT_EQ(client_.idle_connections(), 0u);
}

TEST_F(HttpClientTest, SkipsInterimResponses) {
  RecordingStub stub([](const StubRequest&) {
    return "HTTP/1.1 100 Continue\r\n\r\n" + http_response("200 OK", "ok");
  });
  HttpClientResponse r = run_fetch(loop_, client_, stub.url("/"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "ok");
}

TEST_F(HttpClientTest, ResolvesAHostName) {
  RecordingStub stub(
      [](const StubRequest&) { return http_response("200 OK", "by name"); });
  // Asio's resolver; should localhost come as ::1 first, that connect is
  // refused and 127.0.0.1 is tried next.
  HttpClientResponse r = run_fetch(
      loop_, client_,
      "http://localhost:" + std::to_string(stub.server().port()) + "/");
  EXPECT_EQ(r.body, "by name");
  EXPECT_NE(stub.requests().at(0).head.find(
                "Host: localhost:" + std::to_string(stub.server().port())),
            std::string::npos);
}

TEST_F(HttpClientTest, SendsMethodFieldsAndBody) {
  RecordingStub stub(
      [](const StubRequest& r) { return http_response("200 OK", r.body); });
  HttpClientRequest request;
  request.url = stub.url("/echo");
  request.method = "PUT";
  request.headers = {{"X-A", "1"}, {"User-Agent", "mine"}};
  request.body = "payload";
  EXPECT_EQ(run_fetch(loop_, client_, request).body, "payload");
  const StubRequest sent = stub.requests().at(0);
  EXPECT_EQ(sent.method, "PUT");
  EXPECT_NE(sent.head.find("X-A: 1\r\n"), std::string::npos);
  EXPECT_NE(sent.head.find("User-Agent: mine\r\n"), std::string::npos);
  EXPECT_EQ(sent.head.find("User-Agent: gale"), std::string::npos);
  EXPECT_NE(sent.head.find("Content-Length: 7\r\n"), std::string::npos);
}

TEST_F(HttpClientTest, HeadReadsNoBodyAndKeepsTheConnection) {
  RecordingStub stub([](const StubRequest&) {
    return std::string("HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n");
  });
  HttpClientRequest request;
  request.url = stub.url("/");
  request.method = "HEAD";
  HttpClientResponse r = run_fetch(loop_, client_, request);
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(r.header("Content-Length"), "99");
  EXPECT_EQ(run_fetch(loop_, client_, request).status, 200);
  EXPECT_EQ(stub.server().accepted(), 1);
}

TEST_F(HttpClientTest, ReusesAKeepAliveConnectionPerHost) {
  RecordingStub stub(
      [](const StubRequest& r) { return http_response("200 OK", r.target); });
  for (const char* path : {"/1", "/2", "/3"})
    EXPECT_EQ(run_fetch(loop_, client_, stub.url(path)).body, path);
  EXPECT_EQ(stub.server().accepted(), 1);
  EXPECT_EQ(client_.idle_connections(), 1u);
}

TEST_F(HttpClientTest, ConnectionCloseFromTheServerIsHonoured) {
  RecordingStub stub([](const StubRequest&) {
    return http_response("200 OK", "x", "Connection: close\r\n");
  });
  run_fetch(loop_, client_, stub.url("/"));
  EXPECT_EQ(client_.idle_connections(), 0u);
  run_fetch(loop_, client_, stub.url("/"));
  EXPECT_EQ(stub.server().accepted(), 2);
}

// Redirects ------------------------------------------------------------------

std::string redirects(const StubRequest& r) {
  if (r.target == "/a/start")
    return http_response("303 See Other", "", "Location: next\r\n");
  if (r.target == "/keep")
    return http_response("307 Temporary", "", "Location: /a/next\r\n");
  if (r.target == "/loop")
    return http_response("302 Found", "", "Location: /loop\r\n");
  if (r.target == "/secure")
    return http_response("301 Moved", "", "Location: https://x/\r\n");
  return http_response("200 OK", r.method + " " + r.body);
}

TEST_F(HttpClientTest, SeeOtherIsFollowedAsGetToTheRelativeLocation) {
  RecordingStub stub(redirects);
  HttpClientRequest request;
  request.url = stub.url("/a/start");
  request.method = "POST";
  request.body = "form";
  HttpClientResponse r = run_fetch(loop_, client_, request);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "GET ");
  EXPECT_EQ(r.redirects, 1);
  EXPECT_EQ(r.effective_url, stub.url("/a/next"));
}

TEST_F(HttpClientTest, TemporaryRedirectKeepsMethodAndBody) {
  RecordingStub stub(redirects);
  HttpClientRequest request;
  request.url = stub.url("/keep");
  request.method = "POST";
  request.body = "form";
  EXPECT_EQ(run_fetch(loop_, client_, request).body, "POST form");
}

TEST_F(HttpClientTest, ARedirectLoopEndsAtTheBound) {
  RecordingStub stub(redirects);
  HttpClientRequest request;
  request.url = stub.url("/loop");
  request.max_redirects = 3;
  auto e = fetch_error(loop_, client_, request);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind(), HttpClientErrc::too_many_redirects);
  EXPECT_EQ(stub.requests().size(), 4u);  // the first and three redirects
}

TEST_F(HttpClientTest, RedirectsAreReturnedWhenNotFollowed) {
  RecordingStub stub(redirects);
  HttpClientRequest request;
  request.url = stub.url("/loop");
  request.follow_redirects = false;
  HttpClientResponse r = run_fetch(loop_, client_, request);
  EXPECT_EQ(r.status, 302);
  EXPECT_EQ(r.header("Location"), "/loop");
}

TEST_F(HttpClientTest, ARedirectToHttpsIsAClearError) {
  RecordingStub stub(redirects);
  HttpClientRequest request;
  request.url = stub.url("/secure");
  auto e = fetch_error(loop_, client_, request);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind(), HttpClientErrc::invalid_request);
  EXPECT_NE(std::string(e->what()).find("https is not supported"),
            std::string::npos);
}

// Status
// -----------------------------------------------------------------------

TEST_F(HttpClientTest, AnErrorStatusIsAResponseUnlessRaiseForStatus) {
  RecordingStub stub([](const StubRequest&) {
    return http_response("404 Not Found", "nope");
  });
  HttpClientRequest request;
  request.url = stub.url("/missing");
  HttpClientResponse r = run_fetch(loop_, client_, request);
  EXPECT_EQ(r.status, 404);
  EXPECT_FALSE(r.ok());
  request.raise_for_status = true;
  auto e = fetch_error(loop_, client_, request);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind(), HttpClientErrc::http_status);
  ASSERT_NE(e->response(), nullptr);
  EXPECT_EQ(e->response()->body, "nope");
  EXPECT_EQ(e->url(), stub.url("/missing"));
}

}  // namespace
}  // namespace gale::test
