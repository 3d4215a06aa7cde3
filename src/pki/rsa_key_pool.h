// rsa_key_pool.h: a small bounded pool of RSA keys generated ahead of time on a
// background thread, so that issuing a certificate for a new RSA key need not wait the
// 30-400 ms its generation takes.
//
//   RsaKeyPool pool({.algorithm = KeyAlgorithm::kRsa2048, .capacity = 2});
//   Result<PrivateKey> key = pool.Take();  // a ready key, or one generated right now
//
// Keys are held only in memory, each is handed out once (Take moves it out of the pool;
// it is never handed out again), and keys still in the pool when it is destroyed are
// freed, which clears their private parts (EVP_PKEY_free; handles.h). The refill thread
// generates one key at a time while the pool is below capacity, at the SCHED_IDLE
// scheduling class where Linux allows it, so it only uses a CPU no one else wants, and
// sleeps while the pool is full. A pool of capacity 0 has no thread: Take generates.
//
// Thread-safe: any number of threads may Take at once.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include "base/result.h"
#include "pki/key.h"

namespace certplane::pki {

struct RsaKeyPoolOptions {
  KeyAlgorithm algorithm = KeyAlgorithm::kRsa2048;
  // Keys kept ready. Small: each RSA-4096 key is ~0.4 s of CPU, and an idle pool holds
  // private keys in memory for nothing.
  std::size_t capacity = 2;
  // Makes a key; GeneratePrivateKey unless a test replaces it.
  std::function<Result<PrivateKey>(KeyAlgorithm)> generate = GeneratePrivateKey;
};

class RsaKeyPool {
 public:
  // Starts the refill thread when capacity > 0.
  explicit RsaKeyPool(RsaKeyPoolOptions options);
  // Stops the refill thread (waiting for a generation in progress to end) and frees the
  // keys still in the pool.
  ~RsaKeyPool();
  RsaKeyPool(const RsaKeyPool&) = delete;
  RsaKeyPool& operator=(const RsaKeyPool&) = delete;

  // A pooled key if one is ready (the refill thread then makes another), else a key
  // generated on the calling thread. Errors as the generator's (GeneratePrivateKey:
  // Internal when OpenSSL fails).
  Result<PrivateKey> Take();

  // Keys ready now.
  std::size_t ready() const;

 private:
  void Refill();

  const RsaKeyPoolOptions options_;
  mutable std::mutex mu_;
  std::condition_variable wake_;  // the refill thread waits on it while the pool is full
  std::deque<PrivateKey> keys_;   // guarded by mu_; at most options_.capacity
  bool stopping_ = false;         // guarded by mu_
  std::thread refill_;            // started last, joined in the destructor
};

}  // namespace certplane::pki
