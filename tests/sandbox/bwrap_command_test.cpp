#include "sandbox/src/bwrap_command.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace hookhost::sandbox {
namespace {

bool hasSequence(const std::vector<std::string>& argv, std::vector<std::string> items) {
  return std::search(argv.begin(), argv.end(), items.begin(), items.end()) != argv.end();
}

TEST(BwrapCommandTest, IsolatesEverythingByDefault) {
  SandboxOptions options;
  auto argv = buildBwrapArgv(options, {{"/usr/bin/python3", "/r/run.py"}, {"/r"}}, 5);
  EXPECT_EQ(argv.front(), "/usr/bin/bwrap");
  for (const char* flag : {"--unshare-user", "--unshare-pid", "--unshare-net", "--unshare-ipc",
                           "--unshare-uts", "--unshare-cgroup", "--die-with-parent",
                           "--new-session", "--clearenv", "--disable-userns"}) {
    EXPECT_NE(std::find(argv.begin(), argv.end(), flag), argv.end()) << flag;
  }
  EXPECT_TRUE(hasSequence(argv, {"--seccomp", "5"}));
  EXPECT_TRUE(hasSequence(argv, {"--ro-bind", "/r", "/r"}));
  EXPECT_TRUE(hasSequence(argv, {"--ro-bind", "/usr", "/usr"}));
  EXPECT_TRUE(hasSequence(argv, {"--tmpfs", "/tmp"}));
  EXPECT_TRUE(hasSequence(argv, {"--remount-ro", "/"}));
  EXPECT_TRUE(hasSequence(argv, {"--", "/usr/bin/prlimit", "--nproc=64:64", "--",
                                 "/usr/bin/python3", "/r/run.py"}));
  // Never /etc as a whole, never the host's /home, /root or /var.
  for (const char* path : {"/etc", "/home", "/root", "/var", "/etc/ssl", "/etc/shadow"}) {
    EXPECT_FALSE(hasSequence(argv, {"--ro-bind", path, path})) << path;
    EXPECT_FALSE(hasSequence(argv, {"--ro-bind-try", path, path})) << path;
    EXPECT_FALSE(hasSequence(argv, {"--bind", path, path})) << path;
  }
  EXPECT_FALSE(hasSequence(argv, {"--ro-bind-try", "/etc/resolv.conf", "/etc/resolv.conf"}));
}

TEST(BwrapCommandTest, NetworkWhenTheOperatorAllowsIt) {
  SandboxOptions options;
  options.network = NetworkAccess::Allowed;
  auto argv = buildBwrapArgv(options, {{"/bin/true"}, {}}, -1);
  EXPECT_EQ(std::find(argv.begin(), argv.end(), "--unshare-net"), argv.end());
  EXPECT_EQ(std::find(argv.begin(), argv.end(), "--seccomp"), argv.end());
  EXPECT_TRUE(hasSequence(argv, {"--ro-bind-try", "/etc/resolv.conf", "/etc/resolv.conf"}));
}

}  // namespace
}  // namespace hookhost::sandbox
