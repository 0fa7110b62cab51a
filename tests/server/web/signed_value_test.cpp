// Tornado version-2 signed values (server/web/signed_value.cpp) with a
// pinned clock. The expected strings were computed outside gale, following
// tornado.web.create_signed_value(version=2) with Python's hmac module:
//
//   def field(s): return b"%d:%s" % (len(s), s)
//   to_sign = b"|".join([b"2", field(b"0"), field(b"1767225600"),
//                        field(name), field(base64.b64encode(value)), b""])
//   to_sign + hmac.new(secret, to_sign, hashlib.sha256).hexdigest()
//
// and the first checked again with
//   printf '2|1:0|10:1767225600|4:user|8:YWxpY2U=|' |
//     openssl dgst -sha256 -hmac "new secret"
#include "server/web/signed_value.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

namespace gale::signed_value {
namespace {

using namespace std::chrono_literals;

const std::chrono::sys_seconds kSigned{1767225600s};  // 2026-01-01
const std::chrono::seconds kMonth = std::chrono::days(31);
const std::vector<std::string> kSecrets = {"new secret", "old secret"};

constexpr const char* kAliceNew =
    "2|1:0|10:1767225600|4:user|8:YWxpY2U=|"
    "2fac8d8e775efab7a3319650ff2134cf30e94f38fecd585ececca21eb9143e5c";
constexpr const char* kAliceOld =
    "2|1:0|10:1767225600|4:user|8:YWxpY2U=|"
    "4e99803fc92b33dcfbbb2d89bdec2fe93c0972d20b02fa38105995147b169846";
constexpr const char* kBinary =
    "2|1:0|10:1767225600|7:session|12:YXxiOmMA/zs=|"
    "37a7a5897ef1596d15769ad1e4197ee8ec88600d63b3ea5a949a100bd4d503ce";
constexpr const char* kEmpty =
    "2|1:0|10:1767225600|4:user|0:|"
    "c678108b7480fff118add49e897f3c559861cc6a7a82eb1679e645fb94a3498b";
const std::string kBinaryValue("a|b:c\0\xff;", 8);

std::optional<std::string> check(std::string_view signed_form,
                                 std::chrono::sys_seconds now = kSigned,
                                 std::string_view name = "user") {
  return verify(kSecrets, name, signed_form, kMonth, now);
}

TEST(SignedValue, SignsExactlyAsTornadoVersion2) {
  EXPECT_EQ(sign(kSecrets, "user", "alice", kSigned), kAliceNew);
  EXPECT_EQ(sign(kSecrets, "session", kBinaryValue, kSigned), kBinary);
  EXPECT_EQ(sign(kSecrets, "user", "", kSigned), kEmpty);
}

TEST(SignedValue, VerifiesKnownVectors) {
  EXPECT_EQ(check(kAliceNew), "alice");
  EXPECT_EQ(check(kBinary, kSigned, "session"), kBinaryValue);
  EXPECT_EQ(check(kEmpty), "");
}

TEST(SignedValue, EverySecretVerifiesOnlyTheFirstSigns) {
  EXPECT_EQ(check(kAliceOld), "alice");  // rotated out of signing, not out
  const std::vector<std::string> only_new = {"new secret"};
  EXPECT_EQ(verify(only_new, "user", kAliceOld, kMonth, kSigned),
            std::nullopt);  // dropped from the list: no longer valid
  const std::vector<std::string> unknown = {"another secret"};
  EXPECT_EQ(verify(unknown, "user", kAliceNew, kMonth, kSigned), std::nullopt);
}

TEST(SignedValue, AnEmptySecretNeverVerifies) {
  const std::vector<std::string> empty = {"", ""};
  std::string forged = "2|1:0|10:1767225600|4:user|8:YWxpY2U=|";
  // HMAC-SHA256 under the empty key, as an attacker could compute it.
  forged += "e49144557444f7836a948048697fb12717ae91460977f8b58294ae695e091d40";
  EXPECT_EQ(verify(empty, "user", forged, kMonth, kSigned), std::nullopt);
  EXPECT_EQ(verify({}, "user", kAliceNew, kMonth, kSigned), std::nullopt);
}

TEST(SignedValue, SigningWithoutASecretIsASetupError) {
  try {
    sign({}, "user", "alice", kSigned);
    FAIL() << "no exception";
  } catch (const std::logic_error& e) {
    EXPECT_NE(std::string(e.what()).find("cookie_secrets is not set"),
              std::string::npos);
  }
  const std::vector<std::string> empty_first = {"", "old secret"};
  EXPECT_THROW(sign(empty_first, "user", "alice", kSigned), std::logic_error);
}

TEST(SignedValue, TheNameIsPartOfTheSignature) {
  EXPECT_EQ(check(kAliceNew, kSigned, "admin"), std::nullopt);
  EXPECT_EQ(check(kAliceNew, kSigned, "use"), std::nullopt);
}

TEST(SignedValue, ExpiresAfterMaxAge) {
  EXPECT_EQ(check(kAliceNew, kSigned + kMonth), "alice");
  EXPECT_EQ(check(kAliceNew, kSigned + kMonth + 1s), std::nullopt);
  EXPECT_EQ(verify(kSecrets, "user", kAliceNew, 0s, kSigned), "alice");
  EXPECT_EQ(verify(kSecrets, "user", kAliceNew, 0s, kSigned + 1s),
            std::nullopt);
}

TEST(SignedValue, RefusesAStampFarInTheFuture) {
  EXPECT_EQ(check(kAliceNew, kSigned - kMaxClockSkew), "alice");
  EXPECT_EQ(check(kAliceNew, kSigned - kMaxClockSkew - 1s), std::nullopt);
  // Signed (with the real secret) a century ahead: still refused.
  std::string future =
      sign(kSecrets, "user", "alice", kSigned + std::chrono::days(36500));
  EXPECT_EQ(check(future), std::nullopt);
}

TEST(SignedValue, EveryAlteredByteIsRefused) {
  const std::string good = kAliceNew;
  for (std::size_t i = 0; i < good.size(); ++i) {
    std::string bad = good;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    EXPECT_EQ(check(bad), std::nullopt) << "byte " << i;
  }
  for (std::size_t n = 0; n < good.size(); ++n)
    EXPECT_EQ(check(good.substr(0, n)), std::nullopt) << "prefix " << n;
  EXPECT_EQ(check(good + "0"), std::nullopt);
}

TEST(SignedValue, UppercaseSignatureIsRefused) {
  std::string upper = kAliceNew;
  for (std::size_t i = upper.rfind('|') + 1; i < upper.size(); ++i)
    upper[i] = static_cast<char>(std::toupper(upper[i]));
  EXPECT_EQ(check(upper), std::nullopt);
}

TEST(SignedValue, MalformedInputsAreAbsent) {
  const std::string sig(64, 'a');
  for (std::string bad : {
           std::string(),
           std::string("alice"),
           std::string("1|1:0|10:1767225600|4:user|8:YWxpY2U=|") + sig,
           std::string("2|"),
           std::string("2|1:0|") + sig,
           std::string("2|1:0|10:1767225600|4:user|") + sig,
           std::string("2|-1:0|10:1767225600|4:user|8:YWxpY2U=|") + sig,
           std::string("2|1:x|10:1767225600|4:user|8:YWxpY2U=|") + sig,
           std::string("2|1:0|10:-767225600|4:user|8:YWxpY2U=|") + sig,
           std::string("2|1:0|10:1767225600|99:user|8:YWxpY2U=|") + sig,
           std::string("2|1:0|10:1767225600|4:user|8:YWxpY2U=") + sig,
           std::string("2|1:0|99999999999999999999:1|4:user|8:YWxpY2U=|") + sig,
           std::string("2|1:0|10:1767225600|4:user|8:YWxpY2U=|") + sig + "|",
           std::string("2|1:0|10:1767225600|4:user|8:YWxpY2U=|") +
               std::string(64, '\0'),
       })
    EXPECT_EQ(check(bad), std::nullopt) << bad;
}

TEST(SignedValue, RoundTripsAnyBytes) {
  std::string all;
  for (int c = 0; c < 256; ++c)
    all += static_cast<char>(c);
  for (std::size_t n : {0, 1, 2, 3, 4, 255, 256}) {
    std::string value = all.substr(0, n);
    std::string s = sign(kSecrets, "v", value, kSigned);
    EXPECT_EQ(verify(kSecrets, "v", s, kMonth, kSigned), value) << n;
  }
}

}  // namespace
}  // namespace gale::signed_value
