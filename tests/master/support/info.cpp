#include "tests/master/support/info.hpp"

#include <algorithm>
#include <cstdlib>

#include "tests/support/wait.hpp"

namespace gale::mtest {

using test::HttpClient;
using test::Reply;

std::optional<Info> parse_info(const std::string& json) {
  auto number = [&](const char* key) -> std::optional<long> {
    std::string k = std::string("\"") + key + "\":";
    std::size_t at = json.find(k);
    if (at == std::string::npos) return std::nullopt;
    return std::strtol(json.c_str() + at + k.size(), nullptr, 10);
  };
  auto pid = number("pid");
  auto worker = number("worker");
  if (!pid || !worker) return std::nullopt;
  Info i;
  i.pid = *pid;
  i.worker = static_cast<int>(*worker);
  i.generation = number("generation").value_or(-1);
  i.requests = number("requests").value_or(-1);
  i.connections = number("connections").value_or(-1);
  return i;
}

std::optional<Info> get_info(int port, Millis timeout) {
  Reply r = test::http_get(port, "/info", timeout);
  if (!r.ok() || r.status != 200) return std::nullopt;
  return parse_info(r.body);
}

std::optional<Info> get_info(HttpClient& c, Millis timeout) {
  Reply r = c.get("/info", timeout);
  if (!r.ok() || r.status != 200) return std::nullopt;
  return parse_info(r.body);
}

std::vector<Info> info_burst(int port, int n, Millis timeout) {
  // One deadline for the whole burst, not one per connection.
  auto deadline = std::chrono::steady_clock::now() + timeout;
  auto left = [&] {
    return std::max(Millis(1),
                    std::chrono::duration_cast<Millis>(
                        deadline - std::chrono::steady_clock::now()));
  };
  std::vector<HttpClient> conns(static_cast<std::size_t>(n));
  for (auto& c : conns)
    c.connect(port, left());
  const std::string req =
      "GET /info HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  for (auto& c : conns) {
    if (!c.is_open()) continue;
    c.set_send_timeout(left());
    if (!c.send(req)) c.close();
  }
  std::vector<Info> out;
  for (auto& c : conns) {
    if (!c.is_open()) continue;
    Reply r = c.read_reply(left());
    if (!r.ok() || r.status != 200) continue;
    if (auto i = parse_info(r.body)) out.push_back(*i);
  }
  return out;
}

std::map<int, long> pids_by_index(int port, int n, Millis timeout,
                                  long min_generation) {
  std::map<int, long> seen;
  test::wait_until(
      [&] {
        for (const Info& i : info_burst(port, 2 * n + 4, 2s))
          if (i.generation >= min_generation) seen[i.worker] = i.pid;
        for (int k = 0; k < n; ++k)
          if (!seen.count(k)) return false;
        return true;
      },
      timeout, 20ms);
  return seen;
}

}  // namespace gale::mtest
