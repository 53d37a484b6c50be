// comtrade_summary: a readable summary of a COMTRADE ingress archive (ctingress.on_complete).
#include <hookhost/plugin.hpp>

#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "archive_summary.hpp"

namespace {

class ComtradeSummary {
 public:
  std::string summary(hookhost::plugin::Context&, const std::string& payloadJson) {
    auto payload = nlohmann::json::parse(payloadJson, nullptr, false);
    if (payload.is_discarded()) throw std::invalid_argument("the payload is not JSON");
    return hookhost::plugins::comtrade::summarizeArchive(payload);
  }
};

}  // namespace

HOOKHOST_PLUGIN(ComtradeSummary, "comtrade_summary", "1.0.0",
                hookhost::plugin::handler("summary", &ComtradeSummary::summary, {"ctingress.on_complete"}, {},
                                          "readable summary of an imported COMTRADE archive"))
