// STS AssumeRoleWithWebIdentity over the query protocol: the request (unsigned: the
// web identity token is the credential) and a reader for its XML answer.
//
//   HttpRequest req = BuildAssumeRoleWithWebIdentityRequest(
//       "https://sts.eu-west-1.amazonaws.com", role_arn, "certplane", token.view());
//   SyncResult<AwsCredentials> creds = ReadAssumeRoleWithWebIdentityResponse(*response);
//
// The answer is read with a small extractor rather than an XML library: the elements
// we need (AccessKeyId, SecretAccessKey, SessionToken, Expiration; Code and Message in
// an error) are leaves with text content, whose entities are decoded.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "sync/aws/credentials.h"
#include "sync/destination.h"
#include "sync/exchange.h"

namespace certplane::sync::aws {

// POST <endpoint>/ with the form body Action=AssumeRoleWithWebIdentity&RoleArn=...&
// RoleSessionName=...&Version=2011-06-15&WebIdentityToken=...
HttpRequest BuildAssumeRoleWithWebIdentityRequest(std::string_view endpoint, std::string_view role_arn,
                                                  std::string_view session_name, std::string_view web_identity_token);

// The credentials of a 200 answer. An error answer (<ErrorResponse><Error><Code>) is
// mapped like every AWS error (errors.h); a 200 without the four elements or with an
// unreadable Expiration is kUnavailable. `secrets` (the web identity token) are
// redacted from messages.
SyncResult<AwsCredentials> ReadAssumeRoleWithWebIdentityResponse(const HttpResponse& response,
                                                                 const std::vector<std::string_view>& secrets = {});

// The decoded text of the first <name>...</name> in `xml` (a namespace prefix on the
// element is allowed); nullopt when there is none or the text holds markup.
std::optional<std::string> XmlElementText(std::string_view xml, std::string_view name);

// An ISO 8601 UTC time as STS writes it: "2026-12-06T13:53:49Z", with optional
// fractional seconds; also "+00:00" for the Z. nullopt for anything else, and for
// years outside 1970..2200.
std::optional<std::chrono::system_clock::time_point> ParseIso8601Utc(std::string_view text);

}  // namespace certplane::sync::aws
