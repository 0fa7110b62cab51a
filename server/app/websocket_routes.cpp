#include "server/app/websocket_routes.hpp"

#include <memory>
#include <string>
#include <utility>

#include "server/core/log.hpp"
#include "server/web/handler_factory.hpp"
#include "server/web/pubsub.hpp"
#include "server/web/websocket_handler.hpp"

namespace gale {

namespace {

class EchoSocket final : public WebSocketHandler {
 public:
  void on_message(std::string_view message, bool binary) override {
    write_message(message, binary);
  }
};

// A message is encoded into a frame once per worker, however many sockets
// it goes to: the hub calls every subscriber with the same message in a
// row, so remembering the last one is enough. Holding the message itself
// (not its address) means a new message can never be mistaken for it.
const websocket::SharedFrame& frame_for(const pubsub::MessagePtr& message) {
  static pubsub::MessagePtr last;
  static websocket::SharedFrame frame;
  if (message != last) {
    last = message;
    frame = WebSocketHandler::prepare_message(message->body);
  }
  return frame;
}

class ChatSocket final : public WebSocketHandler {
 public:
  void open() override {
    feed_ = pubsub().subscribe(
        kWebSocketChatChannel,
        [this](const pubsub::MessagePtr& m) { write_prepared(frame_for(m)); });
  }

  void on_message(std::string_view message, bool binary) override {
    if (binary) return close(1003, "binary messages are not accepted");
    spawn(publish(std::string(message)));
  }

  void on_close() override { feed_ = {}; }

 private:
  // Tasks start in the order they are spawned, so a client's messages are
  // published (and ordered by the backend) in the order it sent them.
  boost::asio::awaitable<void> publish(std::string body) {
    pubsub::PublishResult r = co_await pubsub().publish(
        std::string(kWebSocketChatChannel), std::move(body));
    // Said, not swallowed: the client reconnects and resends.
    if (r.status != pubsub::PublishStatus::published)
      close(1011, "message not published: try again");
  }

  pubsub::Subscription feed_;
};

}  // namespace

void add_websocket_routes(Application& app) {
  app.add({"/ws/echo", handler<EchoSocket>()});
  app.add({"/ws/chat", handler<ChatSocket>()});
}

}  // namespace gale
