// Resolving host names (HttpClientOptions::resolver, resolve.hpp): a
// lookup that never answers, or answers late, costs no more than the
// request's timeouts; a resolver maps names to addresses (Tornado's
// hostname_mapping); its errors are resolve_failed; a cancelled fetch
// stops waiting for it.
#include <gtest/gtest.h>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/error.hpp>
#include <boost/system/system_error.hpp>

#include <chrono>
#include <memory>

#include "server/client/http_client.hpp"
#include "tests/server/client/run_fetch.hpp"
#include "tests/server/client/stub_server.hpp"

namespace gale::test {
namespace {

using namespace std::chrono_literals;
using boost::asio::ip::tcp;
using Clock = std::chrono::steady_clock;

// Keeps every lookup's callback, answering none until told.
struct HeldResolver {
  std::vector<HttpClientOptions::Resolved> pending;
  HttpClientOptions options() {
    HttpClientOptions o;
    o.resolver = [this](const std::string&, std::uint16_t,
                        HttpClientOptions::Resolved done) {
      pending.push_back(std::move(done));
    };
    return o;
  }
};

HttpClientRequest get(std::string url, std::chrono::milliseconds total,
                      std::chrono::milliseconds connect = 20s) {
  HttpClientRequest r;
  r.url = std::move(url);
  r.request_timeout = total;
  r.connect_timeout = connect;
  return r;
}

TEST(HttpClientResolveTest, ALookupThatNeverAnswersEndsAtTheRequestTimeout) {
  boost::asio::io_context loop;
  HeldResolver held;
  gale::HttpClient client(loop.get_executor(), held.options());
  auto start = Clock::now();
  auto e = fetch_error(loop, client, get("http://never.test/", 300ms));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind(), HttpClientErrc::timeout) << e->what();
  EXPECT_EQ(e->cause(), boost::asio::error::timed_out);
  EXPECT_NE(std::string(e->what()).find("not resolved"), std::string::npos);
  EXPECT_LT(Clock::now() - start, 3s);
  EXPECT_EQ(held.pending.size(), 1u);
}

TEST(HttpClientResolveTest, TheConnectTimeoutBoundsTheLookupToo) {
  boost::asio::io_context loop;
  HeldResolver held;
  gale::HttpClient client(loop.get_executor(), held.options());
  auto e = fetch_error(loop, client, get("http://never.test/", 10s, 200ms));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind(), HttpClientErrc::connect_timeout) << e->what();
}

TEST(HttpClientResolveTest, ALateAnswerIsDropped) {
  boost::asio::io_context loop;
  HeldResolver held;
  gale::HttpClient client(loop.get_executor(), held.options());
  ASSERT_TRUE(fetch_error(loop, client, get("http://late.test/", 200ms)));
  ASSERT_EQ(held.pending.size(), 1u);
  // The fetch has gone; its lookup's state has not (the callback holds it).
  held.pending[0](
      {}, {tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 9)});
  held.pending[0](boost::asio::error::host_not_found, {});  // twice: ignored
  loop.restart();
  loop.run_for(50ms);
  EXPECT_EQ(client.idle_connections(), 0u);
}

TEST(HttpClientResolveTest, AResolverMapsANameToAnAddress) {
  StubServer stub([](StubConnection& c) {
    while (auto r = c.read_request())
      c.send("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
  });
  boost::asio::io_context loop;
  HttpClientOptions options;
  std::string asked;
  options.resolver = [&](const std::string& host, std::uint16_t port,
                         HttpClientOptions::Resolved done) {
    asked = host + ":" + std::to_string(port);
    done({}, {tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"),
                            static_cast<std::uint16_t>(stub.port()))});
  };
  gale::HttpClient client(loop.get_executor(), options);
  const std::string port = std::to_string(stub.port());
  HttpClientResponse r =
      run_fetch(loop, client, "http://service.internal:" + port + "/");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "ok");
  EXPECT_EQ(asked, "service.internal:" + port);
}

TEST(HttpClientResolveTest, AResolverErrorIsResolveFailed) {
  boost::asio::io_context loop;
  HttpClientOptions options;
  options.resolver = [](const std::string&, std::uint16_t,
                        HttpClientOptions::Resolved done) {
    done(boost::asio::error::host_not_found, {});
  };
  gale::HttpClient client(loop.get_executor(), options);
  auto e = fetch_error(loop, client, get("http://nowhere.test/", 5s));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind(), HttpClientErrc::resolve_failed);
  EXPECT_EQ(e->cause(), boost::asio::error::host_not_found);
}

TEST(HttpClientResolveTest, ACancelledFetchStopsWaitingForItsLookup) {
  boost::asio::io_context loop;
  HeldResolver held;
  gale::HttpClient client(loop.get_executor(), held.options());
  CancellableFetch pending(loop, client, get("http://never.test/", 20s));
  loop.run_for(50ms);
  ASSERT_EQ(held.pending.size(), 1u);
  ASSERT_FALSE(pending.done());
  EXPECT_EQ(pending.cancel(), boost::asio::error::operation_aborted);
}

}  // namespace
}  // namespace gale::test
