#include "server/core/worker_state.hpp"

namespace gale {

WorkerState& this_worker() {
  static WorkerState state;
  return state;
}

}  // namespace gale
