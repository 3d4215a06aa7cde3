// The parts of the REST client that need no server.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "kube/rest_client.h"

namespace certplane::kube {
namespace {

namespace fs = std::filesystem;

TEST(ClientTest, RereadsARotatedTokenFile) {
  fs::path dir = fs::temp_directory_path() / ("certplane-token-test-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  fs::path token = dir / "token";
  std::ofstream(token) << "first-token\n";
  ClusterConfig config;
  config.server = "https://127.0.0.1:1";
  config.token_file = token.string();
  auto client = Client::Create(config);
  ASSERT_TRUE(client.ok()) << client.status();
  EXPECT_EQ((*client)->AuthorizationHeader(), "Bearer first-token");
  // Rotation as the kubelet does it: a new file swapped in.
  fs::path next = dir / "token.next";
  std::ofstream(next) << "second-token";
  fs::rename(next, token);
  EXPECT_EQ((*client)->AuthorizationHeader(), "Bearer second-token");
  fs::remove_all(dir);
}

TEST(ClientTest, PrefersTheTokenFileOverAFixedToken) {
  ClusterConfig config;
  config.server = "https://127.0.0.1:1";
  config.bearer_token = SensitiveString("fixed");
  auto client = Client::Create(config);
  ASSERT_TRUE(client.ok()) << client.status();
  EXPECT_EQ((*client)->AuthorizationHeader(), "Bearer fixed");
}

TEST(ClientTest, RejectsAServerThatIsNotAUri) {
  ClusterConfig config;
  config.server = "https://bad host:1";
  auto client = Client::Create(config);
  EXPECT_EQ(client.status().code(), StatusCode::kInvalidArgument) << client.status();
}

// --- ParseListEach: a list page, item by item ---------------------------------------

std::vector<std::string> NamesOf(std::string_view body, Result<ListPage>* page_out = nullptr) {
  std::vector<std::string> names;
  Result<ListPage> page = ParseListEach(body, [&](nlohmann::json&& item) {
    names.push_back(item.at("metadata").at("name").get<std::string>());
    return Status::Ok();
  });
  if (page_out != nullptr) *page_out = std::move(page);
  return names;
}

TEST(ParseListEachTest, HandsOverEachItemWholeAndInOrderWithTheListsVersionAndToken) {
  Result<ListPage> page = InvalidArgument("unset");
  std::vector<nlohmann::json> items;
  page = ParseListEach(R"({"kind": "SecretList", "apiVersion": "v1",
                           "metadata": {"resourceVersion": "42", "continue": "next-page"},
                           "items": [{"metadata": {"name": "a", "labels": {"items": "x"}}, "data": {"k": [1, {"v": 2}]}},
                                     {"metadata": {"name": "b"}}]})",
                       [&](nlohmann::json&& item) {
                         items.push_back(std::move(item));
                         return Status::Ok();
                       });
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(page->resource_version, "42");
  EXPECT_EQ(page->continue_token, "next-page");
  EXPECT_TRUE(page->items.empty());
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0], nlohmann::json::parse(R"({"metadata": {"name": "a", "labels": {"items": "x"}},
                                                "data": {"k": [1, {"v": 2}]}})"));
  EXPECT_EQ(items[1]["metadata"]["name"], "b");
}

TEST(ParseListEachTest, FindsTheMetadataAfterTheItemsAndReadsAnEmptyList) {
  Result<ListPage> page = InvalidArgument("unset");
  EXPECT_EQ(NamesOf(R"({"items": [{"metadata": {"name": "a"}}], "metadata": {"resourceVersion": "7"}})", &page),
            std::vector<std::string>{"a"});
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(page->resource_version, "7");
  EXPECT_EQ(page->continue_token, "");
  EXPECT_TRUE(NamesOf(R"({"items": [], "metadata": {}})", &page).empty());
  EXPECT_TRUE(page.ok()) << page.status();
  EXPECT_TRUE(NamesOf(R"({"items": null})", &page).empty());
  EXPECT_TRUE(page.ok()) << page.status();
}

TEST(ParseListEachTest, ItemsNestedDeeperOrUnderAnotherKeyAreNotItems) {
  EXPECT_EQ(NamesOf(R"({"other": [{"metadata": {"name": "no"}}],
                        "items": [{"metadata": {"name": "yes"}, "items": [{"metadata": {"name": "inner"}}]}]})"),
            std::vector<std::string>{"yes"});
}

TEST(ParseListEachTest, StopsHandingOverAtTheFirstErrorAndReturnsIt) {
  int calls = 0;
  Result<ListPage> page = ParseListEach(R"({"items": [{}, {}, {}]})", [&](nlohmann::json&&) {
    ++calls;
    return Cancelled("stop here");
  });
  EXPECT_EQ(calls, 1);
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.status().code(), StatusCode::kCancelled);
  EXPECT_EQ(page.status().message(), "stop here");
}

TEST(ParseListEachTest, ABodyThatIsNotAJsonObjectIsInternal) {
  for (std::string_view body : {"", "not json", "[1, 2]", R"({"items": [{"metadata": )"}) {
    Result<ListPage> page = ParseListEach(body, [](nlohmann::json&&) { return Status::Ok(); });
    ASSERT_FALSE(page.ok()) << body;
    EXPECT_EQ(page.status().code(), StatusCode::kInternal) << body;
  }
}

}  // namespace
}  // namespace certplane::kube
