// Keys and helpers shared by the acme unit tests.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "acme/base64url.h"
#include "pki/key.h"

namespace certplane::acme::testing {

// One key per algorithm, generated once per process (RSA generation is slow).
const pki::PrivateKey& TestKey(pki::KeyAlgorithm algorithm);
// A second, different key per algorithm.
const pki::PrivateKey& OtherTestKey(pki::KeyAlgorithm algorithm);

// "RSA2048", "ECDSAP256", ... for test names.
std::string AlgorithmTestName(pki::KeyAlgorithm algorithm);

inline std::string B64(std::string_view bytes) { return Base64UrlEncode(bytes); }
inline std::string Unb64(std::string_view text) { return Base64UrlDecode(text).value(); }

// A flattened JWS body from its parts, no signing: {"protected": b64(header.dump()), ...}.
std::string JwsBody(const nlohmann::json& header, std::string_view payload_b64, std::string_view signature_b64);

// RFC 7515 appendix A.2 (RS256) and A.3 (ES256), RFC 8037 appendix A.4 (EdDSA).
inline constexpr std::string_view kRfc7515Payload =
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";
inline constexpr std::string_view kRfc7515A2N =
    "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-"
    "pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg"
    "665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FR"
    "WyuXpoQ";
inline constexpr std::string_view kRfc7515A2Signature =
    "cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1"
    "dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDw"
    "usC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77"
    "Rw";
inline constexpr std::string_view kRfc7515A3X = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
inline constexpr std::string_view kRfc7515A3Y = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";
inline constexpr std::string_view kRfc7515A3Signature =
    "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";
inline constexpr std::string_view kRfc8037X = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
inline constexpr std::string_view kRfc8037Signature =
    "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";

// RFC 7638 section 3.1.
inline constexpr std::string_view kRfc7638N =
    "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_"
    "BJECPebWKRXjBZCiFV4n3oknjhMs"
    "tn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5"
    "hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-"
    "kEgU8awapJzKnqDKgw";
inline constexpr std::string_view kRfc7638Thumbprint = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs";

inline nlohmann::json Rfc7515A3Jwk() {
  return {{"kty", "EC"}, {"crv", "P-256"}, {"x", std::string(kRfc7515A3X)}, {"y", std::string(kRfc7515A3Y)}};
}
inline nlohmann::json Rfc7638Jwk() {
  return {{"kty", "RSA"}, {"n", std::string(kRfc7638N)}, {"e", "AQAB"}, {"alg", "RS256"}, {"kid", "2011-04-29"}};
}

}  // namespace certplane::acme::testing
