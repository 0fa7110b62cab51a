// Drives a RequestParser over bytes the way a connection does, and grinds a
// request across every split point (STYLE 9).
//
// Every feed() call gets the bytes in a fresh heap buffer of exactly the
// size passed, which is scribbled over and freed as soon as the call
// returns: a parser that kept a pointer into its caller's buffer (instead of
// its own copy of the head) then reads garbage, and under ASan it fails on
// the spot with heap-use-after-free.
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/http/parse_error.hpp"
#include "server/http/request_parser.hpp"

namespace gale {
// Readable gtest output for the enums.
inline void PrintTo(ParseError e, std::ostream* os) {
  *os << describe(e);
}
}  // namespace gale

namespace gale::testing {

// What became of one message: the event that ended it, and a copy of what
// the parser exposed at that moment.
struct Parsed {
  RequestParser::Event event = RequestParser::Event::need_more;
  ParseError error = ParseError::none;
  std::size_t consumed = 0;  // bytes of the input that belong to it
  int head_events = 0;       // head_complete reports seen
  std::string method_name;
  Method method = Method::other;
  std::string target;
  unsigned version_major = 0, version_minor = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::optional<std::uint64_t> content_length;
  bool chunked = false;
  bool keep_alive = false;
  bool expect_continue = false;
  bool expect_unsupported = false;
  bool upgrade = false;
  std::string body;

  bool ok() const { return event == RequestParser::Event::message_complete; }
  int status() const { return status_for(error); }

