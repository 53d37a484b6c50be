#include "storage/tag_matching.hpp"

#include <algorithm>

namespace hookhost::storage {

bool tagsMatch(const std::vector<std::string>& eventTags, const std::vector<std::string>& handlerTags) {
  if (eventTags.empty() || handlerTags.empty()) return true;
  return std::any_of(eventTags.begin(), eventTags.end(), [&](const std::string& tag) {
    return std::find(handlerTags.begin(), handlerTags.end(), tag) != handlerTags.end();
  });
}

}  // namespace hookhost::storage
