// Byte ranges (RFC 9110 §14): parsing a `Range` field and choosing what a
// GET answers with.
//
// gale serves one range per response. A request for several ranges gets
// the whole representation with 200 (RFC 9110 §14.2 lets a server ignore
// Range; multipart/byteranges costs a body we would have to build in
// memory, and clients that ask for several ranges - PDF viewers - accept
// a full answer). A `Range` that is not a valid `bytes` range-set is
// ignored (200), as the RFC requires of an unknown unit or a syntax error.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gale {

// One range-spec as written (RFC 9110 §14.1.1).
struct RangeSpec {
  enum class Kind {
    from_to,  // "first-last": bytes first..last, inclusive
    from,     // "first-": from first to the end
    suffix,   // "-n": the last n bytes
  };
  Kind kind = Kind::from_to;
  // first-pos for from_to and from. Numbers too large for 64 bits saturate
  // at UINT64_MAX, which no file reaches, so they read as unsatisfiable
  // (first-pos) or as "to the end" (last-pos, suffix-length).
  std::uint64_t first = 0;
  std::uint64_t last = 0;  // last-pos for from_to; suffix-length for suffix

  bool operator==(const RangeSpec&) const = default;
};

// A resolved range: `length` (> 0) bytes from `offset`.
struct ByteRange {
  std::uint64_t offset = 0;
  std::uint64_t length = 0;

  bool operator==(const ByteRange&) const = default;
};

// Parses a Range field value ("bytes=0-99, -500"). nullopt when it is not
// a valid bytes range-set: another unit, a syntax error, or a last-pos
// below its first-pos (RFC 9110 §14.1.1 makes that spec invalid). Empty
// list elements ("bytes=0-1,,5-") are allowed, as in every #rule list.
std::optional<std::vector<RangeSpec>> parse_range(std::string_view value);

// The bytes `spec` selects in a representation of `size` bytes, or
// nullopt when it selects none (unsatisfiable).
std::optional<ByteRange> resolve_range(const RangeSpec& spec,
                                       std::uint64_t size);

// What a GET with a `Range` field gets.
struct RangeDecision {
  enum class Outcome {
    full,           // 200, the whole representation (Range ignored)
    partial,        // 206 with `range`
    unsatisfiable,  // 416 with Content-Range: bytes */size
  };
  Outcome outcome = Outcome::full;
  ByteRange range;
};

// Decides for the field value `value` (not empty) and a representation of
// `size` bytes: invalid -> full; no satisfiable range -> unsatisfiable;
// exactly one -> partial; several -> full (see the file comment). An empty
// representation is always answered in full: no range of it can be sent
// in a 206.
RangeDecision decide_range(std::string_view value, std::uint64_t size);

// "bytes 0-99/1234" for a 206.
std::string content_range(const ByteRange& range, std::uint64_t size);
// "bytes */1234" for a 416.
std::string unsatisfied_content_range(std::uint64_t size);

}  // namespace gale
