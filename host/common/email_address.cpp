#include "common/email_address.hpp"

#include <regex>

namespace hookhost {

bool isEmailAddress(const std::string& text) {
  static const std::regex pattern(
      R"([A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@(localhost|([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z0-9-]{2,63}))");
  return text.size() <= 254 && std::regex_match(text, pattern);
}

}  // namespace hookhost
