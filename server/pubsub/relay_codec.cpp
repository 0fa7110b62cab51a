// Encoding and checked decoding of relay records; relay_codec.hpp has the
// wire format. Every read goes through Reader, which checks the bytes are
// there first, so no input can make the decoder read past its end.
#include "server/pubsub/relay_codec.hpp"

namespace gale::pubsub {
namespace {

// The smallest resync entry: two length prefixes and a one-byte id. Used to
// refuse a count the payload cannot hold before reserving room for it.
constexpr std::size_t kMinEntryBytes = 4 + 1 + 4;

void put_u32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i)
    out.push_back(static_cast<char>(v >> (8 * i)));
}

void put_u64(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i)
    out.push_back(static_cast<char>(v >> (8 * i)));
}

void put_kind(std::string& out, RecordKind kind) {
  out.push_back(static_cast<char>(kind));
}

void put_str(std::string& out, std::string_view s) {
  put_u32(out, static_cast<std::uint32_t>(s.size()));
  out.append(s);
}

RelayError check(std::string_view field, std::size_t max, bool may_be_empty) {
  if (field.size() > max) return RelayError::field_too_long;
  if (field.empty() && !may_be_empty) return RelayError::empty_field;
  return RelayError::none;
}

RelayError check_channel(std::string_view c) {
  return check(c, kMaxChannelBytes, false);
}
RelayError check_id(std::string_view id) {
  return check(id, kMaxIdBytes, false);
}
RelayError check_body(std::string_view b) {
  return check(b, kMaxBodyBytes, true);
}

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}

  std::size_t pos() const { return pos_; }
  std::size_t left() const { return in_.size() - pos_; }

  bool u8(std::uint8_t& v) { return fixed(v, 1); }
  bool u32(std::uint32_t& v) { return fixed(v, 4); }
  bool u64(std::uint64_t& v) { return fixed(v, 8); }

  // A length-prefixed field, its bound checked before its bytes are.
  RelayError str(std::string_view& out, std::size_t max, bool may_be_empty) {
    std::uint32_t n = 0;
    if (!u32(n)) return RelayError::truncated;
    if (n > max) return RelayError::field_too_long;
    if (n > left()) return RelayError::truncated;
    out = in_.substr(pos_, n);
    pos_ += n;
    return n == 0 && !may_be_empty ? RelayError::empty_field : RelayError::none;
  }

 private:
  template <typename T>
  bool fixed(T& v, std::size_t bytes) {
    if (left() < bytes) return false;
    std::uint64_t acc = 0;
    for (std::size_t i = 0; i < bytes; ++i)
      acc |= std::uint64_t{static_cast<unsigned char>(in_[pos_ + i])}
             << (8 * i);
    v = static_cast<T>(acc);
    pos_ += bytes;
    return true;
  }

  std::string_view in_;
  std::size_t pos_ = 0;
};

// Each decode_x reads one kind's fields; the first problem in byte order
// is the one reported.
RelayError decode_publish(Reader& r, RelayRecord& out) {
  if (!r.u64(out.ref)) return RelayError::truncated;
  if (auto e = r.str(out.channel, kMaxChannelBytes, false);
      e != RelayError::none)
    return e;
  return r.str(out.body, kMaxBodyBytes, true);
}

RelayError decode_message(Reader& r, RelayRecord& out) {
  if (auto e = r.str(out.channel, kMaxChannelBytes, false);
      e != RelayError::none)
    return e;
  if (auto e = r.str(out.id, kMaxIdBytes, false); e != RelayError::none)
    return e;
  return r.str(out.body, kMaxBodyBytes, true);
}

RelayError decode_resync(Reader& r, RelayRecord& out) {
  if (auto e = r.str(out.channel, kMaxChannelBytes, false);
      e != RelayError::none)
    return e;
  std::uint32_t count = 0;
  if (!r.u32(count)) return RelayError::truncated;
  if (count > r.left() / kMinEntryBytes) return RelayError::truncated;
  out.entries.reserve(count);
  for (std::uint32_t i = 0; i < count; ++i) {
    ResyncEntry entry;
    if (auto e = r.str(entry.id, kMaxIdBytes, false); e != RelayError::none)
      return e;
    if (auto e = r.str(entry.body, kMaxBodyBytes, true); e != RelayError::none)
      return e;
    out.entries.push_back(entry);
  }
  return RelayError::none;
}

RelayError decode_ack(Reader& r, RelayRecord& out) {
  if (!r.u64(out.ref)) return RelayError::truncated;
  return r.str(out.id, kMaxIdBytes, true);  // empty: refused
}

RelayError decode_fragment(Reader& r, RelayRecord& out) {
  if (!r.u32(out.total)) return RelayError::truncated;
  if (out.total == 0) return RelayError::empty_field;
  if (auto e = r.str(out.body, kMaxFragmentBytes, false); e != RelayError::none)
    return e;
  return out.body.size() > out.total ? RelayError::field_too_long
                                     : RelayError::none;
}

template <typename Entries, typename IdOf, typename BodyOf>
RelayError encode_entries(std::string& out, std::string_view channel,
                          const Entries& history, IdOf id_of, BodyOf body_of) {
  if (auto e = check_channel(channel); e != RelayError::none) return e;
  if (history.size() > UINT32_MAX) return RelayError::field_too_long;
  for (const auto& entry : history) {
    if (auto e = check_id(id_of(entry)); e != RelayError::none) return e;
    if (auto e = check_body(body_of(entry)); e != RelayError::none) return e;
  }
  put_kind(out, RecordKind::resync);
  put_str(out, channel);
  put_u32(out, static_cast<std::uint32_t>(history.size()));
  for (const auto& entry : history) {
    put_str(out, id_of(entry));
    put_str(out, body_of(entry));
  }
  return RelayError::none;
}

}  // namespace

