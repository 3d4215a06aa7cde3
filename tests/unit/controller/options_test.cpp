#include "options.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

namespace certplane::controller {
namespace {

using ::testing::HasSubstr;

GetEnv Env(std::map<std::string, std::string> vars = {}) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(ParseOptions, DefaultsMatchTheDocumentedValues) {
  auto o = ParseOptions({}, Env());
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->ns, "certplane-system");
  EXPECT_EQ(o->workers, 16);
  EXPECT_TRUE(o->leader_elect);
  EXPECT_EQ(o->lease_duration, std::chrono::seconds(15));
  EXPECT_EQ(o->renew_deadline, std::chrono::seconds(10));
  EXPECT_EQ(o->retry_period, std::chrono::seconds(2));
  EXPECT_EQ(o->log_format, LogFormat::kText);
}

TEST(ParseOptions, NamespaceDefaultsFromPodNamespace) {
  auto o = ParseOptions({}, Env({{"POD_NAMESPACE", "pki"}}));
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->ns, "pki");
  auto flag_wins = ParseOptions({"--namespace=other"}, Env({{"POD_NAMESPACE", "pki"}}));
  EXPECT_EQ(flag_wins->ns, "other");
}

TEST(ParseOptions, AcceptsEqualsAndSpaceSeparatedValuesAndBareBooleans) {
  auto o = ParseOptions({"--workers=8", "--kube-api-qps", "12.5", "--leader-elect=false", "--log-format=json",
                         "--leader-elect-lease-duration=1m", "--leader-elect-renew-deadline", "40s",
                         "--public-base-url=http://127.0.0.1:8080/", "--version"},
                        Env());
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->workers, 8);
  EXPECT_DOUBLE_EQ(o->kube_api_qps, 12.5);
  EXPECT_FALSE(o->leader_elect);
  EXPECT_EQ(o->log_format, LogFormat::kJson);
  EXPECT_EQ(o->lease_duration, std::chrono::minutes(1));
  EXPECT_EQ(o->renew_deadline, std::chrono::seconds(40));
  EXPECT_EQ(o->public_base_url, "http://127.0.0.1:8080") << "a trailing slash is dropped";
  EXPECT_TRUE(o->show_version);
}

TEST(ParseOptions, HttpsIsOnByDefaultWithNamesOfTheServiceInTheNamespace) {
  auto o = ParseOptions({"--namespace=pki"}, Env());
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->https_address, ":8443");
  EXPECT_EQ(o->https_secret, "certplane-serving-tls");
  EXPECT_TRUE(o->https_manage_certificate);
  EXPECT_EQ(o->https_dns_names, (std::vector<std::string>{"certplane.pki.svc", "certplane.pki.svc.cluster.local"}));
  EXPECT_EQ(o->https_certificate_duration, std::chrono::hours(2160));
  EXPECT_EQ(o->https_ca_config_map, "certplane-serving-ca");
  EXPECT_FALSE(o->acme_plain_http);
  EXPECT_FALSE(o->bundle_api_plain_http);
}

TEST(ParseOptions, HttpsNamesAreCommaListsAndAnEmptyAddressTurnsHttpsOff) {
  auto o = ParseOptions({"--https-dns-names=a.example,b.example,", "--https-ip-addresses=127.0.0.1,::1",
                         "--https-bind-address=", "--https-issuer=corp-ca", "--https-certificate-duration=2h",
                         "--https-renew-before=1h59m", "--acme-plain-http", "--bundle-api-plain-http=true",
                         "--https-manage-certificate=false"},
                        Env());
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->https_dns_names, (std::vector<std::string>{"a.example", "b.example"}));
  EXPECT_EQ(o->https_ip_addresses, (std::vector<std::string>{"127.0.0.1", "::1"}));
  EXPECT_EQ(o->https_address, "");
  EXPECT_EQ(o->https_issuer, "corp-ca");
  EXPECT_EQ(o->https_certificate_duration, std::chrono::hours(2));
  EXPECT_EQ(o->https_renew_before, std::chrono::minutes(119));
  EXPECT_TRUE(o->acme_plain_http);
  EXPECT_TRUE(o->bundle_api_plain_http);
  EXPECT_FALSE(o->https_manage_certificate);
}

TEST(ParseOptions, OnlyIpAddressesMeansNoDefaultDnsNames) {
  auto o = ParseOptions({"--https-ip-addresses=127.0.0.1"}, Env());
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_TRUE(o->https_dns_names.empty());
}

