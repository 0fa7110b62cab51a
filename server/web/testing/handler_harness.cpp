#include "server/web/testing/handler_harness.hpp"

#include <stdexcept>

#include "server/http/fields.hpp"
#include "server/web/dispatch.hpp"

namespace gale::testing {

using Access = detail::HandlerAccess;

// ---- SentResponse
// ------------------------------------------------------------

std::string SentResponse::body() const {
  std::string out;
  for (const std::string& piece : pieces)
    out += piece;
  return out;
}

std::vector<std::string> SentResponse::values(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : fields)
    if (iequals(k, name)) out.push_back(v);
  return out;
}

std::string SentResponse::field(std::string_view name) const {
  for (const auto& [k, v] : fields)
    if (iequals(k, name)) return v;
  return {};
}

// ---- MemoryChannel
// -----------------------------------------------------------

void MemoryChannel::start_response(
    int status, std::string_view reason, const ResponseHeaders& headers,
    std::optional<std::uint64_t> content_length) {
  ++starts;
  this->status = status;
  this->reason = std::string(reason);
  fields.assign(headers.begin(), headers.end());
  length = content_length;
}

void MemoryChannel::abort() {
  ++aborts;
  open = false;
}

void MemoryChannel::reset() {
  static_cast<SentResponse&>(*this) = SentResponse();
  open = true;
  pending = 0;
}

// ---- HandlerHarness
// ------------------------------------------------------------

HandlerHarness::HandlerHarness(ParserLimits limits)
    : parser_(limits),
      peer_(boost::asio::ip::make_address("127.0.0.1"), 54321) {}

HandlerHarness::~HandlerHarness() {
  if (handler_ && !handler_->finished()) close_connection();
  loop_.restart();
  loop_.poll();  // lets cancelled tasks unwind while their handler lives
}

std::optional<std::size_t> HandlerHarness::parse(std::string_view raw) {
  handler_.reset();
  channel_.reset();
  parser_.reset();
  std::size_t used = 0;
  RequestParser::Step step{};
  do {
    step = parser_.feed(raw.data() + used, raw.size() - used);
    used += step.consumed;
  } while (step.event == RequestParser::Event::head_complete);
  if (step.event != RequestParser::Event::message_complete) return std::nullopt;
  request_.bind(&parser_.head(), &parser_.body(), &peer_);
  return used;
}

void HandlerHarness::bind_handler(std::shared_ptr<RequestHandler> handler,
                                  Application& app, PathArgs path_args,
                                  MethodSet methods) {
  handler_ = std::move(handler);
  Access::bind(*handler_, {&app, &request_, &channel_, &loop_, nullptr,
                           std::move(path_args), methods, pubsub_});
}

std::shared_ptr<RequestHandler> HandlerHarness::dispatch(Application& app) {
  RoutedHandler routed = make_handler(app, request_.path());
  bind_handler(std::move(routed.handler), app, std::move(routed.path_args),
               routed.methods);
  if (!routed.streams_body) {
    Access::execute(*handler_);
    return handler_;
  }
  // As the connection does for a handler that streams its body: prepare(),
  // the body as one piece (the harness has it whole), then the method.
  auto handler = handler_;
  Access::begin_streaming(*handler);
  if (!parser_.body().empty()) {
    Access::receive_chunk(*handler, parser_.body().view());
    parser_.body().clear();  // a streamed body is not kept
  }
  Access::execute_after_body(*handler);
  return handler;
}

std::shared_ptr<RequestHandler> HandlerHarness::bind(
    const HandlerFactory& factory, PathArgs path_args) {
  bind_handler(factory.create(), empty_app_, std::move(path_args),
               factory.methods);
  return handler_;
}

std::shared_ptr<RequestHandler> HandlerHarness::run(
    const HandlerFactory& factory, PathArgs path_args) {
  bind(factory, std::move(path_args));
  Access::execute(*handler_);
  return handler_;
}

void HandlerHarness::run_until_finished(
    std::chrono::steady_clock::duration timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  loop_.restart();
  // run_one_until() returns 0 once nothing is left to run or at the
  // deadline.
  while (!channel_.done() && loop_.run_one_until(deadline) > 0) {
  }
}

void HandlerHarness::close_connection() {
  channel_.open = false;
  if (handler_) Access::connection_closed(*handler_);
}

void HandlerHarness::respond_with_error(int status) {
  if (handler_) Access::respond_with_error(*handler_, status);
}

SentResponse fetch(Application& app, std::string_view raw,
                   std::chrono::steady_clock::duration timeout) {
  HandlerHarness harness;
  std::optional<std::size_t> used = harness.parse(raw);
  if (!used || *used != raw.size()) {
    std::string why = used ? "bytes left over after it"
                      : harness.parse_error() == ParseError::none
                          ? "it is incomplete"
                          : std::string(describe(harness.parse_error()));
    throw std::invalid_argument("fetch() takes one complete request: " + why);
  }
  harness.dispatch(app);
  harness.run_until_finished(timeout);
  return harness.channel();
}

}  // namespace gale::testing
