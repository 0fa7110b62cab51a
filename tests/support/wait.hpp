// Bounded waiting: every wait in the tests has a deadline.
#pragma once

#include <chrono>
#include <functional>
#include <thread>

namespace gale::test {

using namespace std::chrono_literals;
using Millis = std::chrono::milliseconds;

// Polls `done` every `every` until it holds (true) or `timeout` passes.
inline bool wait_until(const std::function<bool()>& done, Millis timeout,
                       Millis every = 10ms) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (done()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(every);
  }
}

// Milliseconds since `start`.
inline double elapsed_ms(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now() - start)
      .count();
}

}  // namespace gale::test
