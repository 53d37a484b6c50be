// The host's start/stop order (issue 13): parts start in order, stop in reverse, and a part
// that fails to start stops the ones before it.
#include <gtest/gtest.h>

#include <stdexcept>

#include "app/host_parts.hpp"

namespace hookhost::app {
namespace {

TEST(HostParts, StartInOrderAndStopInReverseOnce) {
  std::vector<std::string> trail;
  HostParts parts;
  for (const char* name : {"a", "b", "c"}) {
    parts.add(name, [&, name] { trail.push_back(std::string("start ") + name); },
              [&, name] { trail.push_back(std::string("stop ") + name); });
  }
  parts.start();
  parts.stop();
  parts.stop();
  EXPECT_EQ(trail, (std::vector<std::string>{"start a", "start b", "start c", "stop c", "stop b", "stop a"}));
}

TEST(HostParts, APartThatFailsToStartStopsThoseBeforeItAndRethrows) {
  std::vector<std::string> trail;
  HostParts parts;
  parts.add("a", [&] { trail.push_back("start a"); }, [&] { trail.push_back("stop a"); });
  parts.add("b", [&] { throw std::runtime_error("b broke"); }, [&] { trail.push_back("stop b"); });
  parts.add("c", [&] { trail.push_back("start c"); }, [&] { trail.push_back("stop c"); });
  EXPECT_THROW(parts.start(), std::runtime_error);
  EXPECT_EQ(trail, (std::vector<std::string>{"start a", "stop a"}));
}

TEST(HostParts, AStopThatThrowsDoesNotKeepTheOthersRunning) {
  std::vector<std::string> trail;
  HostParts parts;
  parts.add("a", [] {}, [&] { trail.push_back("stop a"); });
  parts.add("b", [] {}, [] { throw std::runtime_error("b would not stop"); });
  parts.add("c", [] {}, {});
  parts.start();
  parts.stop();
  EXPECT_EQ(trail, std::vector<std::string>{"stop a"});
}

}  // namespace
}  // namespace hookhost::app
