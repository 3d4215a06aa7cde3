#include "pki/pkcs12.h"

#include <openssl/objects.h>
#include <openssl/pkcs12.h>

#include "pki/errors.h"
#include "pki/internal/asn1.h"

namespace certplane::pki {
namespace {

constexpr int kMaxIterations = 10'000'000;
// Java's attribute marking a certificate bag as a trusted certificate entry.
constexpr char kJavaTrustedKeyUsageOid[] = "2.16.840.1.113894.746875.1.1";

// A library context with the default and legacy providers, for the legacy PKCS#12
// algorithms (RC2 and friends live only in the legacy provider in OpenSSL 3). Built
// once; destroyed at exit before OpenSSL's own cleanup, which registered earlier.
class LegacyContext {
 public:
  static const LegacyContext& Get() {
    static const LegacyContext instance;
    return instance;
  }
  // Null if the legacy provider could not be loaded; error() says why.
  OSSL_LIB_CTX* get() const { return ctx_.get(); }
  const std::string& error() const { return error_; }

 private:
  LegacyContext() {
    OsslLibCtxPtr ctx(OSSL_LIB_CTX_new());
    if (!ctx) {
      error_ = TakeOpenSslErrors();
      return;
    }
    default_.reset(OSSL_PROVIDER_load(ctx.get(), "default"));
    legacy_.reset(OSSL_PROVIDER_load(ctx.get(), "legacy"));
    if (!default_ || !legacy_) {
      error_ = "loading OpenSSL's legacy provider: " + TakeOpenSslErrors();
      legacy_.reset();
      default_.reset();
      return;
    }
    ctx_ = std::move(ctx);
  }
  // Destroyed in reverse order: the providers are unloaded before their context goes.
  OsslLibCtxPtr ctx_;
  OsslProviderPtr default_;
  OsslProviderPtr legacy_;
  std::string error_;
};

// Makes `ctx` this thread's default library context for the guard's lifetime, for
// OpenSSL calls that have no _ex variant taking one (PKCS12_parse).
class ScopedDefaultContext {
 public:
  explicit ScopedDefaultContext(OSSL_LIB_CTX* ctx) : previous_(OSSL_LIB_CTX_set0_default(ctx)) {}
  ~ScopedDefaultContext() { OSSL_LIB_CTX_set0_default(previous_); }
  ScopedDefaultContext(const ScopedDefaultContext&) = delete;
  ScopedDefaultContext& operator=(const ScopedDefaultContext&) = delete;

