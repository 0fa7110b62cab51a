#include "server/connection/output_queue.hpp"

namespace gale {

void OutputQueue::append(std::string_view data) {
  if (data.empty()) return;
  bytes_ += data.size();
  if (!pieces_.empty() && !pieces_.back().file &&
      pieces_.back().data.size() + data.size() <= kCoalesceLimit * 4) {
    pieces_.back().data.append(data);
    return;
  }
  new_memory_piece().assign(data);
}

// Reuses the buffer of the last piece written, so steady keep-alive traffic
// allocates nothing per response.
std::string& OutputQueue::new_memory_piece() {
  std::string& s = pieces_.emplace_back().data;
  s.swap(spare_);
  return s;
}

void OutputQueue::recycle(std::string& s) {
  if (s.capacity() > spare_.capacity() && s.capacity() <= 4 * kCoalesceLimit) {
    s.clear();
    spare_.swap(s);
  }
}

void OutputQueue::append(std::string&& data) {
  if (data.size() <= kCoalesceLimit) {
    append(std::string_view(data));
    return;
  }
  bytes_ += data.size();
  pieces_.emplace_back().data = std::move(data);
}

void OutputQueue::append_file(std::shared_ptr<const FileDescriptor> file,
                              std::uint64_t offset, std::uint64_t length) {
  if (length == 0) return;
  bytes_ += length;
  Piece& p = pieces_.emplace_back();
  p.file = std::move(file);
  p.offset = offset;
  p.length = length;
}

int OutputQueue::gather(iovec (&iov)[kMaxIov]) const {
  int n = 0;
  for (const Piece& p : pieces_) {
    if (p.file || n == kMaxIov) break;
    iov[n].iov_base = const_cast<char*>(p.data.data() + p.offset);
    iov[n].iov_len = p.data.size() - p.offset;
    ++n;
  }
  return n;
}

bool OutputQueue::file_follows() const {
  int n = 0;
  for (const Piece& p : pieces_) {
    if (p.file) return true;
    if (++n == kMaxIov) return false;
  }
  return false;
}

OutputQueue::FileRange OutputQueue::front_file() const {
  const Piece& p = pieces_.front();
  return {p.file->get(), p.offset, p.length};
}

void OutputQueue::consume(std::uint64_t n) {
  bytes_ -= n;
  while (n > 0) {
    Piece& p = pieces_.front();
    std::uint64_t left = p.left();
    if (n < left) {
      if (p.file) {
        p.offset += n;
        p.length -= n;
      } else {
        p.offset += n;
      }
      return;
    }
    n -= left;
    if (!p.file) recycle(p.data);
    pieces_.pop_front();
  }
}

void OutputQueue::clear() {
  pieces_.clear();
  bytes_ = 0;
}

}  // namespace gale
