#include "common/output_tail.hpp"

#include <gtest/gtest.h>

namespace hookhost {
namespace {

TEST(OutputTailTest, KeepsEverythingUnderTheBound) {
  OutputTail tail(100);
  tail.append("one");
  tail.append("two");
  EXPECT_EQ(tail.text(), "one\ntwo\n");
  EXPECT_FALSE(tail.cut());
  EXPECT_EQ(tail.nextSequence(), 2u);
}

TEST(OutputTailTest, DropsTheOldestLinesAndMarksTheCut) {
  OutputTail tail(10);
  tail.append("aaaa");  // 5 bytes with its newline
  tail.append("bbbb");
  tail.append("cccc");
  EXPECT_EQ(tail.text(), OutputTail::cutMarker(5) + "bbbb\ncccc\n");
  EXPECT_EQ(tail.droppedBytes(), 5u);
  EXPECT_EQ(tail.keptBytes(), 10u);
}

TEST(OutputTailTest, StaysWithinTheBoundHoweverMuchIsWritten) {
  const std::size_t bound = 4096;
  OutputTail tail(bound);
  std::uint64_t written = 0;
  for (int i = 0; i < 200000; ++i) {
    std::string line(static_cast<std::size_t>(i % 300), 'x');
    written += line.size() + 1;
    tail.append(std::move(line));
    ASSERT_LE(tail.keptBytes(), bound);
  }
  EXPECT_LE(tail.text().size(), bound + OutputTail::cutMarker(tail.droppedBytes()).size());
  EXPECT_EQ(tail.droppedBytes() + tail.keptBytes(), written);
}

TEST(OutputTailTest, KeepsTheEndOfALineLongerThanTheBound) {
  OutputTail tail(8);
  tail.append("0123456789abcdef");
  EXPECT_EQ(tail.text(), OutputTail::cutMarker(9) + "9abcdef\n");
}

TEST(OutputTailTest, NeverCutsInsideAUtf8Sequence) {
  OutputTail tail(5);
  tail.append("ab\xc3\xa9\xc3\xa9");  // "abéé": the cut may not leave half an é
  std::string text = tail.text();
  std::string kept = text.substr(text.find(']') + 2);
  EXPECT_EQ(kept, "\xc3\xa9\xc3\xa9\n");
}

TEST(OutputTailTest, ReadersResumeAndLearnWhatTheyMissed) {
  OutputTail tail(10);
  tail.append("a");
  auto first = tail.from(0);
  ASSERT_EQ(first.lines, std::vector<std::string>{"a"});
  EXPECT_FALSE(first.skipped);
  EXPECT_EQ(first.next, 1u);
  EXPECT_TRUE(tail.from(first.next).lines.empty());
  for (const char* line : {"bbbb", "cccc", "dddd"}) tail.append(line);
  auto later = tail.from(first.next);
  EXPECT_TRUE(later.skipped);  // "bbbb" was dropped before this reader came back
  EXPECT_EQ(later.lines, (std::vector<std::string>{"cccc", "dddd"}));
  EXPECT_EQ(later.next, 4u);
}

}  // namespace
}  // namespace hookhost
