// The chat's requests and answers, and a client of one server's chat
// (chat_client.hpp).
#include "tests/support/chat_client.hpp"

#include <gtest/gtest.h>

#include <regex>

namespace gale::test {

std::string form_post(const std::string& target, const std::string& form,
                      bool close) {
  return "POST " + target +
         " HTTP/1.1\r\nHost: t\r\n"
         "Content-Type: application/x-www-form-urlencoded\r\n"
         "Content-Length: " +
         std::to_string(form.size()) + "\r\n" +
         (close ? "Connection: close\r\n" : "") + "\r\n" + form;
}

std::string chat_post_request(const std::string& body, bool close) {
  return form_post("/chat/new", "body=" + body, close);
}

std::string chat_poll_request(const std::string& cursor, bool close) {
  return form_post("/chat/updates", "cursor=" + cursor, close);
}

std::vector<std::string> json_strings(const std::string& json,
                                      const std::string& key) {
  std::vector<std::string> out;
  const std::regex re("\"" + key + "\":\"([^\"]*)\"");
  for (auto it = std::sregex_iterator(json.begin(), json.end(), re);
       it != std::sregex_iterator(); ++it)
    out.push_back((*it)[1]);
  return out;
}

std::vector<ChatMessage> chat_messages(const std::string& json) {
  static const std::regex re(R"re(\{"id":"([^"]*)","body":"([^"]*)"\})re");
  std::vector<ChatMessage> out;
  for (auto it = std::sregex_iterator(json.begin(), json.end(), re);
       it != std::sregex_iterator(); ++it)
    out.push_back({(*it)[1], (*it)[2]});
  return out;
}

ChatClient::Posted ChatClient::post(const std::string& body,
                                    Millis timeout) const {
  auto r = fetch(port_, chat_post_request(body, true), timeout);
  if (!r) return {};
  std::vector<std::string> ids = json_strings(r->body, "id");
  return {r->status, ids.empty() ? "" : ids.front(), r->body};
}

std::string ChatClient::post_ok(const std::string& body, Millis timeout) const {
  Posted posted = post(body, timeout);
  EXPECT_EQ(posted.status, 200) << "posting " << body << ": " << posted.answer;
  return posted.id;
}

std::optional<HttpResponse> ChatClient::updates(const std::string& cursor,
                                                Millis timeout) const {
  return fetch(port_, chat_poll_request(cursor, true), timeout);
}

HttpClient ChatClient::start_poll(const std::string& cursor) const {
  HttpClient c;
  EXPECT_TRUE(c.connect(port_)) << c.error();
  EXPECT_TRUE(c.send(chat_poll_request(cursor))) << c.error();
  return c;
}

}  // namespace gale::test
