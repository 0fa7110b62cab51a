// A client load of our own that counts every failed request: threads that
// each keep one keep-alive connection busy (reconnecting only after a
// response that says `Connection: close`), plus threads that open a fresh
// connection per request. A reset, an EOF before a full response, a
// refused connection or a timeout is a failure, recorded with what it was.
#pragma once

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/http_client.hpp"

namespace gale::mtest {

class ClientLoad {
 public:
  struct Options {
    int port = 0;
    int keepalive_threads = 8;
    int fresh_threads = 0;
    std::string target = "/";
  };
  explicit ClientLoad(Options options);
  ~ClientLoad();  // stops
  void stop();

  long successes() const { return successes_; }
  // Every failure, refused connections included.
  long failures() const { return failures_; }
  // Connections refused (ECONNREFUSED): expected once a stop closed the
  // listeners, a failure at any other time.
  long refused() const { return refused_; }
  long reconnects() const { return reconnects_; }
  // Up to 20 failure descriptions.
  std::vector<std::string> failure_samples() const;

 private:
  void keepalive_loop();
  void fresh_loop();
  void fail(const std::string& what);
  void fail(const test::Reply& r, const char* who);

  Options options_;
  std::atomic<bool> stop_{false};
  std::atomic<long> successes_{0};
  std::atomic<long> failures_{0};
  std::atomic<long> reconnects_{0};
  std::atomic<long> refused_{0};
  mutable std::mutex mutex_;
  std::vector<std::string> samples_;
  std::vector<std::thread> threads_;
};

}  // namespace gale::mtest
