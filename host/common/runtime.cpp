#include "common/runtime.hpp"

#include <stdexcept>

namespace hookhost {

std::string_view runtimeName(Runtime runtime) {
  switch (runtime) {
    case Runtime::Python: return "python";
    case Runtime::Plugin: return "plugin";
  }
  return "python";
}

std::optional<Runtime> parseRuntime(std::string_view name) {
  for (Runtime runtime : {Runtime::Python, Runtime::Plugin}) {
    if (runtimeName(runtime) == name) return runtime;
  }
  return std::nullopt;
}

Runtime runtimeNamed(std::string_view name) {
  if (auto runtime = parseRuntime(name)) return *runtime;
  throw std::runtime_error("unknown handler runtime '" + std::string(name) + "'");
}

}  // namespace hookhost
