#include "server/http/accept_encoding.hpp"

#include <gtest/gtest.h>

namespace gale {
namespace {

TEST(AcceptEncoding, ListedCodingsAreAccepted) {
  EXPECT_TRUE(accepts_encoding("gzip", "gzip"));
  EXPECT_TRUE(accepts_encoding("gzip, deflate, br", "gzip"));
  EXPECT_TRUE(accepts_encoding("br, GZIP", "gzip"));
  EXPECT_TRUE(accepts_encoding("deflate,gzip;q=0.5", "gzip"));
  EXPECT_TRUE(accepts_encoding("gzip ; q=1.0", "gzip"));
  EXPECT_TRUE(accepts_encoding("x-gzip", "gzip"));
}

TEST(AcceptEncoding, QZeroRefuses) {
  EXPECT_FALSE(accepts_encoding("gzip;q=0", "gzip"));
  EXPECT_FALSE(accepts_encoding("gzip; q=0.000", "gzip"));
  EXPECT_FALSE(accepts_encoding("gzip;Q=0.0", "gzip"));
  EXPECT_FALSE(accepts_encoding("*, gzip;q=0", "gzip"));
  EXPECT_FALSE(accepts_encoding("gzip;q=0, *", "gzip"));
  EXPECT_TRUE(accepts_encoding("gzip;q=0.001", "gzip"));
}

TEST(AcceptEncoding, WildcardCoversUnlistedCodings) {
  EXPECT_TRUE(accepts_encoding("*", "gzip"));
  EXPECT_TRUE(accepts_encoding("br, *;q=0.1", "gzip"));
  EXPECT_FALSE(accepts_encoding("*;q=0", "gzip"));
  EXPECT_TRUE(accepts_encoding("*;q=0, gzip", "gzip"));
}

TEST(AcceptEncoding, AbsentOrOtherCodingsOnly) {
  EXPECT_FALSE(accepts_encoding("", "gzip"));
  EXPECT_FALSE(accepts_encoding("identity", "gzip"));
  EXPECT_FALSE(accepts_encoding("br, deflate", "gzip"));
  EXPECT_FALSE(accepts_encoding("gzipx", "gzip"));
  EXPECT_FALSE(accepts_encoding("xgzip", "gzip"));
}

TEST(AcceptEncoding, RepeatedFieldsAreOneList) {
  RequestHeaders h;
  h.add("Accept-Encoding", "br");
  h.add("accept-encoding", "gzip");
  EXPECT_TRUE(accepts_encoding(h, "gzip"));
  RequestHeaders refused;
  refused.add("Accept-Encoding", "gzip");
  refused.add("Accept-Encoding", "gzip;q=0");
  EXPECT_FALSE(accepts_encoding(refused, "gzip"));
  EXPECT_FALSE(accepts_encoding(RequestHeaders{}, "gzip"));
}

}  // namespace
}  // namespace gale
