// IP addresses and CIDRs (server/core/ip_network.cpp), as proxy.trusted
// reads them and the X-Forwarded-For walk matches them.
#include "server/core/ip_network.hpp"

#include <gtest/gtest.h>

#include <string>

namespace gale {
namespace {

IpAddress ip(std::string_view text) {
  const auto parsed = parse_ip_address(text);
  EXPECT_TRUE(parsed.has_value()) << text;
  return parsed.value_or(IpAddress());
}

IpNetwork net(std::string_view text) {
  const IpNetworkParse parsed = parse_ip_network(text);
  EXPECT_TRUE(parsed.network.has_value()) << text << ": " << parsed.problem;
  return parsed.network.value_or(IpNetwork());
}

std::string problem_of(std::string_view text) {
  const IpNetworkParse parsed = parse_ip_network(text);
  EXPECT_FALSE(parsed.network.has_value()) << text;
  return parsed.problem;
}

TEST(ParseIpAddress, ReadsIpv4AsMapped) {
  const IpAddress a = ip("192.0.2.7");
  EXPECT_TRUE(a.is_v4());
  EXPECT_EQ(a.to_string(), "192.0.2.7");
  EXPECT_EQ(a, ip("::ffff:192.0.2.7"));  // the same address, mapped
  EXPECT_EQ(ip("::ffff:c000:207").to_string(), "192.0.2.7");
}

TEST(ParseIpAddress, ReadsIpv6) {
  EXPECT_FALSE(ip("::1").is_v4());
  EXPECT_EQ(ip("::1").to_string(), "::1");
  EXPECT_EQ(ip("2001:DB8:0:0::1").to_string(), "2001:db8::1");
  EXPECT_EQ(ip("::").to_string(), "::");
  EXPECT_EQ(ip("::").bytes(), IpAddress().bytes());
  // The longest form inet_pton takes: 45 characters.
  EXPECT_EQ(ip("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255").to_string(),
            "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
}

TEST(ParseIpAddress, RefusesAnythingButABareAddress) {
  for (const char* bad : {"",
                          " ",
                          "1.2.3",
                          "1.2.3.4.5",
                          "256.1.1.1",
                          "01.2.3.4",
                          "1.2.3.4 ",
                          " 1.2.3.4",
                          "1.2.3.4:80",
                          "[::1]",
                          "::1%eth0",
                          "fe80::1%1",
                          ":::",
                          "1::2::3",
                          "example.com",
                          "unknown",
                          "_hidden",
                          "0x7f.0.0.1",
                          "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.2555",
                          "1.2.3.4/8"}) {
    EXPECT_FALSE(parse_ip_address(bad).has_value()) << '"' << bad << '"';
  }
  // Bytes past the text's end are not read: a NUL inside is refused too.
  EXPECT_FALSE(parse_ip_address(std::string_view("1.2.3.4\0x", 9)));
  EXPECT_FALSE(parse_ip_address(std::string(200, '1')).has_value());
}

TEST(ParseIpNetwork, BareAddressIsOneHost) {
  EXPECT_EQ(net("10.0.0.1").to_string(), "10.0.0.1/32");
  EXPECT_EQ(net("10.0.0.1").prefix(), 128u);
  EXPECT_EQ(net("2001:db8::1").to_string(), "2001:db8::1/128");
  EXPECT_TRUE(net("10.0.0.1").contains(ip("10.0.0.1")));
  EXPECT_FALSE(net("10.0.0.1").contains(ip("10.0.0.2")));
  EXPECT_TRUE(net("::1").contains(ip("::1")));
  EXPECT_FALSE(net("::1").contains(ip("::2")));
}

TEST(ParseIpNetwork, Ipv4Prefixes) {
  const IpNetwork n = net("10.0.0.0/8");
  EXPECT_EQ(n.to_string(), "10.0.0.0/8");
  EXPECT_EQ(n.prefix(), 104u);  // counted in the mapped 128-bit space
  EXPECT_TRUE(n.contains(ip("10.0.0.0")));
  EXPECT_TRUE(n.contains(ip("10.255.255.255")));
  EXPECT_FALSE(n.contains(ip("11.0.0.0")));
  EXPECT_FALSE(n.contains(ip("9.255.255.255")));
  EXPECT_FALSE(n.contains(ip("::a00:1")));  // IPv4-compatible is not mapped
  // Not on a byte boundary.
  const IpNetwork odd = net("192.168.4.0/22");
  EXPECT_TRUE(odd.contains(ip("192.168.7.255")));
  EXPECT_FALSE(odd.contains(ip("192.168.8.0")));
  EXPECT_FALSE(odd.contains(ip("192.168.3.255")));
  EXPECT_TRUE(net("1.2.3.4/32").contains(ip("1.2.3.4")));
  EXPECT_FALSE(net("1.2.3.4/32").contains(ip("1.2.3.5")));
  EXPECT_TRUE(net("1.2.3.4/31").contains(ip("1.2.3.5")));
  EXPECT_FALSE(net("1.2.3.4/31").contains(ip("1.2.3.6")));
}

TEST(ParseIpNetwork, Ipv4SlashZeroIsEveryIpv4AddressOnly) {
  const IpNetwork all = net("0.0.0.0/0");
  EXPECT_EQ(all.to_string(), "0.0.0.0/0");
  EXPECT_TRUE(all.contains(ip("0.0.0.0")));
  EXPECT_TRUE(all.contains(ip("255.255.255.255")));
  EXPECT_TRUE(all.contains(ip("::ffff:8.8.8.8")));
  EXPECT_FALSE(all.contains(ip("2001:db8::1")));
  EXPECT_FALSE(all.contains(ip("::1")));
}

TEST(ParseIpNetwork, Ipv6Prefixes) {
  const IpNetwork n = net("2001:db8::/32");
  EXPECT_EQ(n.to_string(), "2001:db8::/32");
  EXPECT_TRUE(n.contains(ip("2001:db8:ffff::1")));
  EXPECT_FALSE(n.contains(ip("2001:db9::")));
  EXPECT_FALSE(n.contains(ip("10.0.0.1")));
  EXPECT_TRUE(net("fd00::/8").contains(ip("fdff::1")));
  EXPECT_FALSE(net("fd00::/8").contains(ip("fe00::1")));
  EXPECT_TRUE(net("::/0").contains(ip("2001:db8::1")));
  EXPECT_TRUE(net("::/0").contains(ip("10.0.0.1")));  // all of IPv6, mapped too
  EXPECT_TRUE(net("::1/128").contains(ip("::1")));
  EXPECT_TRUE(net("8000::/1").contains(ip("ffff::")));
  EXPECT_FALSE(net("8000::/1").contains(ip("7fff::")));
  EXPECT_TRUE(net("::/127").contains(ip("::1")));
  EXPECT_FALSE(net("::/127").contains(ip("::2")));
}

TEST(ParseIpNetwork, MappedPeerMatchesIpv4Network) {
  // A dual-stack socket reports an IPv4 client as ::ffff:a.b.c.d.
  EXPECT_TRUE(net("127.0.0.0/8").contains(ip("::ffff:127.0.0.1")));
  EXPECT_FALSE(net("127.0.0.0/8").contains(ip("::ffff:128.0.0.1")));
  // And an IPv6 CIDR over the mapped range is an IPv4 network in disguise.
  EXPECT_EQ(net("::ffff:10.0.0.0/104"), net("10.0.0.0/8"));
  EXPECT_EQ(net("::ffff:10.0.0.0/104").to_string(), "10.0.0.0/8");
  EXPECT_EQ(net("::ffff:0:0/96").to_string(), "0.0.0.0/0");
}

TEST(ParseIpNetwork, ClearsHostBits) {
  EXPECT_EQ(net("10.1.2.3/8"), net("10.0.0.0/8"));
  EXPECT_EQ(net("10.1.2.3/8").to_string(), "10.0.0.0/8");
  EXPECT_EQ(net("2001:db8::1/32").to_string(), "2001:db8::/32");
  EXPECT_EQ(net("1.2.3.4/0").to_string(), "0.0.0.0/0");
  EXPECT_EQ(net("2001:db8::1/0").to_string(), "::/0");
}

TEST(ParseIpNetwork, RoundTripsThroughText) {
  for (const char* text :
       {"10.0.0.0/8", "0.0.0.0/0", "127.0.0.1/32", "192.168.4.0/22", "::/0",
        "::1/128", "fd00::/8", "2001:db8::/32", "2001:db8::8:0/125"}) {
    EXPECT_EQ(net(text).to_string(), text);
    EXPECT_EQ(net(net(text).to_string()), net(text));
  }
}

TEST(ParseIpNetwork, RefusesBadPrefixes) {
  EXPECT_EQ(problem_of("10.0.0.0/33"),
            "the prefix length of \"10.0.0.0/33\" must be 0..32");
  EXPECT_EQ(problem_of("::/129"),
            "the prefix length of \"::/129\" must be 0..128");
  for (const char* bad :
       {"10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/+8", "10.0.0.0/08",
        "10.0.0.0/8/8", "10.0.0.0/ 8", "10.0.0.0/8 ", "10.0.0.0/x",
        "10.0.0.0/99999999999"}) {
    EXPECT_NE(problem_of(bad).find("prefix length"), std::string::npos) << bad;
  }
}

TEST(ParseIpNetwork, RefusesBadAddresses) {
  EXPECT_EQ(problem_of("10.0.0/8"),
            "expected an IPv4 or IPv6 address or CIDR (10.0.0.0/8, fd00::/8), "
            "got \"10.0.0/8\"");
  for (const char* bad : {"", "/8", "localhost", "10.0.0.0.0/8", "[::1]/128",
                          " 10.0.0.0/8", "*", "any"}) {
    EXPECT_NE(problem_of(bad).find("expected"), std::string::npos) << bad;
  }
}

TEST(IpNetworkList, MatchesAnyOfItsNetworks) {
  const IpNetworkList none;
  EXPECT_TRUE(none.empty());
  EXPECT_FALSE(none.contains(ip("127.0.0.1")));
  const IpNetworkList list({net("10.0.0.0/8"), net("fd00::/8")});
  EXPECT_FALSE(list.empty());
  EXPECT_TRUE(list.contains(ip("10.1.1.1")));
  EXPECT_TRUE(list.contains(ip("fd12::1")));
  EXPECT_FALSE(list.contains(ip("192.0.2.1")));
  EXPECT_FALSE(list.contains(ip("2001:db8::1")));
}

}  // namespace
}  // namespace gale