struct BadFlagCase {
  std::string name;
  std::vector<std::string> args;
  std::string message;
};

class ParseOptionsRefuses : public ::testing::TestWithParam<BadFlagCase> {};

TEST_P(ParseOptionsRefuses, WithAMessageNamingTheFlag) {
  auto o = ParseOptions(GetParam().args, Env());
  ASSERT_FALSE(o.ok());
  EXPECT_EQ(o.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(o.status().message(), HasSubstr(GetParam().message));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ParseOptionsRefuses,
    ::testing::Values(
        BadFlagCase{"UnknownFlag", {"--wokers=3"}, "unknown flag --wokers"},
        BadFlagCase{"PositionalArgument", {"frontend"}, "unexpected argument \"frontend\""},
        BadFlagCase{"MissingValue", {"--workers"}, "flag --workers needs a value"},
        BadFlagCase{"NonNumericWorkers", {"--workers=four"}, "flag --workers=\"four\": want a whole number"},
        BadFlagCase{"ZeroWorkers", {"--workers=0"}, "want a number from 1 to 256"},
        BadFlagCase{"NegativeQps", {"--kube-api-qps=-1"}, "--kube-api-qps=\"-1\": want a number >= 0"},
        BadFlagCase{"BadDuration", {"--leader-elect-lease-duration=15"}, "want a duration such as 15s"},
        BadFlagCase{"RenewDeadlineNotBelowLease",
                    {"--leader-elect-renew-deadline=20s"},
                    "--leader-elect-renew-deadline must be shorter than --leader-elect-lease-duration"},
        BadFlagCase{
            "RetryNotBelowRenew", {"--leader-elect-retry-period=10s"}, "--leader-elect-retry-period must be shorter"},
        BadFlagCase{"AddressWithoutPort", {"--metrics-bind-address=localhost"}, "want HOST:PORT or :PORT"},
        BadFlagCase{"PortOutOfRange", {"--http-bind-address=:70000"}, "the port must be 1 to 65535"},
        BadFlagCase{"TwoServersOnOneAddress",
                    {"--metrics-bind-address=:9403"},
                    "--health-probe-bind-address and --metrics-bind-address are both :9403"},
        BadFlagCase{"PublicUrlWithoutScheme", {"--public-base-url=certplane.svc"}, "want an http:// or https:// URL"},
        BadFlagCase{"UnknownLogFormat", {"--log-format=xml"}, "want text or json"},
        BadFlagCase{"UnknownLogLevel", {"--log-level=loud"}, "want trace, debug, info, warn or error"},
        BadFlagCase{"BadBoolean", {"--leader-elect=maybe"}, "want true or false"},
        BadFlagCase{"HttpsOnTheHttpAddress",
                    {"--http-bind-address=:8080", "--https-bind-address=:8080"},
                    "--https-bind-address and --http-bind-address are both :8080"},
        BadFlagCase{"HttpsPortOutOfRange", {"--https-bind-address=:99999"}, "the port must be 1 to 65535"},
        BadFlagCase{"HttpsCertificateUnderAnHour", {"--https-certificate-duration=59m"}, "at least 1h"},
        BadFlagCase{"HttpsRenewBeforeNotShorter",
                    {"--https-certificate-duration=1h", "--https-renew-before=1h"},
                    "shorter than --https-certificate-duration"},
        BadFlagCase{"HttpsRenewBeforeUnderFiveMinutes", {"--https-renew-before=4m"}, "at least 5m"}),
    [](const auto& info) { return info.param.name; });

TEST(Usage, ListsEveryFlag) {
  std::string usage = Usage();
  for (const char* flag : {"--kubeconfig",
                           "--namespace",
                           "--workers",
                           "--kube-api-qps",
                           "--kube-api-burst",
                           "--leader-elect",
                           "--metrics-bind-address",
                           "--health-probe-bind-address",
                           "--http-bind-address",
                           "--public-base-url",
                           "--log-format",
                           "--log-level",
                           "--https-bind-address",
                           "--https-secret",
                           "--https-dns-names",
                           "--https-ip-addresses",
                           "--https-issuer",
                           "--https-certificate-duration",
                           "--https-renew-before",
                           "--https-ca-configmap",
                           "--https-manage-certificate",
                           "--acme-plain-http",
                           "--bundle-api-plain-http"}) {
    EXPECT_THAT(usage, HasSubstr(flag));
  }
}

}  // namespace
}  // namespace certplane::controller
