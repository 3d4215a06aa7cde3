// SecretFactsMemo: the facts of Secret contents the controller itself just wrote, so
// that the watch event bringing that Secret back is not parsed again.
//
// Reading a certificate Secret's facts parses tls.crt, tls.key and ca.crt, and under
// OpenSSL 3.0 each parse sets up a decoder chain: about half a millisecond per Secret,
// a quarter of the controller's CPU when thousands are issued at once. The issuer
// already holds every one of those values as objects, so it remembers them here under
// a digest of the exact bytes it wrote, and the Secret informer takes them back when
// the same bytes arrive. Bytes that differ in any way (someone rewrote the Secret, or
// the entry was evicted) are parsed as before, so the memo can only save work, never
// change a fact.
//
//   SecretFactsMemo memo;                                // shared by writer and informer
//   memo.Remember(contents, IssuedContentFacts(...));    // before the write
//   std::optional<policy::SecretFacts> f = memo.Take(contents);  // in the decoder
//
// Bounded: an entry lives until its watch event takes it, and the oldest are dropped
// beyond `capacity` (a Secret deleted before its event, a watch that restarted). The
// facts hold no key material. Thread-safe.
#pragma once

#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "policy/issuance.h"
#include "reconcile/secret_facts.h"

namespace certplane::reconcile {

class SecretFactsMemo {
 public:
  // 1,024 entries of about 1 KB: an entry waits only for its own watch event, well
  // under a second behind the write, so even a burst at 300 writes/s keeps a few hundred.
  explicit SecretFactsMemo(std::size_t capacity = 1024) : capacity_(capacity) {}

  // Remembers `facts` (ReadContentFacts of `contents`, as the writer knows them) under
  // the digest of `contents`.
  void Remember(const TlsSecretContents& contents, policy::SecretFacts facts);
  // The facts remembered for exactly these bytes, and forgets them; nullopt if none.
  std::optional<policy::SecretFacts> Take(const TlsSecretContents& contents);

  std::size_t size() const;

 private:
  const std::size_t capacity_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, policy::SecretFacts> facts_;  // by digest; guarded by mu_
  std::deque<std::string> order_;                               // digests, oldest first; guarded by mu_
};

}  // namespace certplane::reconcile
