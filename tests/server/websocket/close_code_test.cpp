// Which close codes may travel on the wire (RFC 6455 §7.4), over every
// 16-bit value.
#include "server/websocket/close_code.hpp"

#include <gtest/gtest.h>

namespace gale::websocket {
namespace {

TEST(CloseCodeTest, ExactlyTheDocumentedRangesAreValidOnTheWire) {
  for (unsigned code = 0; code <= 0xFFFF; ++code) {
    const bool expected = (code >= 1000 && code <= 1003) ||
                          (code >= 1007 && code <= 1014) ||
                          (code >= 3000 && code <= 4999);
    ASSERT_EQ(is_valid_on_wire(static_cast<std::uint16_t>(code)), expected)
        << code;
  }
}

TEST(CloseCodeTest, LocalOnlyCodesAreNeverValidOnTheWire) {
  for (CloseCode c :
       {CloseCode::no_status, CloseCode::abnormal, CloseCode::tls_handshake})
    EXPECT_FALSE(is_valid_on_wire(to_int(c))) << to_int(c);
  EXPECT_FALSE(is_valid_on_wire(1004));
}

}  // namespace
}  // namespace gale::websocket
