#include "args.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace certplane::plugin {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using ::testing::HasSubstr;

Invocation MustParse(const std::vector<std::string>& args) {
  Result<Invocation> inv = ParseArgs(args);
  EXPECT_TRUE(inv.ok()) << inv.status();
  return inv.ok() ? *inv : Invocation{};
}

TEST(ParseArgs, InventoryTakesItsFiltersInAnyOrderAndSpelling) {
  Invocation inv = MustParse({"-A", "inventory", "--profile=web", "--expiring-within", "30d", "-ojson", "--revoked"});
  EXPECT_EQ(inv.command, Command::kInventory);
  EXPECT_TRUE(inv.all_namespaces);
  EXPECT_EQ(inv.profile, "web");
  EXPECT_EQ(inv.expiring_within, hours(24 * 30));
  EXPECT_EQ(inv.output, OutputFormat::kJson);
  EXPECT_TRUE(inv.revoked_only);
  EXPECT_FALSE(inv.ns.has_value()) << "no -n: the kubeconfig context's namespace";
}

TEST(ParseArgs, ShortFlagsTakeTheirValueAttachedSeparateOrAfterAnEqualsSign) {
  EXPECT_EQ(MustParse({"inventory", "-n", "shop"}).ns, "shop");
  EXPECT_EQ(MustParse({"inventory", "-nshop"}).ns, "shop");
  EXPECT_EQ(MustParse({"inventory", "-n=shop"}).ns, "shop");
  EXPECT_EQ(MustParse({"inventory", "--namespace=shop"}).ns, "shop");
  EXPECT_EQ(MustParse({"inventory", "-o", "wide"}).output, OutputFormat::kWide);
  EXPECT_EQ(MustParse({"inventory", "-o=yaml"}).output, OutputFormat::kYaml);
  EXPECT_FALSE(MustParse({"inventory", "-A=false"}).all_namespaces);
}

TEST(ParseArgs, SharedFlagsReachEveryCommand) {
  Invocation inv = MustParse({"--kubeconfig", "/tmp/kc", "--context=prod", "status", "frontend", "-n", "shop"});
  EXPECT_EQ(inv.command, Command::kStatus);
  EXPECT_EQ(inv.name, "frontend");
  EXPECT_EQ(inv.kubeconfig, "/tmp/kc");
  EXPECT_EQ(inv.context, "prod");
  EXPECT_EQ(inv.ns, "shop");
}

TEST(ParseArgs, RevokeReadsTheReasonCaseInsensitively) {
  Invocation inv = MustParse({"revoke", "frontend", "--reason", "keycompromise"});
  EXPECT_EQ(inv.command, Command::kRevoke);
  EXPECT_EQ(inv.reason, api::RevocationReason::kKeyCompromise);
  EXPECT_EQ(MustParse({"revoke", "x", "--reason=cACompromise"}).reason, api::RevocationReason::kCaCompromise);
  EXPECT_EQ(MustParse({"revoke", "x", "--reason=certificateHold"}).reason, api::RevocationReason::kCertificateHold);
}

TEST(ParseArgs, ExportDefaultsToPemAndTakesPkcs12Options) {
  Invocation pem = MustParse({"export", "frontend", "--out", "dir"});
  EXPECT_EQ(pem.format, ExportFormat::kPem);
  EXPECT_EQ(pem.out_dir, "dir");
  EXPECT_FALSE(pem.overwrite);
  Invocation p12 = MustParse({"export", "frontend", "--format=pkcs12", "--out=d", "--password-file", "pw",
                              "--pkcs12-profile", "Legacy", "--overwrite"});
  EXPECT_EQ(p12.format, ExportFormat::kPkcs12);
  EXPECT_EQ(p12.password_file, "pw");
  EXPECT_EQ(p12.pkcs12_profile, pki::Pkcs12Profile::kLegacy);
  EXPECT_TRUE(p12.overwrite);
  EXPECT_EQ(MustParse({"export", "x", "--format", "der", "--out", "d"}).format, ExportFormat::kDer);
}

TEST(ParseArgs, DoubleDashEndsTheFlagsSoANameMayStartWithADash) {
  Invocation inv = MustParse({"status", "-n", "shop", "--", "-odd"});
  EXPECT_EQ(inv.name, "-odd");
}

