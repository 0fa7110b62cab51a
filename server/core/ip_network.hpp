// IP addresses and networks (CIDRs) as plain bytes, for `proxy.trusted`.
//
// Here rather than in server/http/ because the config layer parses and
// validates CIDRs too, and config/ may name server/core/ only. No sockets, no
// Asio: text goes through inet_pton/inet_ntop.
//
// Every address is held in the IPv6 space, IPv4 as IPv4-mapped
// (::ffff:a.b.c.d, RFC 4291 §2.5.5.2) and an IPv4 prefix /n as /96+n. So
// one comparison covers both families, and a peer that a dual-stack socket
// reports as ::ffff:127.0.0.1 is inside 127.0.0.0/8, as it should be.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gale {

class IpAddress {
 public:
  using Bytes = std::array<std::uint8_t, 16>;

  IpAddress() = default;  // ::
  // From the 4 bytes of an IPv4 address, network order.
  static IpAddress from_v4(const std::array<std::uint8_t, 4>& bytes);
  // From the 16 bytes of an IPv6 address (mapped IPv4 included).
  static IpAddress from_v6(const Bytes& bytes) { return IpAddress(bytes); }

  const Bytes& bytes() const { return bytes_; }
  // Whether this is an IPv4 address (held mapped).
  bool is_v4() const;
  // "10.0.0.1" for IPv4 (mapped ones too), "2001:db8::1" for IPv6.
  std::string to_string() const;

  friend bool operator==(const IpAddress&, const IpAddress&) = default;

 private:
  explicit IpAddress(const Bytes& bytes) : bytes_(bytes) {}
  Bytes bytes_{};
};

// A bare IPv4 or IPv6 address ("10.0.0.1", "::1", "::ffff:10.0.0.1"); no
// brackets, port, zone or surrounding space. Allocates nothing: the text is
// copied to a stack buffer for inet_pton.
std::optional<IpAddress> parse_ip_address(std::string_view text);

// An address and a prefix length, host bits zero.
class IpNetwork {
 public:
  IpNetwork() = default;  // ::/0 would be "everything": use parse_ip_network
  // `prefix` counts bits of the 128-bit (mapped) form; host bits are cleared.
  IpNetwork(const IpAddress& address, unsigned prefix);

  bool contains(const IpAddress& address) const;
  const IpAddress& address() const { return address_; }
  // In the 128-bit space: an IPv4 /8 is 104.
  unsigned prefix() const { return prefix_; }
  // "10.0.0.0/8", "2001:db8::/32": what parse_ip_network() reads back.
  std::string to_string() const;

  friend bool operator==(const IpNetwork&, const IpNetwork&) = default;

 private:
  IpAddress address_;
  unsigned prefix_ = 128;
};

// Either a network, or why the text is none ("prefix must be 0..32").
struct IpNetworkParse {
  std::optional<IpNetwork> network;
  std::string problem;
};

// "10.0.0.0/8", "2001:db8::/32", or a bare address (/32 or /128). Host bits
// past the prefix are cleared, as nginx's set_real_ip_from does:
// "10.1.2.3/8" is 10.0.0.0/8.
IpNetworkParse parse_ip_network(std::string_view text);

// A set of networks, e.g. the trusted proxies. A handful at most in
// practice, so a linear scan is the fastest lookup there is.
class IpNetworkList {
 public:
  IpNetworkList() = default;
  explicit IpNetworkList(std::vector<IpNetwork> networks)
      : networks_(std::move(networks)) {}

  bool empty() const { return networks_.empty(); }
  bool contains(const IpAddress& address) const;
  const std::vector<IpNetwork>& networks() const { return networks_; }

 private:
  std::vector<IpNetwork> networks_;
};

}  // namespace gale
