#include "server/core/ip_network.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <charconv>
#include <cstring>

namespace gale {
namespace {

// ::ffff:0:0/96, where IPv4 lives in the IPv6 space.
constexpr std::array<std::uint8_t, 12> kMappedPrefix = {0, 0, 0, 0, 0,    0,
                                                        0, 0, 0, 0, 0xff, 0xff};
constexpr unsigned kMappedBits = 96;

// The longest text inet_pton can accept (an IPv6 address ending in dotted
// IPv4), plus its NUL.
constexpr std::size_t kMaxAddressText = INET6_ADDRSTRLEN;

// Whether the first `bits` bits of `a` and `b` are equal.
bool same_prefix(const IpAddress::Bytes& a, const IpAddress::Bytes& b,
                 unsigned bits) {
  const unsigned whole = bits / 8;
  if (!std::equal(a.begin(), a.begin() + whole, b.begin())) return false;
  const unsigned rest = bits % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
  return (a[whole] & mask) == (b[whole] & mask);
}

std::optional<unsigned> parse_prefix(std::string_view digits, unsigned max) {
  unsigned value = 0;
  const char* end = digits.data() + digits.size();
  const auto [next, ec] = std::from_chars(digits.data(), end, value);
  // "/08" is refused: a leading zero looks like a typo, and no tool writes it.
  if (digits.empty() || next != end || ec != std::errc() || value > max ||
      (digits.size() > 1 && digits.front() == '0')) {
    return std::nullopt;
  }
  return value;
}

}  // namespace

IpAddress IpAddress::from_v4(const std::array<std::uint8_t, 4>& bytes) {
  Bytes mapped{};
  std::copy(kMappedPrefix.begin(), kMappedPrefix.end(), mapped.begin());
  std::copy(bytes.begin(), bytes.end(), mapped.begin() + kMappedPrefix.size());
  return IpAddress(mapped);
}

bool IpAddress::is_v4() const {
  return std::equal(kMappedPrefix.begin(), kMappedPrefix.end(), bytes_.begin());
}

std::string IpAddress::to_string() const {
  char text[kMaxAddressText] = {};
  if (is_v4()) {
    ::inet_ntop(AF_INET, bytes_.data() + kMappedPrefix.size(), text,
                sizeof text);
  } else {
    ::inet_ntop(AF_INET6, bytes_.data(), text, sizeof text);
  }
  return text;
}

std::optional<IpAddress> parse_ip_address(std::string_view text) {
  // A NUL inside would end the text early for inet_pton: "1.2.3.4\0junk".
  if (text.empty() || text.size() >= kMaxAddressText ||
      text.find('\0') != std::string_view::npos) {
    return std::nullopt;
  }
  char buffer[kMaxAddressText];
  std::memcpy(buffer, text.data(), text.size());
  buffer[text.size()] = '\0';
  // A colon says which family; inet_pton checks every other character.
  if (text.find(':') == std::string_view::npos) {
    std::array<std::uint8_t, 4> v4{};
    if (::inet_pton(AF_INET, buffer, v4.data()) != 1) return std::nullopt;
    return IpAddress::from_v4(v4);
  }
  IpAddress::Bytes v6{};
  if (::inet_pton(AF_INET6, buffer, v6.data()) != 1) return std::nullopt;
  return IpAddress::from_v6(v6);
}

IpNetwork::IpNetwork(const IpAddress& address, unsigned prefix)
    : prefix_(std::min(prefix, 128u)) {
  IpAddress::Bytes bytes = address.bytes();
  for (unsigned bit = prefix_; bit < 128; ++bit)
    bytes[bit / 8] &= static_cast<std::uint8_t>(~(0x80u >> (bit % 8)));
  address_ = IpAddress::from_v6(bytes);
}

bool IpNetwork::contains(const IpAddress& address) const {
  return same_prefix(address_.bytes(), address.bytes(), prefix_);
}

std::string IpNetwork::to_string() const {
  // A prefix shorter than /96 clears the ::ffff: marker, so a network that
  // still holds a mapped address is an IPv4 one, shown as such.
  const unsigned shown = address_.is_v4() ? prefix_ - kMappedBits : prefix_;
  return address_.to_string() + "/" + std::to_string(shown);
}

IpNetworkParse parse_ip_network(std::string_view text) {
  const std::size_t slash = text.find('/');
  const std::string_view address_text = text.substr(0, slash);
  const std::optional<IpAddress> address = parse_ip_address(address_text);
  if (!address) {
    return {std::nullopt,
            "expected an IPv4 or IPv6 address or CIDR"
            " (10.0.0.0/8, fd00::/8), got \"" +
                std::string(text) + "\""};
  }
  // The family is the text's, not the bytes': "::ffff:10.0.0.0/104" is an
  // IPv6 CIDR (prefix up to 128) that happens to cover IPv4 addresses.
  const bool v4_text = address_text.find(':') == std::string_view::npos;
  const unsigned max = v4_text ? 32 : 128;
  if (slash == std::string_view::npos) return {IpNetwork(*address, 128), {}};
  const std::optional<unsigned> prefix =
      parse_prefix(text.substr(slash + 1), max);
  if (!prefix) {
    return {std::nullopt, "the prefix length of \"" + std::string(text) +
                              "\" must be 0.." + std::to_string(max)};
  }
  return {IpNetwork(*address, v4_text ? kMappedBits + *prefix : *prefix), {}};
}

bool IpNetworkList::contains(const IpAddress& address) const {
  for (const IpNetwork& network : networks_)
    if (network.contains(address)) return true;
  return false;
}

}  // namespace gale
