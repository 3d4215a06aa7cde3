// tls-alpn-01 at one address (RFC 8737; RFC 8738 section 6 for ip identifiers).
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <strings.h>

#include <cstring>
#include <memory>
#include <string>

#include "acme/validation/address_policy.h"
#include "acme/validation/challenge_values.h"
#include "acme/validation/validators.h"
#include "pki/errors.h"
#include "pki/handles.h"

namespace certplane::acme {
namespace {

using SslCtxPtr = std::unique_ptr<SSL_CTX, pki::FreeWith<SSL_CTX_free>>;
using SslPtr = std::unique_ptr<SSL, pki::FreeWith<SSL_free>>;

constexpr std::string_view kAcmeTls1 = "acme-tls/1";
constexpr const char* kAcmeIdentifierOid = "1.3.6.1.5.5.7.1.31";

Problem Tls(std::string detail) { return MakeProblem(ProblemType::kTls, std::move(detail)); }

std::string WithErrors(const std::string& what) {
  const std::string queue = pki::TakeOpenSslErrors();
  return queue.empty() ? what : what + " (" + queue + ")";
}

// The one subjectAltName must be the identifier: a dNSName for "dns", an iPAddress for
// "ip". Returns what is wrong, or "" if it matches.
std::string CheckSan(X509* cert, const ValidationTarget& target) {
  int critical = 0;
  pki::GeneralNamesPtr names(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, &critical, nullptr)));
  if (!names) return "has no subjectAltName extension";
  const int count = sk_GENERAL_NAME_num(names.get());
  if (count != 1)
    return "has " + std::to_string(count) + " subjectAltNames; RFC 8737 requires exactly one, " + target.name;
  const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), 0);
  if (target.ip) {
    if (name->type != GEN_IPADD) return "has a subjectAltName that is not an iPAddress; expected " + target.name;
    const std::size_t want = target.ip->v6 ? 16 : 4;
    const ASN1_OCTET_STRING* ip = name->d.iPAddress;
    if (static_cast<std::size_t>(ASN1_STRING_length(ip)) != want ||
        std::memcmp(ASN1_STRING_get0_data(ip), target.ip->bytes.data(), want) != 0) {
      return "has a subjectAltName iPAddress other than " + target.name;
    }
    return "";
  }
  if (name->type != GEN_DNS) return "has a subjectAltName that is not a dNSName; expected " + target.name;
  const ASN1_IA5STRING* dns = name->d.dNSName;
  const std::string value(reinterpret_cast<const char*>(ASN1_STRING_get0_data(dns)),
                          static_cast<std::size_t>(ASN1_STRING_length(dns)));
  if (value.size() != target.name.size() || strncasecmp(value.c_str(), target.name.c_str(), value.size()) != 0) {
    std::string shown;
    for (char c : value.substr(0, 100)) shown += (c >= 0x20 && c < 0x7f) ? c : '?';
    return "has the subjectAltName dNSName \"" + shown + "\"; expected " + target.name;
  }
  return "";
}

// Drives SSL_connect on a non-blocking socket until it finishes or the deadline passes.
// nullopt on success.
std::optional<Problem> Handshake(SSL* ssl, int fd, const std::string& peer, Clock::time_point deadline) {
  for (;;) {
    pki::ClearOpenSslErrors();
    const int r = SSL_connect(ssl);
    if (r == 1) return std::nullopt;
    const int error = SSL_get_error(ssl, r);
    short events = 0;
    if (error == SSL_ERROR_WANT_READ) {
      events = POLLIN;
    } else if (error == SSL_ERROR_WANT_WRITE) {
      events = POLLOUT;
    } else if (error == SSL_ERROR_SYSCALL || error == SSL_ERROR_ZERO_RETURN) {
      return Tls(WithErrors("the TLS handshake with " + peer + " failed: the connection was closed or reset"));
    } else {
      return Tls(WithErrors("the TLS handshake with " + peer + " failed"));
    }
    if (Status s = WaitFor(fd, events, deadline); !s.ok()) {
      return MakeProblem(ProblemType::kConnection,
                         "the TLS handshake with " + peer + " did not finish within the timeout");
    }
  }
}

}  // namespace

std::string ReverseName(const policy::IpAddress& ip) {
  std::string out;
  if (!ip.v6) {
    for (int i = 3; i >= 0; --i) out += std::to_string(ip.bytes[i]) + ".";
    return out + "in-addr.arpa";
  }
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = 15; i >= 0; --i) {
    out += kHex[ip.bytes[i] & 0xf];
    out += '.';
    out += kHex[ip.bytes[i] >> 4];
    out += '.';
  }
  return out + "ip6.arpa";
}

