#include "server/connection/connection_manager.hpp"

#include <algorithm>

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
    : loop(loop_), app(app_), limits(limits_), access_log(access_log_) {
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

}  // namespace gale
