#include "server/connection/access_log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <stdexcept>

#include "server/core/format.hpp"
#include "server/core/log.hpp"

namespace gale {
namespace {

constexpr std::size_t kFlushAt = 32 * 1024;

// Like nginx: quote-safe fields, control bytes and '"' and '\' as \xHH, so
// one request always makes exactly one parseable line.
void append_escaped(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  if (s.empty()) {
    out += '-';
    return;
  }
  for (unsigned char c : s) {
    if (c < 0x20 || c == '"' || c == '\\' || c >= 0x7f) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
}

}  // namespace

AccessLog::AccessLog(std::string destination)
    : destination_(std::move(destination)) {
  open();
}

AccessLog::~AccessLog() {
  flush();
  if (owns_fd_) ::close(fd_);
}

void AccessLog::open() {
  if (destination_ == "off") return;
  if (destination_ == "-" || destination_.empty()) {
    fd_ = STDOUT_FILENO;
    return;
  }
  int fd = ::open(destination_.c_str(),
                  O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0)
    throw std::runtime_error("access log " + destination_ + ": " +
                             std::strerror(errno));
  fd_ = fd;
  owns_fd_ = true;
}

void AccessLog::reopen() {
  if (!owns_fd_) return;
  flush();
  int fd = ::open(destination_.c_str(),
                  O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) {
    log::error("cannot reopen access log ", destination_, ": ",
               std::strerror(errno), "; still writing to the old file");
    return;
  }
  ::close(fd_);
  fd_ = fd;
}

void AccessLog::record(const AccessRecord& r) {
  if (fd_ < 0) return;
  std::string& b = buffer_;
  b.append(r.remote_ip.empty() ? std::string_view("-") : r.remote_ip);
  b += " - - [";
  b += r.clf_date;
  b += "] \"";
  if (r.method.empty()) {
    b += '-';
  } else {
    append_escaped(b, r.method);
    b += ' ';
    append_escaped(b, r.target);
    b += ' ';
    b += r.version;
  }
  b += "\" ";
  append_decimal(b, r.status);
  b += ' ';
  append_decimal(b, r.body_bytes);
  b += " \"";
  append_escaped(b, r.referer);
  b += "\" \"";
  append_escaped(b, r.user_agent);
  b += "\"\n";
  if (b.size() >= kFlushAt) flush();
}

void AccessLog::flush() {
  std::size_t done = 0;
  while (done < buffer_.size()) {
    ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // a full disk must not stop the server; drop lines
    done += static_cast<std::size_t>(n);
  }
  buffer_.clear();
}

}  // namespace gale
