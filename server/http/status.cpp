#include "server/http/status.hpp"

#include <http_parser.h>

#include <cstring>

namespace gale {

std::string_view reason_phrase(int status) {
  // http-parser already carries the IANA table; one source of truth.
  const char* s = http_status_str(static_cast<enum http_status>(status));
  if (s == nullptr || std::strcmp(s, "<unknown>") == 0) return "Unknown";
  return s;
}

}  // namespace gale
