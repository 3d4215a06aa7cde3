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
//
// Memory: an index refers to the store's own entries (which stay put while they are in
// the map) rather than copying their keys, and keeps a value's only object inline, as
// most values of most indexes (a Secret's name, a serial) have one. An object costs
// about 50 bytes per index it is in, not 150.
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
    std::vector<std::string> out;
    if (const Entries* entries = Find(index, value)) {
      out.reserve(entries->size());
      entries->ForEach([&out](const Entry& e) { out.push_back(e.first); });
    }
    return out;
  }

  // How many objects `index` yields `value` for, without copying their keys.
  size_t IndexCount(const std::string& index, const std::string& value) const {
    std::shared_lock lock(mu_);
    const Entries* entries = Find(index, value);
    return entries == nullptr ? 0 : entries->size();
  }

  // The objects whose `index` yields `value`, in key order.
  std::vector<Ptr> ByIndex(const std::string& index, const std::string& value) const {
    std::shared_lock lock(mu_);
    std::vector<Ptr> out;
    if (const Entries* entries = Find(index, value)) {
      out.reserve(entries->size());
      entries->ForEach([&out](const Entry& e) { out.push_back(e.second); });
    }
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
      Unindex(*it, *old);
      it->second = std::move(obj);
    } else {
      it = items_.emplace(key, std::move(obj)).first;
    }
    Index(*it);
    return old;
  }

  Ptr Remove(const std::string& key) {
    std::unique_lock lock(mu_);
    auto it = items_.find(key);
    if (it == items_.end()) return nullptr;
    Ptr old = it->second;
    Unindex(*it, *old);
    items_.erase(it);
    return old;
  }

  // Replaces the whole content at once; returns the previous content.
  std::unordered_map<std::string, Ptr> Replace(std::unordered_map<std::string, Ptr> items) {
    std::unique_lock lock(mu_);
    indices_.clear();  // before the entries it points into go
    std::swap(items_, items);
    for (const Entry& e : items_) Index(e);
    return items;
  }

 private:
  // An element of items_: it stays at its address as long as it is in the map (a
  // rehash moves no element), so indexes point to it.
  using Entry = typename std::unordered_map<std::string, Ptr>::value_type;
  struct ByKey {
    bool operator()(const Entry* a, const Entry* b) const { return a->first < b->first; }
  };
  // The entries one index value yields, in key order: one inline, a set when more.
  class Entries {
   public:
    void Insert(const Entry* e) {
      if (many_) {
        many_->insert(e);
      } else if (one_ == nullptr || one_ == e) {
        one_ = e;
      } else {
        many_ = std::make_unique<std::set<const Entry*, ByKey>>();
        many_->insert(one_);
        many_->insert(e);
        one_ = nullptr;
      }
    }
    void Erase(const Entry* e) {
      if (!many_) {
        if (one_ == e) one_ = nullptr;
        return;
      }
      many_->erase(e);
      if (many_->size() == 1) {
        one_ = *many_->begin();
        many_.reset();
      }
    }
    bool empty() const { return !many_ && one_ == nullptr; }
    size_t size() const { return many_ ? many_->size() : one_ != nullptr ? 1 : 0; }
    template <typename F>
    void ForEach(F&& f) const {
      if (many_) {
        for (const Entry* e : *many_) f(*e);
      } else if (one_ != nullptr) {
        f(*one_);
      }
    }

   private:
    const Entry* one_ = nullptr;
    std::unique_ptr<std::set<const Entry*, ByKey>> many_;
  };

  const Entries* Find(const std::string& index, const std::string& value) const {  // requires mu_
    auto idx = indices_.find(index);
    if (idx == indices_.end()) return nullptr;
    auto entries = idx->second.find(value);
    return entries == idx->second.end() ? nullptr : &entries->second;
  }
  void Index(const Entry& e) {
    for (const auto& [name, fn] : indexers_) {
      for (auto& value : fn(*e.second)) indices_[name][std::move(value)].Insert(&e);
    }
  }
  void Unindex(const Entry& e, const T& obj) {
    for (const auto& [name, fn] : indexers_) {
      auto& index = indices_[name];
      for (const auto& value : fn(obj)) {
        auto it = index.find(value);
        if (it == index.end()) continue;
        it->second.Erase(&e);
        if (it->second.empty()) index.erase(it);
      }
    }
  }

  const std::map<std::string, IndexFunc<T>> indexers_;
  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, Ptr> items_;  // guarded by mu_
  // index name -> index value -> the entries of items_ it yields; guarded by mu_
  std::unordered_map<std::string, std::unordered_map<std::string, Entries>> indices_;
};

}  // namespace certplane::kube
