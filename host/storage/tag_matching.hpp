#pragma once

#include <string>
#include <vector>

namespace hookhost::storage {

/// The tag rule of DESIGN.md (seed 003): an event without tags runs every handler of its
/// hook; an event with tags runs the handlers sharing at least one of them (logical OR),
/// and every handler whose own tag list is empty.
bool tagsMatch(const std::vector<std::string>& eventTags, const std::vector<std::string>& handlerTags);

}  // namespace hookhost::storage
