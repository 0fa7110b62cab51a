#include "server/client/http_client.hpp"

#include <boost/asio/io_context.hpp>

#include <utility>

#include "server/client/fetch.hpp"
#include "server/client/request_rules.hpp"
#include "server/client/url.hpp"

namespace gale {
namespace {

using Clock = std::chrono::steady_clock;

client::Url parse_or_throw(const std::string& text) {
  std::string error;
  std::optional<client::Url> url = client::parse_url(text, error);
  if (!url) throw HttpClientError(HttpClientErrc::invalid_request, text, error);
  return std::move(*url);
}

// The fetch itself, a free coroutine: it holds the state it uses, so the
// client may be destroyed while it runs.
boost::asio::awaitable<HttpClientResponse> run_fetch(
    std::shared_ptr<client::ClientState> state, HttpClientRequest request) {
  const Clock::time_point start = Clock::now();
  const Clock::time_point deadline = start + request.request_timeout;
  if (std::string problem = client::request_problem(request); !problem.empty())
    throw HttpClientError(HttpClientErrc::invalid_request, request.url,
                          problem);
  client::Url url = parse_or_throw(request.url);
  for (int redirects = 0;; ++redirects) {
    HttpClientResponse response =
        co_await client::exchange(*state, url, request, deadline);
    const std::string_view location = response.header("Location");
    if (request.follow_redirects && client::is_redirect(response.status) &&
        !location.empty()) {
      if (redirects >= request.max_redirects)
        throw HttpClientError(
            HttpClientErrc::too_many_redirects, url.text,
            "still redirected after " + std::to_string(redirects));
      std::string error;
      auto next = client::resolve_location(url.text, location, error);
      if (!next)
        throw HttpClientError(HttpClientErrc::malformed_response, url.text,
                              error);
      client::Url next_url = parse_or_throw(*next);
      client::follow_redirect(request, response.status, *next,
                              next_url.origin() == url.origin());
      url = std::move(next_url);
      continue;
    }
    response.effective_url = url.text;
    response.redirects = redirects;
    response.request_time =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() -
                                                              start);
    if (request.raise_for_status && !response.ok())
      throw HttpClientError(url.text, std::move(response));
    co_return response;
  }
}

// One client per io_context (Asio's per-context service registry): made on
// first use, its idle connections closed when the loop shuts down, before
// any socket service goes.
class LoopClient : public boost::asio::io_context::service {
 public:
  static inline boost::asio::io_context::id id;

  explicit LoopClient(boost::asio::io_context& loop)
      : service(loop), client(loop.get_executor()) {}
  void shutdown() override { client.close(); }

  HttpClient client;
};

}  // namespace

HttpClient::HttpClient(boost::asio::any_io_executor executor,
                       HttpClientOptions options)
    : state_(std::make_shared<client::ClientState>(std::move(executor),
                                                   std::move(options))) {}

HttpClient::~HttpClient() {
  close();
}

void HttpClient::close() {
  state_->pool.close();
}

std::size_t HttpClient::idle_connections() const {
  return state_->pool.idle_total();
}

boost::asio::awaitable<HttpClientResponse> HttpClient::fetch(
    HttpClientRequest request) {
  return run_fetch(state_, std::move(request));
}

boost::asio::awaitable<HttpClientResponse> HttpClient::fetch(std::string url) {
  HttpClientRequest request;
  request.url = std::move(url);
  return fetch(std::move(request));
}

HttpClient& HttpClient::of(boost::asio::io_context& loop) {
  return boost::asio::use_service<LoopClient>(loop).client;
}

}  // namespace gale
