#pragma once

#include <stdexcept>

namespace hookhost::storage {

/// The database cannot be reached (down, restarting, or it dropped the connection). What
/// was being written is not durable; callers answer 503 or try again later.
class StoreUnavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace hookhost::storage
