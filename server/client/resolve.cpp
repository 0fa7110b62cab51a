#include "server/client/resolve.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <memory>
#include <optional>
#include <utility>

#include "server/client/fetch.hpp"

namespace gale::client {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

// What the lookup and the waiting fetch share; the lookup's callback holds
// it, so a late answer lands here harmlessly after the fetch has gone.
struct Lookup {
  explicit Lookup(const asio::any_io_executor& executor) : answered(executor) {}
  asio::steady_timer answered;  // expires at the deadline; cancelled by one
  std::optional<Resolution> result;
};

void start_lookup(const ClientState& state, const std::string& host,
                  std::uint16_t port, const std::shared_ptr<Lookup>& lookup) {
  HttpClientOptions::Resolved done =
      [lookup](error_code ec, std::vector<tcp::endpoint> endpoints) {
        if (lookup->result) return;  // answered once already
        lookup->result = Resolution{ec, std::move(endpoints)};
        lookup->answered.cancel();
      };
  if (state.options.resolver) return state.options.resolver(host, port, done);
  auto resolver = std::make_shared<tcp::resolver>(state.executor);
  resolver->async_resolve(
      host, std::to_string(port),
      [resolver, done](error_code ec, tcp::resolver::results_type results) {
        std::vector<tcp::endpoint> endpoints;
        for (const auto& entry : results)
          endpoints.push_back(entry.endpoint());
        done(ec, std::move(endpoints));
      });
}

}  // namespace

asio::awaitable<Resolution> resolve_by(
    const ClientState& state, const std::string& host, std::uint16_t port,
    std::chrono::steady_clock::time_point deadline) {
  auto lookup = std::make_shared<Lookup>(state.executor);
  lookup->answered.expires_at(deadline);
  start_lookup(state, host, port, lookup);
  if (!lookup->result) {
    // Cancelled by the answer, by the awaiting coroutine's cancellation, or
    // expired: only the result says which of the first two it was.
    auto [ec] = co_await lookup->answered.async_wait(
        asio::as_tuple(asio::use_awaitable));
    if (!lookup->result) {
      co_return Resolution{ec == asio::error::operation_aborted
                               ? ec
                               : error_code(asio::error::timed_out),
                           {}};
    }
  }
  co_return std::move(*lookup->result);
}

}  // namespace gale::client
