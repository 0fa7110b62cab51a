#include "server/http/conditional.hpp"

#include <charconv>

#include "server/core/format.hpp"
#include "server/http/date_cache.hpp"

namespace gale {
namespace {

struct EntityTag {
  bool weak = false;
  std::string_view opaque;  // with its quotes
};

// Takes the next entity-tag from a list, skipping commas and whitespace.
// False at the end of the list or at a malformed element.
bool next_etag(std::string_view& list, EntityTag& tag) {
  std::size_t i = 0;
  while (i < list.size() &&
         (list[i] == ',' || list[i] == ' ' || list[i] == '\t'))
    ++i;
  list.remove_prefix(i);
  if (list.empty()) return false;
  tag.weak = list.starts_with("W/");
  if (tag.weak) list.remove_prefix(2);
  if (list.empty() || list.front() != '"') return false;
  std::size_t close = list.find('"', 1);
  if (close == std::string_view::npos) return false;
  tag.opaque = list.substr(0, close + 1);
  list.remove_prefix(close + 1);
  return true;
}

// Whether `f` holds for the value of any field called `name`: a repeated
// field is one list split over several lines (RFC 9110 §5.3).
template <class F>
bool any_field(const RequestHeaders& headers, std::string_view name, F&& f) {
  for (const HeaderView& h : headers)
    if (iequals(h.name, name) && f(trim_ows(h.value))) return true;
  return false;
}

// A date field's value, or -1 if absent or not an HTTP-date.
std::time_t date_field(const RequestHeaders& headers, std::string_view name) {
  std::string_view value = trim_ows(headers.get(name));
  if (value.empty()) return -1;
  return parse_http_date(value);
}

bool list_matches_any(std::string_view value, std::string_view etag,
                      bool weak) {
  if (value == "*") return true;
  return etag_list_matches(value, etag, weak);
}

}  // namespace

std::string make_etag(const struct stat& st, std::string_view variant) {
  std::string s;
  s.reserve(48);
  s += '"';
  append_hex(s, static_cast<std::uint64_t>(st.st_ino));
  s += '-';
  append_hex(s, static_cast<std::uint64_t>(st.st_size));
  s += '-';
  append_hex(s, static_cast<std::uint64_t>(st.st_mtim.tv_sec) * 1000000000u +
                    static_cast<std::uint64_t>(st.st_mtim.tv_nsec));
  if (!variant.empty()) {
    s += '-';
    s += variant;
  }
  s += '"';
  return s;
}

bool etag_list_matches(std::string_view value, std::string_view etag,
                       bool weak) {
  EntityTag ours;
  std::string_view own = etag;
  if (!next_etag(own, ours)) return false;
  if (!weak && ours.weak) return false;
  EntityTag theirs;
  while (next_etag(value, theirs)) {
    if (!weak && theirs.weak) continue;
    if (theirs.opaque == ours.opaque) return true;
  }
  return false;
}

Precondition evaluate_preconditions(const RequestHeaders& headers,
                                    const Validators& v) {
  // Step 1-2: the client's copy must be this one (for GET, a lost update
  // is impossible, but a client may still ask).
  if (headers.contains("If-Match")) {
    if (!any_field(headers, "If-Match", [&](std::string_view value) {
          return list_matches_any(value, v.etag, false);
        }))
      return Precondition::precondition_failed;
  } else {
    std::time_t since = date_field(headers, "If-Unmodified-Since");
    if (since >= 0 && v.last_modified > since)
      return Precondition::precondition_failed;
  }
  // Step 3-4: the client's copy is still good. If-None-Match wins over
  // If-Modified-Since: an entity-tag is the finer validator.
  if (headers.contains("If-None-Match")) {
    if (any_field(headers, "If-None-Match", [&](std::string_view value) {
          return list_matches_any(value, v.etag, true);
        }))
      return Precondition::not_modified;
  } else {
    std::time_t since = date_field(headers, "If-Modified-Since");
    if (since >= 0 && v.last_modified <= since)
      return Precondition::not_modified;
  }
  return Precondition::proceed;
}

bool if_range_allows(std::string_view if_range, const Validators& v,
                     std::time_t now) {
  if_range = trim_ows(if_range);
  if (if_range.empty()) return true;
  if (if_range.front() == '"' || if_range.starts_with("W/")) {
    // Exactly one entity-tag, compared strongly: a weak tag never matches.
    std::string_view rest = if_range;
    EntityTag tag;
    if (!next_etag(rest, tag) || !trim_ows(rest).empty()) return false;
    return etag_list_matches(if_range, v.etag, false);
  }
  std::time_t date = parse_http_date(if_range);
  return date >= 0 && date == v.last_modified && v.last_modified < now;
}

}  // namespace gale