  // Results compare equal when every split point gives the same outcome.
  // After an error the consumed count and partial body are not part of the
  // contract (the connection closes), only the error itself.
  friend bool operator==(const Parsed& a, const Parsed& b) {
    if (a.event != b.event || a.error != b.error ||
        a.head_events != b.head_events)
      return false;
    if (a.head_events > 0 &&
        (a.method_name != b.method_name || a.method != b.method ||
         a.target != b.target || a.version_major != b.version_major ||
         a.version_minor != b.version_minor || a.headers != b.headers ||
         a.content_length != b.content_length || a.chunked != b.chunked ||
         a.keep_alive != b.keep_alive ||
         a.expect_continue != b.expect_continue ||
         a.expect_unsupported != b.expect_unsupported ||
         a.upgrade != b.upgrade))
      return false;
    if (a.event == RequestParser::Event::error) return true;
    return a.consumed == b.consumed && a.body == b.body;
  }
};

inline const char* event_name(RequestParser::Event e) {
  switch (e) {
    case RequestParser::Event::need_more:
      return "need_more";
    case RequestParser::Event::head_complete:
      return "head_complete";
    case RequestParser::Event::message_complete:
      return "message_complete";
    case RequestParser::Event::error:
      return "error";
  }
  return "?";
}

inline std::ostream& operator<<(std::ostream& os, const Parsed& p) {
  os << "{" << event_name(p.event) << " error=" << describe(p.error)
     << " consumed=" << p.consumed << " heads=" << p.head_events;
  if (p.head_events > 0) {
    os << " " << p.method_name << " " << p.target << " HTTP/" << p.version_major
       << "." << p.version_minor << " [";
    for (const auto& [k, v] : p.headers)
      os << k << ": " << v << "; ";
    os << "] cl=";
    if (p.content_length)
      os << *p.content_length;
    else
      os << "none";
    os << " chunked=" << p.chunked << " keep_alive=" << p.keep_alive
       << " expect_continue=" << p.expect_continue
       << " expect_unsupported=" << p.expect_unsupported
       << " upgrade=" << p.upgrade;
  }
  return os << " body=\"" << p.body << "\"}";
}

// Feeds `n` bytes from a buffer that exists only for this call.
inline RequestParser::Step feed_fresh(RequestParser& parser, const char* data,
                                      std::size_t n) {
  std::unique_ptr<char[]> copy(new char[n]);
  std::memcpy(copy.get(), data, n);
  RequestParser::Step step = parser.feed(copy.get(), n);
  std::memset(copy.get(), 0xA5, n);
  return step;
}

inline void snapshot_head(const RequestParser& parser, Parsed& out) {
  const RequestHead& h = parser.head();
  out.method = h.method;
  out.method_name = std::string(h.method_name);
  out.target = std::string(h.target);
  out.version_major = h.version_major;
  out.version_minor = h.version_minor;
  out.headers.clear();
  for (const HeaderView& f : h.headers)
    out.headers.emplace_back(std::string(f.name), std::string(f.value));
  out.content_length = h.content_length;
  out.chunked = h.chunked;
  out.keep_alive = h.keep_alive;
  out.expect_continue = h.expect_continue;
  out.expect_unsupported = h.expect_unsupported;
  out.upgrade = h.upgrade;
}

// Parses the pieces in order as one stream, resetting the parser after each
// complete message, as a connection does with pipelined requests. Returns
// one entry per message started (the last may be unfinished: need_more).
inline std::vector<Parsed> parse_pieces(
    const std::vector<std::string_view>& pieces, ParserLimits limits) {
  std::vector<Parsed> out;
  RequestParser parser(limits);
  Parsed current;
  bool stopped = false;  // an error ended the stream
  for (std::string_view piece : pieces) {
    std::size_t off = 0;
    while (off < piece.size() && !stopped) {
      std::size_t left = piece.size() - off;
      RequestParser::Step step = feed_fresh(parser, piece.data() + off, left);
      EXPECT_LE(step.consumed, left) << "consumed more than it was given";
      if (step.consumed > left) return out;
      off += step.consumed;
      current.consumed += step.consumed;
      switch (step.event) {
        case RequestParser::Event::need_more:
          EXPECT_EQ(step.consumed, left) << "need_more must consume all input";
          if (step.consumed != left) return out;
          break;
        case RequestParser::Event::head_complete:
          ++current.head_events;
          EXPECT_TRUE(parser.head_done());
          snapshot_head(parser, current);
          break;
        case RequestParser::Event::message_complete:
          current.event = step.event;
          if (current.head_events == 0) ADD_FAILURE() << "no head_complete";
          snapshot_head(parser, current);
          current.body = parser.body().view();
          out.push_back(std::move(current));
          current = Parsed{};
          parser.reset();
          break;
        case RequestParser::Event::error:
          current.event = step.event;
          current.error = parser.error();
          EXPECT_NE(current.error, ParseError::none);
          // An error is sticky: nothing more is consumed, ever.
          {
            std::string_view rest = piece.substr(off);
            if (rest.empty()) rest = "GET / HTTP/1.1\r\n\r\n";
            RequestParser::Step again =
                feed_fresh(parser, rest.data(), rest.size());
            EXPECT_EQ(again.event, RequestParser::Event::error);
            EXPECT_EQ(again.consumed, 0u);
            EXPECT_EQ(parser.error(), current.error);
          }
          if (parser.head_done()) snapshot_head(parser, current);
          current.body = parser.body().view();
          out.push_back(std::move(current));
          current = Parsed{};
          stopped = true;
          break;
      }
    }
  }
  if (!stopped && (parser.started() || current.head_events > 0)) {
    current.body = parser.body().view();
    out.push_back(std::move(current));
  }
  return out;
}

inline std::vector<Parsed> parse_all(std::string_view bytes,
                                     ParserLimits limits) {
  return parse_pieces({bytes}, limits);
}

// Parses `bytes` whole, then split in two at every byte, then one byte at a
// time, and checks that every way gives the same messages. Returns the
// messages from the whole-input parse.
inline std::vector<Parsed> grind_all(std::string_view bytes,
                                     ParserLimits limits) {
  std::vector<Parsed> whole = parse_all(bytes, limits);
  for (std::size_t k = 0; k <= bytes.size(); ++k) {
    std::vector<Parsed> split =
        parse_pieces({bytes.substr(0, k), bytes.substr(k)}, limits);
    if (split != whole) {
      ADD_FAILURE() << "split at byte " << k << " of " << bytes.size()
                    << " differs:\n  whole: " << ::testing::PrintToString(whole)
                    << "\n  split: " << ::testing::PrintToString(split);
      return whole;  // one report per test is enough
    }
  }
  std::vector<std::string_view> bytewise;
  for (std::size_t i = 0; i < bytes.size(); ++i)
    bytewise.push_back(bytes.substr(i, 1));
  std::vector<Parsed> single = parse_pieces(bytewise, limits);
  if (single != whole)
    ADD_FAILURE() << "one byte at a time differs:\n  whole: "
                  << ::testing::PrintToString(whole)
                  << "\n  bytes: " << ::testing::PrintToString(single);
  return whole;
}

// The one message `bytes` holds (or the first one), ground as above.
inline Parsed grind(std::string_view bytes, ParserLimits limits) {
  std::vector<Parsed> messages = grind_all(bytes, limits);
  if (messages.empty()) {
    ADD_FAILURE() << "no message started";
    return Parsed{};
  }
  return messages.front();
}

}  // namespace gale::testing
