// What a request the client sends may be, and how a redirect changes the
// request that follows it: I/O-free, so the rules are unit-tested alone.
#pragma once

#include <string>

#include "server/client/client_messages.hpp"

namespace gale::client {

// An empty string when `request` may be sent; else why not (a method that
// is not a token, a field name that is not one, CR/LF/NUL in a value, a
// Content-Length or Transfer-Encoding field: the client frames the body).
std::string request_problem(const HttpClientRequest& request);

// 301, 302, 303, 307, 308.
bool is_redirect(int status);

// Turns `request` into the one that follows a `status` redirect to `url`:
// 301/302/303 make it a GET without a body (a HEAD stays HEAD), 307/308
// keep method and body; off the origin (`same_origin` false) the
// credentials (Authorization, Cookie) and an explicit Host are dropped.
void follow_redirect(HttpClientRequest& request, int status, std::string url,
                     bool same_origin);

// Methods that may be sent twice (RFC 9110 §9.2.2): a request of one that
// failed on a reused connection before any response is retried.
bool is_idempotent(const std::string& method);

}  // namespace gale::client
