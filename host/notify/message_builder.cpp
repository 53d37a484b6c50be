#include "notify/message_builder.hpp"

#include "notify/chain_report.hpp"

#include <cstdio>

#include <Poco/Net/MailMessage.h>
#include <Poco/Net/MailRecipient.h>
#include <Poco/Timestamp.h>

namespace hookhost::notify {
namespace {

std::string domainOf(const std::string& address) {
  auto at = address.rfind('@');
  if (at == std::string::npos) return "localhost";
  std::string domain = address.substr(at + 1);
  // mail.from may be "Name <user@host>".
  if (auto close = domain.find('>'); close != std::string::npos) domain.erase(close);
  return domain.empty() ? "localhost" : domain;
}

std::string formatElapsed(Micros micros) {
  char text[64];
  double seconds = static_cast<double>(micros) / 1e6;
  if (seconds < 60) {
    std::snprintf(text, sizeof text, "%.3f s", seconds);
    return text;
  }
  long long whole = static_cast<long long>(seconds);
  std::snprintf(text, sizeof text, "%lldh %02lldm %02llds (%.3f s)", whole / 3600, (whole / 60) % 60,
                whole % 60, seconds);
  return text;
}

bool isAscii(const std::string& text) {
  for (unsigned char c : text) {
    if (c >= 0x80 || c < 0x20) return false;
  }
  return true;
}

// Header text must stay on its line: a CR or LF in a handler name would start a new header.
std::string withoutControls(std::string text) {
  for (char& c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F) c = ' ';
  }
  return text;
}

std::string outcomeWords(Outcome outcome) {
  switch (outcome) {
    case Outcome::Succeeded: return "succeeded";
    case Outcome::Failed: return "failed";
    case Outcome::TimedOut: return "timed out";
  }
  return "failed";
}

}  // namespace

std::string truncateUtf8(const std::string& text, std::size_t maxBytes) {
  if (text.size() <= maxBytes) return text;
  std::size_t cut = maxBytes;
  // Back up over continuation bytes so the cut lands before the start of a sequence.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return text.substr(0, cut);
}

std::string toCrlf(const std::string& text) {
  std::string out;
  out.reserve(text.size() + text.size() / 32);
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\r') {
      out += "\r\n";
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
    } else if (c == '\n') {
      out += "\r\n";
    } else {
      out += c;
    }
  }
  return out;
}

MessageBuilder::MessageBuilder(MessageSettings settings)
    : settings_(std::move(settings)),
      domain_(settings_.messageIdDomain.empty() ? domainOf(settings_.from)
                                                : settings_.messageIdDomain) {}

std::string MessageBuilder::subject(const Notification& n) const {
  const char* verdict = n.outcome == Outcome::Succeeded ? "succeeded" : "failed";
  return "[hookhost] " + n.handlerName + " on " + n.hook + ": " + verdict + " (job " +
         std::to_string(n.jobId) + ")";
}

std::string MessageBuilder::messageId(const Notification& n) const {
  return "<hookhost.notification." + std::to_string(n.id) + "@" + domain_ + ">";
}

std::string MessageBuilder::body(const Notification& n) const {
  std::string jobPath = n.jobPath.empty() ? jobPathOf(n.jobId) : n.jobPath;
  std::string out;
  out += "Handler \"" + n.handlerName + "\" (version " + std::to_string(n.handlerVersion) +
         ") on hook " + n.hook + " " + outcomeWords(n.outcome) + ".\n\n";
  out += "Handler:   " + n.handlerName + " (id " + std::to_string(n.handlerId) + ", version " +
         std::to_string(n.handlerVersion) + ")\n";
  out += "Hook:      " + n.hook + "\n";
  out += "Outcome:   " + outcomeWords(n.outcome) + "\n";
  out += "Event:     " + std::to_string(n.eventId) + "\n";
  out += "Job:       " + std::to_string(n.jobId) + "\n";
  out += "Attempt:   " + std::to_string(n.jobAttempt) + "\n";
  if (n.startedAt > 0) out += "Started:   " + formatRfc3339(n.startedAt) + "\n";
  if (n.finishedAt > 0) out += "Finished:  " + formatRfc3339(n.finishedAt) + "\n";
  if (n.startedAt > 0 && n.finishedAt >= n.startedAt) {
    out += "Duration:  " + formatElapsed(n.finishedAt - n.startedAt) + "\n";
  }
  out += "\nLook the job up with GET " + jobPath;
  if (!n.publicBaseUrl.empty()) {
    std::string base = n.publicBaseUrl;
    while (!base.empty() && base.back() == '/') base.pop_back();
    out += ":\n  curl -H \"Authorization: Bearer $HOOKHOST_API_KEY\" " + base + jobPath + "\n";
  } else {
    out += " (with your API key as a Bearer token).\n";
  }

  const bool succeeded = n.outcome == Outcome::Succeeded;
  const std::string& text = succeeded ? n.result : n.error;
  if (succeeded) {
    out += "\nThe handler returned:\n\n";
  } else if (n.outcome == Outcome::TimedOut) {
    out += "\nThe handler timed out:\n\n";
  } else {
    out += "\nThe handler failed with:\n\n";
  }
  if (text.empty()) {
    out += succeeded ? "(no text)\n" : "(no error text)\n";
    return toCrlf(out + chainSection(n));
  }
  std::string shown = truncateUtf8(text, settings_.maxTextBytes);
  out += shown;
  if (shown.empty() || shown.back() != '\n') out += "\n";
  if (shown.size() < text.size()) {
    out += "\n[hookhost: truncated: the text is " + std::to_string(text.size()) +
           " bytes and only the first " + std::to_string(shown.size()) +
           " are shown; the full text is in the job: GET " + jobPath + "]\n";
  }
  if (!succeeded) out += chainSection(n);
  return toCrlf(out);
}

void MessageBuilder::build(const Notification& n, Poco::Net::MailMessage& message) const {
  using Poco::Net::MailMessage;
  using Poco::Net::MailRecipient;
  message.setSender(settings_.from);
  message.addRecipient(MailRecipient(MailRecipient::PRIMARY_RECIPIENT, n.recipient));
  std::string text = withoutControls(subject(n));
  message.setSubject(isAscii(text) ? text : MailMessage::encodeWord(text, "UTF-8"));
  Micros dated = n.finishedAt > 0 ? n.finishedAt : n.createdAt;
  if (dated > 0) message.setDate(Poco::Timestamp(dated));
  message.set("Message-ID", messageId(n));
  message.set("MIME-Version", "1.0");
  message.set("X-Hookhost-Job", std::to_string(n.jobId));
  message.set("X-Hookhost-Event", std::to_string(n.eventId));
  message.set("X-Hookhost-Outcome", std::string(outcomeName(n.outcome)));
  // RFC 3834: tells vacation responders not to answer.
  message.set("Auto-Submitted", "auto-generated");
  message.setContentType("text/plain; charset=UTF-8");
  message.setContent(body(n), MailMessage::ENCODING_QUOTED_PRINTABLE);
}

}  // namespace hookhost::notify
