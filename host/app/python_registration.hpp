#pragma once

#include <chrono>

#include "app/sandbox_part.hpp"
#include "registry/handler_check.hpp"

namespace hookhost::app {

/// The registration check of python handlers (issue 20): picks the interpreter of the
/// handler's python_version (and records it in the spec), loads the pickle in a sandboxed
/// worker of it without calling it, bounded by the handler's timeout and at most
/// `maxCheck`, and keeps that worker as the handler's first warm one. Plugin handlers pass
/// unchecked. Without a sandbox, python registrations are refused (422
/// python_version_unsupported, naming why): such a host could never run them.
registry::HandlerCheck pythonLoadCheck(SandboxPart& sandbox, std::chrono::milliseconds maxCheck);

}  // namespace hookhost::app
