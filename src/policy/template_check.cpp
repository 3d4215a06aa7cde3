#include "policy/template_check.h"

#include <algorithm>
#include <string>
#include <string_view>

#include "api/defaults.h"
#include "api/duration.h"
#include "policy/ip.h"
#include "policy/patterns.h"

namespace certplane::policy {
namespace {

std::string Quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::string Join(const std::vector<std::string>& values) {
  if (values.empty()) return "none";
  std::string out;
  for (const std::string& v : values) {
    if (!out.empty()) out += ", ";
    out += v;
  }
  return out;
}

template <api::ApiEnum E>
std::string JoinEnums(const std::vector<E>& values) {
  std::vector<std::string> names;
  names.reserve(values.size());
  for (E v : values) names.emplace_back(api::ToString(v));
  return Join(names);
}

std::string Indexed(std::string_view field, std::size_t i) {
  return std::string(field) + "[" + std::to_string(i) + "]";
}

// Collects violations against one template.
class Checker {
 public:
  explicit Checker(const api::CertificateTemplate& tmpl) : tmpl_(tmpl) {}

  void NotAllowed(const std::string& field, std::string_view value, const std::string& allowed) {
    Add(field, field + " " + Quote(value) + " is not allowed by template " + tmpl_.metadata.name +
                   " (allowed: " + allowed + ")");
  }

  void Add(const std::string& field, std::string message) { out_.push_back({field, std::move(message)}); }

  // Each value of a list field must be well-formed (`valid`, else "<field> "<v>" is not
  // <what>") and match one of `rule.allowed` under `match`.
  template <typename Valid, typename Match>
  void List(std::string_view field, const std::vector<std::string>& values, const api::PatternRule& rule, Valid valid,
            std::string_view what, Match match) {
    for (std::size_t i = 0; i < values.size(); ++i) {
      const std::string f = std::string(field) + "[" + std::to_string(i) + "]";
      if (!valid(values[i])) {
        Add(f, f + " " + Quote(values[i]) + " is not " + std::string(what));
        continue;
      }
      const bool ok = std::any_of(rule.allowed.begin(), rule.allowed.end(),
                                  [&](const std::string& p) { return match(p, values[i]); });
      if (!ok) NotAllowed(f, values[i], Join(rule.allowed));
    }
  }

  const api::CertificateTemplate& tmpl() const { return tmpl_; }
  std::vector<PolicyViolation> Take() { return std::move(out_); }

