#pragma once

#include <string>

#include "notify/notification.hpp"

namespace hookhost::notify {

/// The part of a failure email that names the chain the job was a step of (seed 002's
/// "abort, with an email report"): the root event, each step that ran with its state, and
/// the step that failed with its error. Empty for a job outside a chain.
std::string chainSection(const Notification& notification);

}  // namespace hookhost::notify
