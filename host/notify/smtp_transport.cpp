#include "notify/smtp_transport.hpp"

#include <optional>
#include <sstream>

#include <Poco/Environment.h>
#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/MailMessage.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SMTPClientSession.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Timespan.h>

namespace hookhost::notify {
namespace {

/// SecureSMTPClientSession verifies the certificate against the name it was constructed
/// with, which is empty when the session wraps an already connected socket (the only way
/// to get a connect timeout). This does the same STARTTLS upgrade with the configured host.
class Session : public Poco::Net::SMTPClientSession {
 public:
  explicit Session(const Poco::Net::StreamSocket& socket) : SMTPClientSession(socket) {}

  int startTls(Poco::Net::Context::Ptr context, const std::string& host, std::string& response) {
    int status = sendCommand("STARTTLS", response);
    if (status / 100 != 2) return status;
    Poco::Net::SecureStreamSocket secure =
        Poco::Net::SecureStreamSocket::attach(socket(), host, context);
    socket() = secure;
    return status;
  }
};

enum class Phase { Connect, Session, Envelope, Data, AfterData };

std::string phaseText(Phase phase) {
  switch (phase) {
    case Phase::Connect: return "connecting";
    case Phase::Session: return "opening the session";
    case Phase::Envelope: return "sending the envelope";
    case Phase::Data: return "starting the data";
    case Phase::AfterData: return "after sending the message data";
  }
  return "";
}

std::string oneLine(std::string text) {
  for (char& c : text) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

SendResult replyFailure(Phase phase, const std::string& command, int status,
                        const std::string& response) {
  std::string error = "SMTP " + command + " answered " + oneLine(response);
  if (phase == Phase::Session) {
    return SendResult{SendStatus::Temporary, error, FailureScope::Server};
  }
  bool permanent = status / 100 == 5;
  return SendResult{permanent ? SendStatus::Permanent : SendStatus::Temporary, error,
                    FailureScope::Message};
}

// Greets the server (EHLO, HELO as a fallback), upgrades with STARTTLS and logs in, as
// configured. A refusal is the failure to report; nothing means the session is open.
std::optional<SendResult> openSession(Session& session, const SmtpSettings& settings, const std::string& helo) {
  session.login(helo);  // reads the greeting, then EHLO (HELO as a fallback)
  std::string response;
  if (settings.starttls) {
    Poco::Net::Context::Ptr context = new Poco::Net::Context(
        Poco::Net::Context::TLS_CLIENT_USE, settings.caFile, Poco::Net::Context::VERIFY_RELAXED, 9, true);
    int status = session.startTls(context, settings.host, response);
    if (status / 100 != 2) return replyFailure(Phase::Session, "STARTTLS", status, response);
    if (settings.user.empty()) session.login(helo);  // RFC 3207: EHLO again
  }
  if (!settings.user.empty()) {
    int status = session.sendCommand("EHLO", helo, response);
    if (status / 100 != 2) return replyFailure(Phase::Session, "EHLO", status, response);
    auto method = response.find("PLAIN") != std::string::npos ? Poco::Net::SMTPClientSession::AUTH_PLAIN
                                                               : Poco::Net::SMTPClientSession::AUTH_LOGIN;
    session.login(helo, method, settings.user, settings.password);
  }
  return std::nullopt;
}

// MAIL FROM and one RCPT TO per recipient.
std::optional<SendResult> sendEnvelope(Session& session, const Poco::Net::MailMessage& message,
                                       const std::string& sender) {
  std::string response;
  int status = session.sendCommand("MAIL FROM:", "<" + sender + ">", response);
  if (status / 100 != 2) return replyFailure(Phase::Envelope, "MAIL FROM", status, response);
  for (const auto& recipient : message.recipients()) {
    status = session.sendCommand("RCPT TO:", "<" + recipient.getAddress() + ">", response);
    if (status / 100 != 2) return replyFailure(Phase::Envelope, "RCPT TO", status, response);
  }
  return std::nullopt;
}

// An SMTP error reply raised by Poco: a 5xx after the session opened is the message's
// permanent failure; anything else is worth another try (the server's, while opening).
SendResult smtpExceptionResult(const Poco::Net::SMTPException& e, Phase phase) {
  if (phase == Phase::AfterData && e.code() == 0) {
    return SendResult{SendStatus::Temporary, "connection lost after sending the message data (no reply)",
                      FailureScope::Message};
  }
  const std::string error = "SMTP " + phaseText(phase) + ": " + oneLine(e.displayText());
  if (phase == Phase::Session || e.code() / 100 != 5) {
    return SendResult{SendStatus::Temporary, error,
                      phase == Phase::Session ? FailureScope::Server : FailureScope::Message};
  }
  return SendResult{SendStatus::Permanent, error, FailureScope::Message};
}

}  // namespace

std::string envelopeAddressOf(const std::string& from) {
  auto open = from.rfind('<');
  auto close = from.rfind('>');
  if (open != std::string::npos && close != std::string::npos && close > open) {
    return from.substr(open + 1, close - open - 1);
  }
  return from;
}

SmtpTransport::SmtpTransport(SmtpSettings settings) : settings_(std::move(settings)) {
  heloName_ = settings_.heloName.empty() ? Poco::Environment::nodeName() : settings_.heloName;
  if (heloName_.empty()) heloName_ = "localhost";
  if (settings_.starttls) Poco::Net::initializeSSL();
}

SmtpTransport::~SmtpTransport() {
  if (settings_.starttls) Poco::Net::uninitializeSSL();
}

SendResult SmtpTransport::send(const Notification& /*notification*/,
                               Poco::Net::MailMessage& message) {
  Phase phase = Phase::Connect;
  const Poco::Timespan timeout(static_cast<Poco::Timespan::TimeDiff>(settings_.timeout.count()) *
                               1000);
  try {
    Poco::Net::StreamSocket socket;
    socket.connect(Poco::Net::SocketAddress(settings_.host, settings_.port), timeout);
    Session session(socket);
    session.setTimeout(timeout);

    phase = Phase::Session;
    if (auto refused = openSession(session, settings_, heloName_)) return *refused;
    phase = Phase::Envelope;
    if (auto refused = sendEnvelope(session, message, envelopeAddressOf(message.getSender()))) return *refused;

    phase = Phase::Data;
    std::string response;
    int status = session.sendCommand("DATA", response);
    if (status / 100 != 3) return replyFailure(phase, "DATA", status, response);

    std::ostringstream text;
    message.write(text);
    std::istringstream in(text.str());
    phase = Phase::AfterData;
    session.sendMessage(in);  // dot-stuffs, sends the terminating ".", checks the reply
    try {
      session.close();
    } catch (const Poco::Exception&) {
      // The message is accepted; a failing QUIT changes nothing.
    }
    return SendResult{};
  } catch (const Poco::Net::SMTPException& e) {
    return smtpExceptionResult(e, phase);
  } catch (const Poco::Exception& e) {
    FailureScope scope = phase <= Phase::Session ? FailureScope::Server : FailureScope::Message;
    return SendResult{SendStatus::Temporary,
                      "SMTP " + phaseText(phase) + " (" + settings_.host + ":" +
                          std::to_string(settings_.port) + "): " + oneLine(e.displayText()),
                      scope};
  } catch (const std::exception& e) {
    return SendResult{SendStatus::Temporary,
                      "SMTP " + phaseText(phase) + ": " + oneLine(e.what()), FailureScope::Message};
  }
}

}  // namespace hookhost::notify
