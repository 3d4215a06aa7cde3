// The parts of the REST client that need no server.
#include <chrono>
#include <filesystem>
#include <fstream>

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
  config.bearer_token = SecretString("fixed");
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

}  // namespace
}  // namespace certplane::kube