std::optional<Problem> CheckTlsAlpn01(const SocketAddress& address, const ValidationTarget& target,
                                      std::string_view key_authorization, Clock::time_point deadline) {
  const std::string peer = FormatAddress(address) + " (" + target.name + ")";
  Result<Fd> fd = ConnectTcp(address, deadline);
  if (!fd.ok()) {
    return MakeProblem(ProblemType::kConnection, "connecting to " + FormatAddress(address) + " for " + target.name +
                                                     ": " + fd.status().message());
  }
  // OpenSSL writes to the socket with write(2): a peer that closes early must not SIGPIPE us.
  ScopedSigpipeBlock no_sigpipe;
  pki::ClearOpenSslErrors();

  SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
  if (!ctx) return MakeProblem(ProblemType::kServerInternal, WithErrors("creating a TLS context"));
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  // RFC 8737 section 3: the certificate is self-signed; only its contents are checked.
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_NONE, nullptr);
  std::string alpn(1, static_cast<char>(kAcmeTls1.size()));
  alpn += kAcmeTls1;
  if (SSL_CTX_set_alpn_protos(ctx.get(), reinterpret_cast<const unsigned char*>(alpn.data()),
                              static_cast<unsigned int>(alpn.size())) != 0) {
    return MakeProblem(ProblemType::kServerInternal, WithErrors("setting the ALPN protocol"));
  }
  SslPtr ssl(SSL_new(ctx.get()));
  if (!ssl) return MakeProblem(ProblemType::kServerInternal, WithErrors("creating a TLS connection"));
  const std::string sni = target.ip ? ReverseName(*target.ip) : target.name;
  if (SSL_set_fd(ssl.get(), fd->get()) != 1 || SSL_set_tlsext_host_name(ssl.get(), sni.c_str()) != 1) {
    return MakeProblem(ProblemType::kServerInternal, WithErrors("configuring the TLS connection"));
  }
  SSL_set_connect_state(ssl.get());

  if (std::optional<Problem> problem = Handshake(ssl.get(), fd->get(), peer, deadline)) return problem;

  const unsigned char* selected = nullptr;
  unsigned int selected_len = 0;
  SSL_get0_alpn_selected(ssl.get(), &selected, &selected_len);
  if (selected == nullptr || std::string_view(reinterpret_cast<const char*>(selected), selected_len) != kAcmeTls1) {
    return Tls(peer + " did not negotiate the ALPN protocol acme-tls/1" +
               (selected == nullptr ? std::string(" (it selected none)") : std::string(" (it selected another)")));
  }
  pki::X509Ptr cert(SSL_get1_peer_certificate(ssl.get()));
  if (!cert) return Tls(peer + " sent no certificate");
  if (std::string wrong = CheckSan(cert.get(), target); !wrong.empty()) {
    return Tls("the certificate from " + peer + " " + wrong);
  }

  pki::Asn1ObjectPtr oid(OBJ_txt2obj(kAcmeIdentifierOid, 1));
  if (!oid) return MakeProblem(ProblemType::kServerInternal, WithErrors("parsing the acmeIdentifier OID"));
  const int index = X509_get_ext_by_OBJ(cert.get(), oid.get(), -1);
  if (index < 0) return Tls("the certificate from " + peer + " has no acmeIdentifier extension (1.3.6.1.5.5.7.1.31)");
  if (X509_get_ext_by_OBJ(cert.get(), oid.get(), index) >= 0) {
    return Tls("the certificate from " + peer + " has more than one acmeIdentifier extension");
  }
  X509_EXTENSION* ext = X509_get_ext(cert.get(), index);  // owned by cert
  if (X509_EXTENSION_get_critical(ext) != 1) {
    return Tls("the certificate from " + peer + " has an acmeIdentifier extension that is not marked critical");
  }
  const ASN1_OCTET_STRING* value = X509_EXTENSION_get_data(ext);
  const std::string expected = TlsAlpn01ExtensionValue(key_authorization);
  if (static_cast<std::size_t>(ASN1_STRING_length(value)) != expected.size() ||
      ASN1_STRING_get0_data(value)[0] != 0x04 || ASN1_STRING_get0_data(value)[1] != 0x20) {
    return MakeProblem(ProblemType::kIncorrectResponse, "the acmeIdentifier extension of the certificate from " + peer +
                                                            " is not a DER OCTET STRING of a 32-byte SHA-256 digest");
  }
  if (CRYPTO_memcmp(ASN1_STRING_get0_data(value), expected.data(), expected.size()) != 0) {
    return MakeProblem(ProblemType::kIncorrectResponse, "the acmeIdentifier extension of the certificate from " + peer +
                                                            " does not hold SHA-256 of the key authorization");
  }
  return std::nullopt;
}

}  // namespace certplane::acme
