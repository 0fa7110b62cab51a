#include "server/http/accept_encoding.hpp"

namespace gale {
namespace {

// Parses a qvalue ("1", "0.8", "0.000"); anything else counts as 1, the
// default, which errs towards compressing as most servers do.
bool qvalue_is_zero(std::string_view q) {
  q = trim_ows(q);
  if (q.empty() || q.front() != '0') return false;
  q.remove_prefix(1);
  if (q.empty()) return true;
  if (q.front() != '.') return false;
  q.remove_prefix(1);
  for (char c : q)
    if (c != '0') return false;
  return true;
}

// -1 unlisted, 0 refused, 1 accepted: for `coding` and for `*`.
struct Verdict {
  int coding = -1;
  int any = -1;
};

void scan(std::string_view value, std::string_view coding, Verdict& v) {
  while (!value.empty()) {
    std::size_t comma = value.find(',');
    std::string_view element = value.substr(0, comma);
    value = comma == std::string_view::npos ? std::string_view()
                                            : value.substr(comma + 1);
    std::size_t semi = element.find(';');
    std::string_view name = trim_ows(element.substr(0, semi));
    bool zero = false;
    for (std::string_view params = semi == std::string_view::npos
                                       ? std::string_view()
                                       : element.substr(semi + 1);
         !params.empty();) {
      std::size_t next = params.find(';');
      std::string_view p = trim_ows(params.substr(0, next));
      if (p.size() >= 2 && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=')
        zero = qvalue_is_zero(p.substr(2));
      params = next == std::string_view::npos ? std::string_view()
                                              : params.substr(next + 1);
    }
    int verdict = zero ? 0 : 1;
    if (iequals(name, coding) ||
        (iequals(coding, "gzip") && iequals(name, "x-gzip")))
      v.coding = v.coding == 0 ? 0 : verdict;  // a refusal sticks
    else if (name == "*")
      v.any = v.any == 0 ? 0 : verdict;
  }
}

bool decide(const Verdict& v) {
  if (v.coding >= 0) return v.coding == 1;
  return v.any == 1;
}

}  // namespace

bool accepts_encoding(std::string_view value, std::string_view coding) {
  Verdict v;
  scan(value, coding, v);
  return decide(v);
}

bool accepts_encoding(const RequestHeaders& headers, std::string_view coding) {
  Verdict v;
  for (const HeaderView& h : headers)
    if (iequals(h.name, "Accept-Encoding")) scan(h.value, coding, v);
  return decide(v);
}

}  // namespace gale
