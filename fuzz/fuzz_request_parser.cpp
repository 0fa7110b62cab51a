// libFuzzer target: RequestParser over arbitrary bytes.
//
// Input: byte 0 picks the limits and how the rest is fed, byte 1 picks a
// split point; the rest is the stream, parsed as pipelined messages
// (reset() after each message_complete). Each feed() gets its bytes in a
// fresh heap buffer freed right after the call, so a head view pointing
// into the caller's buffer rather than the parser's own copy is a
// heap-use-after-free under ASan.
//
// Invariants: consumed <= len; need_more consumes everything; head_complete
// comes once per message, before message_complete; an error is sticky and
// maps to a SPEC §4 status; the framing in the head is coherent and the
// body agrees with it and with the limits; and the messages are the same
// however the input is split (whole, in two, one byte at a time).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/http/parse_error.hpp"
#include "server/http/request_parser.hpp"

namespace {

using gale::ParseError;
using gale::ParserLimits;
using gale::RequestParser;
using Event = RequestParser::Event;

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "invariant violated: %s\n", what);
    std::abort();
  }
}

// One message as observed, for comparing the ways of feeding.
struct Message {
  bool complete = false;  // else it ended in an error or ran out of input
  bool error = false;
  bool head_seen = false;
  std::string head;  // a flat rendering of every head view
  std::string body;
  std::size_t consumed = 0;
  bool operator==(const Message&) const = default;
};

// Renders the head by reading every byte of every view: if a view points
// into freed input, ASan stops here.
std::string render(const gale::RequestHead& h) {
  std::string out;
  out.append(h.method_name).append(" ").append(h.target).append(" ");
  out += std::to_string(h.version_major) + "." +
         std::to_string(h.version_minor) + "\n";
  for (const gale::HeaderView& f : h.headers)
    out.append(f.name).append(": ").append(f.value).append("\n");
  out += h.content_length ? std::to_string(*h.content_length) : "-";
  out += h.chunked ? "c" : "";
  out += h.keep_alive ? "k" : "";
  out += h.expect_continue ? "e" : "";
  out += h.expect_unsupported ? "u" : "";
  out += h.upgrade ? "U" : "";
  return out;
}

void check_head(const gale::RequestHead& h, const ParserLimits& limits) {
  check(!(h.chunked && h.content_length), "chunked with a Content-Length");
  check(!h.content_length || *h.content_length <= limits.max_body_bytes,
        "Content-Length over the limit accepted");
  check(!(h.expect_continue && h.expect_unsupported), "two expectations");
  check(h.version_major == 1 || h.version_major == 0, "version >= 2 accepted");
  check(!h.method_name.empty(), "no method name");
  for (const gale::HeaderView& f : h.headers) {
    check(!f.name.empty(), "empty field name");
    check(f.name.find_first_of(" \t\r\n:") == std::string_view::npos,
          "whitespace, CR, LF or colon in a field name");
    check(f.value.find_first_of("\r\n") == std::string_view::npos,
          "CR or LF in a field value");
    check(
        f.value.empty() || (f.value.front() != ' ' && f.value.front() != '\t' &&
                            f.value.back() != ' ' && f.value.back() != '\t'),
        "untrimmed field value");
  }
}

std::vector<Message> parse(const std::vector<std::string_view>& pieces,
                           const ParserLimits& limits) {
  std::vector<Message> out;
  RequestParser parser(limits);
  Message current;
  int heads = 0;
  for (std::string_view piece : pieces) {
    std::size_t off = 0;
    while (off < piece.size()) {
      std::size_t left = piece.size() - off;
      RequestParser::Step step;
      {
        std::unique_ptr<char[]> buf(new char[left]);
        std::memcpy(buf.get(), piece.data() + off, left);
        step = parser.feed(buf.get(), left);
        std::memset(buf.get(), 0xA5, left);
      }  // freed: the parser must not look at it again
      check(step.consumed <= left, "consumed more than given");
      off += step.consumed;
      current.consumed += step.consumed;
      switch (step.event) {
        case Event::need_more:
          check(step.consumed == left, "need_more left input unconsumed");
          break;
        case Event::head_complete:
          check(++heads == 1, "head_complete twice for one message");
          check(parser.head_done(), "head_complete but not head_done");
          check_head(parser.head(), limits);
          current.head_seen = true;
          current.head = render(parser.head());
          break;
        case Event::message_complete: {
          check(heads == 1, "message_complete without head_complete");
          const gale::RequestHead& h = parser.head();
          check(render(h) == current.head, "head changed after head_complete");
          check(parser.body().size() <= limits.max_body_bytes,
                "body over the limit");
          check(!h.content_length || parser.body().size() == *h.content_length,
                "body length differs from Content-Length");
          check(h.content_length || h.chunked || parser.body().empty(),
                "body without framing");
          RequestParser::Step again = parser.feed("GET", 3);
          check(again.event == Event::message_complete && again.consumed == 0,
                "fed past message_complete");
          current.complete = true;
          current.body = parser.body().view();
          out.push_back(std::move(current));
          current = Message{};
          heads = 0;
          parser.reset();
          check(!parser.started() && !parser.head_done() &&
                    parser.error() == ParseError::none,
                "reset left state behind");
          break;
        }
        case Event::error: {
          ParseError e = parser.error();
          check(e != ParseError::none, "error event without an error");
          int status = gale::status_for(e);
          check(status == 400 || status == 413 || status == 414 ||
                    status == 431 || status == 501 || status == 505,
                "error status outside SPEC §4");
          RequestParser::Step again = parser.feed("GET / HTTP/1.1\r\n\r\n", 18);
          check(again.event == Event::error && again.consumed == 0 &&
                    parser.error() == e,
                "error not sticky");
          if (parser.head_done()) (void)render(parser.head());
          current.error = true;
          out.push_back(std::move(current));
          return out;
        }
      }
    }
  }
  if (parser.started() || current.head_seen) out.push_back(std::move(current));
  return out;
}

// Errors may differ in kind (and where they stop) between ways of feeding
// when a message holds several defects; acceptance may not.
bool same(const std::vector<Message>& a, const std::vector<Message>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].error != b[i].error || a[i].complete != b[i].complete)
      return false;
    if (a[i].error) continue;
    if (!(a[i] == b[i])) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  if (size < 2) return 0;
  const std::uint8_t mode = data[0];
  const std::uint8_t split = data[1];
  std::string_view in(reinterpret_cast<const char*>(data) + 2, size - 2);

  // Small limits reach 414/431/413 and the extension bound with short
  // inputs; the defaults exercise everything else.
  ParserLimits limits = (mode & 1) ? ParserLimits{64, 32} : ParserLimits{};

  std::vector<Message> whole = parse({in}, limits);
  std::size_t k = in.empty() ? 0 : split * in.size() / 255;
  std::vector<Message> two = parse({in.substr(0, k), in.substr(k)}, limits);
  check(same(whole, two), "split input parsed differently");
  if ((mode & 2) && in.size() <= 512) {
    std::vector<std::string_view> bytes;
    for (std::size_t i = 0; i < in.size(); ++i)
      bytes.push_back(in.substr(i, 1));
    check(same(whole, parse(bytes, limits)),
          "byte-by-byte input parsed differently");
  }
  return 0;
}
