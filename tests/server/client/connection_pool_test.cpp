// The keep-alive pool's bookkeeping, with connections that never connect:
// which one take() hands out, and which ones the bounds close.
#include "server/client/connection_pool.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

namespace gale::client {
namespace {

using namespace std::chrono_literals;
using Clock = ConnectionPool::Clock;

class ConnectionPoolTest : public ::testing::Test {
 protected:
  std::unique_ptr<Connection> connection() {
    return std::make_unique<Connection>(loop_.get_executor());
  }
  boost::asio::io_context loop_;
  const Clock::time_point t0_ = Clock::now();
};

TEST_F(ConnectionPoolTest, HandsOutTheWarmestConnectionOfThatOrigin) {
  ConnectionPool pool;
  auto a = connection(), b = connection(), other = connection();
  Connection* first = a.get();
  Connection* second = b.get();
  pool.put("h:80", std::move(a), t0_);
  pool.put("h:80", std::move(b), t0_ + 1s);
  pool.put("g:80", std::move(other), t0_);
  EXPECT_EQ(pool.idle("h:80"), 2u);
  EXPECT_EQ(pool.idle_total(), 3u);
  EXPECT_EQ(pool.take("h:80", t0_ + 2s).get(), second);
  EXPECT_EQ(pool.take("h:80", t0_ + 2s).get(), first);
  EXPECT_EQ(pool.take("h:80", t0_ + 2s), nullptr);
  EXPECT_EQ(pool.take("h:81", t0_ + 2s), nullptr);  // the port is the origin
  EXPECT_EQ(pool.idle_total(), 1u);
}

TEST_F(ConnectionPoolTest, KeepsAtMostMaxIdlePerHostClosingTheOldest) {
  ConnectionPool pool({.max_idle_per_host = 2, .max_idle_total = 10});
  auto a = connection(), b = connection(), c = connection();
  Connection* kept_b = b.get();
  Connection* kept_c = c.get();
  pool.put("h:80", std::move(a), t0_);
  pool.put("h:80", std::move(b), t0_ + 1s);
  pool.put("h:80", std::move(c), t0_ + 2s);
  EXPECT_EQ(pool.idle("h:80"), 2u);
  EXPECT_EQ(pool.take("h:80", t0_ + 3s).get(), kept_c);
  EXPECT_EQ(pool.take("h:80", t0_ + 3s).get(), kept_b);
}

TEST_F(ConnectionPoolTest, KeepsAtMostMaxIdleTotalClosingTheOldestAnywhere) {
  ConnectionPool pool({.max_idle_per_host = 4, .max_idle_total = 2});
  pool.put("old:80", connection(), t0_);
  pool.put("h:80", connection(), t0_ + 1s);
  pool.put("g:80", connection(), t0_ + 2s);
  EXPECT_EQ(pool.idle_total(), 2u);
  EXPECT_EQ(pool.idle("old:80"), 0u);
  EXPECT_EQ(pool.idle("h:80"), 1u);
  EXPECT_EQ(pool.idle("g:80"), 1u);
}

TEST_F(ConnectionPoolTest, ExpiresIdleConnections) {
  ConnectionPool pool({.idle_timeout = 10s});
  pool.put("h:80", connection(), t0_);
  pool.put("h:80", connection(), t0_ + 5s);
  pool.put("g:80", connection(), t0_);
  EXPECT_NE(pool.take("h:80", t0_ + 12s), nullptr);  // the 5 s one
  EXPECT_EQ(pool.idle_total(), 0u);  // both 0 s ones expired, g's too
  pool.put("h:80", connection(), t0_ + 20s);
  EXPECT_EQ(pool.take("h:80", t0_ + 30s), nullptr);  // exactly the timeout
}

TEST_F(ConnectionPoolTest, AClosedPoolKeepsNothing) {
  ConnectionPool pool;
  pool.put("h:80", connection(), t0_);
  pool.close();
  EXPECT_TRUE(pool.closed());
  EXPECT_EQ(pool.idle_total(), 0u);
  pool.put("h:80", connection(), t0_);
  EXPECT_EQ(pool.idle_total(), 0u);
}

TEST_F(ConnectionPoolTest, ZeroBoundsKeepNothing) {
  ConnectionPool pool({.max_idle_per_host = 0});
  pool.put("h:80", connection(), t0_);
  EXPECT_EQ(pool.idle_total(), 0u);
}

}  // namespace
}  // namespace gale::client
