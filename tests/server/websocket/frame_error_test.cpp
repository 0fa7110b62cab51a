// Every FrameError maps to its documented close code and has a distinct
// description.
#include "server/websocket/frame_error.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string_view>
#include <utility>

namespace gale::websocket {
namespace {

TEST(FrameErrorTest, EachErrorMapsToItsDocumentedCloseCode) {
  const std::pair<FrameError, std::uint16_t> expected[] = {
      {FrameError::unmasked_frame, 1002},
      {FrameError::reserved_bits, 1002},
      {FrameError::reserved_opcode, 1002},
      {FrameError::fragmented_control_frame, 1002},
      {FrameError::control_frame_too_long, 1002},
      {FrameError::unexpected_continuation, 1002},
      {FrameError::expected_continuation, 1002},
      {FrameError::non_minimal_length, 1002},
      {FrameError::length_too_large, 1002},
      {FrameError::message_too_big, 1009},
      {FrameError::invalid_utf8, 1007},
      {FrameError::bad_close_payload, 1002},
      {FrameError::invalid_close_code, 1002},
      {FrameError::invalid_close_reason, 1007},
  };
  std::set<std::string_view> descriptions{describe(FrameError::none)};
  for (auto [error, code] : expected) {
    EXPECT_EQ(to_int(close_code_for(error)), code) << describe(error);
    EXPECT_TRUE(is_valid_on_wire(code));
    EXPECT_TRUE(descriptions.insert(describe(error)).second)
        << "duplicate description " << describe(error);
  }
}

}  // namespace
}  // namespace gale::websocket
