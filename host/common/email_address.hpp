#pragma once

#include <string_view>

namespace hookhost {

/// Whether `address` is a plain addr-spec we will put in an envelope and a To header:
/// `local@domain`, ASCII, dot-atom local part (1-64 chars), a domain of letters, digits and
/// hyphens in dot-separated labels (a single label such as "localhost" is allowed), at most
/// 254 chars. Display names, comments, quoted local parts and address literals are refused;
/// so is anything with whitespace or line breaks (header injection). For registration
/// (422 on a malformed notify_on_success / notify_on_failure); the empty string means
/// "send nothing" and is the caller's case, not an address.
bool isValidEmailAddress(std::string_view address);

}  // namespace hookhost