 private:
  const api::CertificateTemplate& tmpl_;
  std::vector<PolicyViolation> out_;
};

bool AnyValue(const std::string&) { return true; }
bool GlobMatches(const std::string& p, const std::string& v) { return MatchGlob(p, v); }
bool ValidDnsName(const std::string& v) { return IsValidDnsName(v, /*allow_wildcard=*/true); }
bool ValidUri(const std::string& v) { return IsValidUri(v); }
bool ValidEmail(const std::string& v) { return IsValidEmail(v); }
bool DnsMatches(const std::string& p, const std::string& v) { return MatchDnsPattern(p, v); }
bool UriMatches(const std::string& p, const std::string& v) { return MatchUriPattern(p, v); }
bool EmailMatches(const std::string& p, const std::string& v) { return MatchEmailPattern(p, v); }

void CheckSubject(const api::CertificateSpec& spec, Checker& c) {
  const api::SubjectRules& rules = c.tmpl().spec.subject;
  if (spec.common_name.empty()) {
    if (rules.common_name.required) {
      c.Add("spec.commonName", "spec.commonName is required by template " + c.tmpl().metadata.name);
    }
  } else if (std::none_of(rules.common_name.allowed.begin(), rules.common_name.allowed.end(),
                          [&](const std::string& p) { return MatchDnsPattern(p, spec.common_name); })) {
    c.NotAllowed("spec.commonName", spec.common_name, Join(rules.common_name.allowed));
  }
  const api::CertificateSubject& s = spec.subject;
  c.List("spec.subject.organizations", s.organizations, rules.organization, AnyValue, "", GlobMatches);
  c.List("spec.subject.organizationalUnits", s.organizational_units, rules.organizational_unit, AnyValue, "",
         GlobMatches);
  c.List("spec.subject.countries", s.countries, rules.country, AnyValue, "", GlobMatches);
  c.List("spec.subject.localities", s.localities, rules.locality, AnyValue, "", GlobMatches);
  c.List("spec.subject.provinces", s.provinces, rules.province, AnyValue, "", GlobMatches);
  if (!s.serial_number.empty() && std::none_of(rules.serial_number.allowed.begin(), rules.serial_number.allowed.end(),
                                               [&](const std::string& p) { return MatchGlob(p, s.serial_number); })) {
    c.NotAllowed("spec.subject.serialNumber", s.serial_number, Join(rules.serial_number.allowed));
  }
}

void CheckSubjectAltNames(const api::CertificateSpec& spec, Checker& c) {
  const api::SubjectAltNameRules& rules = c.tmpl().spec.subject_alt_names;

  c.List("spec.dnsNames", spec.dns_names, rules.dns_names, ValidDnsName, "a valid DNS name", DnsMatches);

  std::vector<Cidr> ranges;
  for (const std::string& r : rules.ip_addresses.allowed) {
    if (std::optional<Cidr> cidr = ParseCidr(r)) ranges.push_back(*cidr);
  }
  for (std::size_t i = 0; i < spec.ip_addresses.size(); ++i) {
    const std::string field = Indexed("spec.ipAddresses", i);
    std::optional<IpAddress> ip = ParseIp(spec.ip_addresses[i]);
    if (!ip) {
      c.Add(field, field + " " + Quote(spec.ip_addresses[i]) + " is not an IP address");
      continue;
    }
    if (std::none_of(ranges.begin(), ranges.end(), [&](const Cidr& r) { return Contains(r, *ip); })) {
      c.NotAllowed(field, spec.ip_addresses[i], Join(rules.ip_addresses.allowed));
    }
  }

  c.List("spec.uris", spec.uris, rules.uris, ValidUri, "a valid URI (an absolute URI without \".\" or \"..\" segments)",
         UriMatches);
  c.List("spec.emailAddresses", spec.email_addresses, rules.email_addresses, ValidEmail, "a valid email address",
         EmailMatches);
}

template <api::ApiEnum E>
void CheckEnumList(std::string_view field, const std::vector<E>& requested, const std::vector<E>& allowed, Checker& c) {
  for (std::size_t i = 0; i < requested.size(); ++i) {
    if (std::find(allowed.begin(), allowed.end(), requested[i]) == allowed.end()) {
      c.NotAllowed(Indexed(field, i), api::ToString(requested[i]), JoinEnums(allowed));
    }
  }
}

void CheckKeyAndUsages(const api::CertificateSpec& spec, Checker& c) {
  const api::CertificateTemplateSpec& t = c.tmpl().spec;
  const auto& algorithms = t.key_algorithms;
  if (std::find(algorithms.begin(), algorithms.end(), spec.private_key.algorithm) == algorithms.end()) {
    c.NotAllowed("spec.privateKey.algorithm", api::ToString(spec.private_key.algorithm), JoinEnums(algorithms));
  }
  CheckEnumList("spec.keyUsages", spec.key_usages, t.key_usages, c);
  CheckEnumList("spec.extendedKeyUsages", spec.extended_key_usages, t.extended_key_usages, c);
}

void CheckDuration(const api::CertificateSpec& spec, Checker& c) {
  const api::CertificateTemplateSpec& t = c.tmpl().spec;
  const api::Duration d = api::EffectiveDuration(spec, t);
  const std::string what = spec.duration ? "spec.duration " + Quote(api::FormatDuration(d))
                                         : "spec.duration (defaulted to " + api::FormatDuration(d) + ")";
  const std::string& name = c.tmpl().metadata.name;
  if (t.max_duration && d > *t.max_duration) {
    c.Add("spec.duration",
          what + " exceeds the maximum " + api::FormatDuration(*t.max_duration) + " of template " + name);
  }
  if (t.min_duration && d < *t.min_duration) {
    c.Add("spec.duration",
          what + " is shorter than the minimum " + api::FormatDuration(*t.min_duration) + " of template " + name);
  }
}

}  // namespace

std::vector<PolicyViolation> CheckTemplate(const api::CertificateSpec& spec, const api::CertificateTemplate& tmpl) {
  Checker c(tmpl);
  CheckSubject(spec, c);
  CheckSubjectAltNames(spec, c);
  CheckKeyAndUsages(spec, c);
  CheckDuration(spec, c);
  return c.Take();
}

}  // namespace certplane::policy
