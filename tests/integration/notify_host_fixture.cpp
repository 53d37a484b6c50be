#include "notify_host_fixture.hpp"

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace hookhost::testing {
namespace {

namespace fs = std::filesystem;

constexpr const char* kPython = "/usr/bin/python3";  // Debian's, with dill and aiosmtpd
const fs::path kTestsDir = fs::path(__FILE__).parent_path().parent_path();

}  // namespace

// Runs a shell command and returns its stdout; `ok` says whether it exited 0.
std::string capture(const std::string& command, bool* ok) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) {
    *ok = false;
    return out;
  }
  char buffer[4096];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  *ok = ::pclose(pipe) == 0;
  return out;
}

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

nlohmann::json parseEml(const fs::path& file) {
  bool ok = false;
  std::string text = capture(std::string(kPython) + " '" + (kTestsDir / "notify" / "parse_eml.py").string() +
                                 "' '" + file.string() + "'",
                             &ok);
  if (!ok) {
    ADD_FAILURE() << "parse_eml.py failed on " << file << ": " << text;
    return nullptr;
  }
  return nlohmann::json::parse(text);
}

std::string rawHeader(const std::string& message, const std::string& name) {
  std::regex pattern("(^|\r\n)" + name + ": ([^\r\n]*)", std::regex::icase);
  std::smatch match;
  return std::regex_search(message, match, pattern) ? match[2].str() : "";
}

std::vector<fs::path> emlFiles(const fs::path& dir) {
  std::vector<fs::path> files;
  std::error_code ec;
  // The spool keeps them in shard directories (notify/spool_layout.hpp).
  for (const auto& entry : fs::recursive_directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (name[0] != '.' && entry.path().extension() == ".eml") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string handlerPickle(const fs::path& dir, const std::string& source, const std::string& function) {
  fs::path script = dir / "make_handler.py";
  std::ofstream(script) << "import base64, dill\n"
                        << source << "print(base64.b64encode(dill.dumps(" << function
                        << ", recurse=True)).decode())\n";
  bool ok = false;
  std::string code = capture(std::string(kPython) + " '" + script.string() + "'", &ok);
  EXPECT_TRUE(ok) << code;
  while (!code.empty() && code.back() == '\n') code.pop_back();
  return code;
}

std::string raisingHandlerPickle(const fs::path& dir) {
  return handlerPickle(dir,
                       "def check(datasets):\n"
                       "    bad = [d['Name'] for d in datasets if not d['Success']]\n"
                       "    if bad:\n"
                       "        raise ValueError('%d bad data set(s)' % len(bad))\n"
                       "def strict(ctx, DataSets, **kwargs):\n"
                       "    check(DataSets)\n"
                       "    return 'all good'\n",
                       "strict");
}

nlohmann::json summaryHandler(const std::string& name, const std::string& onSuccess, const std::string& onFailure) {
  return {{"name", name},
          {"hook", NotifyHost::kHook},
          {"runtime", "plugin"},
          {"plugin", "comtrade_summary/summary"},
          {"notify_on_success", onSuccess},
          {"notify_on_failure", onFailure},
          {"tags", {name}},
          {"max_attempts", 1}};
}

}  // namespace hookhost::testing
