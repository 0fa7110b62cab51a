// Handshake checks: the RFC 6455 accept vector, client keys, token lists,
// version, subprotocols, origins, and the status of each failed check.
#include "server/websocket/handshake.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace gale::websocket {
namespace {

using Origins = std::vector<std::string>;

TEST(HandshakeTest, AcceptKeyMatchesTheRfcVector) {
  // RFC 6455 §1.3 (note the lower-case "zz"; Python's hashlib and
  // `openssl sha1 | base64` agree).
  EXPECT_EQ(accept_key("dGhlIHNhbXBsZSBub25jZQ=="),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  EXPECT_EQ(accept_key("x3JJHMbDL1EzLkh9GBhXDw=="),
            "HSmrc0sMlYUkAGmm5OPpG2HaGWk=");  // a second pair, from hashlib
}

TEST(HandshakeTest, KeyOfSixteenBase64BytesIsValid) {
  EXPECT_TRUE(is_valid_client_key("dGhlIHNhbXBsZSBub25jZQ=="));
  EXPECT_TRUE(is_valid_client_key("AAAAAAAAAAAAAAAAAAAAAA=="));
  EXPECT_TRUE(is_valid_client_key("+/+/+/+/+/+/+/+/+/+/+w=="));
}

TEST(HandshakeTest, KeysOfOtherLengthsAreInvalid) {
  EXPECT_FALSE(is_valid_client_key(""));
  EXPECT_FALSE(is_valid_client_key("AAAAAAAAAAAAAAAAAAAA"));      // 15 bytes
  EXPECT_FALSE(is_valid_client_key("AAAAAAAAAAAAAAAAAAAAAAA="));  // 17 bytes
  EXPECT_FALSE(is_valid_client_key("AAAAAAAAAAAAAAAAAAAAAAAA"));  // 18 bytes
  EXPECT_FALSE(is_valid_client_key("AAAAAAAAAAAAAAAAAAAAAA"));    // no pad
  EXPECT_FALSE(is_valid_client_key("dGhlIHNhbXBsZSBub25jZQ==AAAA"));
}

TEST(HandshakeTest, KeysThatAreNotBase64AreInvalid) {
  EXPECT_FALSE(is_valid_client_key("dGhlIHNhbXBsZSBub25jZ!=="));
  EXPECT_FALSE(is_valid_client_key("dGhlIHNhbXBsZSBu b25jZ=="));
  EXPECT_FALSE(is_valid_client_key(" dGhlIHNhbXBsZSBub25jZQ="));
  EXPECT_FALSE(is_valid_client_key("dGhlIHNhbXBsZSBub2=jZQ=="));
  EXPECT_FALSE(is_valid_client_key("dGhlIHNhbXBsZSBub25jZQ=\n"));
}

TEST(HandshakeTest, TokenListsAreMatchedCaseInsensitivelyAcrossOws) {
  EXPECT_TRUE(has_token("Upgrade", "upgrade"));
  EXPECT_TRUE(has_token("keep-alive, Upgrade", "upgrade"));
  EXPECT_TRUE(has_token(" \tUPGRADE\t ,keep-alive", "upgrade"));
  EXPECT_TRUE(has_token(",,upgrade,", "upgrade"));
  EXPECT_FALSE(has_token("upgraded", "upgrade"));
  EXPECT_FALSE(has_token("keep-alive", "upgrade"));
  EXPECT_FALSE(has_token("", "upgrade"));
  EXPECT_FALSE(has_token("up grade", "upgrade"));
}

TEST(HandshakeTest, UpgradeMustListWebsocket) {
  EXPECT_TRUE(is_websocket_upgrade("websocket"));
  EXPECT_TRUE(is_websocket_upgrade("WebSocket"));
  EXPECT_TRUE(is_websocket_upgrade("h2c, websocket"));
  EXPECT_FALSE(is_websocket_upgrade("h2c"));
  EXPECT_FALSE(is_websocket_upgrade("websockets"));
  EXPECT_TRUE(connection_has_upgrade("keep-alive, Upgrade"));
  EXPECT_FALSE(connection_has_upgrade("close"));
}

TEST(HandshakeTest, OnlyVersion13IsSupported) {
  EXPECT_TRUE(is_supported_version("13"));
  EXPECT_TRUE(is_supported_version(" 13 "));
  EXPECT_FALSE(is_supported_version("8"));
  EXPECT_FALSE(is_supported_version("13, 8"));
  EXPECT_FALSE(is_supported_version("013"));
  EXPECT_FALSE(is_supported_version(""));
}

TEST(HandshakeTest, SubprotocolOffersAreParsedInOrder) {
  using List = std::vector<std::string_view>;
  EXPECT_EQ(parse_subprotocols("chat, superchat"), (List{"chat", "superchat"}));
  EXPECT_EQ(parse_subprotocols(" a ,, b "), (List{"a", "b"}));
  EXPECT_EQ(parse_subprotocols(""), List{});
  EXPECT_EQ(parse_subprotocols("a b, c"), List{});  // not a token: invalid
  EXPECT_EQ(parse_subprotocols("a, \"b\""), List{});
}

TEST(HandshakeTest, SelectedSubprotocolIsTheClientsFirstSupportedOne) {
  const std::vector<std::string_view> supported = {"v1.chat", "v2.chat"};
  EXPECT_EQ(select_subprotocol("v2.chat, v1.chat", supported), "v2.chat");
  EXPECT_EQ(select_subprotocol("mqtt, v1.chat", supported), "v1.chat");
  EXPECT_EQ(select_subprotocol("mqtt", supported), std::nullopt);
  EXPECT_EQ(select_subprotocol("V1.CHAT", supported), std::nullopt);
  EXPECT_EQ(select_subprotocol("", supported), std::nullopt);
}

TEST(HandshakeTest, AbsentOriginIsAlwaysAllowed) {
  EXPECT_TRUE(origin_allowed(std::nullopt, "example.com", Origins{}));
  EXPECT_TRUE(origin_allowed(std::nullopt, "x", Origins{"https://a.example"}));
}

TEST(HandshakeTest, EmptyAllowListMeansSameHostOnly) {
  const Origins none;
  EXPECT_TRUE(origin_allowed("http://example.com", "example.com", none));
  EXPECT_TRUE(
      origin_allowed("https://EXAMPLE.com:8443", "example.com:8443", none));
  EXPECT_FALSE(origin_allowed("http://example.com:8080", "example.com", none));
  EXPECT_FALSE(origin_allowed("http://evil.com", "example.com", none));
  EXPECT_FALSE(
      origin_allowed("http://example.com.evil.com", "example.com", none));
  EXPECT_FALSE(
      origin_allowed("http://evil.com/example.com", "example.com", none));
  EXPECT_FALSE(origin_allowed("null", "example.com", none));
  EXPECT_FALSE(origin_allowed("example.com", "example.com", none));
  EXPECT_FALSE(origin_allowed("", "", none));
}

TEST(HandshakeTest, StarAllowsAnyOrigin) {
  EXPECT_TRUE(origin_allowed("http://evil.com", "example.com", Origins{"*"}));
  EXPECT_TRUE(
      origin_allowed("null", "example.com", Origins{"https://a.example", "*"}));
}

TEST(HandshakeTest, AllowListMatchesWholeOrigins) {
  const Origins list = {"https://a.example", "http://b.example:8080"};
  EXPECT_TRUE(origin_allowed("https://a.example", "gale.local", list));
  EXPECT_TRUE(origin_allowed("HTTPS://A.example", "gale.local", list));
  EXPECT_TRUE(origin_allowed("http://b.example:8080", "gale.local", list));
  EXPECT_FALSE(origin_allowed("http://a.example", "gale.local", list));
  EXPECT_FALSE(origin_allowed("http://b.example", "gale.local", list));
  EXPECT_FALSE(origin_allowed("https://a.example.evil", "gale.local", list));
  // An allow-list replaces the same-host rule.
  EXPECT_FALSE(origin_allowed("http://gale.local", "gale.local", list));
}

HandshakeRequest good_request() {
  return {.upgrade = "websocket",
          .connection = "Upgrade",
          .key = "dGhlIHNhbXBsZSBub25jZQ==",
          .version = "13",
          .origin = "http://gale.local",
          .host = "gale.local"};
}

TEST(HandshakeTest, AValidRequestPassesEveryCheck) {
  EXPECT_EQ(check_handshake(good_request(), Origins{}), HandshakeError::none);
  HandshakeRequest r = good_request();
  r.origin.reset();
  EXPECT_EQ(check_handshake(r, Origins{}), HandshakeError::none);
}

TEST(HandshakeTest, EachFailedCheckHasItsStatusAndReason) {
  struct Case {
    void (*mutate)(HandshakeRequest&);
    HandshakeError error;
    int status;
  };
  const Case cases[] = {
      {[](HandshakeRequest& r) { r.upgrade.reset(); },
       HandshakeError::not_websocket_upgrade, 400},
      {[](HandshakeRequest& r) { r.upgrade = "h2c"; },
       HandshakeError::not_websocket_upgrade, 400},
      {[](HandshakeRequest& r) { r.connection.reset(); },
       HandshakeError::connection_not_upgrade, 400},
      {[](HandshakeRequest& r) { r.connection = "keep-alive"; },
       HandshakeError::connection_not_upgrade, 400},
      {[](HandshakeRequest& r) { r.version.reset(); },
       HandshakeError::unsupported_version, 426},
      {[](HandshakeRequest& r) { r.version = "8"; },
       HandshakeError::unsupported_version, 426},
      {[](HandshakeRequest& r) { r.key.reset(); }, HandshakeError::bad_key,
       400},
      {[](HandshakeRequest& r) { r.key = "c2hvcnQ="; }, HandshakeError::bad_key,
       400},
      {[](HandshakeRequest& r) { r.origin = "http://evil.com"; },
       HandshakeError::origin_not_allowed, 403},
  };
  for (const Case& c : cases) {
    HandshakeRequest r = good_request();
    c.mutate(r);
    const HandshakeError e = check_handshake(r, Origins{});
    EXPECT_EQ(e, c.error) << describe(c.error);
    EXPECT_EQ(status_for(e), c.status) << describe(e);
    EXPECT_FALSE(describe(e).empty());
  }
  EXPECT_EQ(status_for(HandshakeError::none), 0);
}

}  // namespace
}  // namespace gale::websocket
