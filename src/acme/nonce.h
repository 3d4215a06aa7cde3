// NonceSource: the anti-replay nonces of RFC 8555 section 6.5 (Replay-Nonce header,
// "nonce" in every JWS). Each is single-use and expires.
//
//   NonceSource nonces;                        // 5 minutes, 100000 outstanding
//   response.headers["Replay-Nonce"] = nonces.Issue();
//   ...
//   if (!nonces.Redeem(jws.header.nonce))
//     return MakeProblem(ProblemType::kBadNonce, "the nonce is unknown, used or expired");
//
// A nonce is base64url(prefix || 16 random bytes), where the prefix is 8 random bytes
// drawn once per NonceSource. A nonce from another replica or from before a restart
// carries another prefix and is simply unknown: the client gets badNonce and retries
// with the fresh Replay-Nonce of that answer, which RFC 8555 requires clients to do.
//
// Memory is bounded by `capacity`: when that many nonces are outstanding, issuing one
// more forgets the oldest. Expired nonces are dropped as calls pass them.
//
// Thread-safe: every member function may be called from any thread.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace certplane::acme {

class NonceSource {
 public:
  using Now = std::function<std::chrono::steady_clock::time_point()>;

  // `now` is the clock (steady_clock::now when null); tests inject one.
  explicit NonceSource(std::chrono::seconds lifetime = std::chrono::minutes(5), std::size_t capacity = 100000,
                       Now now = nullptr);

  NonceSource(const NonceSource&) = delete;
  NonceSource& operator=(const NonceSource&) = delete;

  // A fresh nonce: 32 characters of base64url, 128 random bits after the prefix.
  // Aborts the process if OpenSSL's DRBG fails.
  std::string Issue();

  // True exactly once for a nonce this source issued that has not expired and was not
  // forgotten (capacity); false for anything else, including text that is not a nonce.
  bool Redeem(std::string_view nonce);

  // Nonces issued, not redeemed, not expired and not forgotten.
  std::size_t outstanding() const;

 private:
  static constexpr std::size_t kPrefixBytes = 8;
  static constexpr std::size_t kRandomBytes = 16;
  using Key = std::array<std::uint8_t, kRandomBytes>;
  struct KeyHash {
    std::size_t operator()(const Key& key) const noexcept;
  };
  struct Entry {
    Key key;
    std::chrono::steady_clock::time_point expires;
  };

  // Drops expired entries from the front of order_. Needs mu_.
  void DropExpired(std::chrono::steady_clock::time_point now) const;

  const std::chrono::seconds lifetime_;
  const std::size_t capacity_;
  const Now now_;
  std::array<std::uint8_t, kPrefixBytes> prefix_{};  // immutable after construction

  mutable std::mutex mu_;
  // Outstanding nonces in the order they were issued (so also by expiry), and an index
  // into that list by random part. Guarded by mu_; mutable so outstanding() can drop
  // expired entries.
  mutable std::list<Entry> order_;
  mutable std::unordered_map<Key, std::list<Entry>::iterator, KeyHash> index_;
};

}  // namespace certplane::acme
