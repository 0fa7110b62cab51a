// The base class of every handler, after Tornado's RequestHandler.
//
//   struct MainHandler : gale::RequestHandler {
//     void get() override { write("Hello, world"); }
//   };
//
// One handler object serves one request. Override the methods you accept;
// the others answer 405 with an `Allow` field. A method that returns
// without calling finish() is finished for you, unless it has handed the
// response to a coroutine (spawn()) or asked to finish it later
// (finish_later()), as a long-poll does.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>

#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/http/fields.hpp"
#include "server/http/method.hpp"
#include "server/web/json.hpp"
#include "server/web/path_args.hpp"
#include "server/web/request.hpp"
#include "server/web/response_channel.hpp"
#include "server/web/settings.hpp"

namespace gale {

class Application;
class HttpClient;
class PubSub;
namespace websocket {
class Sessions;
}

namespace detail {
struct HandlerAccess;
}

// Thrown from a handler to answer with `status` (Tornado's HTTPError). The
// log message goes to the log, never to the client. `detail`, when given,
// is for the client: the default error page shows it on a second line, and
// a write_error() override reads it as error_detail().
class HttpError : public std::runtime_error {
 public:
  explicit HttpError(int status, const std::string& log_message = {})
      : std::runtime_error(log_message), status_(status) {}
  HttpError(int status, const std::string& log_message, std::string detail)
      : std::runtime_error(log_message),
        status_(status),
        detail_(std::move(detail)) {}
  int status() const { return status_; }
  const std::string& detail() const { return detail_; }

 private:
  int status_;
  std::string detail_;
};

struct CookieOptions {
  std::string path = "/";
  std::string domain;
  std::optional<long> max_age_s;
  bool secure = false;
  bool http_only = false;
  std::string same_site;  // "Lax", "Strict", "None", or empty
};

class RequestHandler : public std::enable_shared_from_this<RequestHandler> {
 public:
  virtual ~RequestHandler();
  RequestHandler(const RequestHandler&) = delete;
  RequestHandler& operator=(const RequestHandler&) = delete;

  // ---- Overridable: the request's life -------------------------------
  // Runs before the method; may finish the request itself (e.g. redirect).
  // For a handler that streams its request body, it runs as soon as the
  // head has arrived, before the first data_received().
  virtual void prepare() {}
  // The request body, piece by piece as it arrives, for a handler type that
  // declares `static constexpr bool stream_request_body = true;` (Tornado's
  // @stream_request_body); request().body() is then empty. The method runs
  // once the body is complete. Finishing the request early (an error, a
  // 413 of its own) answers at once and closes the connection after it.
  virtual void data_received(std::string_view chunk);
  virtual void get();
  virtual void head();  // default: get() with the body dropped
  virtual void post();
  virtual void put();
  virtual void patch();
  virtual void delete_();
  virtual void options();
  // After the response has been handed to the connection.
  virtual void on_finish() {}
  // The client went away before the response was finished.
  virtual void on_connection_close() {}
  // Writes the body of an error response (send_error, HttpError, 500):
  // by default "400 Bad Request\n", then the error_detail() line if any.
  virtual void write_error(int status);
  // With settings().xsrf_cookies on, runs before prepare() for POST, PUT,
  // PATCH and DELETE: HttpError(403) unless the request carries the token
  // of its _xsrf cookie, in the `_xsrf` form field or an X-XSRFToken (or
  // X-CSRFToken) field. A handler that authenticates otherwise (an API
  // with its own tokens) overrides it to do nothing. A handler streaming
  // its body has no form yet: header only.
  virtual void check_xsrf_cookie();

  // ---- The request ----------------------------------------------------
  const HttpRequest& request() const { return *binding_.request; }
  // A `{name}` parameter from the route, percent-decoded; "" if absent.
  std::string_view path_arg(std::string_view name) const;
  // Positional parameters (regex groups, or the `{}`s in order).
  const PathArgs& path_args() const { return binding_.path_args; }

  // The last value of a query or form argument, whitespace-stripped (as
  // Tornado's strip=True). Without a fallback a missing argument is a 400.
  std::string get_argument(std::string_view name) const;
  std::string get_argument(std::string_view name,
                           std::string_view fallback) const;
  std::vector<std::string> get_arguments(std::string_view name) const;
  std::optional<std::string> get_query_argument(std::string_view name) const;
  std::optional<std::string> get_body_argument(std::string_view name) const;
  std::optional<std::string_view> get_cookie(std::string_view name) const;
  // The body parsed as JSON, whatever its Content-Type says (check
  // request().header("Content-Type") if that matters to you). Parsed anew on
  // each call. A body that is not exactly one JSON text (empty, malformed,
  // not UTF-8, nested over 32 deep) is HttpError(400) whose detail is the
  // parser's message, e.g. "syntax error at byte 7".
  boost::json::value json_body() const;

