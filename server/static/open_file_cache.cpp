#include "server/static/open_file_cache.hpp"

#include <cerrno>
#include <functional>
#include <string_view>

namespace gale {
namespace {

// Failures that say something about the path, worth remembering; not the
// ones about this process's state (out of descriptors, memory, a race).
bool lasting(int error) {
  switch (error) {
    case EMFILE:
    case ENFILE:
    case ENOMEM:
    case EAGAIN:
    case EINTR:
      return false;
    default:
      return true;
  }
}

}  // namespace

OpenFileCache::File OpenFileCache::open_now(const SafeRoot& root,
                                            const std::string& relative,
                                            int flags) {
  File f;
  FileDescriptor fd = root.open(relative, flags, f.error);
  if (!fd.valid()) return f;
  if (::fstat(fd.get(), &f.st) != 0) {
    f.error = errno;
    return f;
  }
  f.fd = std::make_shared<const FileDescriptor>(std::move(fd));
  return f;
}

OpenFileCache::File OpenFileCache::open(const SafeRoot& root,
                                        const std::string& relative,
                                        int flags) {
  if (slot_count_ == 0 || valid_ <= Clock::duration::zero())
    return open_now(root, relative, flags);
  if (slots_.empty()) slots_.resize(slot_count_);
  Slot& slot = slots_[std::hash<std::string_view>{}(relative) % slots_.size()];
  Clock::time_point now = Clock::now();
  if (now < slot.expires && slot.key == relative) {
    if (slot.file.error) {
      ++hits_;
      return slot.file;
    }
    struct stat st {};
    // A link count of 0: deleted, or replaced by a rename over it.
    if (::fstat(slot.file.fd->get(), &st) == 0 && st.st_nlink > 0) {
      ++hits_;
      slot.file.st = st;
      return slot.file;
    }
  }
  ++misses_;
  File f = open_now(root, relative, flags);
  if (f.error == 0 || lasting(f.error)) {
    slot.key = relative;
    slot.file = f;
    slot.expires = now + valid_;
  } else {
    slot = Slot{};
  }
  return f;
}

}  // namespace gale
