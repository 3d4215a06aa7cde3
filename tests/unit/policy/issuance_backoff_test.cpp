// Decide beyond the chains: backoff of failed and unplanned issuances, ownership of
// the Secret, a missing CA and missing outputs, as a table of situations named for what
// they prove.
#include <gtest/gtest.h>

#include <optional>
#include <ostream>
#include <string>

#include "api/time.h"
#include "builders.h"
#include "policy/issuance.h"
#include "policy/reasons.h"

namespace certplane::policy {
namespace {

using namespace std::chrono_literals;
using namespace testing_builders;

// The moment of the last attempt in these cases: an hour after the first issuance.
const api::Time kLast = kT0 + 1h;

const api::Certificate kSettled = MakeCertificate().Settled();

// A Secret someone else rewrote with a key that is not the certificate's.
InputBuilder Rewritten(const api::Certificate& cert) {
  return MakeInput().WithCertificate(cert).WithSecret(IssuedSecretFor(cert).WithForeignKey());
}
// A Secret that is gone.
InputBuilder Deleted(const api::Certificate& cert) {
  return MakeInput().WithCertificate(cert).WithSecret(IssuedSecretFor(cert).Missing());
}

api::Certificate WithPkcs12(api::Certificate c) {
  api::OutputFormat p12;
  p12.type = api::OutputFormatType::kPkcs12;
  c.spec.additional_output_formats = std::vector<api::OutputFormat>{p12};
  return c;
}

struct DecideCase {
  const char* name;
  IssuanceInput input;
  Action want_action;
  std::string_view want_reason;  // d.why for kIssue/kBlocked/kBackoff, d.issuing for kNone
  std::optional<api::Time> want_retry_at = std::nullopt;
  std::int32_t want_unplanned_after = 0;       // kIssue only
  std::int32_t want_failed_after_failure = 1;  // kIssue only
};

std::string CaseName(const testing::TestParamInfo<DecideCase>& i) { return i.param.name; }
void PrintTo(const DecideCase& c, std::ostream* os) { *os << c.name; }

class DecideBeyondTheChains : public testing::TestWithParam<DecideCase> {};

TEST_P(DecideBeyondTheChains, ActsAsTheSituationRequires) {
  const DecideCase& c = GetParam();
  const Decision d = Decide(c.input);
  ASSERT_EQ(d.action, c.want_action) << d.why.reason << ": " << d.why.message;
  switch (d.action) {
    case Action::kNone:
      if (c.want_reason.empty()) {
        EXPECT_EQ(d.issuing, std::nullopt);
      } else {
        ASSERT_TRUE(d.issuing);
        EXPECT_EQ(d.issuing->reason, c.want_reason);
      }
      break;
    case Action::kBackoff:
      EXPECT_EQ(d.retry_at, c.want_retry_at);
      EXPECT_EQ(d.next_check, c.want_retry_at) << "the certificate is looked at again when the wait ends";
      if (c.want_reason == kBackoff) {
        ASSERT_TRUE(d.backoff);
        EXPECT_EQ(d.backoff->reason, kBackoff);
        EXPECT_NE(d.backoff->message.find(api::FormatTime(*c.want_retry_at)), std::string::npos)
            << "the message names when the next attempt is: " << d.backoff->message;
      } else {
        EXPECT_EQ(d.backoff, std::nullopt) << "a failed issuance's own condition says when it retries";
        EXPECT_EQ(d.why.reason, c.want_reason);
      }
      break;
    case Action::kIssue:
      EXPECT_EQ(d.why.reason, c.want_reason);
      EXPECT_EQ(d.unplanned_reissues_after, c.want_unplanned_after);
      EXPECT_EQ(d.failed_attempts_after_failure, c.want_failed_after_failure);
      break;
    case Action::kBlocked: EXPECT_EQ(d.why.reason, c.want_reason); break;
  }
}

const DecideCase kCases[] = {
    // --- Unplanned reissues: the Secret lost or rewritten by someone else. ----------
    {"reissues_at_once_the_first_time_someone_else_rewrites_the_secret", Rewritten(kSettled).At(kLast), Action::kIssue,
     kKeyMismatch, std::nullopt, 1},
    {"reissues_at_once_the_first_time_the_secret_is_deleted", Deleted(kSettled).At(kLast), Action::kIssue,
     kDoesNotExist, std::nullopt, 1},
    {"waits_the_initial_delay_before_a_second_unplanned_reissue",
     Rewritten(MakeCertificate().Settled().WithUnplannedReissues(1, kLast)).At(kLast + 5s), Action::kBackoff, kBackoff,
     kLast + 10s},
    {"reissues_again_once_the_wait_is_over",
     Rewritten(MakeCertificate().Settled().WithUnplannedReissues(1, kLast)).At(kLast + 10s), Action::kIssue,
     kKeyMismatch, std::nullopt, 2},
    {"doubles_the_wait_with_each_unplanned_reissue",
     Rewritten(MakeCertificate().Settled().WithUnplannedReissues(3, kLast)).At(kLast + 30s), Action::kBackoff, kBackoff,
     kLast + 40s},
    {"never_waits_longer_than_the_cap",
     Rewritten(MakeCertificate().Settled().WithUnplannedReissues(30, kLast)).At(kLast + 59min), Action::kBackoff,
     kBackoff, kLast + 1h},
    {"forgives_the_count_after_a_quiet_spell_as_long_as_the_cap",
     Rewritten(MakeCertificate().Settled().WithUnplannedReissues(9, kLast)).At(kLast + 1h + 1s), Action::kIssue,
     kKeyMismatch, std::nullopt, 1},
    {"a_spec_change_reissues_at_once_and_resets_the_count",
     Rewritten(MakeCertificate().Settled().WithUnplannedReissues(3, kLast).WithSpecChangedSinceStatus()).At(kLast + 1s),
     Action::kIssue, kKeyMismatch, std::nullopt, 0},
    {"a_renew_request_newer_than_the_last_issuance_reissues_at_once",
     Rewritten(MakeCertificate().Settled().WithUnplannedReissues(3, kLast).WithRenewRequestedAt(kLast + 2s))
         .At(kLast + 5s),
     Action::kIssue, kKeyMismatch, std::nullopt, 0},
    {"a_renewal_that_is_due_never_waits",
     MakeInput().WithCertificate(MakeCertificate().Settled().WithUnplannedReissues(3, kT0 + 719h)).At(kT0 + 719h + 1s),
     Action::kIssue, kRenewing, std::nullopt, 0},

    // --- Failed issuances. ----------------------------------------------------------
    {"waits_after_a_failed_issuance", Deleted(MakeCertificate().Settled().WithFailures(1, kLast)).At(kLast + 5s),
     Action::kBackoff, kDoesNotExist, kLast + 10s},
    {"retries_a_failed_issuance_once_the_wait_is_over",
     Deleted(MakeCertificate().Settled().WithFailures(1, kLast)).At(kLast + 10s), Action::kIssue, kDoesNotExist,
     std::nullopt, 1, 2},
    {"waits_longer_after_each_failure", Deleted(MakeCertificate().Settled().WithFailures(4, kLast)).At(kLast + 70s),
     Action::kBackoff, kDoesNotExist, kLast + 80s},
    {"a_failure_for_want_of_a_referenced_secret_retries_as_soon_as_it_exists",
     Deleted(MakeCertificate().Settled().WithFailures(5, kLast, std::string(kReferencedSecretNotFound)))
         .WithReferencedSecretsExisting()
         .At(kLast + 1s),
     Action::kIssue, kDoesNotExist, std::nullopt, 1, 1},
    {"a_failure_for_want_of_a_referenced_secret_waits_while_it_is_missing",
     Deleted(MakeCertificate().Settled().WithFailures(5, kLast, std::string(kReferencedSecretNotFound))).At(kLast + 1s),
     Action::kBackoff, kDoesNotExist, kLast + 160s},
    {"an_existing_referenced_secret_does_not_cut_short_another_kind_of_failure",
     Deleted(MakeCertificate().Settled().WithFailures(1, kLast)).WithReferencedSecretsExisting().At(kLast + 1s),
     Action::kBackoff, kDoesNotExist, kLast + 10s},
    {"a_spec_change_retries_a_failed_issuance_at_once",
     Deleted(MakeCertificate().Settled().WithFailures(6, kLast).WithSpecChangedSinceStatus()).At(kLast + 1s),
     Action::kIssue, kDoesNotExist, std::nullopt, 0, 1},
    {"a_renew_request_retries_a_failed_issuance_at_once",
     Deleted(MakeCertificate().Settled().WithFailures(6, kLast).WithRenewRequestedAt(kLast + 1s)).At(kLast + 2s),
     Action::kIssue, kDoesNotExist, std::nullopt, 0, 1},

    // --- The CA. --------------------------------------------------------------------
    {"says_a_valid_certificate_cannot_be_renewed_while_its_ca_is_missing",
     MakeInput().WithIssuedCertificate(kSettled).WithCaMissing(), Action::kNone, kCANotFound},
    {"blocks_an_issuance_while_the_ca_is_missing", Deleted(kSettled).WithCaMissing().At(kLast), Action::kBlocked,
     kCANotFound},
    {"says_nothing_of_issuing_when_the_ca_exists", MakeInput().WithIssuedCertificate(kSettled), Action::kNone, ""},

    // --- Ownership of the Secret. ---------------------------------------------------
    {"a_certificate_that_does_not_own_its_secret_issues_nothing", Deleted(kSettled).WithSecretOwner("older").At(kLast),
     Action::kBlocked, kSecretInUse},
    {"the_owner_goes_on_as_usual", MakeInput().WithIssuedCertificate(kSettled).WithSecretOwner("frontend"),
     Action::kNone, ""},

    // --- Outputs. -------------------------------------------------------------------
    {"reissues_when_the_secret_lacks_an_output_the_spec_asks_for",
     MakeInput().WithIssuedCertificate(WithPkcs12(kSettled)).WithSecretDataKeys({"tls.crt", "tls.key", "ca.crt"}),
     Action::kIssue, kOutputMissing, std::nullopt, 1},
    {"is_content_when_the_secret_has_every_output",
     MakeInput()
         .WithIssuedCertificate(WithPkcs12(kSettled))
         .WithSecretDataKeys({"tls.crt", "tls.key", "ca.crt", "keystore.p12"}),
     Action::kNone, ""},
};

INSTANTIATE_TEST_SUITE_P(Table, DecideBeyondTheChains, testing::ValuesIn(kCases), CaseName);

TEST(DecideOwnership, NamesTheOwnerAndWhatToDo) {
  const Decision d = Decide(Deleted(kSettled).WithSecretOwner("older").At(kLast));
  EXPECT_EQ(d.why.message,
            "Secret shop/frontend-tls belongs to Certificate shop/older (the oldest Certificate naming a Secret owns "
            "it); this one issues nothing until it names a Secret of its own or older is deleted");
  ASSERT_TRUE(d.not_ready);
  EXPECT_EQ(d.not_ready->reason, kSecretInUse);
}

TEST(DecideMissingCa, NamesTheCaAndLeavesTheCertificateReady) {
  const Decision d = Decide(MakeInput().WithIssuedCertificate(kSettled).WithCaMissing());
  EXPECT_EQ(d.not_ready, std::nullopt);
  ASSERT_TRUE(d.issuing);
  EXPECT_EQ(d.issuing->message,
            "CertificateAuthority example-issuing (of profile web) does not exist: it cannot be renewed or reissued "
            "until it is back");
}

}  // namespace
}  // namespace certplane::policy
