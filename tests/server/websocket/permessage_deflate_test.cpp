// permessage-deflate offers (RFC 7692 §7): parameter validation, declined
// offers, fallbacks, and the negotiated response.
#include "server/websocket/permessage_deflate.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace gale::websocket {
namespace {

using Offers = std::vector<DeflateOffer>;

// The negotiated response header, or "-" when compression is declined.
std::string response(std::string_view header) {
  std::optional<DeflateAgreement> a = negotiate_deflate(header);
  return a ? a->response : "-";
}

TEST(PermessageDeflateTest, PlainOfferIsAcceptedWithDefaults) {
  std::optional<DeflateAgreement> a = negotiate_deflate("permessage-deflate");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->response, "permessage-deflate; server_no_context_takeover");
  EXPECT_TRUE(a->server_no_context_takeover);
  EXPECT_FALSE(a->client_no_context_takeover);
  EXPECT_EQ(a->server_max_window_bits, 15);
}

TEST(PermessageDeflateTest, BrowserOfferIsAcceptedWithoutClientWindowBits) {
  // What Chrome and Firefox send.
  EXPECT_EQ(response("permessage-deflate; client_max_window_bits"),
            "permessage-deflate; server_no_context_takeover");
}

TEST(PermessageDeflateTest, EveryParameterIsParsedAndEchoedAsRequired) {
  const std::string_view h =
      "permessage-deflate; client_max_window_bits=10; "
      "server_max_window_bits=12; server_no_context_takeover; "
      "client_no_context_takeover";
  EXPECT_EQ(parse_deflate_offers(h),
            (Offers{{.server_no_context_takeover = true,
                     .client_no_context_takeover = true,
                     .server_max_window_bits = 12,
                     .client_max_window_bits = true,
                     .client_max_window_bits_value = 10}}));
  std::optional<DeflateAgreement> a = negotiate_deflate(h);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->response,
            "permessage-deflate; server_no_context_takeover; "
            "client_no_context_takeover; server_max_window_bits=12");
  EXPECT_TRUE(a->server_no_context_takeover);
  EXPECT_TRUE(a->client_no_context_takeover);
  EXPECT_EQ(a->server_max_window_bits, 12);
}

TEST(PermessageDeflateTest, WindowBitsFrom8To15AreValid) {
  for (int bits = 8; bits <= 15; ++bits) {
    const std::string h =
        "permessage-deflate; server_max_window_bits=" + std::to_string(bits);
    Offers offers = parse_deflate_offers(h);
    ASSERT_EQ(offers.size(), 1u) << bits;
    EXPECT_EQ(offers[0].server_max_window_bits, bits);
  }
}

TEST(PermessageDeflateTest, WindowBitsOutsideTheGrammarDeclineTheOffer) {
  for (std::string_view v : {"7", "16", "08", "0", "", "abc", "15.0", "-9"}) {
    const std::string server =
        "permessage-deflate; server_max_window_bits=" + std::string(v);
    const std::string client =
        "permessage-deflate; client_max_window_bits=" + std::string(v);
    EXPECT_EQ(parse_deflate_offers(server), Offers{}) << v;
    EXPECT_EQ(parse_deflate_offers(client), Offers{}) << v;
    EXPECT_EQ(response(server), "-") << v;
  }
}

TEST(PermessageDeflateTest, ServerWindowBitsNeedAValue) {
  EXPECT_EQ(response("permessage-deflate; server_max_window_bits"), "-");
}

TEST(PermessageDeflateTest, QuotedValuesAreUnquoted) {
  EXPECT_EQ(response("permessage-deflate; server_max_window_bits=\"10\""),
            "permessage-deflate; server_no_context_takeover; "
            "server_max_window_bits=10");
  EXPECT_EQ(response("permessage-deflate; server_max_window_bits=\"1\\0\""),
            "permessage-deflate; server_no_context_takeover; "
            "server_max_window_bits=10");
}

TEST(PermessageDeflateTest, DuplicateParametersDeclineTheOffer) {
  EXPECT_EQ(response("permessage-deflate; server_no_context_takeover; "
                     "server_no_context_takeover"),
            "-");
  EXPECT_EQ(response("permessage-deflate; server_max_window_bits=10; "
                     "server_max_window_bits=10"),
            "-");
}

TEST(PermessageDeflateTest, UnknownParametersDeclineTheOffer) {
  EXPECT_EQ(response("permessage-deflate; foo"), "-");
  EXPECT_EQ(response("permessage-deflate; mem_level=8"), "-");
}

TEST(PermessageDeflateTest, FlagsWithAValueDeclineTheOffer) {
  EXPECT_EQ(response("permessage-deflate; server_no_context_takeover=1"), "-");
  EXPECT_EQ(response("permessage-deflate; client_no_context_takeover=\"\""),
            "-");
}

TEST(PermessageDeflateTest, TheFirstAcceptableOfferWins) {
  EXPECT_EQ(response("permessage-deflate; foo=1, permessage-deflate; "
                     "server_no_context_takeover, permessage-deflate"),
            "permessage-deflate; server_no_context_takeover");
  EXPECT_EQ(parse_deflate_offers("permessage-deflate; foo, permessage-deflate")
                .size(),
            1u);
}

TEST(PermessageDeflateTest, ServerWindowOf8IsDeclinedBecauseZlibCannot) {
  EXPECT_EQ(parse_deflate_offers("permessage-deflate; server_max_window_bits=8")
                .size(),
            1u);
  EXPECT_EQ(response("permessage-deflate; server_max_window_bits=8"), "-");
  EXPECT_EQ(response("permessage-deflate; server_max_window_bits=8, "
                     "permessage-deflate; server_max_window_bits=9"),
            "permessage-deflate; server_no_context_takeover; "
            "server_max_window_bits=9");
}

TEST(PermessageDeflateTest, OtherExtensionsAreIgnored) {
  EXPECT_EQ(response("x-webkit-deflate-frame, permessage-deflate"),
            "permessage-deflate; server_no_context_takeover");
  EXPECT_EQ(response("foo; a=\"x, y; z\", permessage-deflate"),
            "permessage-deflate; server_no_context_takeover");
  EXPECT_EQ(response("x-webkit-deflate-frame"), "-");
  EXPECT_EQ(response(""), "-");
}

TEST(PermessageDeflateTest, NamesAreCaseInsensitive) {
  EXPECT_EQ(response("PerMessage-Deflate; Server_No_Context_Takeover"),
            "permessage-deflate; server_no_context_takeover");
}

TEST(PermessageDeflateTest, SyntaxErrorsDeclineEverything) {
  EXPECT_EQ(response("permessage-deflate; server_max_window_bits=\"10"), "-");
  EXPECT_EQ(response("permessage-deflate; ; server_no_context_takeover"), "-");
  EXPECT_EQ(response("permessage-deflate server_no_context_takeover"), "-");
  EXPECT_EQ(response("permessage-deflate, @"), "-");
  EXPECT_EQ(response("permessage-deflate; a="), "-");
}

TEST(PermessageDeflateTest, EmptyListElementsAndOwsAreTolerated) {
  EXPECT_EQ(response(" , permessage-deflate ;\tserver_no_context_takeover , "),
            "permessage-deflate; server_no_context_takeover");
}

}  // namespace
}  // namespace gale::websocket
