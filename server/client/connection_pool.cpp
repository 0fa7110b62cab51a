#include "server/client/connection_pool.hpp"

#include <utility>

namespace gale::client {

std::unique_ptr<Connection> ConnectionPool::take(const std::string& origin,
                                                 Clock::time_point now) {
  drop_expired(now);
  auto it = idle_.find(origin);
  if (it == idle_.end()) return nullptr;
  std::unique_ptr<Connection> c = std::move(it->second.back().connection);
  it->second.pop_back();
  --total_;
  if (it->second.empty()) idle_.erase(it);
  return c;
}

void ConnectionPool::put(const std::string& origin,
                         std::unique_ptr<Connection> connection,
                         Clock::time_point now) {
  if (closed_ || limits_.max_idle_per_host == 0 || limits_.max_idle_total == 0)
    return;  // `connection` closes as it goes out of scope
  drop_expired(now);
  auto& list = idle_[origin];
  if (list.size() == limits_.max_idle_per_host) {
    list.pop_front();
    --total_;
  }
  list.push_back({std::move(connection), now});
  ++total_;
  while (total_ > limits_.max_idle_total)
    drop_oldest();
}

void ConnectionPool::close() {
  closed_ = true;
  idle_.clear();
  total_ = 0;
}

std::size_t ConnectionPool::idle(const std::string& origin) const {
  auto it = idle_.find(origin);
  return it == idle_.end() ? 0 : it->second.size();
}

void ConnectionPool::drop_expired(Clock::time_point now) {
  for (auto it = idle_.begin(); it != idle_.end();) {
    auto& list = it->second;
    while (!list.empty() && now - list.front().since >= limits_.idle_timeout) {
      list.pop_front();
      --total_;
    }
    it = list.empty() ? idle_.erase(it) : std::next(it);
  }
}

void ConnectionPool::drop_oldest() {
  auto oldest = idle_.end();
  for (auto it = idle_.begin(); it != idle_.end(); ++it)
    if (oldest == idle_.end() ||
        it->second.front().since < oldest->second.front().since)
      oldest = it;
  if (oldest == idle_.end()) return;
  oldest->second.pop_front();
  --total_;
  if (oldest->second.empty()) idle_.erase(oldest);
}

}  // namespace gale::client
