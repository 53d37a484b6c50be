#pragma once
// Reading one member of a JSON object that was written by hookhost itself (a job's run
// request, a notification's snapshot): a missing, null or mistyped member is the fallback,
// never an exception, since a row written by an older version may lack it.
#include <nlohmann/json.hpp>

namespace hookhost {

template <typename T>
T jsonMember(const nlohmann::json& object, const char* key, T fallback) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return fallback;
  try {
    return it->get<T>();
  } catch (const nlohmann::json::exception&) {
    return fallback;
  }
}

}  // namespace hookhost
