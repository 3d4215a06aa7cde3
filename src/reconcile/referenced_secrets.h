// ReferencedSecrets: watches the few Secrets a Certificate references but certplane does
// not write (PKCS#12 password Secrets) while the Certificate waits for one, so the
// moment one appears the Certificate is enqueued, instead of waiting out the backoff of
// its failed issuance.
//
// One metadata-only watch per awaited Secret (a field selector on its name), never a
// cache of every Secret in the cluster, and at most `max_watches` at once; past that a
// waiting Certificate relies on its backoff alone.
//
//   ReferencedSecrets secrets(client, [&](const std::string& key) { queue.Add(key); });
//   if (!secrets.Exists("shop", "p12-password", "shop/frontend")) ...  // watches it now
//   secrets.Release("shop/frontend");   // issued: it waits for nothing any more
//
// Thread-safe. Notifications run on a watch's own thread and must be quick.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "kube/informer.h"
#include "kube/object_meta.h"
#include "kube/rest_client.h"

namespace certplane::reconcile {

class ReferencedSecrets {
 public:
  using Notify = std::function<void(const std::string& certificate_key)>;

  ReferencedSecrets(std::shared_ptr<kube::Client> client, Notify notify, std::size_t max_watches = 64);
  ~ReferencedSecrets();
  ReferencedSecrets(const ReferencedSecrets&) = delete;
  ReferencedSecrets& operator=(const ReferencedSecrets&) = delete;

  // Whether Secret ns/name exists, as its watch sees it (false until the watch has
  // listed). Starts watching it on behalf of `certificate_key` if nobody does yet.
  bool Exists(const std::string& ns, const std::string& name, const std::string& certificate_key);

  // `certificate_key` waits for no Secret any more: stops the watches only it needed.
  void Release(const std::string& certificate_key);

  // Stops every watch.
  void Stop();

  // How many Secrets are watched now (for metrics and tests).
  std::size_t Watched() const;

 private:
  using Watch = kube::Informer<kube::PartialObjectMetadata>;
  struct Entry {
    std::unique_ptr<Watch> watch;
    std::set<std::string> waiters;  // Certificate keys
  };

  void Changed(const std::string& secret_key);

  std::shared_ptr<kube::Client> client_;
  Notify notify_;
  std::size_t max_watches_;
  mutable std::mutex mu_;
  std::map<std::string, Entry> entries_;  // by "ns/name"; guarded by mu_
};

}  // namespace certplane::reconcile
