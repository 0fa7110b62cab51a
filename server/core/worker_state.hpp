// What a worker process knows about itself, readable by any handler
// (`/info`, `/health`) and updated by the connection machinery.
//
// A worker is a process with one loop, so this is plain process-wide state:
// no locks, no atomics.
#pragma once

#include <cstdint>

#include "server/core/activity_slot.hpp"

namespace gale {

struct WorkerState {
  unsigned index = 0;             // 0..N-1, stable across restarts of a slot
  std::uint64_t generation = 0;   // bumped by each reload
  std::uint64_t requests = 0;     // requests answered by this process
  std::uint64_t connections = 0;  // connections open now
  std::uint64_t connections_total = 0;
  bool draining = false;  // stopping: /health answers 503
  double started_at = 0;  // monotonic seconds
  // Shared with the master (null when running without one).
  ActivitySlot* activity = nullptr;
};

WorkerState& this_worker();

}  // namespace gale
