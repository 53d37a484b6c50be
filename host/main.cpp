// hookhost: `serve` runs the host; `user …` manages users and keys. Only wiring here.
#include <csignal>
#include <iostream>
#include <string>
#include <vector>

#include "app/host_application.hpp"
#include "app/user_commands.hpp"

namespace {

constexpr const char* kUsage =
    "usage: hookhost serve [--config FILE]\n"
    "       hookhost user add NAME --email ADDR [--role admin|user|publisher] [--config FILE]\n"
    "       hookhost user list [--config FILE]\n"
    "       hookhost user revoke NAME [--config FILE]\n";

int serve(const std::vector<std::string>& arguments, char* program) {
  std::optional<std::filesystem::path> configFile;
  for (std::size_t i = 0; i < arguments.size(); ++i) {
    if (arguments[i] == "--config" && i + 1 < arguments.size()) {
      configFile = arguments[++i];
    } else if (arguments[i].rfind("--config=", 0) == 0) {
      configFile = arguments[i].substr(9);
    } else {
      std::cerr << "hookhost serve: unexpected argument '" << arguments[i] << "'\n" << kUsage;
      return 2;
    }
  }
  // Termination signals are waited for by the main thread (ServerApplication); block them
  // before any other thread exists so none of them dies of a SIGTERM meant for the host.
  sigset_t signals;
  sigemptyset(&signals);
  for (int signal : {SIGINT, SIGTERM, SIGQUIT}) sigaddset(&signals, signal);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  hookhost::app::HostApplication application(configFile);
  char* argv[] = {program, nullptr};
  return application.run(1, argv);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> arguments(argv + 1, argv + argc);
  if (arguments.empty() || arguments[0] == "--help" || arguments[0] == "-h") {
    std::cerr << kUsage;
    return arguments.empty() ? 2 : 0;
  }
  std::string command = arguments[0];
  arguments.erase(arguments.begin());
  if (command == "serve") return serve(arguments, argv[0]);
  if (command == "user") return hookhost::app::runUserCommand(arguments);
  std::cerr << "hookhost: unknown command '" << command << "'\n" << kUsage;
  return 2;
}
