#include "common/frame.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <thread>

namespace hookhost {
namespace {

struct Pipe {
  int fds[2];
  Pipe() { EXPECT_EQ(::pipe(fds), 0); }
  ~Pipe() {
    ::close(fds[0]);
    if (fds[1] >= 0) ::close(fds[1]);
  }
  void closeWriter() {
    ::close(fds[1]);
    fds[1] = -1;
  }
  void writeRaw(const std::string& bytes) {
    ASSERT_EQ(::write(fds[1], bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  }
};

TEST(Frame, RoundTripsAMessage) {
  Pipe pipe;
  nlohmann::json sent = {{"type", "result"}, {"ok", true}, {"result", "über"}};
  ASSERT_TRUE(writeFrame(pipe.fds[1], sent));
  auto got = readFrame(pipe.fds[0]);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(*got, sent);
}

TEST(Frame, ReportsAClosedPipe) {
  Pipe pipe;
  pipe.closeWriter();
  auto got = readFrame(pipe.fds[0]);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, "closed");
}

TEST(Frame, RefusesAFrameOverTheCapWithoutReadingIt) {
  Pipe pipe;
  pipe.writeRaw(std::string("\x7f\xff\xff\xff", 4));
  auto got = readFrame(pipe.fds[0], 1024);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, "too_large");
}

TEST(Frame, RefusesGarbage) {
  Pipe pipe;
  pipe.writeRaw(std::string("\0\0\0\x05hello", 9));
  auto got = readFrame(pipe.fds[0]);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, "malformed");
}

TEST(Frame, RefusesAFrameNestedPastTheBoundBeforeParsingIt) {
  Pipe pipe;
  std::string body = "{\"a\":" + std::string(100000, '[');
  std::string header = {static_cast<char>(body.size() >> 24), static_cast<char>((body.size() >> 16) & 0xff),
                        static_cast<char>((body.size() >> 8) & 0xff), static_cast<char>(body.size() & 0xff)};
  std::thread writer([&] { pipe.writeRaw(header + body); });
  auto got = readFrame(pipe.fds[0]);
  writer.join();
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, "too_deep");
}

TEST(Frame, ReportsATruncatedBody) {
  Pipe pipe;
  pipe.writeRaw(std::string("\0\0\0\x10{}", 6));
  pipe.closeWriter();
  auto got = readFrame(pipe.fds[0]);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, "truncated");
}

}  // namespace
}  // namespace hookhost
