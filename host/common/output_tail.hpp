#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

namespace hookhost {

/// The last lines of a handler's output, at most `maxBytes` of them (each line counts its
/// bytes plus one for its newline): older lines are dropped as new ones come, so a handler
/// printing 100 MiB costs this buffer no more than the bound. A single line longer than the
/// bound keeps its last bytes. Every line gets a sequence number (0, 1, ...) so a reader can
/// resume where it stopped and learn what it missed. Not thread-safe.
class OutputTail {
 public:
  explicit OutputTail(std::size_t maxBytes);

  /// Appends one line (without its newline).
  void append(std::string line);

  struct Slice {
    std::vector<std::string> lines;  // the kept lines from the asked sequence number on
    std::uint64_t next = 0;          // the sequence number to ask for next time
    bool skipped = false;            // lines before the first returned one were dropped
  };
  /// The kept lines numbered `from` and later (those already dropped are skipped).
  Slice from(std::uint64_t from) const;

  /// The kept lines, each ending in a newline, after cutMarker() when lines were dropped.
  /// At most maxBytes + cutMarker().size() bytes.
  std::string text() const;

  bool cut() const { return droppedBytes_ > 0; }
  std::uint64_t droppedBytes() const { return droppedBytes_; }
  std::uint64_t nextSequence() const { return first_ + lines_.size(); }
  std::size_t keptBytes() const { return keptBytes_; }

  /// The line that starts text() when the start was dropped.
  static std::string cutMarker(std::uint64_t droppedBytes);

 private:
  std::size_t maxBytes_;
  std::deque<std::string> lines_;
  std::uint64_t first_ = 0;  // sequence number of lines_.front()
  std::size_t keptBytes_ = 0;
  std::uint64_t droppedBytes_ = 0;
};

}  // namespace hookhost
