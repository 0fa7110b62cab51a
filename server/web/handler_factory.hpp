// How a route makes a fresh handler for each request, and which methods that
// handler type implements.
#pragma once

#include <functional>
#include <memory>
#include <type_traits>

#include "server/http/method.hpp"
#include "server/web/request_handler.hpp"
#include "server/web/websocket_handler.hpp"

namespace gale {

struct HandlerFactory {
  std::function<std::shared_ptr<RequestHandler>()> create;
  MethodSet methods;
  // The handler takes its body as it arrives (data_received()).
  bool streams_body = false;
};

namespace detail {

// A method is implemented when H (or a base between H and RequestHandler)
// declares it: &H::get then names that class, not RequestHandler.
template <class H, class M>
constexpr bool overrides(M RequestHandler::*) {
  return false;
}
template <class H, class M, class C>
constexpr bool overrides(M C::*) {
  return !std::is_same_v<C, RequestHandler>;
}

template <class H>
constexpr bool streams_body() {
  if constexpr (requires { H::stream_request_body; })
    return H::stream_request_body;
  else
    return false;
}

template <class H>
constexpr MethodSet methods_of() {
  MethodSet s;
  if (overrides<H>(&H::get)) {
    s.add(Method::get);
    s.add(Method::head);  // HEAD is GET without the body
  }
  if (overrides<H>(&H::head)) s.add(Method::head);
  if (overrides<H>(&H::post)) s.add(Method::post);
  if (overrides<H>(&H::put)) s.add(Method::put);
  if (overrides<H>(&H::patch)) s.add(Method::patch);
  if (overrides<H>(&H::delete_)) s.add(Method::delete_);
  if (overrides<H>(&H::options)) s.add(Method::options);
  return s;
}

}  // namespace detail

// handler<H>(args...) makes each request's H as H(args...), like the
// keyword arguments Tornado passes to initialize().
// A WebSocketHandler H is routed through a WebSocketUpgrade, which runs
// the handshake for each GET and then makes the H that owns the socket.
template <class H, class... Args>
HandlerFactory handler(Args&&... args) {
  if constexpr (std::is_base_of_v<WebSocketHandler, H>) {
    WebSocketUpgrade::Create create = [... a = std::forward<Args>(args)] {
      return std::shared_ptr<WebSocketHandler>(std::make_shared<H>(a...));
    };
    MethodSet get_only;
    get_only.add(Method::get);
    return {[create] { return std::make_shared<WebSocketUpgrade>(create); },
            get_only};
  } else {
    static_assert(std::is_base_of_v<RequestHandler, H>,
                  "a handler derives from gale::RequestHandler or "
                  "gale::WebSocketHandler");
    return {[... a = std::forward<Args>(args)] {
              return std::make_shared<H>(a...);
            },
            detail::methods_of<H>(), detail::streams_body<H>()};
  }
}

}  // namespace gale