  // ---- The response ---------------------------------------------------
  void set_status(int status, std::string_view reason = {});
  int get_status() const { return status_; }
  void set_header(std::string_view name, std::string_view value);
  void add_header(std::string_view name, std::string_view value);
  void clear_header(std::string_view name);
  void set_cookie(std::string_view name, std::string_view value,
                  const CookieOptions& options = {});
  void clear_cookie(std::string_view name, std::string_view path = "/");
  // A cookie signed with settings().cookie_secrets[0] (signed_value.hpp:
  // Tornado's version-2 format, HMAC-SHA256), so the client can read it
  // but not forge or alter it. The value may be any bytes.
  void set_signed_cookie(std::string_view name, std::string_view value,
                         const CookieOptions& options = {});
  // The value of a cookie set by set_signed_cookie() and signed with any
  // of settings().cookie_secrets no more than `max_age_days` ago; nullopt
  // when it is absent, tampered with, expired or malformed. Both throw
  // std::logic_error (a 500, logged) when cookie_secrets is empty.
  std::optional<std::string> get_signed_cookie(std::string_view name,
                                               int max_age_days = 31) const;
  // This request's XSRF token (xsrf_token.hpp), masked afresh for each
  // request; sets the _xsrf cookie (Path=/, SameSite=Lax, readable by
  // scripts) when the request brought none. Put it in forms as the
  // `_xsrf` field (xsrf_form_html()) or send it as X-XSRFToken.
  const std::string& xsrf_token();
  // <input type="hidden" name="_xsrf" value="..."> for a form.
  std::string xsrf_form_html();

  // Buffers body bytes until flush() or finish().
  void write(std::string_view chunk);
  void write(const char* chunk) { write(std::string_view(chunk)); }
  void write(const std::string& chunk) { write(std::string_view(chunk)); }
  // Writes `value` as JSON (see json.hpp: '<', '>', '&' escaped) and sets
  // Content-Type: application/json; charset=utf-8.
  void write(const boost::json::value& value);
  // Sends the fields (on first use) and what is buffered now; the rest of
  // the body follows chunked.
  void flush();
  // Completes the response. Calling it twice is a bug, logged and ignored.
  void finish();
  void finish(std::string_view chunk);
  void redirect(std::string_view url, bool permanent = false, int status = 0);
  // Replaces whatever was buffered with an error page from write_error().
  void send_error(int status = 500);
  // Discards buffered body and fields set so far (status back to 200).
  void clear();
  // Renders the template `name` (template_cache.hpp: Mustache, under
  // settings().template_path, compiled once per process) with `context`,
  // writes it and finishes the response, as Tornado's render(). Content-Type
  // is text/html; charset=UTF-8 unless the handler set one. A missing
  // template or a syntax error throws TemplateError: a 500, the cause in
  // the log.
  void render(std::string_view name, const boost::json::object& context = {});
  // The same page as a string, written nowhere.
  std::string render_string(std::string_view name,
                            const boost::json::object& context = {}) const;
  // Streams a range of an open file with sendfile(2) (for file handlers).
  void write_file(std::shared_ptr<const FileDescriptor> file,
                  std::uint64_t offset, std::uint64_t length);

  bool finished() const { return finished_; }
  bool headers_sent() const { return headers_sent_; }
  bool connection_open() const {
    return binding_.channel && binding_.channel->is_open();
  }
  // Body bytes written but not yet on the wire (for streaming handlers).
  std::size_t pending_bytes() const {
    return binding_.channel ? binding_.channel->pending_bytes() : 0;
  }

