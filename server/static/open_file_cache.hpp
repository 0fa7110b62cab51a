// A small per-worker cache of opened files and failed lookups, after
// nginx's open_file_cache: a popular file is opened and its path resolved
// once a second instead of on every request, and a path known to be
// absent (the usual answer for a precompressed `file.gz` sibling) costs no
// system call at all within that second.
//
// What it trades: within `valid` of an open, a path keeps meaning the
// inode it meant then. Every hit of an open file is re-checked with one
// fstat(2), so the size, mtime and ETag are always the file's current
// ones, and a file that was deleted or replaced by a rename (its link
// count is then 0) is reopened at once. What can be seen late, by at most
// `valid`: a file created where a lookup failed, and a file renamed away
// (to another name it still has) - as with nginx's open_file_cache_valid.
//
// Direct-mapped: a path hashes to one slot and a newcomer evicts whatever
// was there, so lookups, inserts and eviction are O(1) and the number of
// descriptors held is bounded by the slot count. A descriptor evicted
// while a response still sends from it stays open until that response
// ends (it is shared). Not thread-safe: one per worker, whose loop is
// single-threaded.
#pragma once

#include <sys/stat.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "server/core/file_descriptor.hpp"
#include "server/static/safe_open.hpp"

namespace gale {

class OpenFileCache {
 public:
  using Clock = std::chrono::steady_clock;

  // The outcome of opening one path: a descriptor and its fstat, or an
  // errno.
  struct File {
    int error = 0;
    std::shared_ptr<const FileDescriptor> fd;
    struct stat st {};
  };

  // `slots` = 0 or `valid` = 0 turns caching off: every open goes to the
  // file system.
  OpenFileCache(std::size_t slots, Clock::duration valid)
      : slot_count_(slots), valid_(valid) {}

  // Opens `relative` beneath `root` with `flags` (always the same flags
  // for one cache: they are not part of the key), or reuses a result
  // younger than `valid`.
  File open(const SafeRoot& root, const std::string& relative, int flags);

  // For tests: hits and misses so far.
  std::uint64_t hits() const { return hits_; }
  std::uint64_t misses() const { return misses_; }

 private:
  struct Slot {
    std::string key;
    File file;
    Clock::time_point expires{};
  };

  static File open_now(const SafeRoot& root, const std::string& relative,
                       int flags);

  std::size_t slot_count_;
  Clock::duration valid_;
  std::vector<Slot> slots_;  // allocated on first use
  std::uint64_t hits_ = 0;
  std::uint64_t misses_ = 0;
};

}  // namespace gale
