// hookhost-plugin-worker: runs one handler of one native plugin in its own process, speaking
// the framed worker protocol on stdin (host to worker) and stdout (worker to host). The
// plugin's own stdout and stderr are captured and forwarded as "output" frames; its stdin
// is /dev/null. The worker's own diagnostics go to its original stderr. No arguments.
#include <csignal>
#include <cstdio>
#include <exception>
#include <fcntl.h>
#include <unistd.h>

#include "plugin_worker/output_capture.hpp"
#include "plugin_worker/plugin_worker.hpp"
#include "plugin_worker/protocol_channel.hpp"

namespace {

// Moves the protocol off fds 0 and 1 so nothing the plugin does with them can reach it;
// close-on-exec keeps it from processes the plugin starts.
bool takeProtocolFds(int& in, int& out, int& diagnostics) {
  in = ::fcntl(0, F_DUPFD_CLOEXEC, 3);
  out = ::fcntl(1, F_DUPFD_CLOEXEC, 3);
  diagnostics = ::fcntl(2, F_DUPFD_CLOEXEC, 3);
  if (in < 0 || out < 0 || diagnostics < 0) return false;
  int devNull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (devNull < 0 || ::dup2(devNull, 0) < 0) return false;
  ::close(devNull);
  return true;
}

}  // namespace

int main() {
  std::signal(SIGPIPE, SIG_IGN);
  int in = -1;
  int out = -1;
  int diagnostics = -1;
  if (!takeProtocolFds(in, out, diagnostics)) {
    std::perror("hookhost-plugin-worker: cannot set up its file descriptors");
    return 2;
  }
  try {
    hookhost::sandbox::ProtocolChannel channel(in, out);
    hookhost::sandbox::OutputCapture output(channel);
    hookhost::sandbox::PluginWorker worker(channel, output, diagnostics);
    int code = worker.run();
    // Skip static destructors: plugin threads may still run, and the library stays mapped.
    output.flush();
    std::_Exit(code);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "hookhost-plugin-worker: %s\n", e.what());
    return 2;
  }
}
