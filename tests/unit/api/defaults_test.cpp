#include "api/defaults.h"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <ostream>
#include <string>

namespace certplane::api {
namespace {

using namespace std::chrono_literals;

struct DurationCase {
  const char* name;
  std::optional<Duration> spec;
  std::optional<Duration> template_default;
  std::optional<Duration> template_max;
  Duration want;
};
void PrintTo(const DurationCase& c, std::ostream* os) { *os << c.name; }

class CertificateDuration : public testing::TestWithParam<DurationCase> {};

TEST_P(CertificateDuration, ComesFromTheSpecThenTheTemplate) {
  CertificateSpec spec;
  spec.duration = GetParam().spec;
  CertificateTemplateSpec tmpl;
  tmpl.default_duration = GetParam().template_default;
  tmpl.max_duration = GetParam().template_max;
  EXPECT_EQ(EffectiveDuration(spec, tmpl), GetParam().want);
}

INSTANTIATE_TEST_SUITE_P(
    Defaults, CertificateDuration,
    testing::Values(DurationCase{"the_spec_wins", 48h, 720h, 2160h, 48h},
                    DurationCase{"else_the_templates_default", std::nullopt, 720h, 2160h, 720h},
                    DurationCase{"else_ninety_days", std::nullopt, std::nullopt, std::nullopt, 2160h},
                    DurationCase{"else_ninety_days_capped_at_the_maximum", std::nullopt, std::nullopt, 168h, 168h}),
    [](const testing::TestParamInfo<DurationCase>& i) { return std::string(i.param.name); });

struct RenewBeforeCase {
  const char* name;
  std::optional<Duration> spec_renew_before;
  std::optional<std::int32_t> spec_days;
  std::optional<Duration> profile_renew_before;
  std::optional<std::int32_t> profile_days;
  std::optional<Duration> want;
};
void PrintTo(const RenewBeforeCase& c, std::ostream* os) { *os << c.name; }

class RenewBefore : public testing::TestWithParam<RenewBeforeCase> {};

TEST_P(RenewBefore, ComesFromTheSpecThenTheProfile) {
  CertificateSpec spec;
  spec.renew_before = GetParam().spec_renew_before;
  spec.renew_before_days = GetParam().spec_days;
  CertificateProfileSpec profile;
  profile.renewal.renew_before = GetParam().profile_renew_before;
  profile.renewal.renew_before_days = GetParam().profile_days;
  EXPECT_EQ(EffectiveRenewBefore(spec, profile), GetParam().want);
}

INSTANTIATE_TEST_SUITE_P(
    Defaults, RenewBefore,
    testing::Values(
        RenewBeforeCase{"spec_renew_before_first", 1h, std::nullopt, 2h, 3, Duration(1h)},
        RenewBeforeCase{"spec_days_next", std::nullopt, 2, 2h, 3, Duration(48h)},
        RenewBeforeCase{"then_the_profiles_renew_before", std::nullopt, std::nullopt, 2h, 3, Duration(2h)},
        RenewBeforeCase{"then_the_profiles_days", std::nullopt, std::nullopt, std::nullopt, 30, Duration(720h)},
        RenewBeforeCase{"else_unset", std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt}),
    [](const testing::TestParamInfo<RenewBeforeCase>& i) { return std::string(i.param.name); });

TEST(AutoRenew, ComesFromTheSpecThenTheProfile) {
  CertificateSpec spec;
  CertificateProfileSpec profile;
  EXPECT_TRUE(EffectiveAutoRenew(spec, profile));
  profile.renewal.auto_renew_by_default = false;
  EXPECT_FALSE(EffectiveAutoRenew(spec, profile));
  spec.auto_renew = true;
  EXPECT_TRUE(EffectiveAutoRenew(spec, profile));
}

TEST(Usages, DefaultToEverythingTheTemplateAllowsThatTheKeyCanDo) {
  CertificateSpec spec;
  CertificateTemplateSpec tmpl;
  tmpl.key_usages = {KeyUsage::kDigitalSignature, KeyUsage::kKeyAgreement};
  tmpl.extended_key_usages = {ExtendedKeyUsage::kClientAuth};
  EXPECT_EQ(EffectiveKeyUsages(spec, tmpl), tmpl.key_usages);
  EXPECT_EQ(EffectiveExtendedKeyUsages(spec, tmpl), tmpl.extended_key_usages);
  spec.key_usages = {KeyUsage::kDigitalSignature};
  spec.extended_key_usages = {ExtendedKeyUsage::kServerAuth};
  EXPECT_EQ(EffectiveKeyUsages(spec, tmpl), spec.key_usages);
  EXPECT_EQ(EffectiveExtendedKeyUsages(spec, tmpl), spec.extended_key_usages);
}

struct KeyUsageDefaultCase {
  std::string name;
  KeyAlgorithm algorithm;
  std::vector<KeyUsage> template_usages;
  std::vector<KeyUsage> expected;
};

class DefaultKeyUsages : public ::testing::TestWithParam<KeyUsageDefaultCase> {};

TEST_P(DefaultKeyUsages, KeepOnlyWhatTheRequestedKeyCanDo) {
  CertificateSpec spec;
  spec.private_key.algorithm = GetParam().algorithm;
  CertificateTemplateSpec tmpl;
  tmpl.key_usages = GetParam().template_usages;
  EXPECT_EQ(EffectiveKeyUsages(spec, tmpl), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, DefaultKeyUsages,
    ::testing::Values(
        // The example template (digitalSignature, keyEncipherment) with each kind of key.
        KeyUsageDefaultCase{"EcdsaDropsKeyEncipherment",
                            KeyAlgorithm::kEcdsaP256,
                            {KeyUsage::kDigitalSignature, KeyUsage::kKeyEncipherment},
                            {KeyUsage::kDigitalSignature}},
        KeyUsageDefaultCase{"RsaKeepsKeyEncipherment",
                            KeyAlgorithm::kRsa2048,
                            {KeyUsage::kDigitalSignature, KeyUsage::kKeyEncipherment},
                            {KeyUsage::kDigitalSignature, KeyUsage::kKeyEncipherment}},
        KeyUsageDefaultCase{"Ed25519OnlySigns",
                            KeyAlgorithm::kEd25519,
                            {KeyUsage::kDigitalSignature, KeyUsage::kKeyEncipherment, KeyUsage::kKeyAgreement},
                            {KeyUsage::kDigitalSignature}},
        KeyUsageDefaultCase{"RsaDropsKeyAgreementAndItsModifiers",
                            KeyAlgorithm::kRsa3072,
                            {KeyUsage::kDigitalSignature, KeyUsage::kKeyAgreement, KeyUsage::kEncipherOnly},
                            {KeyUsage::kDigitalSignature}},
        KeyUsageDefaultCase{"EcdsaKeepsEncipherOnlyWithKeyAgreement",
                            KeyAlgorithm::kEcdsaP384,
                            {KeyUsage::kKeyAgreement, KeyUsage::kEncipherOnly},
                            {KeyUsage::kKeyAgreement, KeyUsage::kEncipherOnly}},
        KeyUsageDefaultCase{"EncipherOnlyWithoutKeyAgreementIsDropped",
                            KeyAlgorithm::kEcdsaP256,
                            {KeyUsage::kDigitalSignature, KeyUsage::kEncipherOnly},
                            {KeyUsage::kDigitalSignature}}),
    [](const auto& info) { return info.param.name; });

TEST(OutputFormats, ComeFromTheProfileUnlessTheSpecSetsAny) {
  CertificateSpec spec;
  CertificateProfileSpec profile;
  profile.output.additional_output_formats = {{OutputFormatType::kDer, std::nullopt, false, Pkcs12Profile::kModern}};
  EXPECT_EQ(EffectiveOutputFormats(spec, profile), profile.output.additional_output_formats);
  spec.additional_output_formats = std::vector<OutputFormat>{};  // explicitly none
  EXPECT_TRUE(EffectiveOutputFormats(spec, profile).empty());
}

TEST(SecretTemplate, LayersTheCertificatesOverTheProfiles) {
  CertificateSpec spec;
  spec.secret_template = {{{"team", "shop"}}, {{"note", "mine"}}};
  CertificateProfileSpec profile;
  profile.output.secret_labels = {{"team", "platform"}, {"tier", "web"}};
  profile.output.secret_annotations = {{"owner", "pki"}};
  const SecretTemplate t = EffectiveSecretTemplate(spec, profile);
  EXPECT_EQ(t.labels, (StringMap{{"team", "shop"}, {"tier", "web"}}));
  EXPECT_EQ(t.annotations, (StringMap{{"note", "mine"}, {"owner", "pki"}}));
}

TEST(CertificateAuthority, DefaultsDependOnTheType) {
  CertificateAuthoritySpec root;
  root.type = CaType::kRoot;
  CertificateAuthoritySpec intermediate;
  intermediate.type = CaType::kIntermediate;
  EXPECT_EQ(EffectiveDuration(root), Duration(87600h));
  EXPECT_EQ(EffectiveDuration(intermediate), Duration(43800h));
  EXPECT_EQ(EffectiveRenewBefore(intermediate), Duration(43800h) / 3);
  EXPECT_EQ(EffectiveKeyAlgorithm(root), KeyAlgorithm::kEcdsaP256);
  root.duration = 24h;
  root.renew_before = 1h;
  root.key_algorithm = KeyAlgorithm::kRsa4096;
  EXPECT_EQ(EffectiveDuration(root), Duration(24h));
  EXPECT_EQ(EffectiveRenewBefore(root), Duration(1h));
  EXPECT_EQ(EffectiveKeyAlgorithm(root), KeyAlgorithm::kRsa4096);
}

TEST(Crl, RefreshesAThirdOfTheValidityBeforeItLapses) {
  CrlSpec crl;
  EXPECT_EQ(EffectiveRefreshBefore(crl), Duration(8h));
  crl.refresh_before = 1h;
  EXPECT_EQ(EffectiveRefreshBefore(crl), Duration(1h));
}

TEST(Enums, SpellRfc5280ReasonCodes) {
  EXPECT_EQ(Rfc5280Code(RevocationReason::kUnspecified), 0);
  EXPECT_EQ(Rfc5280Code(RevocationReason::kKeyCompromise), 1);
  EXPECT_EQ(Rfc5280Code(RevocationReason::kCertificateHold), 6);
  EXPECT_EQ(Rfc5280Code(RevocationReason::kPrivilegeWithdrawn), 9);
  EXPECT_EQ(Rfc5280Code(RevocationReason::kAaCompromise), 10);
  EXPECT_FALSE(IsFinal(RevocationReason::kCertificateHold));
  EXPECT_TRUE(IsFinal(RevocationReason::kSuperseded));
  EXPECT_EQ(ToString(RevocationReason::kCaCompromise), "cACompromise");
  EXPECT_EQ(FromString<KeyAlgorithm>("Ed25519"), KeyAlgorithm::kEd25519);
  EXPECT_EQ(FromString<KeyAlgorithm>("ed25519"), std::nullopt);
}

}  // namespace
}  // namespace certplane::api
