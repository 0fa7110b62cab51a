// A request body as it arrives: in memory up to a threshold, past it in an
// unlinked temporary file (O_TMPFILE), as nginx's client_body_buffer_size
// and client_body_temp_path do. A large or slow upload then costs the
// worker a file descriptor and page cache, not heap: 500 clients holding
// half-sent 16 MiB bodies would otherwise pin 4 GB of one worker's memory.
//
// No sockets and no Asio: the parser appends what it frames, the
// connection decides the threshold and the directory. The file has no
// name, so it is gone when the last descriptor is, kill -9 included.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>

#include "server/core/file_descriptor.hpp"

namespace gale {

class RequestBody {
 public:
  static constexpr std::uint64_t kNoLimit =
      std::numeric_limits<std::uint64_t>::max();

  RequestBody() = default;
  ~RequestBody();
  RequestBody(const RequestBody&) = delete;
  RequestBody& operator=(const RequestBody&) = delete;

  // Bodies longer than `memory_limit` bytes move to a file created in
  // `*temp_dir` (empty: $TMPDIR, else /tmp), which must outlive this (the
  // worker's limits; set per request, so it is not copied). The default
  // keeps every body in memory (unit tests, fuzzers, the handler harness).
  void set_spooling(std::uint64_t memory_limit, const std::string* temp_dir);
  std::uint64_t memory_limit() const { return memory_limit_; }

  // A body of `declared` bytes is coming: reserves memory for it, though
  // never past the memory limit.
  void reserve(std::uint64_t declared);
  // Appends bytes. False if they could not be stored (the file could not be
  // created or written: error_number() says why); the request then fails.
  bool append(const char* data, std::size_t n);
  // Empties it for the next request: the file goes, small memory stays.
  void clear();

  std::uint64_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  bool in_file() const { return file_ != nullptr; }
  // The file holding the body, to send it with sendfile(2); null while the
  // body is in memory.
  std::shared_ptr<const FileDescriptor> file() const { return file_; }
  // The whole body. A body in a file is mapped read-only on first use
  // (page cache, not heap) and stays mapped until clear(); throws
  // std::system_error if it cannot be.
  std::string_view view() const;
  // The capacity held in memory.
  std::size_t memory_bytes() const { return memory_.capacity(); }
  int error_number() const { return error_; }

 private:
  bool spill();
  bool write_to_file(const char* data, std::size_t n);
  void unmap() const;

  std::string memory_;
  std::shared_ptr<FileDescriptor> file_;
  std::uint64_t size_ = 0;
  std::uint64_t memory_limit_ = kNoLimit;
  const std::string* temp_dir_ = nullptr;
  int error_ = 0;
  mutable const char* mapped_ = nullptr;
  mutable std::size_t mapped_size_ = 0;
};

// Opens an unnamed file for reading and writing in `dir` (O_TMPFILE; on a
// file system without it, a named file unlinked at once). -1 with errno set
// if it cannot.
int open_unnamed_temp_file(const std::string& dir);

}  // namespace gale