const char* describe(RelayError e) {
  switch (e) {
    case RelayError::none:
      return "no error";
    case RelayError::truncated:
      return "relay payload truncated";
    case RelayError::unknown_kind:
      return "unknown relay record kind";
    case RelayError::field_too_long:
      return "relay field over its bound";
    case RelayError::empty_field:
      return "empty relay field";
    case RelayError::bad_fragment:
      return "relay fragments do not join";
    case RelayError::record_too_large:
      return "joined relay record too large";
  }
  return "unknown relay error";
}

RelayError encode_publish(std::string& out, std::uint64_t ref,
                          std::string_view channel, std::string_view body) {
  if (auto e = check_channel(channel); e != RelayError::none) return e;
  if (auto e = check_body(body); e != RelayError::none) return e;
  put_kind(out, RecordKind::publish);
  put_u64(out, ref);
  put_str(out, channel);
  put_str(out, body);
  return RelayError::none;
}

RelayError encode_message(std::string& out, std::string_view channel,
                          std::string_view id, std::string_view body) {
  if (auto e = check_channel(channel); e != RelayError::none) return e;
  if (auto e = check_id(id); e != RelayError::none) return e;
  if (auto e = check_body(body); e != RelayError::none) return e;
  put_kind(out, RecordKind::message);
  put_str(out, channel);
  put_str(out, id);
  put_str(out, body);
  return RelayError::none;
}

RelayError encode_resync(std::string& out, std::string_view channel,
                         std::span<const MessagePtr> history) {
  return encode_entries(
      out, channel, history,
      [](const MessagePtr& m) { return std::string_view(m->id); },
      [](const MessagePtr& m) { return std::string_view(m->body); });
}

RelayError encode_resync(std::string& out, std::string_view channel,
                         std::span<const ResyncEntry> history) {
  return encode_entries(
      out, channel, history, [](const ResyncEntry& e) { return e.id; },
      [](const ResyncEntry& e) { return e.body; });
}

RelayError encode_ack(std::string& out, std::uint64_t ref,
                      std::string_view id) {
  if (auto e = check(id, kMaxIdBytes, true); e != RelayError::none) return e;
  put_kind(out, RecordKind::ack);
  put_u64(out, ref);
  put_str(out, id);
  return RelayError::none;
}

RelayError encode_fragment(std::string& out, std::uint32_t total,
                           std::string_view piece) {
  if (total == 0) return RelayError::empty_field;
  if (auto e = check(piece, kMaxFragmentBytes, false); e != RelayError::none)
    return e;
  if (piece.size() > total) return RelayError::field_too_long;
  put_kind(out, RecordKind::fragment);
  put_u32(out, total);
  put_str(out, piece);
  return RelayError::none;
}

RelayError encode_resync_request(std::string& out) {
  put_kind(out, RecordKind::resync_request);
  return RelayError::none;
}

RelayError encode_record(std::string& out, const RelayRecord& r) {
  switch (r.kind) {
    case RecordKind::publish:
      return encode_publish(out, r.ref, r.channel, r.body);
    case RecordKind::message:
      return encode_message(out, r.channel, r.id, r.body);
    case RecordKind::resync:
      return encode_resync(out, r.channel, std::span(r.entries));
    case RecordKind::ack:
      return encode_ack(out, r.ref, r.id);
    case RecordKind::fragment:
      return encode_fragment(out, r.total, r.body);
    case RecordKind::resync_request:
      return encode_resync_request(out);
  }
  return RelayError::unknown_kind;
}

RelayError decode_record(std::string_view in, RelayRecord& out,
                         std::size_t& consumed) {
  consumed = 0;
  out = RelayRecord{};
  Reader r(in);
  std::uint8_t kind = 0;
  if (!r.u8(kind)) return RelayError::truncated;
  out.kind = static_cast<RecordKind>(kind);
  RelayError e = RelayError::unknown_kind;
  switch (out.kind) {
    case RecordKind::publish:
      e = decode_publish(r, out);
      break;
    case RecordKind::message:
      e = decode_message(r, out);
      break;
    case RecordKind::resync:
      e = decode_resync(r, out);
      break;
    case RecordKind::ack:
      e = decode_ack(r, out);
      break;
    case RecordKind::fragment:
      e = decode_fragment(r, out);
      break;
    case RecordKind::resync_request:
      e = RelayError::none;  // no fields
      break;
  }
  if (e == RelayError::none) consumed = r.pos();
  return e;
}

bool RelayDecoder::next(RelayRecord& out) {
  if (error_ != RelayError::none || done()) return false;
  std::size_t n = 0;
  error_ = decode_record(payload_.substr(consumed_), out, n);
  consumed_ += n;
  return error_ == RelayError::none;
}

RelayError decode_batch(std::string_view payload,
                        std::vector<RelayRecord>& out) {
  out.clear();
  RelayDecoder decoder(payload);
  RelayRecord record;
  while (decoder.next(record))
    out.push_back(std::move(record));
  if (decoder.error() != RelayError::none) out.clear();
  return decoder.error();
}

}  // namespace gale::pubsub
