// gale::HttpClient when things go wrong: every failure is an
// HttpClientError of the right kind, within the request's timeout, and the
// connection it happened on is closed, never kept.
#include "server/client/http_client.hpp"

#include <gtest/gtest.h>

#include <atomic>

#include "tests/server/client/run_fetch.hpp"
#include "tests/server/client/stub_server.hpp"
#include "tests/support/net.hpp"

namespace gale::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

class HttpClientFailureTest : public ::testing::Test {
 protected:
  // The kind of error fetching `url` ends with, and how long it took.
  HttpClientErrc failure(HttpClientRequest request) {
    auto start = Clock::now();
    auto e = fetch_error(loop_, client_, std::move(request));
    took_ = Clock::now() - start;
    if (!e) return HttpClientErrc::http_status;  // (already a failure)
    EXPECT_FALSE(e->url().empty());
    what_ = e->what();
    cause_ = e->cause();
    return e->kind();
  }
  HttpClientErrc failure(std::string url) {
    HttpClientRequest r;
    r.url = std::move(url);
    r.request_timeout = 3s;
    return failure(std::move(r));
  }

  boost::asio::io_context loop_;
  gale::HttpClient client_{loop_.get_executor()};
  Clock::duration took_{};
  std::string what_;
  boost::system::error_code cause_;
};

TEST_F(HttpClientFailureTest, ConnectionRefused) {
  EXPECT_EQ(failure("http://127.0.0.1:" + std::to_string(free_port()) + "/"),
            HttpClientErrc::connect_failed);
  EXPECT_EQ(cause_, boost::asio::error::connection_refused);
}

TEST_F(HttpClientFailureTest, HttpsAndBadUrlsAreRefusedBeforeAnyIo) {
  EXPECT_EQ(failure("https://127.0.0.1/"), HttpClientErrc::invalid_request);
  EXPECT_NE(what_.find("https is not supported"), std::string::npos);
  EXPECT_EQ(failure("not a url"), HttpClientErrc::invalid_request);
  HttpClientRequest r;
  r.url = "http://127.0.0.1:1/";
  r.headers = {{"X", "a\r\nInjected: 1"}};
  EXPECT_EQ(failure(r), HttpClientErrc::invalid_request);
}

TEST_F(HttpClientFailureTest, AServerThatNeverAnswersTimesOut) {
  std::atomic<bool> saw_close{false};
  StubServer stub([&](StubConnection& c) {
    if (c.read_request()) saw_close = c.wait_closed(10s);
  });
  HttpClientRequest r;
  r.url = stub.url("/");
  r.request_timeout = 300ms;
  EXPECT_EQ(failure(r), HttpClientErrc::timeout);
  EXPECT_GE(took_, 250ms);
  EXPECT_LT(took_, 5s);
  EXPECT_EQ(client_.idle_connections(), 0u);
  for (int i = 0; i < 500 && !saw_close; ++i)
    std::this_thread::sleep_for(10ms);
  EXPECT_TRUE(saw_close);  // the client closed its end
}

TEST_F(HttpClientFailureTest, AServerThatStallsMidBodyTimesOut) {
  StubServer stub([](StubConnection& c) {
    if (!c.read_request()) return;
    c.send("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789");
    c.wait_closed(10s);
  });
  HttpClientRequest r;
  r.url = stub.url("/");
  r.request_timeout = 300ms;
  EXPECT_EQ(failure(r), HttpClientErrc::timeout);
  EXPECT_LT(took_, 5s);
}

TEST_F(HttpClientFailureTest, AResetIsConnectionClosed) {
  StubServer stub([](StubConnection& c) {
    if (!c.read_request()) return;
    c.send("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npart");
    c.reset_on_close();
  });
  EXPECT_EQ(failure(stub.url("/")), HttpClientErrc::connection_closed);
}

TEST_F(HttpClientFailureTest, EofBeforeTheBodyEndsIsConnectionClosed) {
  StubServer stub([](StubConnection& c) {
    if (c.read_request())
      c.send("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npart");
  });
  EXPECT_EQ(failure(stub.url("/")), HttpClientErrc::connection_closed);
}

