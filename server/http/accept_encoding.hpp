// Whether a request's Accept-Encoding allows a content coding (RFC 9110
// §12.5.3), for serving precompressed files.
#pragma once

#include <string_view>

#include "server/http/fields.hpp"

namespace gale {

// True when `coding` ("gzip") is acceptable: listed with q > 0 (for gzip,
// its old alias "x-gzip" counts too), or not listed and `*` is with q > 0.
// "gzip;q=0" refuses it even when `*` allows everything else. No field
// (or an empty one) accepts no coding but identity. Repeated fields are
// read as one list.
bool accepts_encoding(const RequestHeaders& headers, std::string_view coding);

// The same for one field value.
bool accepts_encoding(std::string_view value, std::string_view coding);

}  // namespace gale
