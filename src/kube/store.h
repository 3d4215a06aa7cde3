// Store<T>: the informer's thread-safe cache, keyed by "namespace/name", with
// indexes. Objects are held as shared_ptr<const T>: immutable, so a reader can keep
// one as long as it likes and can never change what others see. To change an object,
// copy it.
//
//   Store<Certificate> store({{"profile", [](const Certificate& c) {
//                                 return std::vector<std::string>{c.spec.profile_ref}; }}});
//   for (const auto& cert : store.ByIndex("profile", "web-servers")) { ... }
//
// Readers share a lock; the informer is the only writer.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace certplane::kube {

// The index values an object has under one index (none, one or several).
template <typename T>
using IndexFunc = std::function<std::vector<std::string>(const T&)>;

template <typename T>
class Store {
 public:
  using Ptr = std::shared_ptr<const T>;

  explicit Store(std::map<std::string, IndexFunc<T>> indexers = {}) : indexers_(std::move(indexers)) {}

  // The object with this key, or nullptr.
  Ptr Get(const std::string& key) const {
    std::shared_lock lock(mu_);
    auto it = items_.find(key);
    return it == items_.end() ? nullptr : it->second;
  }

  std::vector<Ptr> List() const {
    std::shared_lock lock(mu_);
    std::vector<Ptr> out;
    out.reserve(items_.size());
    for (const auto& [key, obj] : items_) out.push_back(obj);
    return out;
  }

  std::vector<std::string> Keys() const {
    std::shared_lock lock(mu_);
    std::vector<std::string> out;
    out.reserve(items_.size());
    for (const auto& [key, obj] : items_) out.push_back(key);
    return out;
  }

  size_t size() const {
    std::shared_lock lock(mu_);
    return items_.size();
  }

  // Keys of the objects whose `index` yields `value`, sorted. Empty for an unknown index.
  std::vector<std::string> IndexKeys(const std::string& index, const std::string& value) const {
    std::shared_lock lock(mu_);
    auto idx = indices_.find(index);
    if (idx == indices_.end()) return {};
    auto keys = idx->second.find(value);
    if (keys == idx->second.end()) return {};
    return {keys->second.begin(), keys->second.end()};
  }

  // How many objects `index` yields `value` for, without copying their keys.
  size_t IndexCount(const std::string& index, const std::string& value) const {
    std::shared_lock lock(mu_);
    auto idx = indices_.find(index);
    if (idx == indices_.end()) return 0;
    auto keys = idx->second.find(value);
    return keys == idx->second.end() ? 0 : keys->second.size();
  }

  // The objects whose `index` yields `value`, in key order.
  std::vector<Ptr> ByIndex(const std::string& index, const std::string& value) const {
    std::shared_lock lock(mu_);
    std::vector<Ptr> out;
    auto idx = indices_.find(index);
    if (idx == indices_.end()) return out;
    auto keys = idx->second.find(value);
    if (keys == idx->second.end()) return out;
    for (const auto& key : keys->second) out.push_back(items_.at(key));
    return out;
  }

  bool HasIndex(const std::string& index) const { return indexers_.count(index) != 0; }

  // Writers (the informer). Each returns the object it replaced or removed.
  Ptr Upsert(const std::string& key, Ptr obj) {
    std::unique_lock lock(mu_);
    Ptr old;
    auto it = items_.find(key);
    if (it != items_.end()) {
      old = it->second;
      Unindex(key, *old);
      it->second = obj;
    } else {
      items_.emplace(key, obj);
    }
    Index(key, *obj);
    return old;
  }

  Ptr Remove(const std::string& key) {
    std::unique_lock lock(mu_);
    auto it = items_.find(key);
    if (it == items_.end()) return nullptr;
    Ptr old = std::move(it->second);
    items_.erase(it);
    Unindex(key, *old);
    return old;
  }

  // Replaces the whole content at once; returns the previous content.
  std::unordered_map<std::string, Ptr> Replace(std::unordered_map<std::string, Ptr> items) {
    std::unique_lock lock(mu_);
    std::swap(items_, items);
    indices_.clear();
    for (const auto& [key, obj] : items_) Index(key, *obj);
    return items;
  }

 private:
  void Index(const std::string& key, const T& obj) {
    for (const auto& [name, fn] : indexers_) {
      for (auto& value : fn(obj)) indices_[name][std::move(value)].insert(key);
    }
  }
  void Unindex(const std::string& key, const T& obj) {
    for (const auto& [name, fn] : indexers_) {
      auto& index = indices_[name];
      for (const auto& value : fn(obj)) {
        auto it = index.find(value);
        if (it == index.end()) continue;
        it->second.erase(key);
        if (it->second.empty()) index.erase(it);
      }
    }
  }

  const std::map<std::string, IndexFunc<T>> indexers_;
  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, Ptr> items_;  // guarded by mu_
  // index name -> index value -> keys; guarded by mu_
  std::unordered_map<std::string, std::unordered_map<std::string, std::set<std::string>>> indices_;
};

}  // namespace certplane::kube
