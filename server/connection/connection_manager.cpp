#include "server/connection/connection_manager.hpp"

#include <algorithm>
#include <memory>
#include <vector>

#include "server/connection/connection.hpp"

namespace gale {
namespace {

Clock::duration seconds(double s) {
  return std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(s));
}

}  // namespace

ConnectionManager::ConnectionManager(boost::asio::io_context& loop_,
                                     Application& app_, const Limits& limits_,
                                     AccessLog& access_log_)
    : loop(loop_),
      app(app_),
      limits(limits_),
      access_log(access_log_),
      body_memory(loop_, limits_.body_memory_bytes) {
  timeout(TimeoutKind::header).set_duration(seconds(limits.header_timeout_s));
  timeout(TimeoutKind::body).set_duration(seconds(limits.body_timeout_s));
  timeout(TimeoutKind::idle).set_duration(seconds(limits.idle_timeout_s));
  // A response that makes no progress for as long as a body may pause
  // (nginx's send_timeout plays this role).
  timeout(TimeoutKind::write).set_duration(seconds(limits.body_timeout_s));
  timeout(TimeoutKind::linger).set_duration(kLingerTime);
  timeout(TimeoutKind::warm)
      .set_duration(std::min(kWarmTime, seconds(limits.idle_timeout_s)));
}

namespace {

Connection& connection_of(ConnectionLinks& links) {
  return static_cast<Connection&>(links);
}

}  // namespace

void ConnectionManager::expire_timeouts(Clock::time_point now) {
  for (ConnectionTimeouts& list : timeouts)
    list.expire(now, [](ConnectionLinks& l) { connection_of(l).on_timeout(); });
}

void ConnectionManager::drain_all() {
  // Snapshot: handing a connection over unlinks it from the registry.
  std::vector<std::shared_ptr<Connection>> all;
  for (ConnectionLinks& links : connections)
    all.push_back(connection_of(links).shared_from_this());
  for (auto& c : all)
    c->drain();
}

void ConnectionManager::close_idle_for(Clock::time_point now,
                                       Clock::duration grace) {
  std::vector<std::shared_ptr<Connection>> idle;
  for (ConnectionLinks& links : connections) {
    Connection& c = connection_of(links);
    if (c.idle_for(now) >= grace) idle.push_back(c.shared_from_this());
  }
  for (auto& c : idle)
    c->close();
}

void ConnectionManager::stop_all() {
  while (!connections.empty())
    connection_of(connections.front()).close();
}

bool ConnectionManager::oldest_request(Clock::time_point& since,
                                       std::string& line) const {
  const Connection* oldest = nullptr;
  for (const ConnectionLinks& links : connections) {
    const auto& c = static_cast<const Connection&>(links);
    Clock::time_point started;
    if (c.busy_since(started) && (!oldest || started < since)) {
      since = started;
      oldest = &c;
    }
  }
  if (oldest) line = oldest->current_request();
  return oldest != nullptr;
}

}  // namespace gale
