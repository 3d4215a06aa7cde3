// The facts of a certificate Secret: what an issuance knows of the Secret it writes is
// exactly what parsing that Secret reads back, and the memo that carries those facts
// from the writer to the Secret informer serves them only for the same bytes.
#include "reconcile/secret_facts.h"

#include <gtest/gtest.h>

#include "../pki/fixtures.h"
#include "api/pki_mapping.h"
#include "api/well_known.h"
#include "kube/base64.h"
#include "kube/secret_data.h"
#include "reconcile/cached_secrets.h"
#include "reconcile/leaf_issuance.h"
#include "reconcile/secret_facts_memo.h"
#include "reconcile/tls_secret.h"

namespace certplane::reconcile {
namespace {

using pki::KeyAlgorithm;
using pki::testing::Hierarchy;
using pki::testing::OtherTestKey;
using pki::testing::TestKey;

struct WrittenCase {
  std::string name;
  KeyAlgorithm leaf_key = KeyAlgorithm::kEcdsaP256;
  KeyAlgorithm ca_key = KeyAlgorithm::kEcdsaP256;
  bool via_intermediate = true;  // tls.crt holds the leaf and the intermediate
  api::KeyEncoding encoding = api::KeyEncoding::kPkcs8;
  bool other_key = false;   // tls.key is not the leaf's key
  bool other_root = false;  // ca.crt is the root of another hierarchy
};

class IssuedContentFactsTest : public ::testing::TestWithParam<WrittenCase> {};

TEST_P(IssuedContentFactsTest, AreWhatParsingTheWrittenSecretReadsBack) {
  const WrittenCase& c = GetParam();
  const pki::testing::TestHierarchy& h = Hierarchy(c.ca_key);
  const pki::Issuer& issuer = c.via_intermediate ? h.intermediate : h.root;
  IssuedLeaf leaf{
      .key = c.other_key ? OtherTestKey(c.leaf_key) : TestKey(c.leaf_key),
      .certificate = pki::testing::IssueLeaf(issuer, c.leaf_key, pki::testing::LeafSpec().WithDns({"web.shop.svc"})),
      .chain = {}};
  leaf.chain.push_back(leaf.certificate);
  if (c.via_intermediate) leaf.chain.push_back(h.intermediate_cert);
  const KeyAlgorithm other_ca =
      c.ca_key == KeyAlgorithm::kEcdsaP256 ? KeyAlgorithm::kRsa2048 : KeyAlgorithm::kEcdsaP256;
  const pki::Certificate& root = c.other_root ? Hierarchy(other_ca).root_cert : h.root_cert;

  // The Secret exactly as the reconciler writes it.
  api::Certificate cert;
  cert.metadata.name = "web";
  cert.metadata.ns = "shop";
  cert.spec.secret_name = "web-tls";
  cert.spec.private_key.algorithm = api::FromPki(c.leaf_key);
  cert.spec.private_key.encoding = c.encoding;
  Result<nlohmann::json> secret = BuildTlsSecret({.certificate = cert, .leaf = leaf, .root = root});
  ASSERT_TRUE(secret.ok()) << secret.status();
  TlsSecretContents written{kube::SecretDataValue(*secret, "tls.crt"), kube::SecretDataValue(*secret, "tls.key"),
                            kube::SecretDataValue(*secret, "ca.crt")};

  policy::SecretFacts parsed = ReadContentFacts(written);
  ASSERT_EQ(parsed.parse_error, "");
  EXPECT_EQ(parsed.key_matches_certificate, !c.other_key);
  EXPECT_EQ(parsed.chain_valid, !c.other_root);
  EXPECT_EQ(parsed.dns_names, std::vector<std::string>{"web.shop.svc"});
  EXPECT_EQ(IssuedContentFacts(leaf.chain, leaf.key, written.tls_key, root), parsed);
}

INSTANTIATE_TEST_SUITE_P(Written, IssuedContentFactsTest,
                         ::testing::Values(WrittenCase{.name = "EcdsaLeafViaAnIntermediate"},
                                           WrittenCase{.name = "RsaLeafInPkcs1FromTheRoot",
                                                       .leaf_key = KeyAlgorithm::kRsa2048,
                                                       .ca_key = KeyAlgorithm::kRsa2048,
                                                       .via_intermediate = false,
                                                       .encoding = api::KeyEncoding::kPkcs1},
                                           WrittenCase{.name = "Ed25519LeafFromAnRsaIntermediate",
                                                       .leaf_key = KeyAlgorithm::kEd25519,
                                                       .ca_key = KeyAlgorithm::kRsa2048},
                                           WrittenCase{.name = "AKeyThatIsNotTheLeafs", .other_key = true},
                                           WrittenCase{.name = "ARootThatDidNotSignTheChain", .other_root = true}),
                         [](const ::testing::TestParamInfo<WrittenCase>& info) { return info.param.name; });

TlsSecretContents SomeContents() { return {"-----crt-----", "-----key-----", "-----ca-----"}; }

policy::SecretFacts FactsWithSerial(std::string serial) {
  policy::SecretFacts f;
  f.exists = true;
  f.serial_number = std::move(serial);
  return f;
}

TEST(SecretFactsMemo, ServesTheFactsOfTheSameBytesOnce) {
  SecretFactsMemo memo;
  memo.Remember(SomeContents(), FactsWithSerial("01"));
  EXPECT_EQ(memo.Take(SomeContents()), FactsWithSerial("01"));
  EXPECT_EQ(memo.Take(SomeContents()), std::nullopt);
  EXPECT_EQ(memo.size(), 0u);
}

TEST(SecretFactsMemo, ServesNothingForBytesThatDifferAnywhere) {
  SecretFactsMemo memo;
  memo.Remember(SomeContents(), FactsWithSerial("01"));
  TlsSecretContents rewritten_key = SomeContents();
  rewritten_key.tls_key.back() = '+';
  EXPECT_EQ(memo.Take(rewritten_key), std::nullopt);
  // The same bytes split differently between the fields.
  TlsSecretContents shifted{"-----crt-----", "-----key------", "----ca-----"};
  EXPECT_EQ(memo.Take(shifted), std::nullopt);
  EXPECT_EQ(memo.size(), 1u);
}

TEST(SecretFactsMemo, KeepsOnlyTheNewestEntriesBeyondItsCapacity) {
  SecretFactsMemo memo(2);
  std::vector<TlsSecretContents> written(3, SomeContents());
  for (size_t i = 0; i < written.size(); ++i) {
    written[i].tls_crt += std::to_string(i);
    memo.Remember(written[i], FactsWithSerial(std::to_string(i)));
  }
  EXPECT_EQ(memo.size(), 2u);
  EXPECT_EQ(memo.Take(written[0]), std::nullopt);
  EXPECT_EQ(memo.Take(written[2]), FactsWithSerial("2"));
  EXPECT_EQ(memo.Take(written[1]), FactsWithSerial("1"));
}

TEST(SecretFactsMemo, ACapacityOfZeroRemembersNothing) {
  SecretFactsMemo memo(0);
  memo.Remember(SomeContents(), FactsWithSerial("01"));
  EXPECT_EQ(memo.Take(SomeContents()), std::nullopt);
}

nlohmann::json SecretHolding(const TlsSecretContents& contents) {
  return {{"apiVersion", "v1"},
          {"kind", "Secret"},
          {"metadata",
           {{"name", "web-tls"},
            {"namespace", "shop"},
            {"resourceVersion", "9"},
            {"annotations", {{std::string(api::kProfileNameAnnotation), "web"}}}}},
          {"data",
           {{"tls.crt", kube::Base64Encode(contents.tls_crt)},
            {"tls.key", kube::Base64Encode(contents.tls_key)},
            {"ca.crt", kube::Base64Encode(contents.ca_crt)}}}};
}

TEST(SecretFactsMemo, TheDecoderTakesRememberedFactsAndStillReadsTheAnnotations) {
  SecretFactsMemo memo;
  memo.Remember(SomeContents(), FactsWithSerial("remembered"));
  auto decoded = DecodeCertificateSecret(SecretHolding(SomeContents()), &memo);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  policy::SecretFacts facts = decoded->Facts();
  EXPECT_EQ(facts.serial_number, "remembered");
  EXPECT_EQ(facts.profile_name, "web");
  EXPECT_EQ(memo.size(), 0u);

  // Not remembered (any more): parsed, and these bytes are no certificate.
  decoded = DecodeCertificateSecret(SecretHolding(SomeContents()), &memo);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  facts = decoded->Facts();
  EXPECT_EQ(facts.serial_number, "");
  EXPECT_NE(facts.parse_error, "");
  EXPECT_EQ(facts.profile_name, "web");
}

}  // namespace
}  // namespace certplane::reconcile