TEST(ParseArgs, HelpNeedsNoNameAndNamesTheCommand) {
  Invocation a = MustParse({"revoke", "--help"});
  EXPECT_TRUE(a.help);
  EXPECT_EQ(a.command, Command::kRevoke);
  Invocation b = MustParse({"help", "export"});
  EXPECT_TRUE(b.help);
  EXPECT_EQ(b.command, Command::kExport);
  Invocation c = MustParse({"-h"});
  EXPECT_TRUE(c.help);
  EXPECT_EQ(c.command, Command::kNone);
  EXPECT_EQ(MustParse({}).command, Command::kNone);
}

struct BadArgsCase {
  std::string name;
  std::vector<std::string> args;
  std::string message;
};
void PrintTo(const BadArgsCase& c, std::ostream* os) { *os << c.name; }

class ParseArgsRefuses : public ::testing::TestWithParam<BadArgsCase> {};

TEST_P(ParseArgsRefuses, WithAMessageNamingTheProblem) {
  Result<Invocation> inv = ParseArgs(GetParam().args);
  ASSERT_FALSE(inv.ok());
  EXPECT_EQ(inv.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(inv.status().message(), HasSubstr(GetParam().message));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ParseArgsRefuses,
    ::testing::Values(
        BadArgsCase{"UnknownCommand", {"list"}, "unknown command \"list\" for \"kubectl certplane\""},
        BadArgsCase{"UnknownFlag", {"inventory", "--expiring=3d"}, "unknown flag: --expiring"},
        BadArgsCase{"UnknownShorthand", {"inventory", "-x"}, "unknown shorthand flag: 'x' in -x"},
        BadArgsCase{"FlagOfAnotherCommand",
                    {"inventory", "--reason=keyCompromise"},
                    "flag --reason is not valid for \"inventory\""},
        BadArgsCase{"AllNamespacesOnStatus",
                    {"status", "frontend", "-A"},
                    "flag -A/--all-namespaces is not valid for \"status\""},
        BadArgsCase{"MissingValue", {"inventory", "--profile"}, "flag --profile needs a value"},
        BadArgsCase{"BadOutput", {"inventory", "-o", "csv"}, "flag -o/--output=\"csv\": want wide, json or yaml"},
        BadArgsCase{"BadSpan",
                    {"inventory", "--expiring-within", "30"},
                    "flag --expiring-within=\"30\": \"30\" is not a span: the number 30 has no unit"},
        BadArgsCase{"BadBoolean", {"inventory", "--revoked=maybe"}, "flag --revoked=\"maybe\": want true or false"},
        BadArgsCase{"StatusWithoutName", {"status"}, "\"status\" needs the NAME of a Certificate"},
        BadArgsCase{"TwoNames", {"renew", "a", "b"}, "unexpected argument \"b\" (one NAME only)"},
        BadArgsCase{"InventoryWithName", {"inventory", "frontend"}, "unexpected argument \"frontend\""},
        BadArgsCase{"RevokeWithoutReason",
                    {"revoke", "frontend"},
                    "\"revoke\" needs --reason; want one of unspecified, keyCompromise, cACompromise"},
        BadArgsCase{"UnknownReason",
                    {"revoke", "frontend", "--reason", "stolen"},
                    "\"stolen\" is not an RFC 5280 revocation reason; want one of unspecified, keyCompromise, "
                    "cACompromise, affiliationChanged, superseded, cessationOfOperation, certificateHold, "
                    "privilegeWithdrawn, aACompromise"},
        BadArgsCase{"RemoveFromCrlIsNotAReason",
                    {"revoke", "frontend", "--reason", "removeFromCRL"},
                    "is not an RFC 5280 revocation reason"},
        BadArgsCase{"ExportWithoutOut", {"export", "frontend"}, "\"export\" needs --out DIR"},
        BadArgsCase{"BadFormat", {"export", "frontend", "--out", "d", "--format", "jks"}, "want pem, der or pkcs12"},
        BadArgsCase{"PasswordFileWithPem",
                    {"export", "frontend", "--out", "d", "--password-file", "pw"},
                    "flag --password-file is only for --format pkcs12"},
        BadArgsCase{"BadPkcs12Profile",
                    {"export", "x", "--out", "d", "--format=pkcs12", "--pkcs12-profile=old"},
                    "want modern or legacy"},
        BadArgsCase{"BundledBooleans", {"inventory", "-Ah"}, "flag -A/--all-namespaces takes no value"},
        BadArgsCase{"HelpOfUnknownCommand", {"help", "frobnicate"}, "unknown command \"frobnicate\""}),
    [](const ::testing::TestParamInfo<BadArgsCase>& info) { return info.param.name; });

struct SpanCase {
  std::string name;
  std::string text;
  seconds want;
};
void PrintTo(const SpanCase& c, std::ostream* os) { *os << c.name; }

class ParseSpanAccepts : public ::testing::TestWithParam<SpanCase> {};

TEST_P(ParseSpanAccepts, TheUnitsOfDaysAndWeeksAndGoDurations) {
  Result<seconds> span = ParseSpan(GetParam().text);
  ASSERT_TRUE(span.ok()) << span.status();
  EXPECT_EQ(*span, GetParam().want);
}

INSTANTIATE_TEST_SUITE_P(Cases, ParseSpanAccepts,
                         ::testing::Values(SpanCase{"Days", "30d", hours(720)}, SpanCase{"Weeks", "2w", hours(336)},
                                           SpanCase{"Hours", "12h", hours(12)},
                                           SpanCase{"DaysAndHours", "1d12h", hours(36)},
                                           SpanCase{"MinutesAndSeconds", "90m30s", minutes(90) + seconds(30)},
                                           SpanCase{"Zero", "0d", seconds(0)}),
                         [](const ::testing::TestParamInfo<SpanCase>& info) { return info.param.name; });

TEST(ParseSpan, RefusesWhatIsNotASpan) {
  EXPECT_THAT(ParseSpan("").status().message(), HasSubstr("it is empty"));
  EXPECT_THAT(ParseSpan("3y").status().message(), HasSubstr("unknown unit 'y' (want w, d, h, m or s)"));
  EXPECT_THAT(ParseSpan("d").status().message(), HasSubstr("want a number before each unit"));
  EXPECT_THAT(ParseSpan("-1d").status().message(), HasSubstr("want a number before each unit"));
  EXPECT_THAT(ParseSpan("1.5d").status().message(), HasSubstr("unknown unit '.'"));
  EXPECT_THAT(ParseSpan("99999999999999999999d").status().message(), HasSubstr("too long"));
  EXPECT_THAT(ParseSpan("40000d").status().message(), HasSubstr("too long"));
}

TEST(Help, EveryCommandHasHelpWithItsFlagsAndExamples) {
  for (Command c : {Command::kInventory, Command::kStatus, Command::kRenew, Command::kRevoke, Command::kExport}) {
    std::string help = CommandHelp(c);
    EXPECT_THAT(help, HasSubstr("kubectl certplane " + std::string(CommandName(c))));
    EXPECT_THAT(help, HasSubstr("Examples:"));
    EXPECT_THAT(help, HasSubstr("--kubeconfig PATH"));
    EXPECT_THAT(help, HasSubstr("-n, --namespace NS"));
  }
  EXPECT_THAT(CommandHelp(Command::kInventory), HasSubstr("-A, --all-namespaces"));
  EXPECT_THAT(CommandHelp(Command::kInventory),
              HasSubstr("expiring   the renewal time (status.renewalTime) has passed"));
  EXPECT_THAT(CommandHelp(Command::kRevoke), HasSubstr("keyCompromise, cACompromise"));
  EXPECT_THAT(CommandHelp(Command::kExport), HasSubstr("--password-file PATH"));
  EXPECT_THAT(CommandHelp(Command::kStatus), ::testing::Not(HasSubstr("--reason")));
  EXPECT_THAT(Usage(), HasSubstr("inventory   list certificates"));
  EXPECT_EQ(HelpHint(Command::kExport), "See 'kubectl certplane export --help' for usage.");
  EXPECT_EQ(FirstCommandWord({"-n", "shop", "revoke", "x"}), Command::kRevoke);
}

}  // namespace
}  // namespace certplane::plugin
