#include "server/web/request_handler.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/system/system_error.hpp>

#include <cctype>
#include <ctime>

#include "server/client/http_client.hpp"
#include "server/core/log.hpp"
#include "server/http/date_cache.hpp"
#include "server/http/status.hpp"
#include "server/web/application.hpp"

namespace gale {
namespace {

std::string strip(std::string s) {
  std::string_view v = s;
  while (!v.empty() && std::isspace(static_cast<unsigned char>(v.front())))
    v.remove_prefix(1);
  while (!v.empty() && std::isspace(static_cast<unsigned char>(v.back())))
    v.remove_suffix(1);
  return std::string(v);
}

const std::string* last_value(const Arguments& args, std::string_view name) {
  const std::string* found = nullptr;
  for (const auto& [k, v] : args)
    if (k == name) found = &v;
  return found;
}

bool valid_cookie_part(std::string_view s) {
  for (unsigned char c : s)
    if (c <= 0x20 || c == ';' || c == ',' || c == 0x7f) return false;
  return true;
}

}  // namespace

RequestHandler::RequestHandler() = default;
RequestHandler::~RequestHandler() = default;

// ---- the request's life ------------------------------------------------

void RequestHandler::execute() {
  auto self = shared_from_this();  // a method may drop the last owner
  executing_ = true;
  try {
    if (xsrf_check_due()) check_xsrf_cookie();
    prepare();
    if (!finished_) call_method();
  } catch (...) {
    handle_exception(std::current_exception());
  }
  executing_ = false;
  finish_if_done();
}

void RequestHandler::call_method() {
  switch (request().method_id()) {
    case Method::get:
      get();
      break;
    case Method::head:
      head();
      break;
    case Method::post:
      post();
      break;
    case Method::put:
      put();
      break;
    case Method::patch:
      patch();
      break;
    case Method::delete_:
      delete_();
      break;
    case Method::options:
      options();
      break;
    default:
      not_allowed();
      break;
  }
}

void RequestHandler::get() {
  not_allowed();
}
void RequestHandler::post() {
  not_allowed();
}
void RequestHandler::put() {
  not_allowed();
}
void RequestHandler::patch() {
  not_allowed();
}
void RequestHandler::delete_() {
  not_allowed();
}
void RequestHandler::options() {
  not_allowed();
}

void RequestHandler::head() {
  // The connection drops the body of a HEAD response but keeps its length.
  if (binding_.methods.contains(Method::get))
    get();
  else
    not_allowed();
}

void RequestHandler::not_allowed() {
  send_error(405);
}

void RequestHandler::finish_if_done() {
  if (!finished_ && !finish_later_ && running_tasks_ == 0 && !executing_ &&
      binding_.channel)
    finish();
}

void RequestHandler::handle_exception(std::exception_ptr error) {
  int status = 500;
  std::string detail;
  try {
    std::rethrow_exception(error);
  } catch (const HttpError& e) {
    status = e.status();
    detail = e.detail();
    if (*e.what())
      log::warning(status, " ", request().method(), " ", request().uri(), ": ",
                   e.what());
  } catch (const std::exception& e) {
    log::error("uncaught exception in handler for ", request().method(), " ",
               request().uri(), ": ", e.what());
  } catch (...) {
    log::error("uncaught non-standard exception in handler for ",
               request().method(), " ", request().uri());
  }
  if (finished_ || !binding_.channel) return;
  error_detail_ = std::move(detail);  // for write_error()
  send_error(status);
  error_detail_.clear();
}

void RequestHandler::connection_closed() {
  if (!binding_.channel) return;
  binding_.channel = nullptr;
  auto self = shared_from_this();
  for (auto& signal : cancels_)
    signal->emit(boost::asio::cancellation_type::terminal);
  try {
    on_connection_close();
  } catch (const std::exception& e) {
    log::error("on_connection_close threw: ", e.what());
  }
}

// ---- arguments and cookies ---------------------------------------------

std::string_view RequestHandler::path_arg(std::string_view name) const {
  const std::string* v = binding_.path_args.find(name);
  return v ? std::string_view(*v) : std::string_view();
}

std::optional<std::string> RequestHandler::get_query_argument(
    std::string_view name) const {
  const std::string* v = last_value(request().query_arguments(), name);
  if (!v) return std::nullopt;
  return strip(*v);
}

std::optional<std::string> RequestHandler::get_body_argument(
    std::string_view name) const {
  const std::string* v = last_value(request().body_arguments(), name);
  if (!v) return std::nullopt;
  return strip(*v);
}

// Tornado's request.arguments is the query's followed by the body's, so the
// last value is the body's when both have one.
std::string RequestHandler::get_argument(std::string_view name) const {
  if (auto v = get_body_argument(name)) return *v;
  if (auto v = get_query_argument(name)) return *v;
  throw HttpError(400, "missing argument " + std::string(name));
}

std::string RequestHandler::get_argument(std::string_view name,
                                         std::string_view fallback) const {
  if (auto v = get_body_argument(name)) return *v;
  if (auto v = get_query_argument(name)) return *v;
  return std::string(fallback);
}

std::vector<std::string> RequestHandler::get_arguments(
    std::string_view name) const {
  std::vector<std::string> out;
  for (const auto* args :
       {&request().query_arguments(), &request().body_arguments()})
    for (const auto& [k, v] : *args)
      if (k == name) out.push_back(strip(v));
  return out;
}

std::optional<std::string_view> RequestHandler::get_cookie(
    std::string_view name) const {
  return request().cookie(name);
}

boost::json::value RequestHandler::json_body() const {
  std::string error;
  boost::json::value value = parse_json(request().body(), error);
  if (!error.empty())
    throw HttpError(400, "invalid JSON body: " + error,
                    "invalid JSON body: " + error);
  return value;
}

// ---- the response ----------------------------------------------------------

void RequestHandler::set_status(int status, std::string_view reason) {
  if (status < 100 || status > 999)
    throw std::invalid_argument("invalid status " + std::to_string(status));
  status_ = status;
  reason_.assign(reason);
}

void RequestHandler::set_header(std::string_view name, std::string_view value) {
  headers_.set(name, value);
}

void RequestHandler::add_header(std::string_view name, std::string_view value) {
  headers_.add(name, value);
}

void RequestHandler::clear_header(std::string_view name) {
  headers_.remove(name);
}

void RequestHandler::set_cookie(std::string_view name, std::string_view value,
                                const CookieOptions& o) {
  if (name.empty() || !valid_cookie_part(name) || !valid_cookie_part(value))
    throw std::invalid_argument("invalid cookie " + std::string(name));
  std::string c;
  c.append(name).append("=").append(value);
  if (!o.path.empty()) c.append("; Path=").append(o.path);
  if (!o.domain.empty()) c.append("; Domain=").append(o.domain);
  if (o.max_age_s) {
    c.append("; Max-Age=").append(std::to_string(*o.max_age_s));
    char date[32];
    format_http_date(std::time(nullptr) + *o.max_age_s, date);
    c.append("; Expires=").append(date);
  }
  if (o.secure) c.append("; Secure");
  if (o.http_only) c.append("; HttpOnly");
  if (!o.same_site.empty()) c.append("; SameSite=").append(o.same_site);
  headers_.add("Set-Cookie", c);
}

void RequestHandler::clear_cookie(std::string_view name,
                                  std::string_view path) {
  CookieOptions o;
  o.path = std::string(path);
  o.max_age_s = 0;
  set_cookie(name, "", o);
}

void RequestHandler::write(std::string_view chunk) {
  if (finished_) throw std::logic_error("write() after finish()");
  body_.append(chunk);
}

void RequestHandler::write(const boost::json::value& value) {
  if (finished_) throw std::logic_error("write() after finish()");
  set_header("Content-Type", "application/json; charset=utf-8");
  append_json(body_, value);
}

void RequestHandler::send_headers(std::optional<std::uint64_t> content_length) {
  if (status_allows_body(status_) && !headers_.find("Content-Type"))
    headers_.set("Content-Type", "text/html; charset=utf-8");
  std::string_view reason = reason_.empty() ? reason_phrase(status_) : reason_;
  binding_.channel->start_response(status_, reason, headers_, content_length);
  headers_sent_ = true;
}

void RequestHandler::flush() {
  if (finished_) throw std::logic_error("flush() after finish()");
  if (!binding_.channel) return;
  if (!headers_sent_) send_headers(std::nullopt);
  if (!body_.empty()) binding_.channel->send_body(std::exchange(body_, {}));
  binding_.channel->flush();
}

void RequestHandler::write_file(std::shared_ptr<const FileDescriptor> file,
                                std::uint64_t offset, std::uint64_t length) {
  if (finished_) throw std::logic_error("write_file() after finish()");
  if (!binding_.channel) return;
  if (!headers_sent_) send_headers(length);
  if (!body_.empty()) binding_.channel->send_body(std::exchange(body_, {}));
  binding_.channel->send_file(std::move(file), offset, length);
}

void RequestHandler::finish(std::string_view chunk) {
  write(chunk);
  finish();
}

void RequestHandler::finish() {
  if (finished_) {
    log::error("finish() called twice for ", request().method(), " ",
               request().uri());
    return;
  }
  auto self = shared_from_this();
  finished_ = true;
  if (binding_.channel) {
    if (!headers_sent_) send_headers(body_.size());
    if (!body_.empty()) binding_.channel->send_body(std::exchange(body_, {}));
    binding_.channel->end_response();
  }
  try {
    on_finish();
  } catch (const std::exception& e) {
    log::error("on_finish threw: ", e.what());
  }
}

void RequestHandler::redirect(std::string_view url, bool permanent,
                              int status) {
  if (headers_sent_) throw std::logic_error("redirect() after flush()");
  set_status(status ? status : (permanent ? 301 : 302));
  set_header("Location", url);
  finish();
}

void RequestHandler::clear() {
  status_ = 200;
  reason_.clear();
  headers_.clear();
  body_.clear();
}

void RequestHandler::send_error(int status) {
  if (finished_) return;
  if (headers_sent_) {
    // Part of the body is already on the wire: the only honest signal left
    // is to cut the connection, so the client sees a truncated response.
    log::error("error ", status, " after the response started for ",
               request().method(), " ", request().uri(), "; closing");
    finished_ = true;
    if (binding_.channel) binding_.channel->abort();
    return;
  }
  clear();
  set_status(status);
  if (status == 405) set_header("Allow", binding_.methods.allow_value());
  try {
    write_error(status);
  } catch (const std::exception& e) {
    log::error("write_error threw: ", e.what());
    clear();
    set_status(status);
  }
  if (!finished_) finish();
}

void RequestHandler::write_error(int status) {
  set_header("Content-Type", "text/plain; charset=utf-8");
  write(std::to_string(status));
  write(" ");
  write(reason_phrase(status));
  write("\n");
  if (!error_detail_.empty()) {
    write(error_detail_);
    write("\n");
  }
}

// ---- finishing later
// ---------------------------------------------------------

const Settings& RequestHandler::settings() const {
  return binding_.application->settings();
}

PubSub& RequestHandler::pubsub() const {
  if (!binding_.pubsub)
    throw HttpError(503, "no pub/sub in this server", "pub/sub is unavailable");
  return *binding_.pubsub;
}

HttpClient& RequestHandler::http_client() const {
  return HttpClient::of(*binding_.loop);
}

boost::asio::any_io_executor RequestHandler::executor() const {
  return binding_.loop->get_executor();
}

void RequestHandler::spawn(boost::asio::awaitable<void> task) {
  auto self = shared_from_this();
  ++running_tasks_;
  cancels_.push_back(std::make_unique<boost::asio::cancellation_signal>());
  boost::asio::cancellation_signal* signal = cancels_.back().get();
  boost::asio::co_spawn(
      binding_.loop->get_executor(), std::move(task),
      boost::asio::bind_cancellation_slot(
          signal->slot(), [self, signal](std::exception_ptr error) {
            --self->running_tasks_;
            // The signal stays in cancels_ until the handler dies: the
            // slot may still be referenced while this handler runs.
            (void)signal;
            // A task cancelled because the client left has nobody to
            // answer; its operation_aborted is expected.
            if (error && self->binding_.channel) self->handle_exception(error);
            self->finish_if_done();
          }));
}

}  // namespace gale

namespace gale::detail {

void HandlerAccess::detached(RequestHandler& h) {
  h.finished_ = true;
  h.binding_.channel = nullptr;
}

}  // namespace gale::detail
