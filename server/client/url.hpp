// The URLs the HTTP client fetches: an absolute http:// URL taken apart
// into what a request needs (host, port, origin-form target, Host field),
// and a redirect's Location resolved against the URL it answered. Parsing
// and RFC 3986 resolution are Boost.URL's; the rules of what the client
// accepts (http only, a host, no credentials) are here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gale::client {

struct Url {
  std::string text;  // the URL as fetched, without its fragment
  std::string host;  // a name or an address; IPv6 without brackets
  std::uint16_t port = 80;
  std::string target;      // origin-form: path (at least "/") and ?query
  std::string host_field;  // the Host field: host[:port], IPv6 bracketed

  // The pool's key: connections are shared per host and port.
  std::string origin() const { return host + ':' + std::to_string(port); }
};

// Parses an absolute http:// URL. nullopt with `error` set for anything
// else: a relative reference, another scheme (https is not supported), no
// host, user credentials, a port out of range.
std::optional<Url> parse_url(std::string_view text, std::string& error);

// Resolves `location` (absolute, or relative such as "/b", "../c", "?q")
// against `base` (an absolute URL) as RFC 3986 §5 says; the fragment is
// dropped. nullopt with `error` set when `location` is not a URI
// reference.
std::optional<std::string> resolve_location(std::string_view base,
                                            std::string_view location,
                                            std::string& error);

}  // namespace gale::client
