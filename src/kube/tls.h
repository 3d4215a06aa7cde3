// TLS for the connection to the API server, over cpprestsdk's asio backend.
//
// MakeHttpClientConfig returns an http_client_config whose SSL context trusts only the
// configured CA (or, if none is configured, the system roots), verifies the server's
// certificate and host name, requires TLS 1.2 or later, and presents the client
// certificate and key straight from memory. Nothing is written to disk.
#pragma once

#include <chrono>
#include <string_view>

#include <cpprest/http_client.h>

#include "base/status.h"
#include "kube/config.h"

namespace certplane::kube {

web::http::client::http_client_config MakeHttpClientConfig(const ClusterConfig& config,
                                                           std::chrono::microseconds timeout);

// Checks that `pem` holds at least one parsable X.509 certificate.
Status ValidateCertificatesPem(std::string_view pem);
// Checks that `key_pem` is a parsable private key matching the first certificate of
// `cert_pem`.
Status ValidateKeyPairPem(std::string_view cert_pem, std::string_view key_pem);

}  // namespace certplane::kube
