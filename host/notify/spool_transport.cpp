#include "notify/spool_transport.hpp"

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <system_error>

#include <fcntl.h>
#include <unistd.h>

#include <Poco/Net/MailMessage.h>

#include "notify/message_builder.hpp"
#include "notify/spool_layout.hpp"

namespace hookhost::notify {
namespace {

std::string errnoText(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

bool writeAll(int fd, const std::string& data) {
  std::size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    done += static_cast<std::size_t>(n);
  }
  return true;
}

// Keeps temp names unique even if two threads ever write the same id at once.
std::atomic<unsigned long> tempCounter{0};

}  // namespace

SpoolTransport::SpoolTransport(std::string spoolDir) : dir_(std::move(spoolDir)) {}

std::string SpoolTransport::pathFor(const Notification& notification) const {
  return spoolPathFor(dir_, notification.id, notification.createdAt).string();
}

SendResult SpoolTransport::send(const Notification& notification,
                                Poco::Net::MailMessage& message) {
  // A spool that cannot be written (full disk, permissions) may recover: Temporary.
  auto fail = [](std::string error) {
    return SendResult{SendStatus::Temporary, std::move(error), FailureScope::Server};
  };
  std::filesystem::path target = pathFor(notification);
  std::string text;
  try {
    std::ostringstream out;
    message.write(out);
    text = toCrlf(out.str());
  } catch (const std::exception& e) {
    return SendResult{SendStatus::Permanent, std::string("cannot format message: ") + e.what(),
                      FailureScope::Message};
  }

  std::string temp = (target.parent_path() /
                      ("." + std::to_string(notification.id) + ".eml.tmp." +
                       std::to_string(::getpid()) + "." + std::to_string(++tempCounter)))
                         .string();
  auto openTemp = [&] { return ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640); };
  int fd = openTemp();
  // A new minute's shard (or a first message) needs its directories; only then are they made.
  if (fd < 0 && (errno == ENOENT || errno == ENOTDIR)) {
    std::error_code ec;
    std::filesystem::create_directories(target.parent_path(), ec);
    if (ec) return fail("cannot create spool directory " + target.parent_path().string() + ": " + ec.message());
    fd = openTemp();
  }
  if (fd < 0) return fail(errnoText("cannot create", temp));
  bool written = writeAll(fd, text);
  std::string writeError = written ? "" : errnoText("cannot write", temp);
  ::close(fd);
  if (!written) {
    ::unlink(temp.c_str());
    return fail(writeError);
  }
  if (::rename(temp.c_str(), target.c_str()) != 0) {
    std::string error = errnoText("cannot rename to", target.string());
    ::unlink(temp.c_str());
    return fail(error);
  }
  unflushed_ = true;
  return SendResult{};
}

SendResult SpoolTransport::flush() {
  if (!unflushed_) return {};
  // The files and their directory entries, at once.
  int dirFd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dirFd < 0) return SendResult{SendStatus::Temporary, errnoText("cannot open", dir_), FailureScope::Server};
  bool synced = ::syncfs(dirFd) == 0;
  std::string error = synced ? "" : errnoText("cannot sync the file system of", dir_);
  ::close(dirFd);
  if (!synced) return SendResult{SendStatus::Temporary, error, FailureScope::Server};
  unflushed_ = false;
  return {};
}

}  // namespace hookhost::notify
