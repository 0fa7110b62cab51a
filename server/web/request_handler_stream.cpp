// A handler that takes its request body as it arrives (Tornado's
// @stream_request_body): prepare() when the head is in, data_received()
// for each piece, the method once the body is complete. The connection
// drives the three steps; each runs as execute() does, with exceptions
// turned into error responses.
#include "server/web/request_handler.hpp"

namespace gale {

void RequestHandler::data_received(std::string_view) {}

template <class Step>
void RequestHandler::run_step(Step step) {
  auto self = shared_from_this();  // a step may drop the last owner
  executing_ = true;
  try {
    if (!finished_) step();
  } catch (...) {
    handle_exception(std::current_exception());
  }
  executing_ = false;
}

void RequestHandler::begin_streaming() {
  streams_body_ = true;
  run_step([this] {
    if (xsrf_check_due()) check_xsrf_cookie();  // the header only: no form
    prepare();
  });
}

void RequestHandler::receive_chunk(std::string_view chunk) {
  run_step([this, chunk] { data_received(chunk); });
}

void RequestHandler::execute_after_body() {
  run_step([this] { call_method(); });
  finish_if_done();
}

}  // namespace gale