TEST_F(HttpClientFailureTest, GarbageIsAMalformedResponse) {
  StubServer stub([](StubConnection& c) {
    if (c.read_request()) c.send("SSH-2.0-OpenSSH_9.2\r\n\r\n");
  });
  EXPECT_EQ(failure(stub.url("/")), HttpClientErrc::malformed_response);
  StubServer bad_chunk([](StubConnection& c) {
    if (c.read_request())
      c.send("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n");
  });
  EXPECT_EQ(failure(bad_chunk.url("/")), HttpClientErrc::malformed_response);
}

TEST_F(HttpClientFailureTest, ABodyOverTheLimitStopsTheRead) {
  std::atomic<bool> saw_close{false};
  StubServer stub([&](StubConnection& c) {
    if (!c.read_request()) return;
    c.send("HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n");
    c.send(std::string(1000, 'x'));  // and the rest never comes
    saw_close = c.wait_closed(10s);
  });
  HttpClientRequest r;
  r.url = stub.url("/");
  r.max_body_bytes = 1000;
  EXPECT_EQ(failure(r), HttpClientErrc::too_large);
  EXPECT_LT(took_, 5s);
  for (int i = 0; i < 500 && !saw_close; ++i)
    std::this_thread::sleep_for(10ms);
  EXPECT_TRUE(saw_close);
}

TEST_F(HttpClientFailureTest, AChunkedBodyOverTheLimitIsTooLarge) {
  StubServer stub([](StubConnection& c) {
    if (!c.read_request()) return;
    c.send("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
    for (int i = 0; i < 3; ++i)
      c.send("200\r\n" + std::string(512, 'y') + "\r\n");
    c.wait_closed(10s);
  });
  HttpClientRequest r;
  r.url = stub.url("/");
  r.max_body_bytes = 1000;
  EXPECT_EQ(failure(r), HttpClientErrc::too_large);
}

TEST_F(HttpClientFailureTest, AHeadOverTheLimitIsTooLarge) {
  StubServer stub([](StubConnection& c) {
    if (c.read_request())
      c.send("HTTP/1.1 200 OK\r\nX-Big: " + std::string(4000, 'h') +
             "\r\nContent-Length: 0\r\n\r\n");
  });
  HttpClientRequest r;
  r.url = stub.url("/");
  r.max_header_bytes = 1024;
  EXPECT_EQ(failure(r), HttpClientErrc::too_large);
}

// A pooled connection the server closed
// ----------------------------------------

// Answers the first request, then takes the second and closes without
// answering: the server gave up on the connection as the request arrived.
void answer_once_then_drop(StubConnection& c) {
  if (c.read_request()) c.send(http_response("200 OK", "first"));
  c.read_request();
}

TEST_F(HttpClientFailureTest,
       AnIdempotentRequestIsRetriedOnceOnANewConnection) {
  StubServer stub(answer_once_then_drop);
  EXPECT_EQ(run_fetch(loop_, client_, stub.url("/")).body, "first");
  EXPECT_EQ(run_fetch(loop_, client_, stub.url("/")).body, "first");
  EXPECT_EQ(stub.accepted(), 2);
}

TEST_F(HttpClientFailureTest, APostIsNotRetriedOnceItWasSent) {
  StubServer stub(answer_once_then_drop);
  run_fetch(loop_, client_, stub.url("/"));
  HttpClientRequest r;
  r.url = stub.url("/");
  r.method = "POST";
  r.body = "charge the card";
  EXPECT_EQ(failure(r), HttpClientErrc::connection_closed);
  EXPECT_EQ(stub.accepted(), 1);
}

TEST_F(HttpClientFailureTest, AnIdleConnectionClosedMeanwhileIsNotUsed) {
  StubServer stub([](StubConnection& c) {
    if (c.read_request()) c.send(http_response("200 OK", "once"));
  });  // and closes at once
  run_fetch(loop_, client_, stub.url("/"));
  for (int i = 0; i < 500 && stub.finished() < 1; ++i)
    std::this_thread::sleep_for(10ms);
  std::this_thread::sleep_for(20ms);  // the FIN crosses the loopback
  HttpClientRequest r;
  r.url = stub.url("/");
  r.method = "POST";  // never retried: it must go out on a live connection
  EXPECT_EQ(run_fetch(loop_, client_, r).body, "once");
  EXPECT_EQ(stub.accepted(), 2);
}

}  // namespace
}  // namespace gale::test
