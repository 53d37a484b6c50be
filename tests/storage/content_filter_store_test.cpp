// The store's side of content filters (issue 14), on SQLite and PostgreSQL: the stored
// pattern, kept on replace, and the fire that makes no job for a handler it does not match.
#include "store_fixture.hpp"

namespace hookhost::testing {
namespace {

using nlohmann::json;

class ContentFilterStore : public StoreTest {
 protected:
  storage::Handler withFilter(const std::string& name, std::optional<json> filter) {
    storage::Handler handler = addHandler(name);
    storage::HandlerSpec spec = handler.spec;
    spec.code = "AAAA";
    spec.filter = std::move(filter);
    return store_->registerHandler(spec, alice_)->handler;
  }
  std::vector<std::string> firedNames() {
    std::vector<std::string> names;
    for (const auto& job : fire().jobs) names.push_back(job.handler);
    return names;
  }
};

TEST_P(ContentFilterStore, AFireMakesNoJobForAHandlerWhoseFilterDoesNotMatch) {
  withFilter("human", json{{"genome", {"homo_sapiens"}}});
  withFilter("mouse", json{{"genome", {"mus_musculus"}}});
  addHandler("any");
  EXPECT_EQ(firedNames(), (std::vector<std::string>{"human", "any"}));
}

TEST_P(ContentFilterStore, TheFilterIsKeptOnReplaceReplacedByANewOneAndClearedByNull) {
  const json mouse = {{"genome", {"mus_musculus"}}};
  auto first = withFilter("h", mouse);
  EXPECT_EQ(first.spec.filter, mouse);
  auto kept = withFilter("h", std::nullopt);
  EXPECT_EQ(kept.version, first.version + 2);  // withFilter registers twice
  EXPECT_EQ(store_->getHandler(kept.id)->spec.filter, mouse);
  EXPECT_TRUE(firedNames().empty());

  auto human = withFilter("h", json{{"genome", {{{"prefix", "homo_"}}}}});
  EXPECT_EQ(firedNames(), std::vector<std::string>{"h"});  // a new version is compiled anew
  EXPECT_EQ(store_->listHandlers({})[0].spec.filter, human.spec.filter);
  withFilter("h", json());
  EXPECT_TRUE(store_->getHandler(human.id)->spec.filter->is_null());
  EXPECT_EQ(firedNames(), std::vector<std::string>{"h"});
}

INSTANTIATE_TEST_SUITE_P(Backends, ContentFilterStore, storeBackends(), backendName);

}  // namespace
}  // namespace hookhost::testing
