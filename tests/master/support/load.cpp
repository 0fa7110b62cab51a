#include "tests/master/support/load.hpp"

#include <cerrno>

namespace gale::mtest {

using namespace std::chrono_literals;
using test::HttpClient;
using test::Outcome;
using test::Reply;

ClientLoad::ClientLoad(Options options) : options_(std::move(options)) {
  for (int i = 0; i < options_.keepalive_threads; ++i)
    threads_.emplace_back([this] { keepalive_loop(); });
  for (int i = 0; i < options_.fresh_threads; ++i)
    threads_.emplace_back([this] { fresh_loop(); });
}

ClientLoad::~ClientLoad() {
  stop();
}

void ClientLoad::stop() {
  stop_ = true;
  for (auto& t : threads_)
    if (t.joinable()) t.join();
}

std::vector<std::string> ClientLoad::failure_samples() const {
  std::lock_guard lock(mutex_);
  return samples_;
}

void ClientLoad::fail(const std::string& what) {
  ++failures_;
  std::lock_guard lock(mutex_);
  if (samples_.size() < 20) samples_.push_back(what);
}

void ClientLoad::fail(const Reply& r, const char* who) {
  if (r.outcome == Outcome::connect_failed && r.error_number == ECONNREFUSED) {
    ++refused_;
    ++failures_;
    return;
  }
  fail(std::string(who) + ": " + r.describe());
}

void ClientLoad::keepalive_loop() {
  HttpClient c;
  while (!stop_) {
    if (!c.is_open()) {
      int err = 0;
      if (!c.connect(options_.port, 3s, &err)) {
        Reply r;
        r.outcome = Outcome::connect_failed;
        r.error_number = err;
        fail(r, "keep-alive");
        std::this_thread::sleep_for(10ms);
        continue;
      }
      ++reconnects_;
    }
    Reply r = c.get(options_.target, 5s);
    if (r.ok() && r.status == 200)
      ++successes_;
    else
      fail(r, "keep-alive");
  }
}

void ClientLoad::fresh_loop() {
  while (!stop_) {
    Reply r = test::http_get(options_.port, options_.target, 5s);
    if (r.ok() && r.status == 200)
      ++successes_;
    else
      fail(r, "fresh connection");
    if (!r.ok()) std::this_thread::sleep_for(10ms);
  }
}

}  // namespace gale::mtest
