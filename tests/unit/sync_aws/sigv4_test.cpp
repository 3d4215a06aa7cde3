// AWS Signature Version 4 against the expected values of AWS's published signing test
// suite (awslabs/aws-c-auth, tests/aws-signing-test-suite/v4/<case>/: request.txt,
// context.json, header-canonical-request.txt, header-string-to-sign.txt,
// header-signature.txt). Every case signs with AKIDEXAMPLE /
// wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY for us-east-1, service "service", at
// 2015-08-30T12:36:00Z, with path normalization (all services but S3).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>

#include "base/text.h"
#include "sync/aws/encoding.h"
#include "sync/aws/sigv4.h"

namespace certplane::sync::aws {
namespace {

struct SigV4Vector {
  std::string name;
  std::string method;
  std::string url;
  HttpHeaders headers;
  std::string body;
  std::string session_token;
  bool sign_body = false;
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;
};

const std::chrono::system_clock::time_point kSuiteTime =
    std::chrono::sys_days(std::chrono::year(2015) / 8 / 30) + std::chrono::hours(12) + std::chrono::minutes(36);

AwsCredentials SuiteCredentials(const std::string& token) {
  AwsCredentials c;
  c.access_key_id = "AKIDEXAMPLE";
  c.secret_access_key = SensitiveString("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
  c.session_token = SensitiveString(token);
  return c;
}

// gtest prints a parameter's bytes in test names and failures unless told otherwise.
void PrintTo(const SigV4Vector& v, std::ostream* os) { *os << v.name; }

class SigV4SuiteCase : public ::testing::TestWithParam<SigV4Vector> {};

TEST_P(SigV4SuiteCase, ProducesTheSuitesCanonicalRequestStringToSignAndSignature) {
  const SigV4Vector& v = GetParam();
  HttpRequest request{.method = v.method, .url = v.url, .headers = v.headers, .body = v.body};
  Result<SigV4Signature> signature =
      SignV4(request, SuiteCredentials(v.session_token),
             {.region = "us-east-1", .service = "service", .content_sha256_header = v.sign_body}, kSuiteTime);
  ASSERT_TRUE(signature.ok()) << signature.status();
  EXPECT_EQ(signature->canonical_request, v.canonical_request);
  EXPECT_EQ(signature->string_to_sign, v.string_to_sign);
  EXPECT_EQ(signature->signature, v.signature);
  // The signed headers are the second-to-last line of the canonical request.
  const std::string head = v.canonical_request.substr(0, v.canonical_request.rfind('\n'));
  const std::string signed_headers = head.substr(head.rfind('\n') + 1);
  EXPECT_EQ(HttpResponse{.headers = request.headers}.Header("Authorization"),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=" +
                signed_headers + ", Signature=" + v.signature);
  EXPECT_EQ(HttpResponse{.headers = request.headers}.Header("X-Amz-Date"), "20150830T123600Z");
}

INSTANTIATE_TEST_SUITE_P(
    AwsSigningTestSuite, SigV4SuiteCase,
    ::testing::Values(
        SigV4Vector{
            .name = "get_vanilla",
            .method = "GET",
            .url = "https://example.amazonaws.com"
                   "/",
            .headers = {{"Host", "example.amazonaws.com"}},
            .body = "",
            .session_token = "",
            .sign_body = false,
            .canonical_request = "GET\n/"
                                 "\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-"
                                 "date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            .string_to_sign = "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/"
                              "aws4_request\nbb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63",
            .signature = "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
        },
        SigV4Vector{
            .name = "get_vanilla_query_order_key_case",
            .method = "GET",
            .url = "https://example.amazonaws.com"
                   "/?Param2=value2&Param1=value1",
            .headers = {{"Host", "example.amazonaws.com"}},
            .body = "",
            .session_token = "",
            .sign_body = false,
            .canonical_request =
                "GET\n/"
                "\nParam1=value1&Param2=value2\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-"
                "date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            .string_to_sign = "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/"
                              "aws4_request\n816cd5b414d056048ba4f7c5386d6e0533120fb1fcfa93762cf0fc39e2cf19e0",
            .signature = "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
        },
        SigV4Vector{
            .name = "get_vanilla_query_unreserved",
            .method = "GET",
            .url = "https://example.amazonaws.com"
                   "/?-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz=-._~"
                   "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
            .headers = {{"Host", "example.amazonaws.com"}},
            .body = "",
            .session_token = "",
            .sign_body = false,
            .canonical_request = "GET\n/"
                                 "\n-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz=-._~"
                                 "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz\nhost:example."
                                 "amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-"
                                 "date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            .string_to_sign = "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/"
                              "aws4_request\nc30d4703d9f799439be92736156d47ccfb2d879ddf56f5befa6d1d6aab979177",
            .signature = "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197",
        },
        SigV4Vector{
            .name = "get_vanilla_utf8_query",
            .method = "GET",
            .url = "https://example.amazonaws.com"
                   "/?\xe1"
                   "\x88"
                   "\xb4"
                   "=bar",
            .headers = {{"Host", "example.amazonaws.com"}},
            .body = "",
            .session_token = "",
            .sign_body = false,
            .canonical_request = "GET\n/"
                                 "\n%E1%88%B4=bar\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-"
                                 "amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            .string_to_sign = "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/"
                              "aws4_request\neb30c5bed55734080471a834cc727ae56beb50e5f39d1bff6d0d38cb192a7073",
            .signature = "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04",
        },
        SigV4Vector{
            .name = "get_header_value_trim",
            .method = "GET",
            .url = "https://example.amazonaws.com"
                   "/",
            .headers = {{"Host", "example.amazonaws.com"}, {"My-Header1", " value1"}, {"My-Header2", " \"a   b   c\""}},
            .body = "",
            .session_token = "",
            .sign_body = false,
            .canonical_request = "GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value1\nmy-header2:\"a b "
                                 "c\"\nx-amz-date:20150830T123600Z\n\nhost;my-header1;my-header2;x-amz-"
                                 "date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            .string_to_sign = "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/"
                              "aws4_request\na726db9b0df21c14f559d0a978e563112acb1b9e05476f0a6a1c7d68f28605c7",
            .signature = "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736",
        },
        SigV4Vector{
            .name = "post_vanilla",
            .method = "POST",
            .url = "https://example.amazonaws.com"
                   "/",
            .headers = {{"Host", "example.amazonaws.com"}},
            .body = "",
            .session_token = "",
            .sign_body = false,
            .canonical_request = "POST\n/"
                                 "\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-"
                                 "date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            .string_to_sign = "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/"
                              "aws4_request\n553f88c9e4d10fc9e109e2aeb65f030801b70c2f6468faca261d401ae622fc87",
            .signature = "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b",
        },
        SigV4Vector{
            .name = "post_x_www_form_urlencoded",
            .method = "POST",
            .url = "https://example.amazonaws.com"
                   "/",
            .headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                        {"Host", "example.amazonaws.com"},
                        {"Content-Length", "13"}},
            .body = "Param1=value1",
            .session_token = "",
            .sign_body = true,
            .canonical_request = "POST\n/\n\ncontent-length:13\ncontent-type:application/"
                                 "x-www-form-urlencoded\nhost:example.amazonaws.com\nx-amz-content-sha256:"
                                 "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e\nx-amz-date:"
                                 "20150830T123600Z\n\ncontent-length;content-type;host;x-amz-content-sha256;x-amz-"
                                 "date\n9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e",
            .string_to_sign = "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/"
                              "aws4_request\nb1edd1d03544c25390e32085d55b57acc9a3961bb59415ff86c45c3d89d16cfb",
            .signature = "d3875051da38690788ef43de4db0d8f280229d82040bfac253562e56c3f20e0b",
        },
        SigV4Vector{
            .name = "get_utf8",
            .method = "GET",
            .url = "https://example.amazonaws.com"
                   "/\xe1"
                   "\x88"
                   "\xb4"
                   "",
            .headers = {{"Host", "example.amazonaws.com"}},
            .body = "",
            .session_token = "",
            .sign_body = false,
            .canonical_request = "GET\n/"
                                 "%E1%88%B4\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-"
                                 "date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            .string_to_sign = "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/"
                              "aws4_request\n2a0a97d02205e45ce2e994789806b19270cfbbb0921b278ccf58f5249ac42102",
            .signature = "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85",
        },
        SigV4Vector{
            .name = "get_space_normalized",
            .method = "GET",
            .url = "https://example.amazonaws.com"
                   "/example space/",
            .headers = {{"Host", "example.amazonaws.com"}},
            .body = "",
            .session_token = "",
            .sign_body = false,
            .canonical_request = "GET\n/example%20space/"
                                 "\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-"
                                 "date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            .string_to_sign = "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/"
                              "aws4_request\n63ee75631ed7234ae61b5f736dfc7754cdccfedbff4b5128a915706ee9390d86",
            .signature = "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741",
        },
        SigV4Vector{
            .name = "get_slash_dot_slash_normalized",
            .method = "GET",
            .url = "https://example.amazonaws.com"
                   "/./",
            .headers = {{"Host", "example.amazonaws.com"}},
            .body = "",
            .session_token = "",
            .sign_body = false,
            .canonical_request = "GET\n/"
                                 "\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-"
                                 "date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            .string_to_sign = "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/"
                              "aws4_request\nbb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63",
            .signature = "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
        },
        SigV4Vector{
            .name = "get_relative_relative_normalized",
            .method = "GET",
            .url = "https://example.amazonaws.com"
                   "/example1/example2/../..",
            .headers = {{"Host", "example.amazonaws.com"}},
            .body = "",
            .session_token = "",
            .sign_body = false,
            .canonical_request = "GET\n/"
                                 "\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-"
                                 "date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            .string_to_sign = "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/"
                              "aws4_request\nbb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63",
            .signature = "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
        },
        SigV4Vector{
            .name = "get_slashes_normalized",
            .method = "GET",
            .url = "https://example.amazonaws.com"
                   "//example//",
            .headers = {{"Host", "example.amazonaws.com"}},
            .body = "",
            .session_token = "",
            .sign_body = false,
            .canonical_request = "GET\n/example/"
                                 "\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-"
                                 "date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            .string_to_sign = "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/"
                              "aws4_request\ncb96b4ac96d501f7c5c15bc6d67b3035061cfced4af6585ad927f7e6c985c015",
            .signature = "9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84",
        },
        SigV4Vector{
            .name = "get_vanilla_with_session_token",
            .method = "GET",
            .url = "https://example.amazonaws.com"
                   "/",
            .headers = {{"Host", "example.amazonaws.com"}},
            .body = "",
            .session_token = "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267",
            .sign_body = false,
            .canonical_request =
                "GET\n/"
                "\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\nx-amz-security-token:"
                "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267\n\nhost;x-amz-date;x-amz-security-"
                "token\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            .string_to_sign = "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/"
                              "aws4_request\n067b36aa60031588cea4a4cde1f21215227a047690c72247f1d70b32fbbfad2b",
            .signature = "07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8",
        },
        SigV4Vector{
            .name = "post_sts_header_before",
            .method = "POST",
            .url = "https://example.amazonaws.com"
                   "/",
            .headers = {{"Host", "example.amazonaws.com"}},
            .body = "",
            .session_token = "AQoDYXdzEPT//////////"
                             "wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUu"
                             "wthAx7mSEI/qkPpKPi/"
                             "kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8Y"
                             "QcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+"
                             "scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==",
            .sign_body = false,
            .canonical_request =
                "POST\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\nx-amz-security-token:AQoDYXdzEPT//"
                "////////"
                "wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/"
                "qkPpKPi/"
                "kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6"
                "d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/"
                "oLxBA==\n\nhost;x-amz-date;x-amz-security-"
                "token\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            .string_to_sign = "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/"
                              "aws4_request\nc237e1b440d4c63c32ca95b5b99481081cb7b13c7e40434868e71567c1a882f6",
            .signature = "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead",
        }),
    [](const auto& info) { return info.param.name; });

std::string HeaderOf(const HttpRequest& request, std::string_view name) {
  return HttpResponse{.headers = request.headers}.Header(name);
}

TEST(SigV4, AddsTheSessionTokenHeaderAndSignsIt) {
  HttpRequest request{.method = "POST", .url = "https://acm.us-east-1.amazonaws.com/"};
  Result<SigV4Signature> signature =
      SignV4(request, SuiteCredentials("token-value"), {.region = "us-east-1", .service = "acm"}, kSuiteTime);
  ASSERT_TRUE(signature.ok()) << signature.status();
  EXPECT_EQ(HeaderOf(request, "X-Amz-Security-Token"), "token-value");
  EXPECT_THAT(signature->canonical_request, ::testing::HasSubstr("\nhost;x-amz-date;x-amz-security-token\n"));
}

TEST(SigV4, SigningAgainReplacesTheEarlierSignatureHeaders) {
  HttpRequest request{.method = "POST", .url = "https://acm.us-east-1.amazonaws.com/"};
  ASSERT_TRUE(SignV4(request, SuiteCredentials("t"), {.region = "us-east-1", .service = "acm"}, kSuiteTime).ok());
  ASSERT_TRUE(SignV4(request, SuiteCredentials("t"), {.region = "us-east-1", .service = "acm"},
                     kSuiteTime + std::chrono::seconds(1))
                  .ok());
  int authorization = 0, date = 0, token = 0;
  for (const auto& [name, value] : request.headers) {
    authorization += name == "Authorization";
    date += name == "X-Amz-Date";
    token += name == "X-Amz-Security-Token";
  }
  EXPECT_EQ(authorization, 1);
  EXPECT_EQ(date, 1);
  EXPECT_EQ(token, 1);
  EXPECT_EQ(HeaderOf(request, "X-Amz-Date"), "20150830T123601Z");
}

TEST(SigV4, SignsTheHostWithItsPortUnlessItIsTheSchemesDefault) {
  HttpRequest loopback{.method = "POST", .url = "http://127.0.0.1:5123/"};
  Result<SigV4Signature> a =
      SignV4(loopback, SuiteCredentials(""), {.region = "us-east-1", .service = "acm"}, kSuiteTime);
  ASSERT_TRUE(a.ok());
  EXPECT_THAT(a->canonical_request, ::testing::HasSubstr("\nhost:127.0.0.1:5123\n"));
  HttpRequest standard{.method = "POST", .url = "https://acm.us-east-1.amazonaws.com:443"};
  Result<SigV4Signature> b =
      SignV4(standard, SuiteCredentials(""), {.region = "us-east-1", .service = "acm"}, kSuiteTime);
  ASSERT_TRUE(b.ok());
  EXPECT_THAT(b->canonical_request, ::testing::StartsWith("POST\n/\n\nhost:acm.us-east-1.amazonaws.com\n"));
}

TEST(SigV4, RefusesAUrlThatIsNotAbsoluteHttp) {
  HttpRequest request{.method = "GET", .url = "/relative"};
  Result<SigV4Signature> signature =
      SignV4(request, SuiteCredentials(""), {.region = "us-east-1", .service = "acm"}, kSuiteTime);
  ASSERT_FALSE(signature.ok());
  EXPECT_EQ(signature.status().code(), StatusCode::kInvalidArgument);
}

TEST(AwsEncoding, Base64MatchesRfc4648Vectors) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foob"), "Zm9vYg==");
  EXPECT_EQ(Base64Encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64Encode("\xff\xfe"), "//4=");
}

TEST(AwsEncoding, UriEncodeKeepsOnlyUnreservedCharactersAndOptionallySlashes) {
  EXPECT_EQ(UriEncode("a-._~Z9 /+=&%", false), "a-._~Z9%20%2F%2B%3D%26%25");
  EXPECT_EQ(UriEncode("a b/c", true), "a%20b/c");
  EXPECT_EQ(PercentDecode("%E1%88%B4x%2"), "\xe1\x88\xb4x%2");
  EXPECT_EQ(PercentDecode("%zz"), "%zz");
}

TEST(AwsEncoding, HmacSha256MatchesRfc4231TestCase2) {
  EXPECT_EQ(LowerHex(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

}  // namespace
}  // namespace certplane::sync::aws
