#include "smtp_sink.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <gtest/gtest.h>

namespace hookhost::notify::testing {

TempDir::TempDir() {
  char pattern[] = "/tmp/hh-notify-XXXXXX";
  const char* made = ::mkdtemp(pattern);
  if (made == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = made;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

namespace {

std::vector<std::string> withLog(std::vector<std::string> flags, const std::string& logFile) {
  if (logFile.empty()) return flags;
  flags.insert(flags.begin(), {"--log", logFile});
  return flags;
}

}  // namespace

SmtpSink::SmtpSink(std::string maildir, std::vector<std::string> flags, std::string logFile)
    : maildir_(std::move(maildir)), logFile_(std::move(logFile)), process_(maildir_, withLog(std::move(flags), logFile_)) {
  if (port() == 0) ADD_FAILURE() << "the SMTP sink did not start (" << HOOKHOST_SMTP_SINK << ")";
}

std::vector<std::string> SmtpSink::messageFiles() const {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(maildir_, ec)) {
    std::string name = entry.path().filename().string();
    if (!name.empty() && name[0] != '.' && entry.path().extension() == ".eml") {
      files.push_back(entry.path().string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<nlohmann::json> SmtpSink::events() const {
  std::vector<nlohmann::json> events;
  if (logFile_.empty()) return events;
  std::ifstream in(logFile_);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) events.push_back(nlohmann::json::parse(line));
  }
  return events;
}

nlohmann::json parseEml(const std::string& path) {
  std::string command = std::string(HOOKHOST_TEST_PYTHON) + " " + HOOKHOST_PARSE_EML + " '" + path + "'";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return nullptr;
  std::string text;
  char buffer[4096];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) text.append(buffer, n);
  int status = ::pclose(pipe);
  if (status != 0) {
    ADD_FAILURE() << "parse_eml.py failed on " << path << ": " << text;
    return nullptr;
  }
  return nlohmann::json::parse(text);
}

}  // namespace hookhost::notify::testing
