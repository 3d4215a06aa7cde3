// The system's roots are parsed once per process once detached (kube/system_roots.h):
// a new SSL_CTX's default verify paths then load nothing, the shared store holds what
// they loaded before, and a client with no CA of its own trusts that shared store. Each
// test runs in a process of its own (ctest), since detaching changes the environment.
#include "kube/system_roots.h"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <utility>  // before boost asio, which uses std::exchange

#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "kube/config.h"
#include "kube/tls.h"

namespace certplane::kube {
namespace {

int CountCertificates(X509_STORE* store) {
  int count = 0;
  STACK_OF(X509_OBJECT)* objects = X509_STORE_get0_objects(store);
  for (int i = 0; i < sk_X509_OBJECT_num(objects); ++i) {
    if (X509_OBJECT_get_type(sk_X509_OBJECT_value(objects, i)) == X509_LU_X509) ++count;
  }
  return count;
}

// What cpprestsdk does to every new connection's context before the client's callback.
int CertificatesLoadedByDefaultVerifyPaths() {
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(TLS_client_method()), &SSL_CTX_free);
  EXPECT_EQ(SSL_CTX_set_default_verify_paths(ctx.get()), 1);
  return CountCertificates(SSL_CTX_get_cert_store(ctx.get()));
}

// The first `n` certificates of the system's bundle, as PEM.
std::string FirstSystemRoots(int n) {
  std::ifstream in(X509_get_default_cert_file());
  std::stringstream out;
  std::string line;
  int ended = 0;
  while (ended < n && std::getline(in, line)) {
    out << line << '\n';
    if (line == "-----END CERTIFICATE-----") ++ended;
  }
  EXPECT_EQ(ended, n) << "the system bundle " << X509_get_default_cert_file() << " holds fewer roots";
  return out.str();
}

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "system-roots-XXXXXX").string();
    path_ = mkdtemp(pattern.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

TEST(SystemRootsTest, DefaultVerifyPathsLoadNothingOnceDetachedAndTheSharedStoreHoldsTheRoots) {
  // Two roots, named by SSL_CERT_FILE as a user would, and an empty hashed folder.
  TempDir dir;
  const std::filesystem::path bundle = dir.path() / "roots.pem";
  std::ofstream(bundle) << FirstSystemRoots(2);
  std::filesystem::create_directory(dir.path() / "hashed");
  setenv(X509_get_default_cert_file_env(), bundle.c_str(), 1);
  setenv(X509_get_default_cert_dir_env(), (dir.path() / "hashed").c_str(), 1);
  ASSERT_EQ(CertificatesLoadedByDefaultVerifyPaths(), 2);

  DetachSystemRootsFromDefaults();

  EXPECT_EQ(CertificatesLoadedByDefaultVerifyPaths(), 0);
  EXPECT_EQ(CountCertificates(SharedSystemRoots()), 2);
  EXPECT_EQ(SharedSystemRoots(), SharedSystemRoots());
  DetachSystemRootsFromDefaults();  // a second call changes nothing
  EXPECT_EQ(CountCertificates(SharedSystemRoots()), 2);
}

TEST(SystemRootsTest, AClientWithoutACaTrustsTheSharedRootsAndOneWithACaOnlyThatCa) {
  DetachSystemRootsFromDefaults();
  ASSERT_GT(CountCertificates(SharedSystemRoots()), 0) << "no system roots at " << X509_get_default_cert_file();

  ClusterConfig without_ca;
  boost::asio::ssl::context trusting_system(boost::asio::ssl::context::sslv23);
  trusting_system.set_default_verify_paths();
  MakeHttpClientConfig(without_ca, std::chrono::seconds(1)).get_ssl_context_callback()(trusting_system);
  EXPECT_EQ(SSL_CTX_get_cert_store(trusting_system.native_handle()), SharedSystemRoots());

  ClusterConfig with_ca;
  with_ca.ca_pem = FirstSystemRoots(1);
  boost::asio::ssl::context trusting_ca(boost::asio::ssl::context::sslv23);
  trusting_ca.set_default_verify_paths();
  MakeHttpClientConfig(with_ca, std::chrono::seconds(1)).get_ssl_context_callback()(trusting_ca);
  X509_STORE* store = SSL_CTX_get_cert_store(trusting_ca.native_handle());
  EXPECT_NE(store, SharedSystemRoots());
  EXPECT_EQ(CountCertificates(store), 1);
}

}  // namespace
}  // namespace certplane::kube
