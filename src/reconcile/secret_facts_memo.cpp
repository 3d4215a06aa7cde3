#include "reconcile/secret_facts_memo.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cstdint>

#include "pki/handles.h"

namespace certplane::reconcile {
namespace {

// SHA-256 over each field's length and bytes, so that moving bytes from one field to
// the next changes the digest.
std::string Digest(const TlsSecretContents& contents) {
  pki::EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  bool ok = ctx != nullptr && EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) == 1;
  for (const std::string* field : {&contents.tls_crt, &contents.tls_key, &contents.ca_crt}) {
    const std::uint64_t size = field->size();
    ok = ok && EVP_DigestUpdate(ctx.get(), &size, sizeof(size)) == 1 &&
         EVP_DigestUpdate(ctx.get(), field->data(), field->size()) == 1;
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  ok = ok && EVP_DigestFinal_ex(ctx.get(), md, &len) == 1;
  // Only allocation can fail here; callers treat an empty digest as "not remembered".
  return ok ? std::string(reinterpret_cast<const char*>(md), len) : std::string();
}

}  // namespace

void SecretFactsMemo::Remember(const TlsSecretContents& contents, policy::SecretFacts facts) {
  if (capacity_ == 0) return;
  std::string digest = Digest(contents);
  if (digest.empty()) return;
  std::lock_guard<std::mutex> lock(mu_);
  auto [it, inserted] = facts_.insert_or_assign(digest, std::move(facts));
  if (inserted) order_.push_back(std::move(digest));
  while (facts_.size() > capacity_) {
    facts_.erase(order_.front());
    order_.pop_front();
  }
}

std::optional<policy::SecretFacts> SecretFactsMemo::Take(const TlsSecretContents& contents) {
  std::string digest = Digest(contents);
  if (digest.empty()) return std::nullopt;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = facts_.find(digest);
  if (it == facts_.end()) return std::nullopt;
  std::optional<policy::SecretFacts> out(std::move(it->second));
  facts_.erase(it);
  order_.erase(std::find(order_.begin(), order_.end(), digest));
  return out;
}

std::size_t SecretFactsMemo::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return facts_.size();
}

}  // namespace certplane::reconcile
