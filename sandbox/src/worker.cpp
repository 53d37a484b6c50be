#include "sandbox/src/worker.hpp"

#include <exception>
#include <map>

#include "common/output_tail.hpp"

namespace hookhost::sandbox {
namespace {

using dispatch::RunOutcome;
using dispatch::RunStatus;

// How long a worker whose pipe closed gets to finish dying before its status is read.
constexpr std::chrono::milliseconds kExitGrace{2000};

std::string secondsText(std::chrono::milliseconds duration) {
  auto ms = duration.count();
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

// Captured output and log lines of one run, each completed line forwarded to the context
// as it arrives (where followers see it at once) and the last `cap` bytes of them kept for
// RunOutcome::output. Memory stays within about twice the cap however much the handler
// prints: a line without its newline is forwarded in pieces of at most `cap` bytes.
class OutputSink {
 public:
  OutputSink(dispatch::RunContext& context, std::size_t cap) : context_(context), cap_(cap), tail_(cap) {}

  void addOutput(const std::string& stream, const std::string& text) {
    std::string& partial = partial_[stream];
    partial += text;
    std::size_t start = 0;
    for (std::size_t newline; (newline = partial.find('\n', start)) != std::string::npos;
         start = newline + 1) {
      forward(stream, partial.substr(start, newline - start));
    }
    partial.erase(0, start);
    if (partial.size() >= cap_) {
      forward(stream, partial);
      partial.clear();
    }
  }

  void addLog(const std::string& line) { forward("log", line); }

  void flush() {
    for (auto& [stream, partial] : partial_) {
      if (!partial.empty()) forward(stream, partial);
      partial.clear();
    }
  }

  std::string take() { return tail_.text(); }

 private:
  void forward(const std::string& stream, const std::string& line) {
    tail_.append(line);
    try {
      if (stream == "log") {
        context_.log(line);
      } else {
        context_.output(stream, line);
      }
    } catch (const std::exception&) {
      // The job's log is best effort; the handler's run must not fail because of it.
    }
  }

  dispatch::RunContext& context_;
  std::size_t cap_;
  OutputTail tail_;
  std::map<std::string, std::string> partial_;
};

nlohmann::json answerEmit(const nlohmann::json& message, dispatch::RunContext& context) {
  dispatch::EmittedEvent event;
  const auto hook = message.find("hook");
  if (hook == message.end() || !hook->is_string()) {
    return {{"type", "emit_result"}, {"ok", false}, {"error", "emit needs a hook name"}};
  }
  event.hook = hook->get<std::string>();
  if (auto payload = message.find("payload"); payload != message.end() && !payload->is_null()) {
    event.payload = *payload;
  }
  if (auto tags = message.find("tags"); tags != message.end() && !tags->is_null()) {
    if (!tags->is_array()) {
      return {{"type", "emit_result"}, {"ok", false}, {"error", "tags must be a list"}};
    }
    for (const auto& tag : *tags) {
      if (!tag.is_string()) {
        return {{"type", "emit_result"}, {"ok", false}, {"error", "tags must be strings"}};
      }
      event.tags.push_back(tag.get<std::string>());
    }
  }
  if (auto key = message.find("key"); key != message.end() && !key->is_null()) {
    if (!key->is_string()) {
      return {{"type", "emit_result"}, {"ok", false}, {"error", "key must be a string"}};
    }
    event.key = key->get<std::string>();
  }
  try {
    Status status = context.emit(event);
    if (!status) return {{"type", "emit_result"}, {"ok", false}, {"error", status.error().message}};
  } catch (const std::exception& e) {
    return {{"type", "emit_result"}, {"ok", false}, {"error", std::string("internal error: ") + e.what()}};
  }
  return {{"type", "emit_result"}, {"ok", true}};
}

nlohmann::json answerDefer(const nlohmann::json& message, dispatch::RunContext& context) {
  nlohmann::json data = nlohmann::json::object();
  if (auto found = message.find("data"); found != message.end() && !found->is_null()) {
    data = *found;
  }
  try {
    auto ticket = context.defer(data);
    if (!ticket) return {{"type", "defer_result"}, {"ok", false}, {"error", ticket.error().message}};
    return {{"type", "defer_result"},
            {"ok", true},
            {"token", ticket->token},
            {"callback_path", ticket->callbackPath}};
  } catch (const std::exception& e) {
    return {{"type", "defer_result"}, {"ok", false}, {"error", std::string("internal error: ") + e.what()}};
  }
}

std::string textOf(const nlohmann::json& message, const char* key) {
  auto found = message.find(key);
  if (found == message.end() || found->is_null()) return "";
  if (found->is_string()) return found->get<std::string>();
  return found->dump();
}

}  // namespace

Worker::Worker(std::unique_ptr<SandboxedProcess> process, std::size_t maxFrameBytes)
    : process_(std::move(process)),
      channel_(process_->stdinFd(), process_->stdoutFd(), process_->stderrFd(), maxFrameBytes) {}

std::string Worker::describeDeath(const std::string& what) {
  std::string text = "worker " + process_->awaitExit(kExitGrace) + " " + what;
  std::string tail = channel_.stderrTail();
  while (!tail.empty() && (tail.back() == '\n' || tail.back() == '\r')) tail.pop_back();
  if (!tail.empty()) text += ": " + tail;
  return text;
}

Result<std::unique_ptr<Worker>> Worker::start(std::unique_ptr<SandboxedProcess> process,
                                              const nlohmann::json& loadMessage,
                                              Deadline deadline, std::size_t maxFrameBytes) {
  std::unique_ptr<Worker> worker(new Worker(std::move(process), maxFrameBytes));
  auto fail = [&](const char* code, std::string message) -> Error {
    worker->kill();
    return makeError(ErrorKind::Internal, code, std::move(message));
  };
  if (Status sent = worker->channel_.send(loadMessage, deadline); !sent) {
    if (sent.error().code == "timeout") return fail("timeout", "timed out loading the handler");
    return fail("worker_died", worker->describeDeath("before loading the handler"));
  }
  auto reply = worker->channel_.receive(deadline);
  if (!reply) {
    const auto& code = reply.error().code;
    if (code == "timeout") return fail("timeout", "timed out loading the handler");
    if (code == "closed" || code == "truncated") {
      return fail("worker_died", worker->describeDeath("before loading the handler"));
    }
    return fail("protocol", "worker broke the protocol while loading: " + reply.error().message);
  }
  const std::string type = textOf(*reply, "type");
  if (type == "loaded") return worker;
  if (type == "error") {
    return fail("load_failed", "the handler could not be loaded: " + textOf(*reply, "error"));
  }
  return fail("protocol", "worker answered the load with an unexpected message: " + type);
}

bool Worker::readyForReuse() {
  return !process_->exited() && !channel_.hasUnsolicitedInput();
}

Worker::RunReport Worker::run(const nlohmann::json& runMessage, Deadline deadline,
                              std::chrono::milliseconds timeout,
                              dispatch::RunContext& context, std::size_t outputCapBytes) {
  ++runs_;
  OutputSink sink(context, outputCapBytes);
  auto finish = [&](RunStatus status, std::string error, bool reusable) {
    sink.flush();
    if (!reusable) kill();
    RunReport report;
    report.outcome.status = status;
    report.outcome.error = std::move(error);
    report.outcome.output = sink.take();
    report.reusable = reusable;
    return report;
  };
  auto timedOut = [&] {
    return finish(RunStatus::TimedOut, "handler exceeded its timeout of " + secondsText(timeout),
                  false);
  };

  if (Status sent = channel_.send(runMessage, deadline); !sent) {
    if (sent.error().code == "timeout") return timedOut();
    return finish(RunStatus::Failed, describeDeath("before the job started"), false);
  }
  while (true) {
    auto message = channel_.receive(deadline);
    if (!message) {
      const auto& code = message.error().code;
      if (code == "timeout") return timedOut();
      if (code == "closed" || code == "truncated") {
        return finish(RunStatus::Failed, describeDeath("while running the handler"), false);
      }
      return finish(RunStatus::Failed,
                    "worker broke the protocol: " + message.error().message, false);
    }
    const std::string type = textOf(*message, "type");
    if (type == "output") {
      std::string stream = textOf(*message, "stream");
      if (stream != "stderr") stream = "stdout";
      sink.addOutput(stream, textOf(*message, "text"));
    } else if (type == "log") {
      sink.addLog(textOf(*message, "line"));
    } else if (type == "update") {
      auto data = message->value("data", nlohmann::json::object());
      try {
        context.update(data);
      } catch (const std::exception&) {
        // Progress is informational; losing one entry must not fail the handler.
      }
    } else if (type == "emit") {
      if (!channel_.send(answerEmit(*message, context), deadline)) return timedOut();
    } else if (type == "defer") {
      if (!channel_.send(answerDefer(*message, context), deadline)) return timedOut();
    } else if (type == "result") {
      const std::string status = textOf(*message, "status");
      if (status == "succeeded" || status == "deferred") {
        auto report = finish(status == "succeeded" ? RunStatus::Succeeded : RunStatus::Deferred,
                             "", true);
        report.outcome.result = textOf(*message, "result");
        return report;
      }
      if (status == "failed") {
        std::string error = textOf(*message, "traceback");
        if (error.empty()) error = textOf(*message, "error");
        if (error.empty()) error = "the handler failed without a message";
        // A handler that raised may have left its process half-changed: recycle it.
        return finish(RunStatus::Failed, std::move(error), false);
      }
      return finish(RunStatus::Failed, "worker sent a result with unknown status '" + status + "'",
                    false);
    } else {
      return finish(RunStatus::Failed,
                    "worker broke the protocol: unexpected message type '" + type + "'", false);
    }
  }
}

}  // namespace hookhost::sandbox
