// libFuzzer target: routing and the URL, date and JSON helpers over
// arbitrary bytes.
//
// The input is used as a request-target: split into path and query, routed
// through a table of every route kind (literal, {name}, {x:path}, regex),
// percent-decoded and form-parsed; and as a date and a JSON string.
// Invariants: the split pieces lie inside the target; decoding never grows
// a string; encoding round-trips; captured arguments carry the decoded
// segment; a parsed date formats and parses back to itself; JSON strings
// hold no raw control character and no unescaped quote.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "server/http/date_cache.hpp"
#include "server/http/url.hpp"
#include "server/web/handler_factory.hpp"
#include "server/web/json.hpp"
#include "server/web/router.hpp"

namespace {

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "invariant violated: %s\n", what);
    std::abort();
  }
}

struct Nop : gale::RequestHandler {
  void get() override {}
};

const gale::Router& router() {
  static const gale::Router r = [] {
    gale::Router r;
    for (const char* p : {"/", "/hello/{name}", "/u/{user}/post/{id}",
                          "/static/{file:path}", "/a b/", "/chat/"})
      r.add(gale::Route(p, gale::handler<Nop>()));
    for (const char* e :
         {"^/user/(\\d+)/(\\w*)$", "^/r/((?:a|b)*)$", "^/x(/y)?/(.*)$"})
      r.add(gale::Route(gale::regex(e), gale::handler<Nop>()));
    return r;
  }();
  return r;
}

bool inside(std::string_view part, std::string_view whole) {
  return part.empty() ||
         (part.data() >= whole.data() &&
          part.data() + part.size() <= whole.data() + whole.size());
}

void fuzz_target(std::string_view target) {
  gale::TargetParts parts = gale::split_target(target);
  check(inside(parts.path, target) || parts.path == "/",
        "path outside the target");
  check(inside(parts.query, target), "query outside the target");
  check(parts.path.find('?') == std::string_view::npos, "'?' in the path");
  check(parts.path.find('#') == std::string_view::npos, "'#' in the path");

  gale::PathArgs args;
  const gale::Route* r = router().match(parts.path, args);
  if (r != nullptr) {
    for (const gale::PathArg& a : args)
      check(a.value.size() <= parts.path.size(), "argument longer than path");
    if (r->pattern() == "/hello/{name}") {
      check(args.size() == 1 && !args[0].empty(), "{name} empty or missing");
      std::string_view seg = parts.path.substr(7);
      check(seg.find('/') == std::string_view::npos, "{name} spans a '/'");
      check(args[0] == gale::decode_path_segment(seg), "{name} not decoded");
    }
  } else {
    check(args.empty(), "arguments left after no match");
  }

  gale::Arguments form;
  gale::parse_form_urlencoded(parts.query, form);
  for (const auto& [k, v] : form)
    check(k.size() + v.size() <= parts.query.size(), "form pair grew");
}

void fuzz_decoding(std::string_view s) {
  for (bool plus : {false, true}) {
    if (auto d = gale::percent_decode(s, plus)) {
      check(d->size() <= s.size(), "decoding grew the string");
      if (s.find('%') == std::string_view::npos && !plus)
        check(*d == s, "decoding changed a string without escapes");
    } else {
      check(s.find('%') != std::string_view::npos, "rejected without a '%'");
    }
  }
  for (bool keep_slash : {false, true}) {
    std::string e = gale::percent_encode(s, keep_slash);
    auto back = gale::percent_decode(e);
    check(back && *back == s, "percent_encode does not round-trip");
  }
}

void fuzz_date(std::string_view s) {
  std::time_t t = gale::parse_http_date(s);
  if (t == -1) return;
  char buf[30];
  gale::format_http_date(t, buf);
  check(gale::parse_http_date(buf) == t, "formatted date does not parse back");
}

void fuzz_json(std::string_view s) {
  std::string out;
  gale::append_json_string(out, s);
  check(out.size() >= 2 && out.front() == '"' && out.back() == '"',
        "JSON string not quoted");
  for (std::size_t i = 1; i + 1 < out.size(); ++i) {
    auto c = static_cast<unsigned char>(out[i]);
    check(c >= 0x20, "raw control character in a JSON string");
    check(c != '<' && c != '>' && c != '&', "raw HTML special in JSON");
    if (c == '\\') {
      ++i;  // the escaped character
      continue;
    }
    check(c != '"', "unescaped quote in a JSON string");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  fuzz_target(in);
  fuzz_decoding(in);
  if (size < 64) fuzz_date(in);
  fuzz_json(in);
  return 0;
}
