#include "common/claimed_directory.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace hookhost {
namespace {

namespace fs = std::filesystem;

struct Base {
  fs::path path;
  Base() {
    std::string pattern = (fs::temp_directory_path() / "claimed-test-XXXXXX").string();
    path = ::mkdtemp(pattern.data());
  }
  ~Base() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

int entriesIn(const fs::path& dir) {
  int count = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir)) ++count;
  return count;
}

TEST(ClaimedDirectory, EachClaimIsItsOwnAndGoesWithItsOwner) {
  Base base;
  auto first = ClaimedDirectory::claim(base.path, "run-", DirectoryAccess::OthersMayRead);
  auto second = ClaimedDirectory::claim(base.path, "run-", DirectoryAccess::OwnerOnly);
  ASSERT_TRUE(first) << first.error().message;
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_NE(first->path(), second->path());
  EXPECT_EQ(second->swept(), 0) << "a live claim is never swept";
  struct stat info {};
  ASSERT_EQ(::stat(first->path().c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0755u);
  ASSERT_EQ(::stat(second->path().c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0700u);
  const fs::path gone = first->path();
  { auto dropped = std::move(*first); }
  EXPECT_FALSE(fs::exists(gone));
  EXPECT_EQ(entriesIn(base.path), 1);
}

TEST(ClaimedDirectory, ADeadOwnersDirectoryIsSweptAtTheNextClaim) {
  Base base;
  fs::create_directory(base.path / "other");  // not ours to sweep: another prefix
  // Each dead run's directory is swept by the next claim, so one is left at any time.
  for (int run = 0; run < 3; ++run) {
    pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      auto claimed = ClaimedDirectory::claim(base.path, "run-", DirectoryAccess::OwnerOnly);
      ::_exit(claimed ? 0 : 1);  // without the destructor, as a crash would
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    ASSERT_EQ(entriesIn(base.path), 2) << "after run " << run;
  }
  auto claimed = ClaimedDirectory::claim(base.path, "run-", DirectoryAccess::OwnerOnly);
  ASSERT_TRUE(claimed) << claimed.error().message;
  EXPECT_EQ(claimed->swept(), 1);
  EXPECT_EQ(entriesIn(base.path), 2);
  EXPECT_TRUE(fs::exists(base.path / "other"));
}

}  // namespace
}  // namespace hookhost
