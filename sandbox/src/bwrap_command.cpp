#include "sandbox/src/bwrap_command.hpp"

#include <filesystem>
#include <system_error>

namespace hookhost::sandbox {
namespace {

namespace fs = std::filesystem;

constexpr const char* kPrlimit = "/usr/bin/prlimit";

// Top-level entries that are symlinks into /usr on merged-/usr systems and directories on
// older ones; mirrored as whichever they are here.
constexpr const char* kRootEntries[] = {"/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"};

// The few files under /etc that python, the dynamic linker and TLS clients read. Not
// /etc/ssl as a whole: /etc/ssl/private holds host keys.
constexpr const char* kEtcFiles[] = {
    "/etc/ld.so.cache",  "/etc/ld.so.conf",   "/etc/ld.so.conf.d", "/etc/alternatives",
    "/etc/localtime",    "/etc/python3",      "/etc/ssl/certs",    "/etc/ssl/openssl.cnf",
    "/etc/ca-certificates", "/etc/mime.types", "/etc/protocols",   "/etc/services",
    "/etc/nsswitch.conf",
};
constexpr const char* kNetworkEtcFiles[] = {"/etc/resolv.conf", "/etc/hosts", "/etc/gai.conf",
                                            "/etc/host.conf"};

void add(std::vector<std::string>& argv, std::initializer_list<std::string> items) {
  argv.insert(argv.end(), items);
}

}  // namespace

std::vector<std::string> buildBwrapArgv(const SandboxOptions& options, const LaunchSpec& spec,
                                        int seccompFd) {
  std::vector<std::string> argv{options.bwrap};
  add(argv, {"--unshare-user", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
             "--unshare-cgroup"});
  if (options.network == NetworkAccess::Denied) argv.push_back("--unshare-net");
  add(argv, {"--disable-userns", "--die-with-parent", "--new-session", "--cap-drop", "ALL",
             "--hostname", "hookhost-sandbox"});

  add(argv, {"--clearenv", "--setenv", "PATH", "/usr/local/bin:/usr/bin:/bin", "--setenv",
             "LANG", "C.UTF-8", "--setenv", "PYTHONDONTWRITEBYTECODE", "1", "--setenv",
             "PYTHONNOUSERSITE", "1", "--setenv", "HOME", "/tmp", "--setenv", "TMPDIR", "/tmp"});

  add(argv, {"--ro-bind", "/usr", "/usr"});
  std::error_code ec;
  for (const char* entry : kRootEntries) {
    auto status = fs::symlink_status(entry, ec);
    if (ec || !fs::exists(status)) continue;
    if (fs::is_symlink(status)) {
      add(argv, {"--symlink", fs::read_symlink(entry, ec).string(), entry});
    } else if (fs::is_directory(status)) {
      add(argv, {"--ro-bind", entry, entry});
    }
  }
  for (const char* path : kEtcFiles) add(argv, {"--ro-bind-try", path, path});
  // Debian's sitecustomize lives in /etc/python3.X; bind each that exists.
  for (const auto& entry : fs::directory_iterator("/etc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("python3.", 0) == 0) add(argv, {"--ro-bind", entry.path(), entry.path()});
  }
  if (options.network == NetworkAccess::Allowed) {
    for (const char* path : kNetworkEtcFiles) add(argv, {"--ro-bind-try", path, path});
  }

  // tmpfs pages are host memory outside RLIMIT_AS: both are capped, /dev/shm (only for
  // python's multiprocessing locks and the like) to a quarter of /tmp.
  const std::string tmpBytes = std::to_string(options.tmpMb << 20);
  const std::string shmBytes = std::to_string((options.tmpMb << 20) / 4);
  add(argv, {"--proc", "/proc", "--dev", "/dev", "--size", shmBytes, "--tmpfs", "/dev/shm",
             "--remount-ro", "/dev", "--size", tmpBytes, "--tmpfs", "/tmp"});
  // After /tmp so that a bound path under the host's /tmp is not hidden by the tmpfs.
  for (const auto& path : spec.readOnlyBinds) add(argv, {"--ro-bind", path, path});
  add(argv, {"--remount-ro", "/", "--chdir", "/tmp"});
  if (seccompFd >= 0) add(argv, {"--seccomp", std::to_string(seccompFd)});

  argv.push_back("--");
  const std::string procs = std::to_string(options.maxProcs);
  add(argv, {kPrlimit, "--nproc=" + procs + ":" + procs, "--"});
  argv.insert(argv.end(), spec.command.begin(), spec.command.end());
  return argv;
}

}  // namespace hookhost::sandbox
