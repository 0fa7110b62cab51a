// The access log, in Combined Log Format (as nginx's and Apache's default):
//   127.0.0.1 - - [25/Nov/2026:07:23:23 +0000] "GET / HTTP/1.1" 200 12 "-"
//   "curl/7.88.1"
//
// Lines are buffered and written in batches (on the worker's tick, or when
// the buffer fills), so logging costs no system call per request.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace gale {

struct AccessRecord {
  std::string_view remote_ip;
  std::string_view clf_date;
  std::string_view method;  // empty when the request line was unreadable
  std::string_view target;
  std::string_view version;
  int status = 0;
  std::uint64_t body_bytes = 0;
  std::string_view referer;
  std::string_view user_agent;
};

class AccessLog {
 public:
  // `destination`: "-" for stdout, "off", or a file path (appended to).
  // Throws std::runtime_error naming the file if it cannot be opened.
  explicit AccessLog(std::string destination);
  ~AccessLog();
  AccessLog(const AccessLog&) = delete;
  AccessLog& operator=(const AccessLog&) = delete;

  bool enabled() const { return fd_ >= 0; }
  void record(const AccessRecord& r);
  // Writes out what is buffered.
  void flush();
  // Reopens the file (after logrotate moved it; SIGUSR1).
  void reopen();

 private:
  void open();

  std::string destination_;
  int fd_ = -1;
  bool owns_fd_ = false;
  std::string buffer_;
};

}  // namespace gale
