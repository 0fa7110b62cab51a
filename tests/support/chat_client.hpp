// The chat (SPEC §3) as the end-to-end and process tests speak it: the
// requests of its two routes, what their JSON answers hold, and a client of
// one server that posts and polls, each exchange on a fresh connection.
// The bodies and ids these tests use are plain letters and digits, so
// nothing is form-encoded or JSON-unescaped here.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "tests/support/http_client.hpp"
#include "tests/support/http_response.hpp"

namespace gale::test {

// POST `target` with the urlencoded `form`; `Connection: close` when
// `close`, else the connection stays open for a long-poll or the next one.
std::string form_post(const std::string& target, const std::string& form,
                      bool close = false);
// POST /chat/new with `body`.
std::string chat_post_request(const std::string& body, bool close = false);
// POST /chat/updates with `cursor` (empty: the whole kept history).
std::string chat_poll_request(const std::string& cursor, bool close = false);

// The values of every `"key":"..."` in a JSON text, in order.
std::vector<std::string> json_strings(const std::string& json,
                                      const std::string& key);

struct ChatMessage {
  std::string id;
  std::string body;
};
// The messages of a /chat/updates answer, oldest first (or the one message
// of a /chat/new answer).
std::vector<ChatMessage> chat_messages(const std::string& json);

// The chat of the server on 127.0.0.1:port.
class ChatClient {
 public:
  struct Posted {
    int status = -1;     // -1: no answer at all
    std::string id;      // empty unless the message was published
    std::string answer;  // the response's body, for failure messages
  };

  explicit ChatClient(int port) : port_(port) {}

  // Posts `body`.
  Posted post(const std::string& body, Millis timeout = 10s) const;
  // Posts `body` and returns its id; a failure of the calling test unless
  // the answer is 200.
  std::string post_ok(const std::string& body, Millis timeout = 10s) const;
  // What /chat/updates answers `cursor`, at once or after its wait;
  // nullopt when there is no answer within `timeout`.
  std::optional<HttpResponse> updates(const std::string& cursor,
                                      Millis timeout = 15s) const;
  // A connection whose poll with `cursor` has been sent, to be read later
  // (read_response()): a failure of the calling test when it cannot be
  // connected or sent.
  HttpClient start_poll(const std::string& cursor) const;

 private:
  int port_;
};

}  // namespace gale::test
