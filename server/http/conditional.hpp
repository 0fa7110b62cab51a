// Conditional requests (RFC 9110 §13): entity tags and the order in which
// If-Match, If-Unmodified-Since, If-None-Match, If-Modified-Since and
// If-Range are evaluated for a GET or HEAD of a stored representation.
#pragma once

#include <sys/stat.h>

#include <ctime>
#include <string>
#include <string_view>

#include "server/http/fields.hpp"

namespace gale {

// The validators a response carries.
struct Validators {
  std::string_view etag;      // a strong entity-tag, quotes included
  std::time_t last_modified;  // seconds (what Last-Modified can express)
};

// A strong entity-tag for a file: "<inode>-<size>-<mtime in ns>" in hex,
// plus "-<variant>" when `variant` is not empty (the gzip sibling's tag
// must differ from the plain file's, or a cache could swap the bodies).
// Any change a write or a replace-by-rename makes to the file changes one
// of the three.
std::string make_etag(const struct stat& st, std::string_view variant = {});

// Whether an entity-tag in the list `value` (If-None-Match's syntax,
// `*` excluded) matches `etag`. Weak comparison ignores the W/ prefix on
// either side; strong comparison needs both tags strong and equal. A
// malformed element ends the list (what precedes it still counts).
bool etag_list_matches(std::string_view value, std::string_view etag,
                       bool weak);

enum class Precondition {
  proceed,              // answer normally (200, or 206 for a range)
  not_modified,         // 304, no body
  precondition_failed,  // 412
};

// Evaluates the preconditions of a GET or HEAD in RFC 9110 §13.2.2's
// order: If-Match (strong), else If-Unmodified-Since; then If-None-Match
// (weak; `*` matches any existing file), else If-Modified-Since. A field
// repeated is read as one list; a date that does not parse is ignored.
Precondition evaluate_preconditions(const RequestHeaders& headers,
                                    const Validators& v);

// Whether a Range may be honoured given `if_range` (the If-Range value,
// possibly empty = absent): true when absent; for an entity-tag, a strong
// match; for a date, equal to Last-Modified and that Last-Modified strong,
// i.e. at least a second older than `now` (RFC 9110 §13.1.5, §8.8.2.2).
bool if_range_allows(std::string_view if_range, const Validators& v,
                     std::time_t now);

}  // namespace gale
