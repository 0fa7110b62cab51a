// The `proxy:` section read by config/yaml_sections.cpp (SPEC §2, §7):
// proxy.trusted, its default, every accepted form and every refusal with
// file:line:column.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "read_yaml.hpp"

namespace gale {
namespace {

using ::testing::ElementsAre;
using testing::errors_of;
using ::testing::IsEmpty;
using testing::read;
using testing::Read;

std::vector<std::string> texts(const std::vector<IpNetwork>& networks) {
  std::vector<std::string> out;
  for (const IpNetwork& n : networks)
    out.push_back(n.to_string());
  return out;
}

TEST(ReadYaml, ProxyTrustsNobodyByDefault) {
  EXPECT_THAT(read("").config.proxy.trusted, IsEmpty());
  const Read empty_section = read("proxy:\n");
  EXPECT_THAT(empty_section.errors, IsEmpty());
  EXPECT_THAT(empty_section.config.proxy.trusted, IsEmpty());
  const Read empty_list = read("proxy:\n  trusted: []\n");
  EXPECT_THAT(empty_list.errors, IsEmpty());
  EXPECT_THAT(empty_list.config.proxy.trusted, IsEmpty());
}

TEST(ReadYaml, ReadsTrustedProxies) {
  const Read r = read(R"(
proxy:
  trusted:
    - 127.0.0.0/8
    - 10.1.2.3
    - "::1"
    - fd00::/8
    - 192.168.7.9/22
    - 0.0.0.0/0
)");
  ASSERT_THAT(r.errors, IsEmpty());
  EXPECT_THAT(texts(r.config.proxy.trusted),
              ElementsAre("127.0.0.0/8", "10.1.2.3/32", "::1/128", "fd00::/8",
                          "192.168.4.0/22", "0.0.0.0/0"));
}

TEST(ReadYaml, TrustedProxiesAsAFlowList) {
  const Read r = read("proxy: {trusted: [127.0.0.1, \"2001:db8::/32\"]}\n");
  ASSERT_THAT(r.errors, IsEmpty());
  EXPECT_THAT(texts(r.config.proxy.trusted),
              ElementsAre("127.0.0.1/32", "2001:db8::/32"));
}

TEST(ReadYamlErrors, TrustedProxiesMustBeAList) {
  EXPECT_THAT(errors_of("proxy:\n  trusted: 10.0.0.0/8\n"),
              ElementsAre("gale.yaml:2:3: proxy.trusted: expected a list of "
                          "CIDRs, got \"10.0.0.0/8\""));
  EXPECT_THAT(errors_of("proxy:\n  trusted:\n"),
              ElementsAre("gale.yaml:2:3: proxy.trusted: expected a list of "
                          "CIDRs, got nothing"));
  EXPECT_THAT(errors_of("proxy:\n  trusted:\n    - [10.0.0.0/8]\n"),
              ElementsAre("gale.yaml:3:7: proxy.trusted[0]: expected an IP "
                          "address or CIDR, got a list"));
  EXPECT_THAT(errors_of("proxy: [10.0.0.0/8]\n"),
              ElementsAre("gale.yaml:1:1: proxy: expected a mapping of "
                          "keys, got a list"));
}

TEST(ReadYamlErrors, TrustedProxiesMustBeCidrs) {
  EXPECT_THAT(
      errors_of("proxy:\n  trusted:\n    - 10.0.0.0/8\n    - localhost\n"
                "    - 10.0.0.0/33\n    - \"::/129\"\n    - 10.0.0.0/\n"
                "    - \"[::1]\"\n    - 10.0.0.1:80\n"),
      ElementsAre(
          "gale.yaml:4:7: proxy.trusted[1]: expected an IPv4 or IPv6 address "
          "or CIDR (10.0.0.0/8, fd00::/8), got \"localhost\"",
          "gale.yaml:5:7: proxy.trusted[2]: the prefix length of "
          "\"10.0.0.0/33\" must be 0..32",
          "gale.yaml:6:7: proxy.trusted[3]: the prefix length of \"::/129\" "
          "must be 0..128",
          "gale.yaml:7:7: proxy.trusted[4]: the prefix length of "
          "\"10.0.0.0/\" must be 0..32",
          "gale.yaml:8:7: proxy.trusted[5]: expected an IPv4 or IPv6 address "
          "or CIDR (10.0.0.0/8, fd00::/8), got \"[::1]\"",
          "gale.yaml:9:7: proxy.trusted[6]: expected an IPv4 or IPv6 address "
          "or CIDR (10.0.0.0/8, fd00::/8), got \"10.0.0.1:80\""));
}

TEST(ReadYamlErrors, TrustedProxyListedTwice) {
  // Twice once host bits are cleared.
  EXPECT_THAT(errors_of("proxy:\n  trusted: [10.0.0.0/8, 10.9.9.9/8]\n"),
              ElementsAre("gale.yaml:2:25: proxy.trusted[1]: \"10.0.0.0/8\" "
                          "is listed twice (also proxy.trusted[0])"));
}

TEST(ReadYamlErrors, UnknownProxyKey) {
  EXPECT_THAT(errors_of("proxy:\n  trustd: []\n"),
              ElementsAre("gale.yaml:2:3: unknown key "
                          "\"proxy.trustd\" (did you mean "
                          "\"proxy.trusted\"?)"));
}

}  // namespace
}  // namespace gale
