// The memo of CA certificates that reading Secrets' facts goes through: equal bytes give
// the certificate parsed the first time, anything else is parsed as before, failures are
// not kept, and it stays within its bound.
#include "reconcile/ca_certificate_memo.h"

#include <gtest/gtest.h>

#include "../pki/fixtures.h"

namespace certplane::reconcile {
namespace {

using pki::KeyAlgorithm;
using pki::testing::Hierarchy;
using pki::testing::IsErrorWith;

TEST(CaCertificateMemo, HandsBackTheCertificateParsedFromTheSameBytes) {
  CaCertificateMemo memo;
  pki::Bytes der = Hierarchy(KeyAlgorithm::kEcdsaP256).root_cert.ToDer();
  pki::Certificate first = pki::testing::Must(memo.Parse(der));
  pki::Certificate again = pki::testing::Must(memo.Parse(pki::Bytes(der)));  // other storage, same bytes
  EXPECT_EQ(again.get(), first.get()) << "one X509, parsed once";
  EXPECT_EQ(first, pki::testing::Must(pki::ParseCertificateDer(der)));
  EXPECT_EQ(memo.size(), 1u);
}

TEST(CaCertificateMemo, ParsesDifferentBytesOnTheirOwn) {
  CaCertificateMemo memo;
  const auto& h = Hierarchy(KeyAlgorithm::kEcdsaP256);
  pki::Certificate root = pki::testing::Must(memo.Parse(h.root_cert.ToDer()));
  pki::Certificate intermediate = pki::testing::Must(memo.Parse(h.intermediate_cert.ToDer()));
  EXPECT_EQ(root, h.root_cert);
  EXPECT_EQ(intermediate, h.intermediate_cert);
  EXPECT_EQ(memo.size(), 2u);
}

TEST(CaCertificateMemo, GivesTheParserErrorAndRemembersNoFailure) {
  CaCertificateMemo memo;
  pki::Bytes der = Hierarchy(KeyAlgorithm::kEcdsaP256).root_cert.ToDer();
  der.push_back(0x00);
  EXPECT_THAT(memo.Parse(der), IsErrorWith(StatusCode::kInvalidArgument, "unexpected bytes after the DER object"));
  EXPECT_EQ(memo.size(), 0u);
}

TEST(CaCertificateMemo, StartsAgainFromEmptyPastItsCapacity) {
  CaCertificateMemo memo(/*capacity=*/2);
  ASSERT_TRUE(memo.Parse(Hierarchy(KeyAlgorithm::kEcdsaP256).root_cert.ToDer()).ok());
  ASSERT_TRUE(memo.Parse(Hierarchy(KeyAlgorithm::kEcdsaP256).intermediate_cert.ToDer()).ok());
  EXPECT_EQ(memo.size(), 2u);
  pki::Certificate third = pki::testing::Must(memo.Parse(Hierarchy(KeyAlgorithm::kEcdsaP384).root_cert.ToDer()));
  EXPECT_EQ(third, Hierarchy(KeyAlgorithm::kEcdsaP384).root_cert);
  EXPECT_EQ(memo.size(), 1u);
}

}  // namespace
}  // namespace certplane::reconcile
