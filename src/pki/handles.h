// handles.h: one owning smart pointer per OpenSSL type the PKI engine touches.
//
// Every OpenSSL object certplane creates is owned by one of these from the line that
// creates it, so no business code calls a *_free function and every early return frees
// what it made:
//
//   X509Ptr cert(X509_new());
//   if (!cert) return OpenSslError(StatusCode::kInternal, "allocating a certificate");
//   ...
//   return Certificate::Adopt(std::move(cert));
//
// When OpenSSL takes ownership (a push onto a stack it owns, an add0/set0 call), the
// pointer is handed over with (void)ptr.release() and a comment at that line names the
// new owner.
//
// Key material: EVP_PKEY_free and PKCS8_PRIV_KEY_INFO_free clear private key
// components before freeing them (OpenSSL frees private BIGNUMs with BN_clear_free and
// private octet strings with ASN1_STRING_clear_free). PEM or DER text of a private key
// is written through BIO_s_secmem(), whose buffer is cleansed on free, and returned as a
// SensitiveString (base/sensitive_string.h), which wipes itself on destruction.
#pragma once

#include <memory>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/param_build.h>
#include <openssl/pkcs12.h>
#include <openssl/provider.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

namespace certplane::pki {

// FreeWith<F> is a deleter that calls the OpenSSL function F.
template <auto kFree>
struct FreeWith {
  template <typename T>
  void operator()(T* p) const noexcept {
    kFree(p);
  }
};

// Objects.
using X509Ptr = std::unique_ptr<X509, FreeWith<X509_free>>;
using X509ReqPtr = std::unique_ptr<X509_REQ, FreeWith<X509_REQ_free>>;
using X509CrlPtr = std::unique_ptr<X509_CRL, FreeWith<X509_CRL_free>>;
using X509RevokedPtr = std::unique_ptr<X509_REVOKED, FreeWith<X509_REVOKED_free>>;
using X509NamePtr = std::unique_ptr<X509_NAME, FreeWith<X509_NAME_free>>;
using X509PubkeyPtr = std::unique_ptr<X509_PUBKEY, FreeWith<X509_PUBKEY_free>>;
using X509ExtensionPtr = std::unique_ptr<X509_EXTENSION, FreeWith<X509_EXTENSION_free>>;
using X509StorePtr = std::unique_ptr<X509_STORE, FreeWith<X509_STORE_free>>;
using X509StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, FreeWith<X509_STORE_CTX_free>>;
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, FreeWith<EVP_PKEY_free>>;  // clears private parts
using EvpPkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, FreeWith<EVP_PKEY_CTX_free>>;
using EvpMdCtxPtr = std::unique_ptr<EVP_MD_CTX, FreeWith<EVP_MD_CTX_free>>;
using Pkcs8PrivKeyInfoPtr =
    std::unique_ptr<PKCS8_PRIV_KEY_INFO, FreeWith<PKCS8_PRIV_KEY_INFO_free>>;  // clears key octets
using Pkcs12Ptr = std::unique_ptr<PKCS12, FreeWith<PKCS12_free>>;
using BioPtr = std::unique_ptr<BIO, FreeWith<BIO_free_all>>;
using BignumPtr = std::unique_ptr<BIGNUM, FreeWith<BN_free>>;
using SecretBignumPtr = std::unique_ptr<BIGNUM, FreeWith<BN_clear_free>>;  // private key parts
using BnCtxPtr = std::unique_ptr<BN_CTX, FreeWith<BN_CTX_free>>;
using BnMontCtxPtr = std::unique_ptr<BN_MONT_CTX, FreeWith<BN_MONT_CTX_free>>;
using OsslParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, FreeWith<OSSL_PARAM_BLD_free>>;
using OsslParamPtr = std::unique_ptr<OSSL_PARAM, FreeWith<OSSL_PARAM_free>>;  // clears secret values
using OsslLibCtxPtr = std::unique_ptr<OSSL_LIB_CTX, FreeWith<OSSL_LIB_CTX_free>>;
using OsslProviderPtr = std::unique_ptr<OSSL_PROVIDER, FreeWith<OSSL_PROVIDER_unload>>;

// OCSP (RFC 6960).
using OcspRequestPtr = std::unique_ptr<OCSP_REQUEST, FreeWith<OCSP_REQUEST_free>>;
using OcspResponsePtr = std::unique_ptr<OCSP_RESPONSE, FreeWith<OCSP_RESPONSE_free>>;
using OcspBasicRespPtr = std::unique_ptr<OCSP_BASICRESP, FreeWith<OCSP_BASICRESP_free>>;
using OcspCertIdPtr = std::unique_ptr<OCSP_CERTID, FreeWith<OCSP_CERTID_free>>;

// ASN.1 values.
using Asn1NullPtr = std::unique_ptr<ASN1_NULL, FreeWith<ASN1_NULL_free>>;
using Asn1IntegerPtr = std::unique_ptr<ASN1_INTEGER, FreeWith<ASN1_INTEGER_free>>;
using Asn1EnumeratedPtr = std::unique_ptr<ASN1_ENUMERATED, FreeWith<ASN1_ENUMERATED_free>>;
using Asn1TimePtr = std::unique_ptr<ASN1_TIME, FreeWith<ASN1_TIME_free>>;
using Asn1ObjectPtr = std::unique_ptr<ASN1_OBJECT, FreeWith<ASN1_OBJECT_free>>;
using Asn1OctetStringPtr = std::unique_ptr<ASN1_OCTET_STRING, FreeWith<ASN1_OCTET_STRING_free>>;
using Asn1BitStringPtr = std::unique_ptr<ASN1_BIT_STRING, FreeWith<ASN1_BIT_STRING_free>>;
using Asn1Ia5StringPtr = std::unique_ptr<ASN1_IA5STRING, FreeWith<ASN1_IA5STRING_free>>;

// X.509v3 extension values.
using BasicConstraintsPtr = std::unique_ptr<BASIC_CONSTRAINTS, FreeWith<BASIC_CONSTRAINTS_free>>;
using ExtendedKeyUsagePtr = std::unique_ptr<EXTENDED_KEY_USAGE, FreeWith<EXTENDED_KEY_USAGE_free>>;
using GeneralNamePtr = std::unique_ptr<GENERAL_NAME, FreeWith<GENERAL_NAME_free>>;
using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, FreeWith<GENERAL_NAMES_free>>;
using AuthorityKeyIdPtr = std::unique_ptr<AUTHORITY_KEYID, FreeWith<AUTHORITY_KEYID_free>>;
using CrlDistPointsPtr = std::unique_ptr<CRL_DIST_POINTS, FreeWith<CRL_DIST_POINTS_free>>;
using DistPointPtr = std::unique_ptr<DIST_POINT, FreeWith<DIST_POINT_free>>;
using DistPointNamePtr = std::unique_ptr<DIST_POINT_NAME, FreeWith<DIST_POINT_NAME_free>>;
using AuthorityInfoAccessPtr = std::unique_ptr<AUTHORITY_INFO_ACCESS, FreeWith<AUTHORITY_INFO_ACCESS_free>>;
using AccessDescriptionPtr = std::unique_ptr<ACCESS_DESCRIPTION, FreeWith<ACCESS_DESCRIPTION_free>>;
using NameConstraintsPtr = std::unique_ptr<NAME_CONSTRAINTS, FreeWith<NAME_CONSTRAINTS_free>>;
using GeneralSubtreePtr = std::unique_ptr<GENERAL_SUBTREE, FreeWith<GENERAL_SUBTREE_free>>;
using IssuingDistPointPtr = std::unique_ptr<ISSUING_DIST_POINT, FreeWith<ISSUING_DIST_POINT_free>>;

// Stacks that own their elements: the deleter frees each element, then the stack.
struct X509StackFree {
  void operator()(STACK_OF(X509) * s) const noexcept { sk_X509_pop_free(s, X509_free); }
};
struct X509CrlStackFree {
  void operator()(STACK_OF(X509_CRL) * s) const noexcept { sk_X509_CRL_pop_free(s, X509_CRL_free); }
};
struct X509ExtensionStackFree {
  void operator()(STACK_OF(X509_EXTENSION) * s) const noexcept { sk_X509_EXTENSION_pop_free(s, X509_EXTENSION_free); }
};
struct SafeBagStackFree {
  void operator()(STACK_OF(PKCS12_SAFEBAG) * s) const noexcept { sk_PKCS12_SAFEBAG_pop_free(s, PKCS12_SAFEBAG_free); }
};
struct Pkcs7StackFree {
  void operator()(STACK_OF(PKCS7) * s) const noexcept { sk_PKCS7_pop_free(s, PKCS7_free); }
};
using X509StackPtr = std::unique_ptr<STACK_OF(X509), X509StackFree>;
using X509CrlStackPtr = std::unique_ptr<STACK_OF(X509_CRL), X509CrlStackFree>;
using X509ExtensionStackPtr = std::unique_ptr<STACK_OF(X509_EXTENSION), X509ExtensionStackFree>;
using SafeBagStackPtr = std::unique_ptr<STACK_OF(PKCS12_SAFEBAG), SafeBagStackFree>;
using Pkcs7StackPtr = std::unique_ptr<STACK_OF(PKCS7), Pkcs7StackFree>;

// A decoded X.509v3 extension value of any type, freed by the method that decoded it
// (X509V3_EXT_d2i returns void*).
struct X509v3ExtValueFree {
  const X509V3_EXT_METHOD* method = nullptr;
  void operator()(void* value) const noexcept {
    if (method == nullptr || value == nullptr) return;
    if (method->it != nullptr) {
      ASN1_item_free(static_cast<ASN1_VALUE*>(value), ASN1_ITEM_ptr(method->it));
    } else if (method->ext_free != nullptr) {
      method->ext_free(value);
    }
  }
};
using X509v3ExtValuePtr = std::unique_ptr<void, X509v3ExtValueFree>;

// Memory that OpenSSL allocated and hands to the caller (i2d output, OPENSSL_buf2hexstr).
struct OpenSslFree {
  void operator()(void* p) const noexcept { OPENSSL_free(p); }
};
template <typename T>
using OpenSslBuffer = std::unique_ptr<T, OpenSslFree>;

// Shares a reference-counted object: takes one more reference and owns it.
inline X509Ptr ShareX509(X509* x) {
  if (x != nullptr) X509_up_ref(x);
  return X509Ptr(x);
}
inline EvpPkeyPtr ShareEvpPkey(EVP_PKEY* k) {
  if (k != nullptr) EVP_PKEY_up_ref(k);
  return EvpPkeyPtr(k);
}
inline X509CrlPtr ShareX509Crl(X509_CRL* c) {
  if (c != nullptr) X509_CRL_up_ref(c);
  return X509CrlPtr(c);
}

}  // namespace certplane::pki
