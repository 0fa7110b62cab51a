#include "server/client/fetch.hpp"

#include <sys/socket.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/system/system_error.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <limits>
#include <optional>

#include "server/client/request_rules.hpp"
#include "server/client/resolve.hpp"
#include "server/http/fields.hpp"

namespace gale::client {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;
using boost::system::error_code;
using Clock = std::chrono::steady_clock;
using Parser = http::response_parser<http::string_body>;

constexpr auto use_ec = asio::as_tuple(asio::use_awaitable);

[[noreturn]] void fail(HttpClientErrc kind, const Url& url,
                       std::string_view detail, error_code cause = {}) {
  throw HttpClientError(kind, url.text, detail, cause);
}

// The awaiting coroutine was cancelled (its slot): end as Asio ops end.
void throw_if_aborted(error_code ec) {
  if (ec == asio::error::operation_aborted)
    throw boost::system::system_error(ec);
}

// An idle connection is usable while the server has neither closed it
// (EOF), nor reset it, nor sent bytes nobody asked for.
bool still_open(Connection& c) {
  if (c.buffer.size() != 0) return false;
  char byte;
  ssize_t n = ::recv(c.stream.socket().native_handle(), &byte, 1,
                     MSG_PEEK | MSG_DONTWAIT);
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

std::unique_ptr<Connection> take_open(ConnectionPool& pool,
                                      const std::string& origin) {
  while (auto c = pool.take(origin, Clock::now()))
    if (still_open(*c)) return c;
  return nullptr;
}

asio::awaitable<std::unique_ptr<Connection>> connect(
    ClientState& state, const Url& url, Clock::duration connect_timeout,
    Clock::time_point deadline) {
  const Clock::time_point connect_deadline = Clock::now() + connect_timeout;
  auto c = std::make_unique<Connection>(state.executor);
  c->stream.expires_at(std::min(connect_deadline, deadline));
  error_code ec;
  error_code not_an_address;
  auto address = asio::ip::make_address(url.host, not_an_address);
  if (!not_an_address) {  // an address needs no resolver
    std::tie(ec) = co_await c->stream.async_connect(
        tcp::endpoint(address, url.port), use_ec);
  } else {
    Resolution found = co_await resolve_by(
        state, url.host, url.port, std::min(connect_deadline, deadline));
    if (found.error == asio::error::timed_out) {
      if (connect_deadline <= deadline)
        fail(HttpClientErrc::connect_timeout, url,
             "host name not resolved in time", found.error);
      fail(HttpClientErrc::timeout, url,
           "host name not resolved before the deadline", found.error);
    }
    throw_if_aborted(found.error);
    if (found.error)
      fail(HttpClientErrc::resolve_failed, url, found.error.message(),
           found.error);
    std::tie(ec, std::ignore) =
        co_await c->stream.async_connect(found.endpoints, use_ec);
  }
  if (ec == beast::error::timeout) {
    if (connect_deadline <= deadline)
      fail(HttpClientErrc::connect_timeout, url, "not connected in time", ec);
    fail(HttpClientErrc::timeout, url, "not connected before the deadline", ec);
  }
  throw_if_aborted(ec);
  if (ec) fail(HttpClientErrc::connect_failed, url, ec.message(), ec);
  co_return c;
}

http::request<http::string_body> make_request(const Url& url,
                                              const HttpClientRequest& r,
                                              const std::string& user_agent) {
  http::request<http::string_body> req;
  req.method_string(r.method);
  req.target(url.target);
  req.version(11);
  auto has = [&](std::string_view name) {
    return std::any_of(r.headers.begin(), r.headers.end(),
                       [&](const auto& f) { return iequals(f.first, name); });
  };
  if (!has("Host")) req.set(http::field::host, url.host_field);
  if (!has("User-Agent") && !user_agent.empty())
    req.set(http::field::user_agent, user_agent);
  for (const auto& [name, value] : r.headers)
    req.insert(name, value);
  req.body() = r.body;
  const bool expects_body =
      r.method == "POST" || r.method == "PUT" || r.method == "PATCH";
  if (!r.body.empty() || expects_body) req.content_length(r.body.size());
  return req;
}

// How far one request/response got before it failed, to decide a retry.
struct Progress {
  std::size_t written = 0;
  bool got_some = false;  // any byte of a response
};

// Writes the request and reads its response into `parser` (interim 1xx
// responses skipped). Returns the first error.
asio::awaitable<error_code> round_trip(
    Connection& c, const http::request<http::string_body>& req,
    const HttpClientRequest& r, std::optional<Parser>& parser,
    Progress& progress) {
  auto [write_ec, written] = co_await http::async_write(c.stream, req, use_ec);
  progress.written = written;
  if (write_ec) co_return write_ec;
  do {
    parser.emplace();
    parser->body_limit(r.max_body_bytes);
    parser->header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(
        r.max_header_bytes, std::numeric_limits<std::uint32_t>::max())));
    if (r.method == "HEAD") parser->skip(true);
    auto [read_ec, n] =
        co_await http::async_read(c.stream, c.buffer, *parser, use_ec);
    progress.got_some = progress.got_some || parser->got_some();
    if (read_ec) co_return read_ec;
  } while (parser->get().result_int() / 100 == 1 &&
           parser->get().result_int() != 101);
  co_return error_code{};
}

