// Bytes waiting to be written to a connection, in order: response heads and
// small bodies coalesced into one piece (so a whole response usually leaves
// in one send), large bodies moved in without copying, and file ranges sent
// with sendfile(2).
#pragma once

#include <sys/uio.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>

#include "server/core/file_descriptor.hpp"

namespace gale {

class OutputQueue {
 public:
  // Pieces up to this size are copied into the previous piece.
  static constexpr std::size_t kCoalesceLimit = 16384;
  static constexpr int kMaxIov = 16;

  void append(std::string_view data);
  void append(std::string&& data);
  void append_file(std::shared_ptr<const FileDescriptor> file,
                   std::uint64_t offset, std::uint64_t length);

  bool empty() const { return pieces_.empty(); }
  std::uint64_t size() const { return bytes_; }

  // Whether the first piece is a file range (write it with sendfile()).
  bool front_is_file() const {
    return !pieces_.empty() && pieces_.front().file;
  }
  // Fills `iov` with the leading memory pieces, stopping at a file piece.
  // Returns the number of entries.
  int gather(iovec (&iov)[kMaxIov]) const;
  // The file range at the front: descriptor, offset, bytes left.
  struct FileRange {
    int fd;
    std::uint64_t offset;
    std::uint64_t length;
  };
  FileRange front_file() const;
  // Whether a file piece follows the memory pieces gather() returns
  // (the caller then sends them with MSG_MORE).
  bool file_follows() const;

  // Drops `n` bytes written from the front.
  void consume(std::uint64_t n);
  // Empties the queue and releases large pieces.
  void clear();

 private:
  struct Piece {
    std::string data;  // memory piece
    std::shared_ptr<const FileDescriptor> file;
    std::uint64_t offset = 0;  // sent so far (memory) / file position
    std::uint64_t length = 0;  // file bytes left (file pieces only)
    std::uint64_t left() const { return file ? length : data.size() - offset; }
  };
  std::string& new_memory_piece();
  void recycle(std::string& s);

  std::deque<Piece> pieces_;
  std::uint64_t bytes_ = 0;
  std::string spare_;
};

}  // namespace gale
