#include "server/static/safe_open.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <system_error>

namespace gale {
namespace {

constexpr int kMaxRetries = 8;

long sys_openat2(int dirfd, const char* path, int flags,
                 std::uint64_t resolve) {
  open_how how{};
  how.flags = static_cast<std::uint64_t>(flags);
  how.resolve = resolve;
  return ::syscall(SYS_openat2, dirfd, path, &how, sizeof how);
}

constexpr std::uint64_t kResolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;

}  // namespace

SafeRoot::SafeRoot(const std::string& path, Strategy strategy)
    : path_(path), strategy_(strategy) {
  root_.reset(::open(path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root_.valid())
    throw std::system_error(errno, std::generic_category(),
                            "static root " + path);
  char buf[PATH_MAX];
  if (!::realpath(path.c_str(), buf))
    throw std::system_error(errno, std::generic_category(),
                            "static root " + path);
  canonical_ = buf;
  if (strategy_ == Strategy::automatic) {
    // One probe decides for the life of the root: the kernel does not
    // gain or lose a system call while we run.
    long fd = sys_openat2(root_.get(), ".", O_PATH | O_CLOEXEC, kResolve);
    if (fd >= 0) ::close(static_cast<int>(fd));
    strategy_ =
        (fd < 0 && errno == ENOSYS) ? Strategy::realpath : Strategy::openat2;
  }
}

FileDescriptor SafeRoot::open(const std::string& relative, int flags,
                              int& error) const {
  error = 0;
  return strategy_ == Strategy::openat2 ? open_beneath(relative, flags, error)
                                        : open_realpath(relative, flags, error);
}

FileDescriptor SafeRoot::open_beneath(const std::string& relative, int flags,
                                      int& error) const {
  for (int attempt = 0; attempt < kMaxRetries; ++attempt) {
    long fd =
        sys_openat2(root_.get(), relative.c_str(), flags | O_CLOEXEC, kResolve);
    if (fd >= 0) return FileDescriptor(static_cast<int>(fd));
    error = errno;
    // EAGAIN: a rename or mount raced with the lookup, and the kernel
    // refused rather than risk an escape. Looking again is safe.
    if (error != EINTR && error != EAGAIN) break;
  }
  return FileDescriptor();
}

bool SafeRoot::contains(const char* resolved) const {
  std::size_t n = canonical_.size();
  if (canonical_ == "/") return resolved[0] == '/';
  return std::strncmp(resolved, canonical_.c_str(), n) == 0 &&
         (resolved[n] == '\0' || resolved[n] == '/');
}

FileDescriptor SafeRoot::open_realpath(const std::string& relative, int flags,
                                       int& error) const {
  std::string full = canonical_;
  if (full.back() != '/') full += '/';
  full += relative;
  char resolved[PATH_MAX];
  if (!::realpath(full.c_str(), resolved)) {
    error = errno;
    return FileDescriptor();
  }
  if (!contains(resolved)) {
    error = EXDEV;
    return FileDescriptor();
  }
  // The last component is already resolved: a symlink there now was
  // swapped in after realpath looked.
  FileDescriptor fd;
  do {
    fd.reset(::open(resolved, flags | O_CLOEXEC | O_NOFOLLOW));
  } while (!fd.valid() && errno == EINTR);
  if (!fd.valid()) {
    error = errno;
    return fd;
  }
  // A directory above it may have been swapped for a symlink in between:
  // ask the kernel where the descriptor really is. Without /proc we keep
  // the realpath answer.
  char link[64];
  std::snprintf(link, sizeof link, "/proc/self/fd/%d", fd.get());
  char actual[PATH_MAX];
  ssize_t len = ::readlink(link, actual, sizeof actual - 1);
  if (len >= 0) {
    actual[len] = '\0';
    if (!contains(actual)) {
      error = EXDEV;
      return FileDescriptor();
    }
  }
  return fd;
}

}  // namespace gale