 private:
  OSSL_LIB_CTX* previous_;  // not owned
};

Result<SensitiveString> CheckPassword(std::string_view password) {
  if (password.empty()) return InvalidArgument("the PKCS#12 password is empty");
  if (password.find('\0') != std::string_view::npos) return InvalidArgument("the PKCS#12 password contains a NUL");
  return SensitiveString(password);
}

struct Profile {
  OSSL_LIB_CTX* ctx;  // not owned; null for the default context
  int key_nid;
  int cert_nid;
  const EVP_MD* mac_md;
};

Result<Profile> ProfileFor(const Pkcs12Options& options) {
  if (options.iterations < 1 || options.iterations > kMaxIterations) {
    return InvalidArgument("PKCS#12 iterations must be within 1..10000000");
  }
  if (options.profile == Pkcs12Profile::kModern) {
    return Profile{nullptr, NID_aes_256_cbc, NID_aes_256_cbc, EVP_sha256()};
  }
  const LegacyContext& legacy = LegacyContext::Get();
  if (legacy.get() == nullptr) return FailedPrecondition("legacy PKCS#12 is unavailable: " + legacy.error());
  return Profile{legacy.get(), NID_pbe_WithSHA1And3_Key_TripleDES_CBC, NID_pbe_WithSHA1And40BitRC2_CBC, EVP_sha1()};
}

Result<Bytes> Finish(PKCS12* p12, const SensitiveString& password, const Profile& profile, int iterations) {
  // A fresh random salt (salt = null), `iterations` rounds, the profile's digest.
  if (PKCS12_set_mac(p12, password.c_str(), -1, nullptr, 0, iterations, profile.mac_md) != 1) {
    return OpenSslError(StatusCode::kInternal, "adding the PKCS#12 MAC");
  }
  return internal::EncodeDer(p12, i2d_PKCS12, "the PKCS#12 file");
}

}  // namespace

Result<Bytes> BuildPkcs12Keystore(const PrivateKey& key, const Certificate& certificate,
                                  const std::vector<Certificate>& chain, std::string_view password,
                                  const Pkcs12Options& options) {
  Result<SensitiveString> pass = CheckPassword(password);
  if (!pass.ok()) return pass.status();
  Result<Profile> profile = ProfileFor(options);
  if (!profile.ok()) return profile.status();
  if (Status s = CheckKeyMatchesCertificate(key, certificate); !s.ok()) {
    return InvalidArgument("building a keystore: " + s.message());
  }
  ClearOpenSslErrors();
  X509StackPtr ca(sk_X509_new_null());
  if (!ca) return OpenSslError(StatusCode::kInternal, "allocating the chain");
  for (const Certificate& c : chain) {
    X509Ptr shared = ShareX509(c.get());
    if (sk_X509_push(ca.get(), shared.get()) <= 0) return OpenSslError(StatusCode::kInternal, "allocating the chain");
    (void)shared.release();  // the stack owns this reference now
  }
  std::string alias = options.alias.empty() ? "certificate" : options.alias;
  // mac_iter -1: no MAC yet; Finish() adds one with the profile's digest.
  Pkcs12Ptr p12(PKCS12_create_ex(pass->c_str(), alias.c_str(), key.get(), certificate.get(), ca.get(), profile->key_nid,
                                 profile->cert_nid, options.iterations, -1, 0, profile->ctx, nullptr));
  if (!p12) return OpenSslError(StatusCode::kInternal, "building the PKCS#12 keystore");
  return Finish(p12.get(), *pass, *profile, options.iterations);
}

Result<Bytes> BuildPkcs12Truststore(const std::vector<Certificate>& certificates, std::string_view password,
                                    const Pkcs12Options& options) {
  if (certificates.empty()) return InvalidArgument("a truststore needs at least one certificate");
  Result<SensitiveString> pass = CheckPassword(password);
  if (!pass.ok()) return pass.status();
  Result<Profile> profile = ProfileFor(options);
  if (!profile.ok()) return profile.status();
  ClearOpenSslErrors();

  SafeBagStackPtr bags(sk_PKCS12_SAFEBAG_new_null());
  if (!bags) return OpenSslError(StatusCode::kInternal, "allocating the certificate bags");
  std::string base = options.alias.empty() ? "ca" : options.alias;
  for (size_t i = 0; i < certificates.size(); ++i) {
    STACK_OF(PKCS12_SAFEBAG)* raw = bags.get();  // PKCS12_add_cert pushes onto it; `bags` still owns it
    PKCS12_SAFEBAG* bag = PKCS12_add_cert(&raw, certificates[i].get());  // owned by the stack
    std::string alias = i == 0 ? base : base + "-" + std::to_string(i);
    if (bag == nullptr || PKCS12_add_friendlyname_utf8(bag, alias.c_str(), -1) != 1) {
      return OpenSslError(StatusCode::kInternal, "adding a certificate bag");
    }
    // len -1: the value is an ASN1_OBJECT*, copied into the attribute.
    if (PKCS12_add1_attr_by_txt(bag, kJavaTrustedKeyUsageOid, V_ASN1_OBJECT,
                                reinterpret_cast<const unsigned char*>(OBJ_nid2obj(NID_anyExtendedKeyUsage)),
                                -1) != 1) {
      return OpenSslError(StatusCode::kInternal, "marking a certificate as trusted for Java");
    }
  }
  Pkcs7StackPtr safes(sk_PKCS7_new_null());
  if (!safes) return OpenSslError(StatusCode::kInternal, "allocating the PKCS#12 safes");
  STACK_OF(PKCS7)* raw_safes = safes.get();  // PKCS12_add_safe_ex pushes onto it; `safes` still owns it
  if (PKCS12_add_safe_ex(&raw_safes, bags.get(), profile->cert_nid, options.iterations, pass->c_str(), profile->ctx,
                         nullptr) != 1) {
    return OpenSslError(StatusCode::kInternal, "encrypting the certificate bags");
  }
  Pkcs12Ptr p12(PKCS12_add_safes_ex(safes.get(), NID_pkcs7_data, profile->ctx, nullptr));
  if (!p12) return OpenSslError(StatusCode::kInternal, "building the PKCS#12 truststore");
  return Finish(p12.get(), *pass, *profile, options.iterations);
}

Result<Pkcs12Contents> ParsePkcs12(ByteView der, std::string_view password) {
  if (password.find('\0') != std::string_view::npos) return InvalidArgument("the PKCS#12 password contains a NUL");
  SensitiveString pass(password);
  Result<Pkcs12Ptr> p12 =
      internal::DecodeDer<Pkcs12Ptr>(der, d2i_PKCS12, i2d_PKCS12, "PKCS#12", internal::Encoding::kBer);
  if (!p12.ok()) return p12.status().WithContext("parsing a PKCS#12 file");
  if (PKCS12_mac_present(p12->get()) != 1) return InvalidArgument("parsing a PKCS#12 file: it has no MAC");
  const ASN1_INTEGER* iter = nullptr;
  PKCS12_get0_mac(nullptr, nullptr, nullptr, &iter, p12->get());
  long iterations = iter == nullptr ? 1 : ASN1_INTEGER_get(iter);
  if (iterations < 1 || iterations > kMaxIterations) {
    return InvalidArgument("parsing a PKCS#12 file: MAC iteration count " + std::to_string(iterations) +
                           " is outside 1..10000000");
  }
  if (PKCS12_verify_mac(p12->get(), pass.c_str(), -1) != 1) {
    return OpenSslError(StatusCode::kInvalidArgument, "parsing a PKCS#12 file: wrong password or corrupted file");
  }

  const LegacyContext& legacy = LegacyContext::Get();
  EVP_PKEY* raw_key = nullptr;
  X509* raw_cert = nullptr;
  STACK_OF(X509)* raw_ca = nullptr;
  int ok = 0;
  {
    // Legacy files need RC2 and 3DES from the legacy provider; modern ones work too.
    ScopedDefaultContext scope(legacy.get());
    ok = PKCS12_parse(p12->get(), pass.c_str(), &raw_key, &raw_cert, &raw_ca);
  }
  EvpPkeyPtr key(raw_key);  // PKCS12_parse hands these to the caller
  X509Ptr cert(raw_cert);
  X509StackPtr ca(raw_ca);
  if (ok != 1) return OpenSslError(StatusCode::kInvalidArgument, "parsing a PKCS#12 file: decrypting its contents");

  Pkcs12Contents out;
  if (key) {
    Result<PrivateKey> k = PrivateKey::FromEvp(std::move(key));
    if (!k.ok()) return k.status().WithContext("parsing a PKCS#12 file");
    out.key = std::move(*k);
  }
  if (cert) {
    Result<Certificate> c = Certificate::Adopt(std::move(cert));
    if (!c.ok()) return c.status().WithContext("parsing a PKCS#12 file");
    out.certificate = std::move(*c);
  }
  for (int i = 0; ca && i < sk_X509_num(ca.get()); ++i) {
    Result<Certificate> c = Certificate::Adopt(ShareX509(sk_X509_value(ca.get(), i)));
    if (!c.ok()) return c.status().WithContext("parsing a PKCS#12 file");
    out.other_certificates.push_back(std::move(*c));
  }
  return out;
}

}  // namespace certplane::pki
