// The chat's handlers (chat.hpp). They hold no state of their own: every
// message lives in the worker's pub/sub hub, which the backend keeps in one
// order on every worker, so any worker can answer any poll.
#include "server/app/chat.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/json.hpp>

#include <string>
#include <utility>

#include "server/web/pubsub.hpp"
#include "server/web/request_handler.hpp"
#include "server/websocket/utf8_validator.hpp"

namespace gale {
namespace {

constexpr std::string_view kChatJs = "text/javascript; charset=utf-8";

// The last `body` form field exactly as posted: unlike get_argument() it is
// not whitespace-stripped, because SPEC §3 returns the body as posted.
const std::string* form_field(const HttpRequest& request,
                              std::string_view name) {
  const std::string* found = nullptr;
  for (const auto& [key, value] : request.body_arguments())
    if (key == name) found = &value;
  return found;
}

// Why `body` cannot be a chat message, or "" when it can.
std::string_view invalid_body(const std::string* body) {
  if (!body) return "missing form field \"body\"";
  if (body->empty()) return "body is empty";
  if (body->size() > kChatMaxBodyBytes) return "body is over 4096 bytes";
  if (!websocket::Utf8Validator::is_valid(*body)) return "body is not UTF-8";
  return {};
}

boost::json::object message_json(const pubsub::Message& m) {
  return {{"id", m.id}, {"body", m.body}};
}

// POST /chat/new: publishes, then answers the message with its id. The
// message reaches this worker's waiters through the hub like everyone
// else's; this answer only tells the poster it was accepted.
struct ChatNewHandler : RequestHandler {
  void post() override {
    const std::string* body = form_field(request(), "body");
    if (std::string_view why = invalid_body(body); !why.empty())
      throw HttpError(400, "chat post refused: " + std::string(why),
                      std::string(why));
    set_header("Cache-Control", "no-store");
    spawn(publish(*body));
  }

 private:
  boost::asio::awaitable<void> publish(std::string body) {
    pubsub::PublishResult r =
        co_await pubsub().publish(std::string(kChatChannel), body);
    if (r.status != pubsub::PublishStatus::published)
      throw HttpError(503, "chat post not published",
                      "the message was not published; try again");
    write(boost::json::value(
        message_json({std::string(kChatChannel), r.id, std::move(body)})));
  }
};

// POST /chat/updates: what came after the cursor, or a long-poll for it.
// The callback form of wait_after() (long_poll.hpp): this route is the one
// thousands of clients re-poll the moment they are answered, and a waiting
// poll then costs no coroutine, timer or subscription of its own.
struct ChatUpdatesHandler : RequestHandler, LongPoll {
  explicit ChatUpdatesHandler(ChatOptions options) : options_(options) {}

  void post() override {
    set_header("Cache-Control", "no-store");
    finish_later();
    pubsub().wait_after(kChatChannel, get_argument("cursor", ""),
                        options_.poll_timeout, *this);
  }

  void on_long_poll(PubSub::Messages messages) override {
    boost::json::array list;
    list.reserve(messages.size());
    for (const pubsub::MessagePtr& m : messages)
      list.emplace_back(message_json(*m));
    write(boost::json::value{{"messages", std::move(list)}});
    finish();
  }

  // The client left: the wait ends here, not at the next message.
  void on_connection_close() override { cancel(); }

 private:
  ChatOptions options_;
};

// GET /chat/: the page. Its script is a file of its own so the page's
// Content-Security-Policy can refuse every inline script: a body that slips
// into the DOM as HTML still could not run.
struct ChatPageHandler : RequestHandler {
  void get() override {
    set_header("Content-Type", "text/html; charset=utf-8");
    set_header("Cache-Control", "no-cache");
    set_header("Content-Security-Policy",
               "default-src 'self'; script-src 'self'; "
               "style-src 'unsafe-inline'; img-src data:; "
               "base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
    set_header("X-Content-Type-Options", "nosniff");
    // With XSRF protection on, the page's GET sets the _xsrf cookie its
    // script echoes as X-XSRFToken on every POST.
    if (settings().xsrf_cookies) xsrf_token();
    write(chat_page_html());
  }
};

struct ChatScriptHandler : RequestHandler {
  void get() override {
    set_header("Content-Type", kChatJs);
    set_header("Cache-Control", "no-cache");
    set_header("X-Content-Type-Options", "nosniff");
    write(chat_page_script());
  }
};

// /chat without the slash: the page's relative URLs need the slash.
struct ChatRedirectHandler : RequestHandler {
  void get() override { redirect("/chat/", true); }
};

}  // namespace

void add_chat_routes(Application& app, ChatOptions options) {
  app.add({"/chat", handler<ChatRedirectHandler>()});
  app.add({"/chat/", handler<ChatPageHandler>()});
  app.add({"/chat/chat.js", handler<ChatScriptHandler>()});
  app.add({"/chat/new", handler<ChatNewHandler>()});
  app.add({"/chat/updates", handler<ChatUpdatesHandler>(options)});
}

}  // namespace gale
