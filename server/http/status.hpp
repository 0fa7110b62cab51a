// Status codes and their reason phrases.
#pragma once

#include <string_view>

namespace gale {

// The RFC 9110 reason phrase for `status`, or "Unknown" for codes it does
// not name (a handler may still send them).
std::string_view reason_phrase(int status);

// 1xx, 204 and 304 responses never carry a body (RFC 9110 §6.4.1).
inline bool status_allows_body(int status) {
  return !(status < 200 || status == 204 || status == 304);
}

}  // namespace gale
