#include "common/output_tail.hpp"

#include <algorithm>

namespace hookhost {
namespace {

// Where to cut `line` so that at most `keep` bytes remain, not inside a UTF-8 sequence.
std::size_t cutPoint(const std::string& line, std::size_t keep) {
  std::size_t at = line.size() - keep;
  while (at < line.size() && (static_cast<unsigned char>(line[at]) & 0xC0) == 0x80) ++at;
  return at;
}

}  // namespace

OutputTail::OutputTail(std::size_t maxBytes) : maxBytes_(std::max<std::size_t>(maxBytes, 2)) {}

void OutputTail::append(std::string line) {
  // One line alone may fill the whole bound (with its newline), no more.
  if (line.size() + 1 > maxBytes_) {
    std::size_t at = cutPoint(line, maxBytes_ - 1);
    droppedBytes_ += at;
    line.erase(0, at);
  }
  keptBytes_ += line.size() + 1;
  lines_.push_back(std::move(line));
  while (keptBytes_ > maxBytes_) {
    droppedBytes_ += lines_.front().size() + 1;
    keptBytes_ -= lines_.front().size() + 1;
    lines_.pop_front();
    ++first_;
  }
}

OutputTail::Slice OutputTail::from(std::uint64_t from) const {
  Slice slice;
  slice.skipped = from < first_;
  std::uint64_t start = std::max(from, first_);
  for (std::uint64_t at = start; at < nextSequence(); ++at) slice.lines.push_back(lines_[at - first_]);
  slice.next = std::max(start, nextSequence());
  return slice;
}

std::string OutputTail::text() const {
  std::string out;
  if (cut()) out = cutMarker(droppedBytes_);
  out.reserve(out.size() + keptBytes_);
  for (const auto& line : lines_) {
    out += line;
    out += '\n';
  }
  return out;
}

std::string OutputTail::cutMarker(std::uint64_t droppedBytes) {
  return "[output cut: the first " + std::to_string(droppedBytes) + " bytes were dropped]\n";
}

}  // namespace hookhost
