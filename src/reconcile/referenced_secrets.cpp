#include "reconcile/referenced_secrets.h"

#include <vector>

#include "kube/logging.h"

namespace certplane::reconcile {

ReferencedSecrets::ReferencedSecrets(std::shared_ptr<kube::Client> client, Notify notify, std::size_t max_watches)
    : client_(std::move(client)), notify_(std::move(notify)), max_watches_(max_watches) {}

ReferencedSecrets::~ReferencedSecrets() { Stop(); }

bool ReferencedSecrets::Exists(const std::string& ns, const std::string& name, const std::string& certificate_key) {
  const std::string key = ns + "/" + name;
  std::unique_lock lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    if (entries_.size() >= max_watches_) return false;
    kube::InformerOptions<kube::PartialObjectMetadata> o;
    o.resource = kube::kSecrets;
    o.ns = ns;
    o.field_selector = "metadata.name=" + name;
    o.metadata_only = true;  // never the password itself
    o.name = "referenced-secret " + key;
    Entry entry{.watch = std::make_unique<Watch>(client_, std::move(o)), .waiters = {}};
    auto changed = [this, key](const auto&) { Changed(key); };
    entry.watch->AddEventHandler({changed, [changed](const auto&, const auto& s) { changed(s); }, changed});
    it = entries_.emplace(key, std::move(entry)).first;
    it->second.watch->Start();
    kube::Logger("certificates")->debug("watching referenced secret={} for certificate={}", key, certificate_key);
  }
  it->second.waiters.insert(certificate_key);
  return it->second.watch->HasSynced() && it->second.watch->store().Get(key) != nullptr;
}

void ReferencedSecrets::Changed(const std::string& secret_key) {
  std::vector<std::string> waiters;
  {
    std::lock_guard lock(mu_);
    auto it = entries_.find(secret_key);
    if (it == entries_.end()) return;
    waiters.assign(it->second.waiters.begin(), it->second.waiters.end());
  }
  for (const std::string& w : waiters) notify_(w);
}

void ReferencedSecrets::Release(const std::string& certificate_key) {
  std::vector<std::unique_ptr<Watch>> stopped;
  {
    std::lock_guard lock(mu_);
    for (auto it = entries_.begin(); it != entries_.end();) {
      it->second.waiters.erase(certificate_key);
      if (it->second.waiters.empty()) {
        stopped.push_back(std::move(it->second.watch));
        it = entries_.erase(it);
      } else {
        ++it;
      }
    }
  }
  // Stopped outside the lock: a watch's handler takes it (Changed), and stopping joins
  // the watch's thread.
  stopped.clear();
}

void ReferencedSecrets::Stop() {
  std::map<std::string, Entry> all;
  {
    std::lock_guard lock(mu_);
    all.swap(entries_);
  }
  all.clear();
}

std::size_t ReferencedSecrets::Watched() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

}  // namespace certplane::reconcile
