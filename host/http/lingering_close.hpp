#pragma once

#include <chrono>
#include <cstddef>

#include <Poco/Net/StreamSocket.h>

namespace hookhost::http {

/// Ends a connection whose request was answered before its body was read, so the client can
/// read the answer: closing a socket with unread input makes the kernel send a reset, and a
/// client still sending its body then loses the response. Shuts the sending side (the reply
/// is complete and flushed), then reads and discards what the client still sends until it
/// closes, `maxBytes` were discarded or `within` passed. Memory stays one small buffer.
void lingeringClose(Poco::Net::StreamSocket& socket, std::size_t maxBytes, std::chrono::milliseconds within);

/// The bounds the server uses: a body up to a few times the limit on a local network.
inline constexpr std::size_t kLingerMaxBytes = 64u << 20;
inline constexpr std::chrono::milliseconds kLingerFor{3000};

}  // namespace hookhost::http
