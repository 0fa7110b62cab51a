// The application served by gale::testing::AppServer inside the test.
#include <gtest/gtest.h>
#include <gale/testing.hpp>

#include "greeter_app.hpp"

TEST(GreeterTest, GreetsByName) {
  gale::Application app = make_greeter_app();
  gale::testing::AppServer server(app);
  gale::testing::Response r = server.fetch("GET", "/greet/Ada");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "Greetings, Ada!\n");
  EXPECT_EQ(server.fetch("GET", "/nope").status, 404);
}
