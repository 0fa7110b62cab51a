// Opening files beneath a root directory and never outside it.
//
// The root is opened once, as an O_PATH directory descriptor, and every
// file is opened relative to it with openat2(RESOLVE_BENEATH |
// RESOLVE_NO_MAGICLINKS): the kernel resolves the whole path, symlinks
// included, and fails with EXDEV the moment resolution would leave the
// root - whether through "..", an absolute symlink or a relative one that
// climbs out - with no window between a check and the open. Symlinks that
// stay inside are followed. (RESOLVE_BENEATH refuses absolute symlinks
// even when they point back inside: use relative ones in a served tree.)
//
// On kernels before 5.6 (openat2 answers ENOSYS) it falls back to
// realpath(3) containment: resolve, check the prefix, open the result with
// O_NOFOLLOW, then check what was really opened through /proc/self/fd, so
// a symlink swapped in between the check and the open is still caught.
#pragma once

#include <string>

#include "server/core/file_descriptor.hpp"

namespace gale {

class SafeRoot {
 public:
  enum class Strategy {
    automatic,  // openat2 if the kernel has it, else realpath
    openat2,
    realpath,
  };

  // Opens the directory `path`. Throws std::system_error (naming the path)
  // when it cannot be opened or is not a directory.
  explicit SafeRoot(const std::string& path,
                    Strategy strategy = Strategy::automatic);

  // Opens `relative` (no leading '/'; "." for the root itself) beneath the
  // root with `flags` (O_CLOEXEC is added). On failure the descriptor is
  // invalid and `error` holds the errno: EXDEV when the path leads out of
  // the root, ENOENT, ENOTDIR, EACCES, ELOOP, ENAMETOOLONG, EMFILE...
  FileDescriptor open(const std::string& relative, int flags, int& error) const;

  const std::string& path() const { return path_; }
  int fd() const { return root_.get(); }
  // The strategy in use (never `automatic`).
  Strategy strategy() const { return strategy_; }

 private:
  FileDescriptor open_beneath(const std::string& relative, int flags,
                              int& error) const;
  FileDescriptor open_realpath(const std::string& relative, int flags,
                               int& error) const;
  bool contains(const char* resolved) const;

  std::string path_;       // as given
  std::string canonical_;  // realpath of the root, for the fallback
  FileDescriptor root_;
  Strategy strategy_;
};

}  // namespace gale