  // ---- Finishing later ----------------------------------------------------
  // Keeps the response open after the method returns; someone must call
  // finish() later (from a timer, a callback, a message from another
  // worker). Capture shared_from_this() to keep the handler alive.
  void finish_later() { finish_later_ = true; }
  // Runs `task` on the worker's loop; the response finishes when it returns
  // (unless it finished itself). If the client goes away, the task is
  // cancelled: its pending co_await throws operation_aborted.
  void spawn(boost::asio::awaitable<void> task);
  boost::asio::any_io_executor executor() const;
  Application& application() const { return *binding_.application; }
  // The application's settings (Tornado's self.settings).
  const Settings& settings() const;
  // The worker's pub/sub (pubsub.hpp): publish, subscribe, and the
  // long-poll wait_after(). Throws HttpError(503) in a server that has none
  // (a bare handler harness).
  PubSub& pubsub() const;
  // The worker's HTTP client (server/client/http_client.hpp), one per loop,
  // made on first use (Tornado's AsyncHTTPClient()): co_await
  // http_client().fetch(url) from a spawn()ed task, which cancels it when
  // the client of this handler goes away.
  HttpClient& http_client() const;
  // While write_error() runs for an HttpError: its detail; else empty.
  std::string_view error_detail() const { return error_detail_; }

 protected:
  RequestHandler();

 private:
  friend struct detail::HandlerAccess;

  // What the framework gives a handler before it runs (HandlerAccess::bind).
  struct Binding {
    Application* application = nullptr;
    HttpRequest* request = nullptr;
    // Null once the client has gone (connection_closed()).
    ResponseChannel* channel = nullptr;
    boost::asio::io_context* loop = nullptr;
    // Keeps the connection (and the request it owns) alive while this
    // handler lives, even after the client has gone.
    std::shared_ptr<void> owner;
    PathArgs path_args;
    MethodSet methods;  // what this handler type implements, for Allow
    // The worker's pub/sub; null where there is none (see pubsub()).
    PubSub* pubsub = nullptr;
    // The worker's WebSocket sessions; null where there are none.
    websocket::Sessions* websockets = nullptr;
  };

  void bind(Binding binding) { binding_ = std::move(binding); }
  // Runs prepare() and the method; exceptions become error responses.
  void execute();
  // The same in three steps for a streamed body (request_handler_stream.cpp):
  // prepare() at the head, each chunk, the method at the end.
  void begin_streaming();
  void receive_chunk(std::string_view chunk);
  void execute_after_body();
  template <class Step>
  void run_step(Step step);
  // The connection is gone: drop the channel, cancel tasks, notify.
  void connection_closed();
  void call_method();
  // Whether check_xsrf_cookie() must run before prepare().
  bool xsrf_check_due() const;
  void handle_exception(std::exception_ptr error);
  void not_allowed();
  void finish_if_done();
  void send_headers(std::optional<std::uint64_t> content_length);

  Binding binding_;
  int status_ = 200;
  std::string reason_;
  std::string error_detail_;
  std::string xsrf_token_;  // made on first use: once per request
  ResponseHeaders headers_;
  std::string body_;
  bool headers_sent_ = false;
  bool finished_ = false;
  bool finish_later_ = false;
  bool executing_ = false;
  bool streams_body_ = false;  // begin_streaming() ran: no form to read
  int running_tasks_ = 0;
  // One per spawned task still running: a signal's slot holds one handler.
  std::vector<std::unique_ptr<boost::asio::cancellation_signal>> cancels_;
};

namespace detail {

// The framework's door into a handler: the connection, the test harness
// and the fuzzers bind a handler to its request and run it through here, so
// none of it is part of the class users derive from.
struct HandlerAccess {
  using Binding = RequestHandler::Binding;

  static void bind(RequestHandler& h, Binding binding) {
    h.bind(std::move(binding));
  }
  static void execute(RequestHandler& h) { h.execute(); }
  static void begin_streaming(RequestHandler& h) { h.begin_streaming(); }
  static void receive_chunk(RequestHandler& h, std::string_view chunk) {
    h.receive_chunk(chunk);
  }
  static void execute_after_body(RequestHandler& h) { h.execute_after_body(); }
  static void connection_closed(RequestHandler& h) { h.connection_closed(); }
  // Answers `status` with the error page, for failures found before any
  // handler method runs.
  static void respond_with_error(RequestHandler& h, int status) {
    h.send_error(status);
  }
  static websocket::Sessions* websockets(RequestHandler& h) {
    return h.binding_.websockets;
  }
  static ResponseChannel* channel(RequestHandler& h) {
    return h.binding_.channel;
  }
  // The connection gave its socket to `h` (a protocol switch): the
  // response is over without being written. The request stays readable
  // while `h` lives (it holds the connection, which holds the request).
  static void detached(RequestHandler& h);
  static PubSub* pubsub(RequestHandler& h) { return h.binding_.pubsub; }
};

}  // namespace detail
}  // namespace gale
