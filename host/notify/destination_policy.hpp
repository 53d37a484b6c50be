#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <Poco/Net/IPAddress.h>

#include "common/result.hpp"

namespace hookhost::notify {

/// Which addresses a webhook may reach (`notify.webhook.allow`): every public address, and
/// loopback, link-local (169.254/16, fe80::/10), private (10/8, 172.16/12, 192.168/16,
/// fc00::/7), unspecified and multicast addresses only when an allow entry covers them: a
/// CIDR ("10.1.0.0/16"), an address ("127.0.0.1") or a host name ("hooks.internal", whose
/// addresses are then all allowed). IPv4-mapped IPv6 addresses count as the IPv4 address.
/// Immutable after construction; thread-safe.
class DestinationPolicy {
 public:
  /// Unprocessable, code "invalid_allow_entry", for an entry that is neither a CIDR, an
  /// address nor a host name.
  static Result<DestinationPolicy> fromAllowList(const std::vector<std::string>& entries);

  /// Resolves `host` (an address literal needs no lookup) and returns the first address
  /// the policy allows: the one to connect to, so that no second lookup can answer
  /// differently. ErrorKind::Forbidden with the reason when every address is refused;
  /// ErrorKind::Unavailable when the name does not resolve now.
  Result<Poco::Net::IPAddress> resolve(const std::string& host) const;

  /// Why `address` is refused (e.g. "127.0.0.1 is a loopback address"), nothing if allowed.
  std::optional<std::string> refusal(const Poco::Net::IPAddress& address) const;

 private:
  struct Cidr {
    std::string bytes;  // network byte order, 4 or 16 bytes
    int prefix = 0;
  };
  std::vector<Cidr> cidrs_;
  std::vector<std::string> hosts_;  // lower case
};

}  // namespace hookhost::notify
