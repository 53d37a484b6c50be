#pragma once

#include <nlohmann/json.hpp>

#include "storage/records.hpp"

namespace hookhost::storage {

/// What a handler version keeps besides its code, as one JSON object (the `settings` column
/// of handler_versions): every field of the registration but hook and name, which identify
/// the handler, and code, which is kept apart. Pure.
nlohmann::json settingsOf(const HandlerSpec& spec);

/// `base` with the fields `settings` holds put back. A version recorded before a field was
/// added lacks it; that field keeps base's value (the handler's current one).
HandlerSpec withSettings(HandlerSpec base, const nlohmann::json& settings);

}  // namespace hookhost::storage
