#include "server/http/request_body.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <system_error>

namespace gale {
namespace {

// A body kept in memory gives back a capacity above this when it is
// cleared: small bodies (a form, a chat message) reuse it without an
// allocation, and the parsers spare in the worker's pool do not each pin a
// large body's memory.
constexpr std::size_t kKeptCapacity = 8 * 1024;

std::string default_temp_dir() {
  const char* env = std::getenv("TMPDIR");
  return env && *env ? env : "/tmp";
}

}  // namespace

int open_unnamed_temp_file(const std::string& dir) {
  const std::string where = dir.empty() ? default_temp_dir() : dir;
  int fd = ::open(where.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR)) return fd;
  // The file system cannot make unnamed files: a named one, unlinked at
  // once, lives as briefly (only a crash between the two calls leaves it).
  std::string path = where + "/gale-body-XXXXXX";
  fd = ::mkostemp(path.data(), O_CLOEXEC);
  if (fd >= 0) ::unlink(path.c_str());
  return fd;
}

RequestBody::~RequestBody() {
  unmap();
}

void RequestBody::set_spooling(std::uint64_t memory_limit,
                               const std::string* temp_dir) {
  memory_limit_ = memory_limit;
  temp_dir_ = temp_dir;
}

void RequestBody::reserve(std::uint64_t declared) {
  memory_.reserve(static_cast<std::size_t>(std::min(declared, memory_limit_)));
}

bool RequestBody::append(const char* data, std::size_t n) {
  if (n == 0) return true;
  if (!file_ && memory_.size() + n > memory_limit_ && !spill()) return false;
  if (file_) {
    if (!write_to_file(data, n)) return false;
  } else {
    memory_.append(data, n);
  }
  size_ += n;
  return true;
}

// Moves what is in memory to a new unnamed file; later bytes go there.
bool RequestBody::spill() {
  int fd = open_unnamed_temp_file(temp_dir_ ? *temp_dir_ : std::string());
  if (fd < 0) {
    error_ = errno;
    return false;
  }
  file_ = std::make_shared<FileDescriptor>(fd);
  if (!write_to_file(memory_.data(), memory_.size())) return false;
  std::string().swap(memory_);
  return true;
}

bool RequestBody::write_to_file(const char* data, std::size_t n) {
  while (n > 0) {
    ssize_t written = ::write(file_->get(), data, n);
    if (written < 0) {
      if (errno == EINTR) continue;
      error_ = errno;
      return false;
    }
    data += written;
    n -= static_cast<std::size_t>(written);
  }
  return true;
}

std::string_view RequestBody::view() const {
  if (!file_) return memory_;
  if (size_ == 0) return {};
  if (!mapped_ || mapped_size_ != size_) {
    unmap();
    void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, file_->get(), 0);
    if (p == MAP_FAILED) {
      throw std::system_error(errno, std::generic_category(),
                              "cannot map the request body");
    }
    mapped_ = static_cast<const char*>(p);
    mapped_size_ = size_;
  }
  return {mapped_, mapped_size_};
}

void RequestBody::unmap() const {
  if (!mapped_) return;
  ::munmap(const_cast<char*>(mapped_), mapped_size_);
  mapped_ = nullptr;
  mapped_size_ = 0;
}

void RequestBody::clear() {
  unmap();
  file_.reset();
  if (memory_.capacity() > kKeptCapacity) std::string().swap(memory_);
  memory_.clear();
  size_ = 0;
  error_ = 0;
}

}  // namespace gale
