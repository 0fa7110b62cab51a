// X-Forwarded-For / X-Forwarded-Proto (server/http/forwarded.cpp): every
// rule of the walk from the right, over several field lines, spaces, empty
// elements and garbage.
#include "server/http/forwarded.hpp"

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <utility>

namespace gale {
namespace {

using Fields =
    std::initializer_list<std::pair<std::string_view, std::string_view>>;

RequestHeaders headers(Fields fields) {
  RequestHeaders h;
  for (const auto& [name, value] : fields)
    h.add(name, value);
  return h;
}

IpNetworkList trusted(std::initializer_list<std::string_view> cidrs) {
  std::vector<IpNetwork> networks;
  for (std::string_view cidr : cidrs)
    networks.push_back(*parse_ip_network(cidr).network);
  return IpNetworkList(std::move(networks));
}

// Our two proxies: a balancer in 10/8, an nginx on the host.
const IpNetworkList kOurs = trusted({"10.0.0.0/8", "127.0.0.1", "fd00::/8"});

std::string client(Fields fields, const IpNetworkList& list = kOurs) {
  return std::string(forwarded_client(headers(fields), list));
}

TEST(ForwardedClient, NoFieldMeansThePeerStands) {
  EXPECT_EQ(client({}), "");
  EXPECT_EQ(client({{"Host", "a"}, {"X-Real-IP", "1.2.3.4"}}), "");
  EXPECT_EQ(client({{"X-Forwarded-For", ""}}), "");
  EXPECT_EQ(client({{"X-Forwarded-For", " , ,"}}), "");
}

TEST(ForwardedClient, OneUntrustedAddressIsTheClient) {
  EXPECT_EQ(client({{"X-Forwarded-For", "203.0.113.9"}}), "203.0.113.9");
  EXPECT_EQ(client({{"x-forwarded-for", "2001:db8::7"}}), "2001:db8::7");
}

TEST(ForwardedClient, RightmostUntrustedWins) {
  // Whatever the client wrote on the left is not believed: 198.51.100.1
  // could be a lie; 203.0.113.9 is what our balancer (10.0.0.2) saw.
  EXPECT_EQ(
      client({{"X-Forwarded-For", "198.51.100.1, 203.0.113.9, 10.0.0.2"}}),
      "203.0.113.9");
  EXPECT_EQ(client({{"X-Forwarded-For", "203.0.113.9,10.0.0.2,127.0.0.1"}}),
            "203.0.113.9");
  EXPECT_EQ(client({{"X-Forwarded-For", "fd00::1, 2001:db8::7, fd00::2"}}),
            "2001:db8::7");
}

TEST(ForwardedClient, EveryHopTrustedGivesTheLeftmost) {
  EXPECT_EQ(client({{"X-Forwarded-For", "10.0.0.7, 10.0.0.2, 127.0.0.1"}}),
            "10.0.0.7");
  EXPECT_EQ(client({{"X-Forwarded-For", "127.0.0.1"}}), "127.0.0.1");
}

TEST(ForwardedClient, SeveralFieldLinesAreOneList) {
  // RFC 9110 §5.3: the lines joined with commas, in order.
  EXPECT_EQ(client({{"X-Forwarded-For", "198.51.100.1, 203.0.113.9"},
                    {"Accept", "*/*"},
                    {"X-Forwarded-For", "10.0.0.2"}}),
            "203.0.113.9");
  EXPECT_EQ(client({{"X-Forwarded-For", "203.0.113.9"},
                    {"X-Forwarded-For", "10.0.0.2, 127.0.0.1"}}),
            "203.0.113.9");
  // The last line's untrusted address comes before anything earlier.
  EXPECT_EQ(client({{"X-Forwarded-For", "198.51.100.1"},
                    {"X-Forwarded-For", "203.0.113.9"}}),
            "203.0.113.9");
  EXPECT_EQ(client({{"X-Forwarded-For", "10.0.0.9"},
                    {"X-Forwarded-For", ""},
                    {"X-Forwarded-For", "10.0.0.2"}}),
            "10.0.0.9");
}

TEST(ForwardedClient, SpacesAndEmptyElementsAreSkipped) {
  EXPECT_EQ(client({{"X-Forwarded-For", "  203.0.113.9\t,\t10.0.0.2  "}}),
            "203.0.113.9");
  EXPECT_EQ(client({{"X-Forwarded-For", "203.0.113.9,,10.0.0.2,"}}),
            "203.0.113.9");
  EXPECT_EQ(client({{"X-Forwarded-For", ",10.0.0.7, ,"}}), "10.0.0.7");
}

TEST(ForwardedClient, GarbageStopsTheWalkAtTheLastGoodAddress) {
  // Nobody we trust writes "unknown": the trusted hop to its right stands.
  EXPECT_EQ(client({{"X-Forwarded-For", "203.0.113.9, unknown, 10.0.0.2"}}),
            "10.0.0.2");
  EXPECT_EQ(client({{"X-Forwarded-For", "1.2.3.4:5678, 10.0.0.2"}}),
            "10.0.0.2");
  EXPECT_EQ(client({{"X-Forwarded-For", "[2001:db8::7], fd00::2"}}), "fd00::2");
  EXPECT_EQ(client({{"X-Forwarded-For", "example.com, 127.0.0.1"}}),
            "127.0.0.1");
  // Rightmost is garbage: no good address at all, the peer stands.
  EXPECT_EQ(client({{"X-Forwarded-For", "203.0.113.9, garbage"}}), "");
  EXPECT_EQ(client({{"X-Forwarded-For", "203.0.113.9"},
                    {"X-Forwarded-For", "999.1.1.1"}}),
            "");
  // Garbage left of the client is never reached.
  EXPECT_EQ(client({{"X-Forwarded-For", "garbage, 203.0.113.9, 10.0.0.2"}}),
            "203.0.113.9");
}

TEST(ForwardedClient, MappedAddressesMatchIpv4Networks) {
  EXPECT_EQ(client({{"X-Forwarded-For", "203.0.113.9, ::ffff:10.0.0.2"}}),
            "203.0.113.9");
  EXPECT_EQ(client({{"X-Forwarded-For", "::ffff:203.0.113.9"}}),
            "::ffff:203.0.113.9");  // as sent
}

TEST(ForwardedClient, WithNothingTrustedTheRightmostIsTheClient) {
  // The caller only walks for a trusted peer; its own list decides the rest.
  EXPECT_EQ(
      client({{"X-Forwarded-For", "10.0.0.7, 10.0.0.2"}}, IpNetworkList()),
      "10.0.0.2");
}

std::string proto(Fields fields) {
  return std::string(forwarded_proto(headers(fields)));
}

TEST(ForwardedProto, HttpOrHttpsInLowerCase) {
  EXPECT_EQ(proto({}), "");
  EXPECT_EQ(proto({{"X-Forwarded-Proto", "https"}}), "https");
  EXPECT_EQ(proto({{"X-Forwarded-Proto", "HTTPS"}}), "https");
  EXPECT_EQ(proto({{"x-forwarded-proto", " Http "}}), "http");
}

TEST(ForwardedProto, AnythingElseIsIgnored) {
  for (const char* bad : {"", "ws", "wss", "ftp", "https2", "http s", ","}) {
    EXPECT_EQ(proto({{"X-Forwarded-Proto", bad}}), "") << bad;
  }
}

TEST(ForwardedProto, RightmostElementOfTheList) {
  EXPECT_EQ(proto({{"X-Forwarded-Proto", "http, https"}}), "https");
  EXPECT_EQ(proto({{"X-Forwarded-Proto", "https,http"}}), "http");
  EXPECT_EQ(proto({{"X-Forwarded-Proto", "https, "}}), "https");
  EXPECT_EQ(
      proto({{"X-Forwarded-Proto", "http"}, {"X-Forwarded-Proto", "https"}}),
      "https");
  // The rightmost is not a scheme: ignored, not skipped for an earlier one.
  EXPECT_EQ(proto({{"X-Forwarded-Proto", "https, gopher"}}), "");
}

}  // namespace
}  // namespace gale