bool closed_by_peer(error_code ec) {
  return ec == http::error::end_of_stream || ec == asio::error::eof ||
         ec == asio::error::connection_reset ||
         ec == asio::error::connection_aborted ||
         ec == asio::error::broken_pipe;
}

// A reused connection the server closed meanwhile: the request may go
// again when the server cannot have acted on it, or acting twice is safe.
bool may_retry(error_code ec, const Progress& progress,
               const HttpClientRequest& r) {
  return closed_by_peer(ec) && !progress.got_some &&
         (progress.written == 0 || is_idempotent(r.method));
}

[[noreturn]] void fail_exchange(error_code ec, const Url& url) {
  throw_if_aborted(ec);
  if (ec == beast::error::timeout)
    fail(HttpClientErrc::timeout, url, "no complete response in time", ec);
  if (ec == http::error::body_limit)
    fail(HttpClientErrc::too_large, url, "body over max_body_bytes", ec);
  if (ec == http::error::header_limit)
    fail(HttpClientErrc::too_large, url, "head over max_header_bytes", ec);
  if (closed_by_peer(ec) || ec == http::error::partial_message)
    fail(HttpClientErrc::connection_closed, url, ec.message(), ec);
  if (ec.category() ==
      http::make_error_code(http::error::bad_version).category())
    fail(HttpClientErrc::malformed_response, url, ec.message(), ec);
  fail(HttpClientErrc::connection_closed, url, ec.message(), ec);
}

HttpClientResponse to_response(http::response<http::string_body>&& m) {
  HttpClientResponse r;
  r.status = static_cast<int>(m.result_int());
  r.reason = m.reason();
  for (const auto& field : m)
    r.headers.emplace_back(field.name_string(), field.value());
  r.body = std::move(m.body());
  return r;
}

bool reusable(const Parser& parser, const Connection& c,
              const http::request<http::string_body>& req) {
  return parser.keep_alive() && req.keep_alive() && c.buffer.size() == 0 &&
         parser.get().result_int() != 101;
}

}  // namespace

asio::awaitable<HttpClientResponse> exchange(ClientState& state, const Url& url,
                                             const HttpClientRequest& request,
                                             Clock::time_point deadline) {
  const auto req = make_request(url, request, state.options.user_agent);
  const std::string origin = url.origin();
  std::unique_ptr<Connection> c = take_open(state.pool, origin);
  bool reused = c != nullptr;
  for (;;) {
    if (!c) c = co_await connect(state, url, request.connect_timeout, deadline);
    c->stream.expires_at(deadline);
    std::optional<Parser> parser;
    Progress progress;
    error_code ec = co_await round_trip(*c, req, request, parser, progress);
    if (!ec) {
      const bool keep = reusable(*parser, *c, req);
      HttpClientResponse response = to_response(parser->release());
      if (keep) {
        c->stream.expires_never();
        state.pool.put(origin, std::move(c), Clock::now());
      }
      co_return response;
    }
    if (!reused || !may_retry(ec, progress, request)) fail_exchange(ec, url);
    c.reset();  // closed by the server: once more on a new connection
    reused = false;
  }
}

}  // namespace gale::client
