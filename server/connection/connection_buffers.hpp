// Everything a connection needs only while a request is in progress: the
// read buffer, the parser, the request view and the output queue. Taken from
// the worker's pool when bytes arrive and given back when the connection
// goes idle, so a standing keep-alive connection costs almost nothing.
#pragma once

#include <cstdint>
#include <string>

#include "server/connection/body_memory.hpp"
#include "server/connection/input_buffer.hpp"
#include "server/connection/output_queue.hpp"
#include "server/connection/response_writer.hpp"
#include "server/http/request_parser.hpp"
#include "server/web/request.hpp"

namespace gale {

struct ConnectionBuffers {
  InputBuffer in;
  RequestParser parser;
  HttpRequest request;
  OutputQueue out;
  std::string scratch;                  // a response head being built
  ResponseWriter writer{out, scratch};  // frames the response into `out`
  // The request body's share of the worker's body memory, while held.
  BodyReservation body_reservation;

  void reset() {
    body_reservation.release();
    in.reset();
    parser.reset();
    out.clear();
    if (scratch.capacity() > 4096) std::string().swap(scratch);
  }
};

}  // namespace gale
