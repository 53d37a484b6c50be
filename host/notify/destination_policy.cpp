#include "notify/destination_policy.hpp"

#include <algorithm>
#include <cctype>

#include <Poco/Exception.h>
#include <Poco/Net/DNS.h>
#include <Poco/Net/HostEntry.h>
#include <Poco/NumberParser.h>
#include <Poco/String.h>

namespace hookhost::notify {
namespace {

using Poco::Net::IPAddress;

// The address's bytes in network order; an IPv4-mapped IPv6 address as its IPv4 bytes, so
// that ::ffff:127.0.0.1 is checked as the loopback address it reaches.
std::string bytesOf(const IPAddress& address) {
  std::string bytes(static_cast<const char*>(address.addr()), address.length());
  static const std::string mappedPrefix("\0\0\0\0\0\0\0\0\0\0\xff\xff", 12);
  if (bytes.size() == 16 && bytes.compare(0, 12, mappedPrefix) == 0) return bytes.substr(12);
  return bytes;
}

bool inPrefix(const std::string& bytes, const std::string& network, int prefix) {
  if (bytes.size() != network.size()) return false;
  for (int bit = 0; bit < prefix; bit += 8) {
    const int take = std::min(8, prefix - bit);
    const auto mask = static_cast<unsigned char>(0xff << (8 - take));
    const auto a = static_cast<unsigned char>(bytes[static_cast<std::size_t>(bit / 8)]);
    const auto b = static_cast<unsigned char>(network[static_cast<std::size_t>(bit / 8)]);
    if ((a & mask) != (b & mask)) return false;
  }
  return true;
}

struct Range {
  std::string network;
  int prefix;
  const char* kind;
};

std::string v4(unsigned char a, unsigned char b = 0) { return std::string{static_cast<char>(a), static_cast<char>(b), 0, 0}; }
std::string v6(unsigned char a, unsigned char b = 0) {
  std::string bytes(16, '\0');
  bytes[0] = static_cast<char>(a);
  bytes[1] = static_cast<char>(b);
  return bytes;
}

// The ranges a webhook may not reach unless allowed.
const std::vector<Range>& internalRanges() {
  static const std::vector<Range> ranges = {
      {v4(0), 8, "an unspecified"},          {v4(127), 8, "a loopback"},
      {v4(169, 254), 16, "a link-local"},    {v4(10), 8, "a private"},
      {v4(172, 16), 12, "a private"},        {v4(192, 168), 16, "a private"},
      {v4(224), 4, "a multicast"},           {v4(240), 4, "a reserved"},
      {std::string(16, '\0'), 128, "an unspecified"},
      {std::string(15, '\0') + '\1', 128, "a loopback"},
      {v6(0xfe, 0x80), 10, "a link-local"},  {v6(0xfc), 7, "a private"},
      {v6(0xff), 8, "a multicast"},
  };
  return ranges;
}

bool isHostName(const std::string& text) {
  if (text.empty() || text.size() > 253) return false;
  return std::all_of(text.begin(), text.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.'; });
}

}  // namespace

Result<DestinationPolicy> DestinationPolicy::fromAllowList(const std::vector<std::string>& entries) {
  DestinationPolicy policy;
  for (const auto& entry : entries) {
    auto slash = entry.find('/');
    IPAddress address;
    if (IPAddress::tryParse(entry.substr(0, slash), address)) {
      Cidr cidr{bytesOf(address), 0};
      const int bits = static_cast<int>(cidr.bytes.size() * 8);
      cidr.prefix = bits;
      int prefix = 0;
      if (slash != std::string::npos &&
          (!Poco::NumberParser::tryParse(entry.substr(slash + 1), prefix) || prefix < 0 || prefix > bits)) {
        return makeError(ErrorKind::Unprocessable, "invalid_allow_entry",
                         "notify.webhook.allow: '" + entry + "' has a bad prefix length");
      }
      if (slash != std::string::npos) cidr.prefix = prefix;
      policy.cidrs_.push_back(cidr);
      continue;
    }
    if (slash != std::string::npos || !isHostName(entry)) {
      return makeError(ErrorKind::Unprocessable, "invalid_allow_entry",
                       "notify.webhook.allow: '" + entry + "' is neither a CIDR, an address nor a host name");
    }
    policy.hosts_.push_back(Poco::toLower(entry));
  }
  return policy;
}

std::optional<std::string> DestinationPolicy::refusal(const IPAddress& address) const {
  const std::string bytes = bytesOf(address);
  for (const auto& cidr : cidrs_) {
    if (inPrefix(bytes, cidr.bytes, cidr.prefix)) return std::nullopt;
  }
  for (const auto& range : internalRanges()) {
    if (inPrefix(bytes, range.network, range.prefix)) {
      return address.toString() + " is " + range.kind + " address, which notify.webhook.allow does not list";
    }
  }
  return std::nullopt;
}

Result<IPAddress> DestinationPolicy::resolve(const std::string& host) const {
  std::vector<IPAddress> addresses;
  IPAddress literal;
  if (IPAddress::tryParse(host, literal)) {
    addresses.push_back(literal);
  } else {
    try {
      addresses = Poco::Net::DNS::hostByName(host).addresses();
    } catch (const Poco::Exception& error) {
      return makeError(ErrorKind::Unavailable, "unresolved", "cannot resolve " + host + ": " + error.displayText());
    }
    if (addresses.empty()) return makeError(ErrorKind::Unavailable, "unresolved", host + " has no address");
  }
  const bool namedAllowed = std::find(hosts_.begin(), hosts_.end(), Poco::toLower(host)) != hosts_.end();
  std::optional<std::string> firstRefusal;
  for (const auto& address : addresses) {
    auto refused = namedAllowed ? std::nullopt : refusal(address);
    if (!refused) return address;
    if (!firstRefusal) firstRefusal = refused;
  }
  return makeError(ErrorKind::Forbidden, "destination_refused", "refused " + host + ": " + *firstRefusal);
}

}  // namespace hookhost::notify
