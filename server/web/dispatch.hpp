// From a request path to the handler that answers it, as the connection
// and the test harness both do: the first route that matches, else the
// application's default handler, else a plain 404.
#pragma once

#include <memory>
#include <string_view>

#include "server/http/method.hpp"
#include "server/web/application.hpp"
#include "server/web/path_args.hpp"
#include "server/web/request_handler.hpp"

namespace gale {

struct RoutedHandler {
  std::shared_ptr<RequestHandler> handler;
  PathArgs path_args;         // decoded, from the route's pattern
  MethodSet methods;          // what the handler's type implements, for Allow
  bool streams_body = false;  // it takes its body as it arrives
};

// A fresh handler for the (still encoded) `path`. Throws whatever the
// route's factory throws.
RoutedHandler make_handler(const Application& app, std::string_view path);
// Whether the handler for `path` takes its body as it arrives.
bool streams_request_body(const Application& app, std::string_view path);

}  // namespace gale
