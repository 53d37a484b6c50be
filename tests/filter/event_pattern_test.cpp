// Content filters (DESIGN.md "Flows"): each matcher, arrays, AND across keys, OR in a list.
#include "filter/event_pattern.hpp"

#include <gtest/gtest.h>

namespace hookhost::filter {
namespace {

using nlohmann::json;

bool matches(const json& pattern, const json& payload) {
  auto compiled = EventPattern::compile(pattern);
  EXPECT_TRUE(compiled) << (compiled ? "" : compiled.error().message);
  return compiled && compiled->matches(payload);
}

TEST(EventPattern, LiteralsMatchByEquality) {
  EXPECT_TRUE(matches({{"File", {"a.zip"}}}, {{"File", "a.zip"}}));
  EXPECT_FALSE(matches({{"File", {"a.zip"}}}, {{"File", "b.zip"}}));
  EXPECT_TRUE(matches({{"n", {5}}}, {{"n", 5.0}}));
  EXPECT_FALSE(matches({{"n", {5}}}, {{"n", "5"}}));
  EXPECT_TRUE(matches({{"ok", {false}}}, {{"ok", false}}));
  EXPECT_FALSE(matches({{"ok", {false}}}, {{"ok", true}}));
  EXPECT_TRUE(matches({{"v", {nullptr}}}, {{"v", nullptr}}));
  EXPECT_FALSE(matches({{"v", {nullptr}}}, json::object()));  // null is a value, not absence
  EXPECT_FALSE(matches({{"File", {"a.zip"}}}, json::object()));
}

TEST(EventPattern, PrefixAndSuffixMatchStringsOnly) {
  json prefix = {{"Name", {{{"prefix", "/DFR"}}}}};
  EXPECT_TRUE(matches(prefix, {{"Name", "/DFR 2/x.cfg"}}));
  EXPECT_FALSE(matches(prefix, {{"Name", "/__MACOSX/DFR"}}));
  EXPECT_FALSE(matches(prefix, {{"Name", 7}}));
  json suffix = {{"Name", {{{"suffix", ".cfg"}}}}};
  EXPECT_TRUE(matches(suffix, {{"Name", "/DFR 2/x.cfg"}}));
  EXPECT_FALSE(matches(suffix, {{"Name", "x.cfg.bak"}}));
  EXPECT_FALSE(matches(suffix, {{"Name", "cfg"}}));
}

TEST(EventPattern, AnythingButMatchesAPresentValueNotListed) {
  json pattern = {{"state", {{{"anything-but", {"done", "skipped"}}}}}};
  EXPECT_TRUE(matches(pattern, {{"state", "failed"}}));
  EXPECT_FALSE(matches(pattern, {{"state", "done"}}));
  EXPECT_FALSE(matches(pattern, {{"state", "skipped"}}));
  EXPECT_FALSE(matches(pattern, json::object()));
  EXPECT_TRUE(matches({{"n", {{{"anything-but", 3}}}}}, {{"n", 4}}));
  EXPECT_FALSE(matches({{"n", {{{"anything-but", 3}}}}}, {{"n", 3}}));
}

TEST(EventPattern, NumericComparesNumbersWithinTheBounds) {
  json range = {{"size", {{{"numeric", {">", 0, "<=", 5}}}}}};
  EXPECT_FALSE(matches(range, {{"size", 0}}));
  EXPECT_TRUE(matches(range, {{"size", 0.5}}));
  EXPECT_TRUE(matches(range, {{"size", 5}}));
  EXPECT_FALSE(matches(range, {{"size", 5.01}}));
  EXPECT_FALSE(matches(range, {{"size", "3"}}));
  EXPECT_FALSE(matches(range, {{"size", true}}));
  EXPECT_TRUE(matches({{"n", {{{"numeric", {"=", 1591844350000000000LL}}}}}}, {{"n", 1591844350000000000LL}}));
  EXPECT_TRUE(matches({{"n", {{{"numeric", {"<", -1}}}}}}, {{"n", -2}}));
  EXPECT_TRUE(matches({{"n", {{{"numeric", {">=", 2}}}}}}, {{"n", 2}}));
}

TEST(EventPattern, ExistsIsAboutTheFieldWhateverItHolds) {
  json present = {{"Streams", {{{"exists", true}}}}};
  json absent = {{"Streams", {{{"exists", false}}}}};
  for (const json& value : {json(nullptr), json::array(), json::object(), json(0)}) {
    EXPECT_TRUE(matches(present, {{"Streams", value}})) << value;
    EXPECT_FALSE(matches(absent, {{"Streams", value}})) << value;
  }
  EXPECT_FALSE(matches(present, json::object()));
  EXPECT_TRUE(matches(absent, json::object()));
  // Below a missing or scalar parent the field is absent too.
  EXPECT_TRUE(matches({{"a", {{"b", {{{"exists", false}}}}}}}, {{"a", 1}}));
  EXPECT_TRUE(matches({{"a", {{"b", {{{"exists", false}}}}}}}, json::object()));
  EXPECT_FALSE(matches({{"a", {{"b", {{{"exists", true}}}}}}}, json::object()));
}

TEST(EventPattern, NestedObjectsDescend) {
  json pattern = {{"meta", {{"source", {{"host", {"ingest-1"}}}}}}};
  EXPECT_TRUE(matches(pattern, {{"meta", {{"source", {{"host", "ingest-1"}, {"port", 1}}}}}}));
  EXPECT_FALSE(matches(pattern, {{"meta", {{"source", {{"host", "ingest-2"}}}}}}));
  EXPECT_FALSE(matches(pattern, {{"meta", "ingest-1"}}));
}

TEST(EventPattern, EveryKeyMustMatch) {
  json pattern = {{"File", {{{"suffix", ".zip"}}}}, {"Kind", {"comtrade"}}};
  EXPECT_TRUE(matches(pattern, {{"File", "a.zip"}, {"Kind", "comtrade"}}));
  EXPECT_FALSE(matches(pattern, {{"File", "a.zip"}, {"Kind", "pmu"}}));
  EXPECT_FALSE(matches(pattern, {{"File", "a.tar"}, {"Kind", "comtrade"}}));
  EXPECT_FALSE(matches(pattern, {{"File", "a.zip"}}));
}

TEST(EventPattern, OneMatcherOfAListIsEnough) {
  json pattern = {{"Kind", {"comtrade", {{"prefix", "pmu-"}}, {{"numeric", {">", 100}}}}}};
  EXPECT_TRUE(matches(pattern, {{"Kind", "comtrade"}}));
  EXPECT_TRUE(matches(pattern, {{"Kind", "pmu-7"}}));
  EXPECT_TRUE(matches(pattern, {{"Kind", 101}}));
  EXPECT_FALSE(matches(pattern, {{"Kind", "dfr"}}));
  EXPECT_FALSE(matches(pattern, {{"Kind", 100}}));
}

TEST(EventPattern, APayloadArrayMatchesWhenAnyElementDoes) {
  json pattern = {{"tags", {"urgent"}}};
  EXPECT_TRUE(matches(pattern, {{"tags", {"low", "urgent"}}}));
  EXPECT_TRUE(matches(pattern, {{"tags", {json::array({"low"}), json::array({"urgent"})}}}));  // arrays flatten
  EXPECT_FALSE(matches(pattern, {{"tags", {"low", "normal"}}}));
  EXPECT_FALSE(matches(pattern, {{"tags", json::array()}}));
  EXPECT_TRUE(matches({{"n", {{{"numeric", {">", 10}}}}}}, {{"n", {1, 2, 30}}}));
}

TEST(EventPattern, AKeyOverAnArrayOfObjectsMatchesWhenOneElementMatchesAsAWhole) {
  json failed = {{"DataSets", {{"Success", {false}}}}};
  json ok = {{"DataSets", {{{"Success", true}, {"Error", ""}}, {{"Success", true}, {"Error", ""}}}}};
  json oneFailed = {{"DataSets", {{{"Success", true}, {"Error", ""}}, {{"Success", false}, {"Error", "bad"}}}}};
  EXPECT_TRUE(matches(failed, oneFailed));
  EXPECT_FALSE(matches(failed, ok));
  // Both keys must hold in the same element, not one in each.
  json failedWithoutError = {{"DataSets", {{"Success", {false}}, {"Error", {""}}}}};
  EXPECT_FALSE(matches(failedWithoutError, oneFailed));
  json mixed = {{"DataSets", {{{"Success", false}, {"Error", "x"}}, {{"Success", false}, {"Error", ""}}}}};
  EXPECT_TRUE(matches(failedWithoutError, mixed));
}

TEST(EventPattern, TheSeedPayloadWithAFailedDataSetMatches) {
  json seed = json::parse(R"({"DataSets": [
      {"Error": "", "Name": "/DFR 2/200610,230000000,-4t,R108-North Anna #1,APP601,Dominion,M1094.cfg",
       "Streams": [{"EndNs": 1591844539983333333, "ProcessedAtNs": 0, "StartNs": 1591844350000000000,
                    "Uuid": "585cc764-3c80-5d3f-a7d7-59d48abbab0b"}], "Success": true},
      {"Error": "cfg format error", "Name": "/__MACOSX/DFR 2/._200610.cfg", "Streams": null, "Success": false}],
    "File": "comtrade_samples.zip", "RequestID": "0bbcacdb-e7aa-4e01-af88-9ba865ea32bd",
    "SubmittedAt": "2020-10-29T21:58:15.09246084Z"})");
  json failed = {{"DataSets", {{"Success", {false}}}}};
  EXPECT_TRUE(matches(failed, seed));
  seed["DataSets"][1]["Success"] = true;
  EXPECT_FALSE(matches(failed, seed));
  EXPECT_TRUE(matches({{"DataSets", {{"Streams", {{"Uuid", {{{"prefix", "585cc764"}}}}}}}}}, seed));
}

TEST(EventPattern, KeepsItsSource) {
  json pattern = {{"DataSets", {{"Success", {false}}}}};
  auto compiled = EventPattern::compile(pattern);
  ASSERT_TRUE(compiled);
  EXPECT_EQ(compiled->source(), pattern);
}

}  // namespace
}  // namespace hookhost::filter
