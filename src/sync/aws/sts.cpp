#include "sync/aws/sts.h"

#include <openssl/crypto.h>

#include <charconv>

#include "base/text.h"
#include "sync/aws/encoding.h"
#include "sync/aws/errors.h"

namespace certplane::sync::aws {

HttpRequest BuildAssumeRoleWithWebIdentityRequest(std::string_view endpoint, std::string_view role_arn,
                                                  std::string_view session_name, std::string_view web_identity_token) {
  HttpRequest request;
  request.method = "POST";
  std::string url(endpoint);
  while (!url.empty() && url.back() == '/') url.pop_back();
  request.url = url + "/";
  request.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  request.headers.emplace_back("Accept", "application/xml");
  request.body = "Action=AssumeRoleWithWebIdentity&RoleArn=" + UriEncode(role_arn, false) +
                 "&RoleSessionName=" + UriEncode(session_name, false) +
                 "&Version=2011-06-15&WebIdentityToken=" + UriEncode(web_identity_token, false);
  return request;
}

namespace {

// The five predefined XML entities and numeric character references (ASCII only: STS's
// values are ASCII; anything else is kept as written).
std::string DecodeEntities(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '&') {
      out += text[i];
      continue;
    }
    const std::size_t semi = text.find(';', i);
    if (semi == std::string_view::npos || semi - i > 8) {
      out += text[i];
      continue;
    }
    std::string_view entity = text.substr(i + 1, semi - i - 1);
    char decoded = 0;
    if (entity == "amp") decoded = '&';
    else if (entity == "lt") decoded = '<';
    else if (entity == "gt") decoded = '>';
    else if (entity == "quot") decoded = '"';
    else if (entity == "apos") decoded = '\'';
    else if (entity.size() > 1 && entity[0] == '#') {
      int value = 0;
      const bool hex = entity[1] == 'x';
      std::string_view digits = entity.substr(hex ? 2 : 1);
      auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value, hex ? 16 : 10);
      if (error == std::errc() && end == digits.data() + digits.size() && value > 0 && value < 128) {
        decoded = static_cast<char>(value);
      }
    }
    if (decoded == 0) {
      out += text[i];
      continue;
    }
    out += decoded;
    i = semi;
  }
  return out;
}

}  // namespace

std::optional<std::string> XmlElementText(std::string_view xml, std::string_view name) {
  std::size_t from = 0;
  while (from < xml.size()) {
    const std::size_t open = xml.find('<', from);
    if (open == std::string_view::npos) return std::nullopt;
    const std::size_t close = xml.find('>', open);
    if (close == std::string_view::npos) return std::nullopt;
    std::string_view tag = xml.substr(open + 1, close - open - 1);
    from = close + 1;
    if (tag.empty() || tag.front() == '/' || tag.front() == '?' || tag.front() == '!' || tag.back() == '/') continue;
    std::string_view tag_name = tag.substr(0, tag.find_first_of(" \t\r\n"));
    std::string_view local = tag_name.substr(tag_name.find(':') == std::string_view::npos ? 0 : tag_name.find(':') + 1);
    if (local != name) continue;
    const std::string end_tag = "</" + std::string(tag_name) + ">";
    const std::size_t end = xml.find(end_tag, from);
    if (end == std::string_view::npos) return std::nullopt;
    std::string_view text = xml.substr(from, end - from);
    if (text.find('<') != std::string_view::npos) return std::nullopt;
    return DecodeEntities(text);
  }
  return std::nullopt;
}

std::optional<std::chrono::system_clock::time_point> ParseIso8601Utc(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS
  if (text.size() < 20 || text[4] != '-' || text[7] != '-' || (text[10] != 'T' && text[10] != 't') || text[13] != ':' ||
      text[16] != ':') {
    return std::nullopt;
  }
  auto number = [&](std::size_t at, std::size_t len) -> int {
    int v = 0;
    for (std::size_t i = at; i < at + len; ++i) {
      if (text[i] < '0' || text[i] > '9') return -1;
      v = v * 10 + (text[i] - '0');
    }
    return v;
  };
  const int year = number(0, 4), month = number(5, 2), day = number(8, 2);
  const int hour = number(11, 2), minute = number(14, 2), second = number(17, 2);
  // Only years a credential can expire in: beyond 2262 (or before 1678) the system
  // clock's nanoseconds overflow, which the fuzzer found with a year of 1013.
  if (year < 1970 || year > 2200 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 ||
      minute > 59 || second < 0 || second > 60) {
    return std::nullopt;
  }
  std::string_view rest = text.substr(19);
  if (!rest.empty() && rest.front() == '.') {
    std::size_t i = 1;
    while (i < rest.size() && rest[i] >= '0' && rest[i] <= '9') ++i;
    if (i == 1) return std::nullopt;
    rest = rest.substr(i);
  }
  if (rest != "Z" && rest != "z" && rest != "+00:00") return std::nullopt;
  const std::chrono::year_month_day ymd{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                                        std::chrono::day(static_cast<unsigned>(day))};
  if (!ymd.ok()) return std::nullopt;
  return std::chrono::sys_days(ymd) + std::chrono::hours(hour) + std::chrono::minutes(minute) +
         std::chrono::seconds(second);
}

SyncResult<AwsCredentials> ReadAssumeRoleWithWebIdentityResponse(const HttpResponse& response,
                                                                 const std::vector<std::string_view>& secrets) {
  if (response.status < 200 || response.status > 299) {
    const std::string code = XmlElementText(response.body, "Code").value_or("");
    const std::string message = XmlElementText(response.body, "Message").value_or("");
    return MapAwsError(response.status, code, message, ParseRetryAfterSeconds(response.Header("Retry-After")), secrets);
  }
  auto unusable = [](const char* what) {
    return SyncError{Status(StatusCode::kUnavailable,
                            std::string("AssumeRoleWithWebIdentity answered 200 without a usable ") + what),
                     "", std::nullopt};
  };
  std::optional<std::string> key_id = XmlElementText(response.body, "AccessKeyId");
  if (!key_id || key_id->empty()) return unusable("AccessKeyId");
  std::optional<std::string> secret = XmlElementText(response.body, "SecretAccessKey");
  if (!secret || secret->empty()) return unusable("SecretAccessKey");
  AwsCredentials out;
  out.access_key_id = std::move(*key_id);
  out.secret_access_key = SensitiveString(*secret);
  OPENSSL_cleanse(secret->data(), secret->size());  // the copy read above
  std::optional<std::string> token = XmlElementText(response.body, "SessionToken");
  if (!token || token->empty()) return unusable("SessionToken");
  out.session_token = SensitiveString(*token);
  OPENSSL_cleanse(token->data(), token->size());
  std::optional<std::string> expiration = XmlElementText(response.body, "Expiration");
  if (!expiration) return unusable("Expiration");
  out.expiry = ParseIso8601Utc(*expiration);
  if (!out.expiry) return unusable("Expiration");
  return out;
}

}  // namespace certplane::sync::aws
