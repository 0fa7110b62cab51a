// The fixture of the request_handler_*_test.cpp files: parses a raw request
// and runs a fresh handler over it in memory, as the connection would;
// channel_ records what the handler sent (status, fields, body, framing).
#pragma once

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include <memory>
#include <string_view>
#include <utility>

#include "server/web/handler_factory.hpp"
#include "server/web/request_handler.hpp"
#include "server/web/testing/handler_harness.hpp"

namespace gale::web_test {

class RequestHandlerTest : public ::testing::Test {
 protected:
  template <class H, class... Args>
  std::shared_ptr<H> run(std::string_view raw, PathArgs args = {},
                         Args&&... ctor) {
    parse(raw);
    return std::static_pointer_cast<H>(
        harness_.run(handler<H>(std::forward<Args>(ctor)...), std::move(args)));
  }

  void parse(std::string_view raw) {
    ASSERT_TRUE(harness_.parse(raw)) << describe(harness_.parse_error());
  }

  testing::HandlerHarness harness_;
  testing::MemoryChannel& channel_ = harness_.channel();
  boost::asio::io_context& loop_ = harness_.loop();
};

inline constexpr const char* kGet = "GET /x HTTP/1.1\r\nHost: h\r\n\r\n";

}  // namespace gale::web_test
