#include "pki/verify.h"

#include "fixtures.h"

namespace certplane::pki {
namespace {

using namespace std::chrono_literals;
using ::certplane::pki::testing::AlgorithmTestName;
using ::certplane::pki::testing::CaSpec;
using ::certplane::pki::testing::Hierarchy;
using ::certplane::pki::testing::IsErrorWith;
using ::certplane::pki::testing::IssueLeaf;
using ::certplane::pki::testing::kNow;
using ::certplane::pki::testing::LeafSpec;
using ::certplane::pki::testing::Must;
using ::certplane::pki::testing::TestKey;
using ::testing::Optional;

VerifyOptions OptionsFor(KeyAlgorithm a) {
  VerifyOptions o;
  o.roots = {Hierarchy(a).root_cert};
  o.intermediates = {Hierarchy(a).intermediate_cert};
  o.at = kNow;
  return o;
}

Crl CrlOf(const Issuer& issuer, std::vector<RevokedCertificate> revoked, std::uint64_t number = 1) {
  CrlSpec spec;
  spec.number = number;
  spec.this_update = kNow - 1h;
  spec.next_update = kNow + 23h;
  spec.revoked = std::move(revoked);
  return Must(BuildCrl(spec, issuer));
}

class VerifyEveryAlgorithm : public ::testing::TestWithParam<KeyAlgorithm> {};

INSTANTIATE_TEST_SUITE_P(AllAlgorithms, VerifyEveryAlgorithm, ::testing::ValuesIn(kAllKeyAlgorithms),
                         [](const auto& info) { return AlgorithmTestName(info.param); });

TEST_P(VerifyEveryAlgorithm, BuildsTheChainFromLeafToRoot) {
  Certificate leaf = IssueLeaf(Hierarchy(GetParam()).intermediate, KeyAlgorithm::kEcdsaP256);
  VerifyOptions options = OptionsFor(GetParam());
  options.purpose = ExtendedKeyUsage::kServerAuth;
  std::vector<Certificate> chain = Must(VerifyChain(leaf, options));
  ASSERT_EQ(chain.size(), 3u);
  EXPECT_TRUE(chain[0] == leaf);
  EXPECT_TRUE(chain[1] == Hierarchy(GetParam()).intermediate_cert);
  EXPECT_TRUE(chain[2] == Hierarchy(GetParam()).root_cert);
}

TEST_P(VerifyEveryAlgorithm, ChecksEveryLevelAgainstItsCrl) {
  const auto& pki = Hierarchy(GetParam());
  Certificate good = IssueLeaf(pki.intermediate, KeyAlgorithm::kEd25519);
  Certificate bad = IssueLeaf(pki.intermediate, KeyAlgorithm::kEd25519);
  VerifyOptions options = OptionsFor(GetParam());
  options.crls = {CrlOf(pki.root, {}),
                  CrlOf(pki.intermediate, {{bad.serial(), kNow - 2h, RevocationReason::kKeyCompromise}})};
  options.revocation = RevocationCheck::kFullChain;
  EXPECT_TRUE(VerifyChain(good, options).ok()) << VerifyChain(good, options).status();
  EXPECT_THAT(VerifyChain(bad, options),
              IsErrorWith(StatusCode::kInvalidArgument, "certificate revoked at depth 0 (CN=leaf)"));
}

struct ChainFailureCase {
  std::string name;
  std::function<Result<std::vector<Certificate>>()> verify;
  std::string error;
};

class VerifyChainRejects : public ::testing::TestWithParam<ChainFailureCase> {};

TEST_P(VerifyChainRejects, WithOpenSslsReason) {
  EXPECT_THAT(GetParam().verify(), IsErrorWith(StatusCode::kInvalidArgument, GetParam().error));
}

const Issuer& P256() { return Hierarchy(KeyAlgorithm::kEcdsaP256).intermediate; }

INSTANTIATE_TEST_SUITE_P(
    Cases, VerifyChainRejects,
    ::testing::Values(ChainFailureCase{"AMissingIntermediate",
                                       [] {
                                         VerifyOptions o = OptionsFor(KeyAlgorithm::kEcdsaP256);
                                         o.intermediates.clear();
                                         return VerifyChain(IssueLeaf(P256(), KeyAlgorithm::kEcdsaP256), o);
                                       },
                                       "unable to get local issuer certificate at depth 0"},
                      ChainFailureCase{"AnotherHierarchysRoot",
                                       [] {
                                         VerifyOptions o = OptionsFor(KeyAlgorithm::kEcdsaP256);
                                         o.roots = {Hierarchy(KeyAlgorithm::kEcdsaP384).root_cert};
                                         return VerifyChain(IssueLeaf(P256(), KeyAlgorithm::kEcdsaP256), o);
                                       },
                                       "unable to get local issuer certificate at depth 1"},
                      ChainFailureCase{"AnExpiredLeaf",
                                       [] {
                                         VerifyOptions o = OptionsFor(KeyAlgorithm::kEcdsaP256);
                                         o.at = kNow + 24h * 91;
                                         return VerifyChain(IssueLeaf(P256(), KeyAlgorithm::kEcdsaP256), o);
                                       },
                                       "certificate has expired at depth 0 (CN=leaf)"},
                      ChainFailureCase{"ALeafNotYetValid",
                                       [] {
                                         VerifyOptions o = OptionsFor(KeyAlgorithm::kEcdsaP256);
                                         o.at = kNow - 1h;
                                         return VerifyChain(IssueLeaf(P256(), KeyAlgorithm::kEcdsaP256), o);
                                       },
                                       "certificate is not yet valid at depth 0"},
                      ChainFailureCase{"NoCrlForTheLeaf",
                                       [] {
                                         VerifyOptions o = OptionsFor(KeyAlgorithm::kEcdsaP256);
                                         o.revocation = RevocationCheck::kLeaf;
                                         return VerifyChain(IssueLeaf(P256(), KeyAlgorithm::kEcdsaP256), o);
                                       },
                                       "unable to get certificate CRL at depth 0"},
                      ChainFailureCase{"AStaleCrl",
                                       [] {
                                         VerifyOptions o = OptionsFor(KeyAlgorithm::kEcdsaP256);
                                         o.revocation = RevocationCheck::kLeaf;
                                         o.crls = {CrlOf(P256(), {})};
                                         o.at = kNow + 48h;
                                         return VerifyChain(IssueLeaf(P256(), KeyAlgorithm::kEcdsaP256), o);
                                       },
                                       "CRL has expired"},
                      ChainFailureCase{"AWrongPurpose",
                                       [] {
                                         VerifyOptions o = OptionsFor(KeyAlgorithm::kEcdsaP256);
                                         o.purpose = ExtendedKeyUsage::kEmailProtection;
                                         return VerifyChain(IssueLeaf(P256(), KeyAlgorithm::kEcdsaP256), o);
                                       },
                                       "unsuitable certificate purpose at depth 0"},
                      ChainFailureCase{"ANameOutsideTheCasConstraints",
                                       [] {
                                         const auto& pki = Hierarchy(KeyAlgorithm::kEcdsaP256);
                                         NameConstraints nc;
                                         nc.permitted.dns_domains = {"shop.example"};
                                         const PrivateKey& ca_key = TestKey(KeyAlgorithm::kEcdsaP384);
                                         Certificate ca = Must(IssueCertificate(
                                             CaSpec("Shop CA").WithNameConstraints(nc).WithValidity(24h * 365),
                                             ca_key.public_key(), pki.root, kNow));
                                         Issuer shop = Must(Issuer::Create(ca, ca_key));
                                         Certificate leaf = IssueLeaf(shop, KeyAlgorithm::kEcdsaP256,
                                                                      LeafSpec().WithDns({"evil.example"}));
                                         VerifyOptions o = OptionsFor(KeyAlgorithm::kEcdsaP256);
                                         o.intermediates = {ca};
                                         return VerifyChain(leaf, o);
                                       },
                                       "permitted subtree violation"}),
    [](const auto& info) { return info.param.name; });

TEST(VerifyChain, NeedsARoot) {
  VerifyOptions o;
  o.at = kNow;
  EXPECT_THAT(VerifyChain(Hierarchy(KeyAlgorithm::kEcdsaP256).root_cert, o),
              IsErrorWith(StatusCode::kInvalidArgument, "at least one trusted root"));
}

TEST(FindRevocation, FindsARevokedCertificateAndItsReason) {
  const auto& pki = Hierarchy(KeyAlgorithm::kEcdsaP256);
  Certificate leaf = IssueLeaf(pki.intermediate, KeyAlgorithm::kEcdsaP256);
  Crl crl = CrlOf(pki.intermediate, {{leaf.serial(), kNow - 2h, RevocationReason::kSuperseded}});
  EXPECT_THAT(Must(FindRevocation(leaf, crl, pki.intermediate_cert, kNow)),
              Optional(RevokedCertificate{leaf.serial(), kNow - 2h, RevocationReason::kSuperseded}));
  Certificate other = IssueLeaf(pki.intermediate, KeyAlgorithm::kEcdsaP256);
  EXPECT_EQ(Must(FindRevocation(other, crl, pki.intermediate_cert, kNow)), std::nullopt);
}

TEST(FindRevocation, RefusesAStaleCrl) {
  const auto& pki = Hierarchy(KeyAlgorithm::kEcdsaP256);
  Certificate leaf = IssueLeaf(pki.intermediate, KeyAlgorithm::kEcdsaP256);
  EXPECT_THAT(FindRevocation(leaf, CrlOf(pki.intermediate, {}), pki.intermediate_cert, kNow + 24h),
              IsErrorWith(StatusCode::kFailedPrecondition, "stale"));
}

TEST(FindRevocation, RefusesACrlOfAnotherIssuer) {
  const auto& pki = Hierarchy(KeyAlgorithm::kEcdsaP256);
  Certificate leaf = IssueLeaf(pki.intermediate, KeyAlgorithm::kEcdsaP256);
  EXPECT_THAT(FindRevocation(leaf, CrlOf(pki.root, {}), pki.intermediate_cert, kNow),
              IsErrorWith(StatusCode::kInvalidArgument, "is not CN=Test Intermediate"));
  EXPECT_THAT(FindRevocation(leaf, CrlOf(pki.root, {}), pki.root_cert, kNow),
              IsErrorWith(StatusCode::kInvalidArgument, "did not issue CN=leaf"));
}

TEST(FindRevocation, RefusesAnotherShardsCrl) {
  const auto& pki = Hierarchy(KeyAlgorithm::kEcdsaP256);
  Certificate leaf = IssueLeaf(pki.intermediate, KeyAlgorithm::kEcdsaP256,
                               LeafSpec().WithCrlDistributionPoints({"http://crl.example/shard/1"}));
  CrlSpec spec;
  spec.number = 1;
  spec.this_update = kNow - 1h;
  spec.next_update = kNow + 1h;
  spec.distribution_point =
      testing::With<IssuingDistributionPoint>([](auto& v) { v.uris = {"http://crl.example/shard/0"}; });
  Crl shard0 = Must(BuildCrl(spec, pki.intermediate));
  EXPECT_THAT(FindRevocation(leaf, shard0, pki.intermediate_cert, kNow),
              IsErrorWith(StatusCode::kInvalidArgument, "another shard's CRL"));
  spec.distribution_point->uris = {"http://crl.example/shard/1"};
  EXPECT_EQ(Must(FindRevocation(leaf, Must(BuildCrl(spec, pki.intermediate)), pki.intermediate_cert, kNow)),
            std::nullopt);
}

TEST(FindRevocation, RefusesACaOnlyCrlForALeaf) {
  const auto& pki = Hierarchy(KeyAlgorithm::kEcdsaP256);
  Certificate leaf = IssueLeaf(pki.intermediate, KeyAlgorithm::kEcdsaP256);
  CrlSpec spec;
  spec.number = 1;
  spec.this_update = kNow - 1h;
  spec.next_update = kNow + 1h;
  spec.distribution_point = testing::With<IssuingDistributionPoint>([](auto& v) { v.only_ca_certs = true; });
  EXPECT_THAT(FindRevocation(leaf, Must(BuildCrl(spec, pki.intermediate)), pki.intermediate_cert, kNow),
              IsErrorWith(StatusCode::kInvalidArgument, "covers only CA certificates"));
}

}  // namespace
}  // namespace certplane::pki
