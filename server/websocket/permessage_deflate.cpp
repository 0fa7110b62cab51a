// permessage-deflate offer parsing and negotiation; see
// permessage_deflate.hpp.
#include "server/websocket/permessage_deflate.hpp"

#include <algorithm>
#include <array>

#include "server/http/fields.hpp"

namespace gale::websocket {

namespace {

// One `name[=value]` of an extension; the value unquoted.
struct Param {
  std::string_view name;
  std::optional<std::string> value;
};

struct Extension {
  std::string_view name;
  std::vector<Param> params;
};

// A reader over the header value for the RFC 6455 §9.1 grammar.
class Cursor {
 public:
  explicit Cursor(std::string_view s) : s_(s) {}
  bool at_end() const { return i_ == s_.size(); }
  bool eat(char c) {
    if (at_end() || s_[i_] != c) return false;
    ++i_;
    return true;
  }
  void skip_ows() {
    while (!at_end() && (s_[i_] == ' ' || s_[i_] == '\t'))
      ++i_;
  }
  std::string_view token() {
    const std::size_t start = i_;
    while (!at_end() && is_token_char(static_cast<unsigned char>(s_[i_])))
      ++i_;
    return s_.substr(start, i_ - start);
  }
  // RFC 9110 §5.6.4 quoted-string, unescaped; nullopt if malformed.
  std::optional<std::string> quoted() {
    if (!eat('"')) return std::nullopt;
    std::string out;
    while (!at_end()) {
      const char c = s_[i_++];
      if (c == '"') return out;
      if (c == '\\') {
        if (at_end()) return std::nullopt;
        out.push_back(s_[i_++]);
      } else if (static_cast<unsigned char>(c) < 0x20 && c != '\t') {
        return std::nullopt;  // control characters are never qdtext
      } else {
        out.push_back(c);
      }
    }
    return std::nullopt;  // unterminated
  }

 private:
  std::string_view s_;
  std::size_t i_ = 0;
};

// `;` param [= token | quoted-string], the cursor after the `;`.
std::optional<Param> read_param(Cursor& in) {
  in.skip_ows();
  Param p{in.token(), std::nullopt};
  if (p.name.empty()) return std::nullopt;
  in.skip_ows();
  if (!in.eat('=')) return p;
  in.skip_ows();
  if (std::string_view t = in.token(); !t.empty()) {
    p.value = std::string(t);
  } else {
    p.value = in.quoted();
    if (!p.value) return std::nullopt;
  }
  in.skip_ows();
  return p;
}

// The whole list, or nullopt on a syntax error. Empty list elements are
// ignored (RFC 9110 §5.6.1).
std::optional<std::vector<Extension>> split_extensions(std::string_view s) {
  std::vector<Extension> out;
  Cursor in(s);
  while (true) {
    in.skip_ows();
    if (in.at_end()) return out;
    if (in.eat(',')) continue;
    Extension ext{in.token(), {}};
    if (ext.name.empty()) return std::nullopt;
    in.skip_ows();
    while (in.eat(';')) {
      std::optional<Param> p = read_param(in);
      if (!p) return std::nullopt;
      ext.params.push_back(std::move(*p));
    }
    if (!in.at_end() && !in.eat(',')) return std::nullopt;
    out.push_back(std::move(ext));
  }
}

// RFC 7692 §7.1.2: 1*DIGIT in 8..15, no leading zero.
std::optional<std::uint8_t> window_bits(std::string_view v) {
  static constexpr std::array<std::string_view, 8> kValid = {
      "8", "9", "10", "11", "12", "13", "14", "15"};
  for (std::size_t i = 0; i < kValid.size(); ++i)
    if (v == kValid[i]) return static_cast<std::uint8_t>(8 + i);
  return std::nullopt;
}

// The offer, if every parameter is known, appears once and has a valid
// value (RFC 7692 §5: otherwise the server must decline it).
std::optional<DeflateOffer> to_offer(const Extension& ext) {
  static constexpr std::array<std::string_view, 4> kNames = {
      "server_no_context_takeover", "client_no_context_takeover",
      "server_max_window_bits", "client_max_window_bits"};
  DeflateOffer offer;
  std::array<bool, 4> seen{};
  for (const Param& p : ext.params) {
    const auto it = std::find_if(kNames.begin(), kNames.end(),
                                 [&](auto n) { return iequals(n, p.name); });
    if (it == kNames.end()) return std::nullopt;  // unknown parameter
    const std::size_t k = static_cast<std::size_t>(it - kNames.begin());
    if (seen[k]) return std::nullopt;  // duplicate parameter
    seen[k] = true;
    if (k <= 1) {
      if (p.value) return std::nullopt;  // a flag takes no value
      (k == 0 ? offer.server_no_context_takeover
              : offer.client_no_context_takeover) = true;
    } else if (k == 2) {
      offer.server_max_window_bits = window_bits(p.value.value_or(""));
      if (!offer.server_max_window_bits) return std::nullopt;
    } else {
      offer.client_max_window_bits = true;
      if (!p.value) continue;  // the value is optional here
      offer.client_max_window_bits_value = window_bits(*p.value);
      if (!offer.client_max_window_bits_value) return std::nullopt;
    }
  }
  return offer;
}

}  // namespace

std::vector<DeflateOffer> parse_deflate_offers(std::string_view extensions) {
  std::vector<DeflateOffer> offers;
  std::optional<std::vector<Extension>> list = split_extensions(extensions);
  if (!list) return offers;
  for (const Extension& ext : *list) {
    if (!iequals(ext.name, "permessage-deflate")) continue;
    if (std::optional<DeflateOffer> offer = to_offer(ext))
      offers.push_back(*offer);
  }
  return offers;
}

std::optional<DeflateAgreement> negotiate_deflate(std::string_view extensions) {
  for (const DeflateOffer& offer : parse_deflate_offers(extensions)) {
    if (offer.server_max_window_bits == 8) continue;  // zlib cannot
    DeflateAgreement a;
    // Always, offered or not (RFC 7692 §7.1.1.1 lets the server decide for
    // itself): a compressor that keeps its context costs ~256 KiB per
    // socket; without it one per worker serves every socket in turn.
    a.server_no_context_takeover = true;
    a.client_no_context_takeover = offer.client_no_context_takeover;
    a.server_max_window_bits = offer.server_max_window_bits.value_or(15);
    a.response = "permessage-deflate; server_no_context_takeover";
    if (a.client_no_context_takeover)
      a.response += "; client_no_context_takeover";
    if (offer.server_max_window_bits)
      a.response += "; server_max_window_bits=" +
                    std::to_string(*offer.server_max_window_bits);
    return a;
  }
  return std::nullopt;
}

}  // namespace gale::websocket
