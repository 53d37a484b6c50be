#include "sandbox/src/sandbox_options.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

namespace hookhost::sandbox {
namespace {

using namespace std::chrono_literals;

TEST(SandboxOptionsTest, DefaultsMatchTheDesign) {
  auto options = sandboxOptionsFromJson(nlohmann::json::object());
  ASSERT_TRUE(options);
  EXPECT_EQ(options->python, "/usr/bin/python3");
  EXPECT_EQ(options->network, NetworkAccess::Denied);
  EXPECT_EQ(options->memoryMb, 1024u);
  EXPECT_EQ(options->cpuSeconds, 60u);
  EXPECT_EQ(options->maxProcs, 64u);
  EXPECT_EQ(options->defaultTimeout, 60s);
}

TEST(SandboxOptionsTest, ReadsEveryKey) {
  auto options = sandboxOptionsFromJson({{"python", "/opt/py"},
                                         {"user", "worker"},
                                         {"network", true},
                                         {"memory_mb", 256},
                                         {"cpu_s", 5},
                                         {"max_procs", 8},
                                         {"default_timeout_s", "90s"},
                                         {"idle_timeout_s", 2.5},
                                         {"max_workers", 3},
                                         {"max_workers_per_key", 1},
                                         {"recycle_after_runs", 7},
                                         {"output_cap_bytes", 1000}});
  ASSERT_TRUE(options) << options.error().message;
  EXPECT_EQ(options->python, "/opt/py");
  EXPECT_EQ(options->user, "worker");
  EXPECT_EQ(options->network, NetworkAccess::Allowed);
  EXPECT_EQ(options->memoryMb, 256u);
  EXPECT_EQ(options->cpuSeconds, 5u);
  EXPECT_EQ(options->maxProcs, 8u);
  EXPECT_EQ(options->defaultTimeout, 90s);
  EXPECT_EQ(options->idleTimeout, 2500ms);
  EXPECT_EQ(options->maxWorkers, 3u);
  EXPECT_EQ(options->maxWorkersPerKey, 1u);
  EXPECT_EQ(options->recycleAfterRuns, 7u);
  EXPECT_EQ(options->outputCapBytes, 1000u);
}

TEST(SandboxOptionsTest, OutputMaxBytesIsTheConfigKeyAndWinsOverItsOldName) {
  auto options = sandboxOptionsFromJson({{"output_cap_bytes", 1000}, {"output_max_bytes", 2000}});
  ASSERT_TRUE(options) << options.error().message;
  EXPECT_EQ(options->outputCapBytes, 2000u);
}

TEST(SandboxOptionsTest, RejectsBadValuesNamingTheKey) {
  auto negative = sandboxOptionsFromJson({{"memory_mb", -1}});
  ASSERT_FALSE(negative);
  EXPECT_EQ(negative.error().message, "sandbox.memory_mb: must be a positive integer");
  auto network = sandboxOptionsFromJson({{"network", "yes"}});
  ASSERT_FALSE(network);
  EXPECT_EQ(network.error().message, "sandbox.network: must be true or false");
  auto timeout = sandboxOptionsFromJson({{"default_timeout_s", "soon"}});
  ASSERT_FALSE(timeout);
  EXPECT_EQ(timeout.error().code, "bad_config");
  // 2^32 would wrap to 0 in the 32-bit field: a worker replaced before its first run.
  auto huge = sandboxOptionsFromJson({{"recycle_after_runs", 4294967296LL}});
  ASSERT_FALSE(huge);
  EXPECT_EQ(huge.error().message, "sandbox.recycle_after_runs: must be at most 4294967295");
}

TEST(SandboxOptionsTest, IdentityDefaultsToNobodyForRoot) {
  SandboxOptions options;
  auto identity = resolveSandboxIdentity(options);
  ASSERT_TRUE(identity) << identity.error().message;
  if (::geteuid() == 0) {
    EXPECT_EQ(identity->name, "nobody");
    EXPECT_TRUE(identity->switchUser);
    EXPECT_NE(identity->uid, 0u);
  } else {
    EXPECT_EQ(identity->uid, ::geteuid());
    EXPECT_FALSE(identity->switchUser);
  }
}

TEST(SandboxOptionsTest, UnknownOrRootUserIsRefused) {
  SandboxOptions options;
  options.user = "no-such-user-hookhost";
  auto unknown = resolveSandboxIdentity(options);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().message, "sandbox.user: no such user 'no-such-user-hookhost'");
  if (::geteuid() == 0) {
    options.user = "root";
    auto root = resolveSandboxIdentity(options);
    ASSERT_FALSE(root);
    EXPECT_EQ(root.error().message, "sandbox.user: workers must not run as root");
  }
}

}  // namespace
}  // namespace hookhost::sandbox
