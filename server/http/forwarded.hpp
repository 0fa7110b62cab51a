// What a trusted proxy in front tells about the client: X-Forwarded-For and
// X-Forwarded-Proto (the de-facto headers nginx, HAProxy and the cloud
// balancers send; Tornado's xheaders). Bytes in, views out: no I/O, no
// allocation. Whether the peer is trusted at all is the caller's question;
// from an untrusted peer these fields must not be read.
#pragma once

#include <string_view>

#include "server/core/ip_network.hpp"
#include "server/http/fields.hpp"

namespace gale {

// The client's address from X-Forwarded-For, as sent (a view into the
// head), or empty when the field gives none and the peer's address stands.
//
// Every X-Forwarded-For field line is one list, in order (RFC 9110 §5.3);
// each proxy appends the address it received from, so the rightmost entries
// are the ones our own proxies wrote, and the left ones are whatever the
// client claimed. The walk goes from the right:
//   - an empty element ("a,,b", a trailing comma) is skipped;
//   - an address in `trusted` is one of our proxies: remember it, go on;
//   - an address outside `trusted` is the client: the answer;
//   - anything that is not a bare IPv4/IPv6 address (a name, "unknown", a
//     port or brackets) stops the walk: nobody we trust wrote it, so the
//     last address passed (trusted, to its right) is the answer, or the
//     peer's own when it was the rightmost;
//   - past the leftmost entry, every hop was trusted: the leftmost stands.
std::string_view forwarded_client(const RequestHeaders& headers,
                                  const IpNetworkList& trusted);

// The scheme the client used, from X-Forwarded-Proto: "http" or "https"
// (lower case, whatever the field's case), or empty when the field is
// absent or says anything else. A list ("https, http", several lines) is
// read by its rightmost element: the one our nearest proxy wrote.
std::string_view forwarded_proto(const RequestHeaders& headers);

}  // namespace gale
