// XSRF token forms (server/web/xsrf_token.cpp). The masked vector was
// computed outside gale, as tornado.web does (_websocket_mask):
//   m = bytes.fromhex("a1b2c3d4"); t = bytes(range(16))
//   bytes(t[i] ^ m[i % 4] for i in range(16)).hex()
#include "server/web/xsrf_token.hpp"

#include <gtest/gtest.h>

#include <string>

namespace gale::xsrf {
namespace {

Token counting() {
  Token t;
  for (std::size_t i = 0; i < t.size(); ++i)
    t[i] = static_cast<unsigned char>(i);
  return t;
}

const Mask kMask = {0xa1, 0xb2, 0xc3, 0xd4};
constexpr const char* kMasked =
    "2|a1b2c3d4|a1b3c1d7a5b7c5d3a9bbc9dfadbfcddb|1767225600";
constexpr const char* kRaw = "000102030405060708090a0b0c0d0e0f";

TEST(XsrfToken, EncodesTornadosMaskedForm) {
  EXPECT_EQ(encode(counting(), kMask, 1767225600), kMasked);
}

TEST(XsrfToken, DecodesBothForms) {
  EXPECT_EQ(decode(kMasked), counting());
  EXPECT_EQ(decode(kRaw), counting());
  EXPECT_EQ(decode("000102030405060708090A0B0C0D0E0F"), counting());
}

TEST(XsrfToken, FreshMasksGiveDifferentTextsForOneToken) {
  const Token t = random_token();
  const std::string a = encode(t, random_mask(), 1);
  std::string b = encode(t, random_mask(), 1);
  for (int i = 0; i < 8 && b == a; ++i)  // 2^-32 per draw
    b = encode(t, random_mask(), 1);
  EXPECT_NE(a, b);
  EXPECT_EQ(decode(a), t);
  EXPECT_EQ(decode(b), t);
}

TEST(XsrfToken, RandomTokensDiffer) {
  EXPECT_NE(random_token(), random_token());
}

TEST(XsrfToken, Same) {
  Token other = counting();
  other[15] ^= 1;
  EXPECT_TRUE(same(counting(), counting()));
  EXPECT_FALSE(same(counting(), other));
}

TEST(XsrfToken, MalformedTokensAreRefused) {
  for (const char* bad : {
           "",
           "2",
           "2|",
           "000102030405060708090a0b0c0d0e",      // 15 bytes
           "000102030405060708090a0b0c0d0e0f00",  // 17 bytes
           "000102030405060708090a0b0c0d0e0g",    // not hex
           " 000102030405060708090a0b0c0d0e0f",
           "2|a1b2c3d4|a1b3c1d7a5b7c5d3a9bbc9dfadbfcddb",
           "2|a1b2c3d4|a1b3c1d7a5b7c5d3a9bbc9dfadbfcddb|1|2",
           "2|a1b2c3d4|a1b3c1d7a5b7c5d3a9bbc9dfadbfcddb|",
           "2|a1b2c3d4|a1b3c1d7a5b7c5d3a9bbc9dfadbfcddb|-1",
           "2|a1b2c3d4|a1b3c1d7a5b7c5d3a9bbc9dfadbfcddb|x",
           "2|a1b2c3d4|a1b3c1d7a5b7c5d3a9bbc9dfadbfcddb|99999999999999999999",
           "2|a1b2c3|a1b3c1d7a5b7c5d3a9bbc9dfadbfcddb|1",
           "2|a1b2c3d4|a1b3c1d7a5b7c5d3a9bbc9dfadbfcd|1",
           "3|a1b2c3d4|a1b3c1d7a5b7c5d3a9bbc9dfadbfcddb|1",
           "2||||",
       })
    EXPECT_EQ(decode(bad), std::nullopt) << bad;
}

}  // namespace
}  // namespace gale::xsrf
