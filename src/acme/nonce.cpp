#include "acme/nonce.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "acme/base64url.h"

namespace certplane::acme {
namespace {

void RandomBytes(std::uint8_t* out, std::size_t n) {
  if (RAND_bytes(out, static_cast<int>(n)) != 1) {
    std::fprintf(stderr, "acme::NonceSource: RAND_bytes failed\n");
    std::abort();
  }
}

}  // namespace

std::size_t NonceSource::KeyHash::operator()(const Key& key) const noexcept {
  // The key is uniformly random, so any 8 of its bytes are a good hash.
  std::uint64_t h = 0;
  std::memcpy(&h, key.data(), sizeof(h));
  return static_cast<std::size_t>(h);
}

NonceSource::NonceSource(std::chrono::seconds lifetime, std::size_t capacity, Now now)
    : lifetime_(lifetime),
      capacity_(std::max<std::size_t>(capacity, 1)),
      now_(now ? std::move(now) : Now([] { return std::chrono::steady_clock::now(); })) {
  RandomBytes(prefix_.data(), prefix_.size());
}

void NonceSource::DropExpired(std::chrono::steady_clock::time_point now) const {
  while (!order_.empty() && order_.front().expires <= now) {
    index_.erase(order_.front().key);
    order_.pop_front();
  }
}

std::string NonceSource::Issue() {
  Entry entry{};
  std::chrono::steady_clock::time_point now = now_();
  entry.expires = now + lifetime_;
  std::lock_guard<std::mutex> lock(mu_);
  DropExpired(now);
  do {
    RandomBytes(entry.key.data(), entry.key.size());
  } while (index_.contains(entry.key));  // 2^-128 per try; never loops in practice
  while (index_.size() >= capacity_) {   // forget the oldest
    index_.erase(order_.front().key);
    order_.pop_front();
  }
  order_.push_back(entry);
  index_.emplace(entry.key, std::prev(order_.end()));

  std::string raw(kPrefixBytes + kRandomBytes, '\0');
  std::memcpy(raw.data(), prefix_.data(), kPrefixBytes);
  std::memcpy(raw.data() + kPrefixBytes, entry.key.data(), kRandomBytes);
  return Base64UrlEncode(raw);
}

bool NonceSource::Redeem(std::string_view nonce) {
  if (nonce.size() != ((kPrefixBytes + kRandomBytes) * 4 + 2) / 3) return false;
  std::optional<std::string> raw = Base64UrlDecode(nonce);
  if (!raw.has_value() || raw->size() != kPrefixBytes + kRandomBytes) return false;
  if (CRYPTO_memcmp(raw->data(), prefix_.data(), kPrefixBytes) != 0) return false;  // another instance's
  Key key{};
  std::memcpy(key.data(), raw->data() + kPrefixBytes, kRandomBytes);

  std::chrono::steady_clock::time_point now = now_();
  std::lock_guard<std::mutex> lock(mu_);
  DropExpired(now);
  auto it = index_.find(key);
  if (it == index_.end()) return false;
  order_.erase(it->second);
  index_.erase(it);
  return true;
}

std::size_t NonceSource::outstanding() const {
  std::chrono::steady_clock::time_point now = now_();
  std::lock_guard<std::mutex> lock(mu_);
  DropExpired(now);
  return index_.size();
}

}  // namespace certplane::acme
