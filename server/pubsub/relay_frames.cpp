// Packing relay records into frames and fragmenting the ones too large;
// relay_frames.hpp says why.
#include "server/pubsub/relay_frames.hpp"

#include <algorithm>
#include <utility>

namespace gale::pubsub {
namespace {

// kind + total + the piece's length prefix.
constexpr std::size_t kFragmentOverhead = 1 + 4 + 4;

void cut_into_fragments(std::string_view record, std::size_t max_payload,
                        std::vector<std::string>& frames) {
  const std::size_t room =
      std::min(max_payload - kFragmentOverhead, kMaxFragmentBytes);
  const auto total = static_cast<std::uint32_t>(record.size());
  for (std::size_t at = 0; at < record.size(); at += room) {
    std::string frame;
    encode_fragment(frame, total, record.substr(at, room));
    frames.push_back(std::move(frame));
  }
}

}  // namespace

RelayError split_frames(std::string_view batch, std::size_t max_payload,
                        std::vector<std::string>& frames) {
  max_payload = std::max(max_payload, kMinRelayPayload);
  std::vector<std::string> out;
  std::string frame;
  RelayRecord record;
  for (std::size_t at = 0; at < batch.size();) {
    std::size_t n = 0;
    if (auto e = decode_record(batch.substr(at), record, n);
        e != RelayError::none)
      return e;
    if (n > UINT32_MAX) return RelayError::record_too_large;
    std::string_view bytes = batch.substr(at, n);
    at += n;
    if (frame.size() + n > max_payload && !frame.empty())
      out.push_back(std::exchange(frame, {}));
    if (n <= max_payload)
      frame.append(bytes);
    else
      cut_into_fragments(bytes, max_payload, out);
  }
  if (!frame.empty()) out.push_back(std::move(frame));
  for (std::string& f : out)
    frames.push_back(std::move(f));
  return RelayError::none;
}

RelayError RelayReassembler::feed(std::string_view payload,
                                  std::vector<RelayRecord>& out) {
  joined_.clear();
  std::vector<RelayRecord> records;
  if (auto e = decode_batch(payload, records); e != RelayError::none)
    return fail(e, out);
  out.clear();
  for (RelayRecord& r : records) {
    if (r.kind == RecordKind::fragment) {
      if (auto e = join(r, out); e != RelayError::none) return fail(e, out);
    } else {
      if (!idle()) return fail(RelayError::bad_fragment, out);
      out.push_back(std::move(r));
    }
  }
  return RelayError::none;
}

// Adds one piece; when the pieces reach the announced total, decodes them
// as exactly one record, which must not itself be a fragment.
RelayError RelayReassembler::join(const RelayRecord& fragment,
                                  std::vector<RelayRecord>& out) {
  if (idle()) {
    if (fragment.total > max_record_) return RelayError::record_too_large;
    // No reserve(total): the total is the peer's word, the pieces are not.
    expected_ = fragment.total;
  } else if (fragment.total != expected_) {
    return RelayError::bad_fragment;
  }
  if (fragment.body.size() > expected_ - pending_.size())
    return RelayError::bad_fragment;
  pending_.append(fragment.body);
  if (pending_.size() < expected_) return RelayError::none;

  // joined_ is a deque: earlier joined records' views stay put.
  const std::string& whole = joined_.emplace_back(std::move(pending_));
  pending_.clear();
  expected_ = 0;
  RelayRecord record;
  std::size_t n = 0;
  RelayError e = decode_record(whole, record, n);
  if (e == RelayError::truncated) return RelayError::bad_fragment;
  if (e != RelayError::none) return e;
  if (n != whole.size() || record.kind == RecordKind::fragment)
    return RelayError::bad_fragment;
  out.push_back(std::move(record));
  return RelayError::none;
}

RelayError RelayReassembler::fail(RelayError e, std::vector<RelayRecord>& out) {
  out.clear();
  joined_.clear();
  pending_.clear();
  pending_.shrink_to_fit();
  expected_ = 0;
  return e;
}

}  // namespace gale::pubsub
