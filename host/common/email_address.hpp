#pragma once

#include <string>

namespace hookhost {

/// A plain `local@domain` address as the notifier can send to: no display name, no
/// spaces or angle brackets, a dotted domain or `localhost`. Stricter than RFC 5322 on
/// purpose: what passes is safe to put in an SMTP envelope and a header.
bool isEmailAddress(const std::string& text);

}  // namespace hookhost
