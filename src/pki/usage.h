// usage.h: key usages and extended key usages (RFC 5280 4.2.1.3 and 4.2.1.12).
//
//   spec.key_usages = {KeyUsage::kDigitalSignature};
//   spec.extended_key_usages = {ExtendedKeyUsage::kServerAuth, ExtendedKeyUsage::kClientAuth};
//
// Names follow cert-manager's spellings ("digital signature", "server auth"), so the
// API layer can map a Certificate's usages with ParseKeyUsage / ParseExtendedKeyUsage.
#pragma once

#include <string_view>
#include <vector>

#include "base/result.h"
#include "pki/key.h"

namespace certplane::pki {

// The bits of the KeyUsage BIT STRING, in bit order.
enum class KeyUsage {
  kDigitalSignature = 0,
  kContentCommitment = 1,  // formerly nonRepudiation
  kKeyEncipherment = 2,
  kDataEncipherment = 3,
  kKeyAgreement = 4,
  kKeyCertSign = 5,
  kCrlSign = 6,
  kEncipherOnly = 7,
  kDecipherOnly = 8,
};

enum class ExtendedKeyUsage {
  kServerAuth,       // id-kp-serverAuth 1.3.6.1.5.5.7.3.1
  kClientAuth,       // id-kp-clientAuth 1.3.6.1.5.5.7.3.2
  kCodeSigning,      // id-kp-codeSigning 1.3.6.1.5.5.7.3.3
  kEmailProtection,  // id-kp-emailProtection 1.3.6.1.5.5.7.3.4
  kTimeStamping,     // id-kp-timeStamping 1.3.6.1.5.5.7.3.8
  kOcspSigning,      // id-kp-OCSPSigning 1.3.6.1.5.5.7.3.9
};

// "digital signature", "content commitment", "key encipherment", "data encipherment",
// "key agreement", "cert sign", "crl sign", "encipher only", "decipher only".
std::string_view KeyUsageName(KeyUsage usage);
// "server auth", "client auth", "code signing", "email protection", "timestamping",
// "ocsp signing".
std::string_view ExtendedKeyUsageName(ExtendedKeyUsage usage);
// The inverses; InvalidArgument for an unknown name.
Result<KeyUsage> ParseKeyUsage(std::string_view name);
Result<ExtendedKeyUsage> ParseExtendedKeyUsage(std::string_view name);

// What RFC 5280 and the key's algorithm call for when a caller has no preference:
// a CA gets cert sign + crl sign + digital signature; a leaf gets digital signature,
// plus key encipherment for an RSA key (RSA key transport in TLS 1.2).
std::vector<KeyUsage> DefaultCaKeyUsages();
std::vector<KeyUsage> DefaultLeafKeyUsages(KeyAlgorithm subject_key);

// OK, or InvalidArgument when a usage cannot be done with such a key (RFC 8813: an EC
// key cannot encipher; RFC 8410: Ed25519 only signs; RSA keys cannot do key
// agreement) or encipherOnly/decipherOnly appear without keyAgreement.
Status CheckKeyUsagesFitKey(const std::vector<KeyUsage>& usages, KeyAlgorithm subject_key);

}  // namespace certplane::pki
