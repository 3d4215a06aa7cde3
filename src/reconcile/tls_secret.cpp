#include "reconcile/tls_secret.h"

#include <openssl/crypto.h>

#include "api/well_known.h"
#include "kube/base64.h"
#include "pki/pkcs12.h"

namespace certplane::reconcile {
namespace {

std::string B64(std::string_view bytes) { return kube::Base64Encode(bytes); }
std::string B64(const pki::Bytes& bytes) {
  return kube::Base64Encode(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

}  // namespace

std::string PasswordKey(const api::SecretKeySelector& ref) { return ref.name + "/" + ref.key; }

Result<nlohmann::json> BuildTlsSecret(const TlsSecretInput& in) {
  const api::Certificate& cert = in.certificate;
  const bool pkcs1 = cert.spec.private_key.encoding == api::KeyEncoding::kPkcs1 && pki::IsRsa(in.leaf.key.algorithm());
  auto key_pem = pkcs1 ? in.leaf.key.ToPkcs1Pem() : in.leaf.key.ToPkcs8Pem();
  if (!key_pem.ok()) return key_pem.status().WithContext("encoding tls.key");
  const std::string chain_pem = pki::EncodeCertificateChainPem(in.leaf.chain);

  nlohmann::json data = nlohmann::json::object();
  data["tls.crt"] = B64(chain_pem);
  data["tls.key"] = B64(key_pem->view());
  data["ca.crt"] = B64(in.root.ToPem());

  for (const api::OutputFormat& format : in.output_formats) {
    switch (format.type) {
      case api::OutputFormatType::kPkcs12: {
        if (!format.password_secret_ref) {
          return InvalidArgument("additionalOutputFormats PKCS12 needs passwordSecretRef");
        }
        auto pw = in.passwords.find(PasswordKey(*format.password_secret_ref));
        if (pw == in.passwords.end() || pw->second.empty()) {
          return InvalidArgument("the PKCS12 password in Secret " + format.password_secret_ref->name + " key " +
                                 format.password_secret_ref->key + " is missing or empty");
        }
        pki::Pkcs12Options options;
        options.profile =
            format.profile == api::Pkcs12Profile::kLegacy ? pki::Pkcs12Profile::kLegacy : pki::Pkcs12Profile::kModern;
        std::vector<pki::Certificate> issuers(in.leaf.chain.begin() + 1, in.leaf.chain.end());
        issuers.push_back(in.root);
        auto keystore = pki::BuildPkcs12Keystore(in.leaf.key, in.leaf.certificate, issuers, pw->second, options);
        if (!keystore.ok()) return keystore.status().WithContext("building keystore.p12");
        data["keystore.p12"] = B64(*keystore);
        if (format.truststore) {
          auto truststore = pki::BuildPkcs12Truststore({in.root}, pw->second, options);
          if (!truststore.ok()) return truststore.status().WithContext("building truststore.p12");
          data["truststore.p12"] = B64(*truststore);
        }
        break;
      }
      case api::OutputFormatType::kCombinedPem: {
        std::string combined(key_pem->view());
        combined += chain_pem;
        data["tls-combined.pem"] = B64(combined);
        OPENSSL_cleanse(combined.data(), combined.size());  // this copy holds the key too
        break;
      }
      case api::OutputFormatType::kDer: data["tls.der"] = B64(in.leaf.certificate.ToDer()); break;
    }
  }

  nlohmann::json labels = nlohmann::json::object();
  for (const auto& [k, v] : in.secret_template.labels) labels[k] = v;
  labels[std::string(api::kCertificateNameLabel)] = cert.metadata.name;

  nlohmann::json annotations = nlohmann::json::object();
  for (const auto& [k, v] : in.secret_template.annotations) annotations[k] = v;
  annotations[std::string(api::kSerialNumberAnnotation)] = in.leaf.certificate.serial().ToHex();
  annotations[std::string(api::kCaNameAnnotation)] = in.ca_name;
  annotations[std::string(api::kProfileNameAnnotation)] = in.profile_name;
  annotations[std::string(api::kRevisionAnnotation)] = std::to_string(in.revision);
  annotations[std::string(api::kIssuedAtAnnotation)] = api::FormatTime(in.issued_at);
  annotations[std::string(api::kDurationAnnotation)] = api::FormatDuration(in.duration);
  annotations[std::string(api::kCrlShardAnnotation)] = std::to_string(in.crl_shard);

  return nlohmann::json{
      {"apiVersion", "v1"},
      {"kind", "Secret"},
      {"type", "kubernetes.io/tls"},
      {"metadata",
       {{"name", cert.spec.secret_name},
        {"namespace", cert.metadata.ns},
        {"labels", labels},
        {"annotations", annotations}}},
      {"data", data},
  };
}

}  // namespace certplane::reconcile
