#include "plugins/plugin_loader.hpp"

#include <cstring>
#include <dlfcn.h>
#include <fstream>
#include <iostream>
#include <mutex>
#include <set>
#include <vector>

#include <boost/dll/shared_library.hpp>

#include "plugins/library_copy.hpp"

namespace hookhost::plugins {
namespace {

namespace fs = std::filesystem;

Error loadError(const fs::path& file, const char* code, const std::string& why) {
  return makeError(ErrorKind::Unprocessable, code, file.string() + ": " + why);
}

// Never unmap code that may still run (STYLE.md, "The plugin boundary"): every library
// ever loaded is parked here for the life of the process.
void keepMappedForever(boost::dll::shared_library library) {
  static std::mutex mutex;
  static auto* parked = new std::vector<boost::dll::shared_library>();
  std::lock_guard lock(mutex);
  parked->push_back(std::move(library));
}

bool startsWithElfMagic(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  char magic[4] = {};
  in.read(magic, 4);
  return in.gcount() == 4 && std::memcmp(magic, "\x7f" "ELF", 4) == 0;
}

void replaceAll(std::string& text, const std::string& from, const std::string& to) {
  if (from.empty()) return;
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
}

std::vector<std::string> nullTerminatedList(const char* const* list) {
  std::vector<std::string> out;
  for (std::size_t i = 0; list && list[i] && i < 4096; ++i) out.emplace_back(list[i]);
  return out;
}

// Reads and checks the description's handler table.
Result<std::vector<PluginHandlerInfo>> readHandlers(const fs::path& file, const hh_plugin_v1& d,
                                                    const LoadRequest& request) {
  std::vector<PluginHandlerInfo> handlers;
  if (d.handler_count > 0 && !d.handlers) {
    return loadError(file, "bad_description", "handler_count " + std::to_string(d.handler_count) +
                                                  " but no handlers");
  }
  if (d.handler_count > 0 && d.handler_struct_size < sizeof(hh_handler_v1)) {
    return loadError(file, "too_short",
                     "handler description too short: handler_struct_size " +
                         std::to_string(d.handler_struct_size) + ", need at least " +
                         std::to_string(sizeof(hh_handler_v1)));
  }
  std::set<std::string> seen;
  const auto* base = reinterpret_cast<const unsigned char*>(d.handlers);
  for (uint32_t i = 0; i < d.handler_count; ++i) {
    const auto* raw = reinterpret_cast<const hh_handler_v1*>(base + std::size_t{i} * d.handler_struct_size);
    if (!raw->name || !*raw->name) {
      return loadError(file, "bad_description", "handler #" + std::to_string(i) + " has no name");
    }
    PluginHandlerInfo info;
    info.name = raw->name;
    if (!seen.insert(info.name).second) {
      return loadError(file, "bad_description", "duplicate handler name '" + info.name + "'");
    }
    info.hooks = nullTerminatedList(raw->hooks);
    info.defaultTags = nullTerminatedList(raw->default_tags);
    if (raw->description) info.description = raw->description;
    for (const auto& hook : info.hooks) {
      if (request.hookExists && !request.hookExists(hook)) {
        return loadError(file, "unknown_hook",
                         "handler '" + info.name + "' is for unknown hook '" + hook + "'");
      }
    }
    handlers.push_back(std::move(info));
  }
  return handlers;
}

// Maps the library (`mapped`, the copy of `file`) for good and calls its entry point.
Result<const hh_plugin_v1*> openDescription(const fs::path& file, const fs::path& mapped) {
  boost::dll::fs::error_code ec;
  boost::dll::shared_library library;
  library.load(boost::dll::fs::path(mapped.string()), ec,
               boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
  if (ec) {
    // Boost.DLL leaves dlerror() set on a failed dlopen; it names the path we mapped.
    const char* why = ::dlerror();
    std::string text = why ? why : ec.message();
    replaceAll(text, mapped.string(), file.string());
    if (!startsWithElfMagic(file)) return loadError(file, "not_shared_library", "not a shared library: " + text);
    return loadError(file, "cannot_load", "cannot load: " + text);
  }
  if (!library.has(HH_PLUGIN_ENTRY_V1_NAME)) {
    keepMappedForever(std::move(library));
    return loadError(file, "no_entry_point", "no entry point " HH_PLUGIN_ENTRY_V1_NAME);
  }
  auto entryFn = library.get<const hh_plugin_v1*()>(HH_PLUGIN_ENTRY_V1_NAME);
  keepMappedForever(library);
  return entryFn();
}

// What a plugin's description must hold before anything past its first two fields is read.
Status checkDescription(const fs::path& file, const hh_plugin_v1* d) {
  if (!d) return loadError(file, "bad_description", HH_PLUGIN_ENTRY_V1_NAME " returned no description");
  // Only the first two fields are common to every ABI major version: check the version
  // before trusting the size or anything past it.
  if (d->abi_major != HH_PLUGIN_ABI_MAJOR) {
    return loadError(file, "abi_mismatch",
                     "wrong ABI major version: plugin has " + std::to_string(d->abi_major) +
                         ", host supports " + std::to_string(HH_PLUGIN_ABI_MAJOR));
  }
  if (d->struct_size < HH_PLUGIN_V1_MIN_SIZE) {
    return loadError(file, "too_short",
                     "description too short: struct_size " + std::to_string(d->struct_size) +
                         ", need at least " + std::to_string(HH_PLUGIN_V1_MIN_SIZE));
  }
  if (!d->name || !*d->name) return loadError(file, "bad_description", "the plugin has no name");
  if (!d->init || !d->handle) {
    return loadError(file, "bad_description", "the description lacks an init or handle callback");
  }
  return Ok{};
}

// A checked description's plugin: its handlers read, its name unique, its init called.
Result<std::shared_ptr<LoadedPlugin>> startPlugin(const LoadRequest& request, const fs::path& mapped,
                                                  const hh_plugin_v1& description, std::unique_ptr<LibraryCopy> copy) {
  const fs::path& file = request.file;
  const hh_plugin_v1* d = &description;
  PluginInfo info;
  info.name = d->name;
  info.version = d->version ? d->version : "";
  info.file = file;
  info.libraryPath = mapped;
  info.config = request.config.is_object() ? request.config : nlohmann::json::object();
  info.manifest = request.manifest;
  if (info.manifest) {
    for (auto& handler : info.manifest->handlers) {
      if (handler.name.empty()) handler.name = info.name + "/" + handler.handler;
    }
  }
  auto handlers = readHandlers(file, *d, request);
  if (!handlers) return handlers.error();
  info.handlers = std::move(*handlers);

  if (request.loadedFrom) {
    if (auto other = request.loadedFrom(info.name)) {
      return loadError(file, "duplicate_name", "duplicate plugin name '" + info.name +
                                                   "' (already loaded from " + other->string() + ")");
    }
  }

  std::string configText = info.config.dump();
  InitScope scope(info.config, request.log ? request.log : [name = info.name](int32_t level, const std::string& line) {
    std::clog << "plugin " << name << " [" << logLevelName(level) << "] " << line << '\n';
  });
  void* state = nullptr;
  int32_t status = d->init(CallScope::hostApi(), &scope, configText.data(), configText.size(), &state);
  if (status != HH_OK) {
    CallResult failed = scope.finish(HH_ERROR);
    return loadError(file, "init_failed", "init failed: " + failed.error);
  }
  info.loadedAt = nowMicros();
  return std::make_shared<LoadedPlugin>(std::move(info), d, state, std::move(copy));
}

}  // namespace

PluginLoader::PluginLoader(fs::path copyDir) : copyDir_(std::move(copyDir)) {}

Result<std::shared_ptr<LoadedPlugin>> PluginLoader::load(const LoadRequest& request) const {
  const fs::path& file = request.file;
  std::error_code exists;
  if (!fs::is_regular_file(file, exists)) return loadError(file, "missing", "no such file");
  fs::path mapped = file;
  // Every failure below drops the copy, and with it its file.
  std::unique_ptr<LibraryCopy> copy;
  if (!copyDir_.empty()) {
    auto made = LibraryCopy::make(file, copyDir_);
    if (!made) return made.error();
    copy = std::move(*made);
    mapped = copy->path();
  }

  auto d = openDescription(file, mapped);
  if (!d) return d.error();
  if (auto checked = checkDescription(file, *d); !checked) return checked.error();
  return startPlugin(request, mapped, **d, std::move(copy));
}

}  // namespace hookhost::plugins
