// JSON in and out of handlers, on Boost.JSON (SPEC §6):
//
//   write({{"pid", getpid()}, {"ok", true}});       // a boost::json::value
//   boost::json::value in = json_body();            // 400 if not JSON
//
// Serialization is Boost.JSON's, with two guarantees added on top, kept
// from gale's earlier home-made serializer:
//   - '<', '>' and '&' are written as \u003c, \u003e and \u0026, so JSON
//     embedded in an HTML page cannot close a <script> element. Boost.JSON
//     alone writes them raw; outside strings JSON never contains them, so
//     one pass over its output escapes exactly the string bytes.
//   - a non-finite double (NaN, ±infinity) is written as null. Boost.JSON
//     1.81 alone writes NaN / Infinity, which is not JSON.
// Doubles otherwise keep Boost.JSON's shortest round-trip form with an
// exponent (1.5 is "1.5E0", 0.1 is "1E-1"); integers are written plainly.
#pragma once

#include <boost/json/value.hpp>

#include <string>
#include <string_view>

namespace gale {

// Appends `value` serialized as described above.
void append_json(std::string& out, const boost::json::value& value);

// Parses `text` as exactly one JSON text (RFC 8259: UTF-8, no comments, no
// trailing commas, nested at most 32 deep). On failure returns null and
// sets `error` to what is wrong and where, e.g. "syntax error at byte 7";
// on success leaves `error` empty.
boost::json::value parse_json(std::string_view text, std::string& error);

// Appends `s` as a quoted JSON string, escaped as append_json() escapes
// strings (fuzz/fuzz_router_url.cpp checks it alone).
void append_json_string(std::string& out, std::string_view s);

}  // namespace gale
