// libFuzzer target: the signed-cookie verifier and the XSRF token decoder
// over arbitrary bytes, both attacker input (a Cookie field, a form field,
// an X-XSRFToken field).
//
// Invariants: verifying never crashes or throws, and what verifies was
// signed by a known secret for that name (under an unknown secret or
// another name the same bytes are absent); any bytes signed as a value
// verify back to themselves, and flipping any one bit of the signed form
// makes it absent; an XSRF token that decodes has one of the two exact
// shapes, and its masked form decodes back to it.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "server/web/signed_value.hpp"
#include "server/web/xsrf_token.hpp"

namespace {

namespace sv = gale::signed_value;

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "invariant violated: %s\n", what);
    std::abort();
  }
}

// The clock and secrets the seed corpus was signed with
// (fuzz/corpus/fuzz_signed_value/: "user" = "alice" and others, signed
// at 1767225600 with "new secret" or "old secret").
const std::chrono::sys_seconds kNow{std::chrono::seconds(1767225600)};
const std::chrono::seconds kMaxAge = std::chrono::days(31);
const std::vector<std::string> kSecrets = {"new secret", "old secret"};
const std::vector<std::string> kUnknown = {"unknown secret"};

void fuzz_verify(std::string_view in) {
  for (std::string_view name : {"user", "session"}) {
    std::optional<std::string> v =
        sv::verify(kSecrets, name, in, kMaxAge, kNow);
    if (!v) continue;
    check(!sv::verify(kUnknown, name, in, kMaxAge, kNow),
          "verified under an unknown secret");
    check(!sv::verify(kSecrets, "other", in, kMaxAge, kNow),
          "verified for another name");
    check(!sv::verify(kSecrets, name, in, kMaxAge,
                      kNow + kMaxAge + std::chrono::days(2)),
          "verified long after it expired");
  }
}

void fuzz_sign(std::string_view in) {
  std::string s = sv::sign(kSecrets, "user", in, kNow);
  check(sv::verify(kSecrets, "user", s, kMaxAge, kNow) == std::string(in),
        "a signed value does not verify back");
  // One bit flipped where the input says: the signed form is absent.
  std::size_t at = in.empty() ? 0 : static_cast<unsigned char>(in[0]);
  at = (at * 131 + in.size()) % s.size();
  s[at] = static_cast<char>(s[at] ^ (1 << (in.size() % 8)));
  check(!sv::verify(kSecrets, "user", s, kMaxAge, kNow),
        "a signed value with one bit flipped still verifies");
}

void fuzz_xsrf(std::string_view in) {
  std::optional<gale::xsrf::Token> token = gale::xsrf::decode(in);
  if (!token) return;
  check(in.size() == 32 || in.starts_with("2|"), "token of an unknown shape");
  const std::string again = gale::xsrf::encode(*token, {1, 2, 3, 4}, 0);
  check(gale::xsrf::decode(again) == token, "masked token does not decode");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  fuzz_verify(in);
  fuzz_sign(in);
  fuzz_xsrf(in);
  return 0;
}
