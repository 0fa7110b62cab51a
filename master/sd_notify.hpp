// systemd's readiness protocol: a datagram to $NOTIFY_SOCKET. A few lines,
// no libsystemd. Does nothing when not run by systemd.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace gale {

// Sends `state` ("READY=1", "RELOADING=1", "STOPPING=1", "WATCHDOG=1").
void sd_notify(std::string_view state);

// The watchdog interval systemd asked for ($WATCHDOG_USEC, when
// $WATCHDOG_PID is absent or ours).
std::optional<std::chrono::microseconds> sd_watchdog_interval();

}  // namespace gale
