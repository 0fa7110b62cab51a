// What a worker process knows about itself, readable by any handler
// (`/info`, `/health`) and updated by the connection machinery.
//
// A worker is a process with one loop, so this is plain process-wide state:
// no locks, no atomics.
#pragma once

#include <cstdint>

#include "server/core/activity_slot.hpp"

namespace gale {

// How a worker is winding down, if it is.
enum class DrainState : std::uint8_t {
  running,
  // Stopping for good: responses say Connection: close; connections idle
  // for a second are closed (a client mid-send loses nothing sooner).
  stopping,
  // A newer worker takes over: idle keep-alive connections are handed to
  // it through the master instead of being closed, so no client ever sees
  // a connection close between requests.
  handing_over,
};

struct WorkerState {
  unsigned index = 0;             // 0..N-1, stable across restarts of a slot
  std::uint64_t generation = 0;   // bumped by each reload
  std::uint64_t requests = 0;     // requests answered by this process
  std::uint64_t connections = 0;  // connections open now
  std::uint64_t connections_total = 0;
  // The one record of whether and how this worker is winding down.
  DrainState drain = DrainState::running;
  // Stopping for good: /health answers 503 and responses close their
  // connections. Handing over keeps every connection alive elsewhere.
  bool draining() const { return drain == DrainState::stopping; }
  double started_at = 0;  // monotonic seconds
  // Shared with the master (null when running without one).
  ActivitySlot* activity = nullptr;
};

WorkerState& this_worker();

}  // namespace gale
