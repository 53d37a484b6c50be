#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hookhost {

/// How a handler runs: a Python callable in the sandbox, or a native plugin's handler. The
/// one text mapping ("python", "plugin") is below: REST, the store and the logs use it.
enum class Runtime { Python, Plugin };

std::string_view runtimeName(Runtime runtime);
/// Empty for a name that is no runtime.
std::optional<Runtime> parseRuntime(std::string_view name);
/// parseRuntime for text that must be a runtime (the store's own rows): throws
/// std::runtime_error naming it otherwise.
Runtime runtimeNamed(std::string_view name);

}  // namespace hookhost
