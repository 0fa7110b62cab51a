// The client from handlers (RequestHandler::http_client(): the loop's own
// client, in a worker and in the in-memory harness alike), and cancelling
// a fetch: the awaiting coroutine's cancellation slot (what
// RequestHandler::spawn emits when the handler's client goes away) closes
// the outgoing connection at once, ends the fetch with operation_aborted,
// and leaves no descriptor behind.
#include <gtest/gtest.h>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/system/system_error.hpp>

#include <atomic>
#include <filesystem>

#include "server/client/http_client.hpp"
#include "server/web/application.hpp"
#include "server/web/request_handler.hpp"
#include "server/web/testing/handler_harness.hpp"
#include "tests/server/client/run_fetch.hpp"
#include "tests/server/client/stub_server.hpp"
#include "tests/support/http_client.hpp"
#include "worker/testing/app_server.hpp"

namespace gale::test {
namespace {

using namespace std::chrono_literals;

std::size_t open_descriptors() {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& entry :
       std::filesystem::directory_iterator("/proc/self/fd"))
    ++n;
  return n;
}

template <class Done>
bool wait_until(Done done, std::chrono::milliseconds limit = 5s) {
  for (auto end = std::chrono::steady_clock::now() + limit;
       std::chrono::steady_clock::now() < end;
       std::this_thread::sleep_for(10ms))
    if (done()) return true;
  return done();
}

// Takes a request and holds it, noting when the client closes.
struct StallingStub {
  std::atomic<bool> got_request{false}, saw_close{false};
  StubServer server{[this](StubConnection& c) {
    if (!c.read_request()) return;
    got_request = true;
    saw_close = c.wait_closed(10s);
  }};
};

TEST(HttpClientHandlerTest,
     TerminalCancellationEndsTheFetchAndClosesTheSocket) {
  StallingStub stub;
  boost::asio::io_context loop;
  gale::HttpClient client(loop.get_executor());
  HttpClientRequest request;
  request.url = stub.server.url("/");
  CancellableFetch pending(loop, client, std::move(request));
  for (int i = 0; i < 500 && !stub.got_request; ++i)
    loop.run_for(10ms);
  ASSERT_TRUE(stub.got_request);
  EXPECT_EQ(pending.cancel(), boost::asio::error::operation_aborted);
  EXPECT_TRUE(wait_until([&] { return stub.saw_close.load(); }));
  EXPECT_EQ(client.idle_connections(), 0u);
}

// A handler that relays what 127.0.0.1:{port}/ answers (the worker's
// client, from a spawned task).
struct RelayHandler : gale::RequestHandler {
  void get() override {
    auto self = std::static_pointer_cast<RelayHandler>(shared_from_this());
    spawn(relay(self, "http://127.0.0.1:" + get_argument("port") + "/"));
  }
  static boost::asio::awaitable<void> relay(std::shared_ptr<RelayHandler> self,
                                            std::string url) {
    HttpClientResponse r = co_await self->http_client().fetch(url);
    self->write(std::to_string(r.status) + " " + r.body);
  }
};

TEST(HttpClientHandlerTest, AHandlerFetchesWithTheWorkersClient) {
  StubServer upstream([](StubConnection& c) {
    while (c.read_request())
      c.send(http_response("200 OK", "upstream"));
  });
  gale::Application app({{"/relay", gale::handler<RelayHandler>()}});
  gale::testing::AppServer server(app);
  auto target = "/relay?port=" + std::to_string(upstream.port());
  EXPECT_EQ(server.fetch("GET", target).body, "200 upstream");
  EXPECT_EQ(server.fetch("GET", target).body, "200 upstream");
  EXPECT_EQ(upstream.accepted(), 1);  // one client per worker, kept alive
}

TEST(HttpClientHandlerTest, TheHarnessLoopHasAClientOfItsOwn) {
  StubServer upstream([](StubConnection& c) {
    while (c.read_request())
      c.send(http_response("200 OK", "upstream"));
  });
  gale::Application app({{"/relay", gale::handler<RelayHandler>()}});
  gale::testing::SentResponse r = gale::testing::fetch(
      app, "GET /relay?port=" + std::to_string(upstream.port()) +
               " HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_EQ(r.body(), "200 upstream");
}

TEST(HttpClientHandlerTest, AClientLeavingClosesTheHandlersOutgoingFetch) {
  StallingStub stub;
  gale::Application app({{"/relay", gale::handler<RelayHandler>()}});
  gale::testing::AppServer server(app);
  const std::size_t before = open_descriptors();
  {
    gale::test::HttpClient browser;
    ASSERT_TRUE(browser.connect(server.port()));
    ASSERT_TRUE(
        browser.send("GET /relay?port=" + std::to_string(stub.server.port()) +
                     " HTTP/1.1\r\nHost: t\r\n\r\n"));
    ASSERT_TRUE(wait_until([&] { return stub.got_request.load(); }));
  }  // the browser goes away
  EXPECT_TRUE(wait_until([&] { return stub.saw_close.load(); }));
  EXPECT_TRUE(wait_until([&] { return open_descriptors() == before; }))
      << open_descriptors() << " descriptors open, " << before << " before";
}

}  // namespace
}  // namespace gale::test
