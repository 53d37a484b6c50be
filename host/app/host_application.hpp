#pragma once

#include <filesystem>
#include <optional>

#include <Poco/Util/ServerApplication.h>

namespace hookhost::app {

/// `hookhost serve`: reads the config, opens the store, loads the hook catalog and the
/// plugins, starts the dispatcher, the notifier and the HTTP server, and on SIGTERM or
/// SIGINT stops accepting, drains running jobs, stops every part in reverse order, and
/// exits 0; when the drain passes `dispatch.drain_timeout`, it names the jobs it abandoned
/// and exits 75 (EX_TEMPFAIL) after stopping the other parts.
class HostApplication : public Poco::Util::ServerApplication {
 public:
  explicit HostApplication(std::optional<std::filesystem::path> configFile) : configFile_(std::move(configFile)) {}

 protected:
  int main(const std::vector<std::string>& arguments) override;

 private:
  std::optional<std::filesystem::path> configFile_;
};

}  // namespace hookhost::app
