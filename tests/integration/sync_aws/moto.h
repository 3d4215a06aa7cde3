// Fixtures for the AWS destinations' integration tests: a moto server (a local AWS)
// started per test process, boto3 (aws_tool.py) as an independent client reading back
// what certplane pushed, and test certificates made with the openssl CLI.
//
//   MotoServer moto(MotoServer::kSignaturesChecked);   // IAM user + key + KMS key made
//   StaticAwsCredentials creds(moto.Credentials());
//   AcmDestination acm(transport, creds, {.region = "us-east-1", .endpoint = moto.endpoint()});
//   nlohmann::json read = moto.Tool({"acm-get", arn});  // {"certificate": ..., "tags": ...}
//
// The server runs under `timeout 600` in its own process group: the destructor stops
// the group, and a test process killed before that leaves a server that exits by itself.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "process.h"
#include "sync/aws/credentials.h"
#include "sync/destination.h"
#include "test_files.h"

namespace certplane::sync::aws::testing {

inline constexpr const char* kRegion = "us-east-1";

class MotoServer {
 public:
  enum Mode {
    // After aws_tool.py setup (an IAM user allowed acm:*, secretsmanager:*, kms:*, its
    // access key, a KMS key), every call must be signed by a known key.
    kSignaturesChecked,
    // moto's default: nothing is checked (STS AssumeRoleWithWebIdentity needs it: moto
    // wants a signature even on that call once checking is on, which AWS does not).
    kNoAuthentication,
  };
  explicit MotoServer(Mode mode);
  ~MotoServer();

  const std::string& endpoint() const { return endpoint_; }  // http://127.0.0.1:<port>
  // The IAM user's credentials (kSignaturesChecked), or fixed test ones.
  AwsCredentials Credentials() const;
  const std::string& kms_key_id() const { return kms_key_id_; }
  const std::string& kms_key_arn() const { return kms_key_arn_; }

  // Runs aws_tool.py <endpoint> <args...> signed with Credentials() and returns the JSON
  // it printed; fails the test (and returns null) when it printed none.
  nlohmann::json Tool(const std::vector<std::string>& args) const;

 private:
  certplane::testing::TempDir dir_;
  std::unique_ptr<certplane::testing::ChildProcess> process_;
  std::string endpoint_;
  std::string access_key_id_ = "AKIAIOSFODNN7EXAMPLE";
  std::string secret_access_key_ = "moto-no-authentication";
  std::string kms_key_id_;
  std::string kms_key_arn_;
};

// The venv of the Python test tools ($CERTPLANE_PYTHON_TOOLS_DIR/bin/<name>).
std::string PythonTool(const std::string& name);

enum class TestKey { kEcdsaP256, kRsa2048 };

// A leaf certificate valid from now for 30 days, issued by a fresh root with the openssl
// CLI: certificate_pem the leaf, chain_pem and ca_pem the root, the PKCS#8 key, the serial
// in lower-case hex. `tag` makes the files' names distinct within `dir`.
CertificateMaterial MakeLeaf(const certplane::testing::TempDir& dir, TestKey key, const std::string& tag);

// A serial in lower-case hex without leading zeros, as aws_tool.py reports it
// (openssl pads to whole bytes: "0a82...").
std::string SerialWithoutLeadingZeros(const CertificateMaterial& material);

// What is between the first BEGIN and the last END line, whitespace removed: compares
// PEM text regardless of line endings and trailing newlines.
std::string PemBody(const std::string& pem);

}  // namespace certplane::sync::aws::testing
