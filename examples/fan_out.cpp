// Fan-out with the HTTP client (Tornado's AsyncHTTPClient + gen.multi):
// GET / fetches several URLs at once on the worker's loop, awaits them all
// (each bounded by its own timeout), and answers a JSON summary: status,
// bytes and milliseconds per URL, or the error.
//   ./fan_out --port 8080 --workers 1
//   curl localhost:8080/        # its own /fast, /slow and a missing route
//   curl
//   'localhost:8080/?url=http://127.0.0.1:8080/fast&url=http://127.0.0.1:9/'
#include <gale/gale.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <string>
#include <vector>

using namespace std::chrono_literals;
namespace asio = boost::asio;

struct FastHandler : gale::RequestHandler {
  void get() override { write("fast"); }
};

// Answers after 1.5 s: past the fan-out's 1 s bound, so it shows a timeout.
struct SlowHandler : gale::RequestHandler {
  void get() override { spawn(answer_late()); }
  asio::awaitable<void> answer_late() {
    asio::steady_timer timer(executor(), 1500ms);
    co_await timer.async_wait(asio::use_awaitable);
    write("slow");
  }
};

struct FanOutHandler : gale::RequestHandler {
  void get() override {
    std::vector<std::string> urls = get_arguments("url");
    if (urls.empty()) {
      const std::string self = "http://" + std::string(request().host());
      urls = {self + "/fast", self + "/slow", self + "/missing"};
    }
    if (urls.size() > 8) throw gale::HttpError(400, "at most 8 urls");
    spawn(fan_out(std::move(urls)));
  }

  // Every fetch at once; the handler's client leaving cancels them all.
  asio::awaitable<void> fan_out(std::vector<std::string> urls) {
    std::vector<decltype(asio::co_spawn(executor(), probe({}), asio::deferred))>
        fetches;
    for (std::string& url : urls)
      fetches.push_back(
          asio::co_spawn(executor(), probe(std::move(url)), asio::deferred));
    auto [order, errors, rows] =
        co_await asio::experimental::make_parallel_group(std::move(fetches))
            .async_wait(asio::experimental::wait_for_all(),
                        asio::use_awaitable);
    write(boost::json::value{
        {"results", boost::json::array(rows.begin(), rows.end())}});
  }

  // One URL's line of the summary: a failure is a line too.
  asio::awaitable<boost::json::value> probe(std::string url) {
    gale::HttpClientRequest request;
    request.url = url;
    request.connect_timeout = 500ms;
    request.request_timeout = 1s;
    const auto start = std::chrono::steady_clock::now();
    auto ms = [&] {
      return std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::steady_clock::now() - start)
          .count();
    };
    try {
      gale::HttpClientResponse r = co_await http_client().fetch(request);
      co_return boost::json::value{{"url", url},
                                   {"status", r.status},
                                   {"bytes", r.body.size()},
                                   {"ms", ms()}};
    } catch (const gale::HttpClientError& e) {
      co_return boost::json::value{
          {"url", url}, {"error", e.what()}, {"ms", ms()}};
    }
  }
};

int main(int argc, char** argv) {
  gale::Application app({
      {"/", gale::handler<FanOutHandler>()},
      {"/fast", gale::handler<FastHandler>()},
      {"/slow", gale::handler<SlowHandler>()},
  });
  return gale::run(app, argc, argv);
}
