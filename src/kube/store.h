// Store<T>: the informer's thread-safe cache, keyed by "namespace/name", with
// indexes. Readers get objects as shared_ptr<const T>: immutable, so a reader can keep
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
// about 50 bytes per index it is in, not 150. A store given a codec keeps each object
// packed (a Certificate: 300 bytes instead of 1.6 KB) and unpacks it on every read: a
// read then costs a microsecond or two and returns an object of its own.
#pragma once

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/mutex.h"

namespace certplane::kube {

// The index values an object has under one index (none, one or several).
template <typename T>
using IndexFunc = std::function<std::vector<std::string>(const T&)>;

// How a store may pack its objects; both functions or neither. unpack(pack(x)) == x.
template <typename T>
struct StoreCodec {
  std::function<std::string(const T&)> pack;
  std::function<T(std::string_view)> unpack;
};

template <typename T>
class Store {
 public:
  using Ptr = std::shared_ptr<const T>;

  // An object as the store keeps it: shared, or packed when the store has a codec.
  struct Stored {
    Ptr obj;
    std::string packed;
  };

  explicit Store(std::map<std::string, IndexFunc<T>> indexers = {}, StoreCodec<T> codec = {})
      : indexers_(std::move(indexers)), codec_(std::move(codec)) {}

  // `obj` in the form this store keeps (packed, with a codec), for Replace.
  Stored Hold(Ptr obj) const {
    if (!codec_.pack) return {std::move(obj), {}};
    return {nullptr, codec_.pack(*obj)};
  }
  // The object a Stored holds.
  Ptr Open(const Stored& s) const { return s.obj ? s.obj : std::make_shared<const T>(codec_.unpack(s.packed)); }

  // The object with this key, or nullptr.
  Ptr Get(const std::string& key) const EXCLUDES(mu_) {
    ReaderMutexLock lock(mu_);
    auto it = items_.find(key);
    return it == items_.end() ? nullptr : Open(it->second);
  }

  bool Contains(const std::string& key) const EXCLUDES(mu_) {
    ReaderMutexLock lock(mu_);
    return items_.count(key) != 0;
  }

  std::vector<Ptr> List() const EXCLUDES(mu_) {
    ReaderMutexLock lock(mu_);
    std::vector<Ptr> out;
    out.reserve(items_.size());
    for (const auto& [key, stored] : items_) out.push_back(Open(stored));
    return out;
  }

  std::vector<std::string> Keys() const EXCLUDES(mu_) {
    ReaderMutexLock lock(mu_);
    std::vector<std::string> out;
    out.reserve(items_.size());
    for (const auto& [key, stored] : items_) out.push_back(key);
    return out;
  }

  size_t size() const EXCLUDES(mu_) {
    ReaderMutexLock lock(mu_);
    return items_.size();
  }

  // Keys of the objects whose `index` yields `value`, sorted. Empty for an unknown index.
  std::vector<std::string> IndexKeys(const std::string& index, const std::string& value) const EXCLUDES(mu_) {
    ReaderMutexLock lock(mu_);
    std::vector<std::string> out;
    if (const Entries* entries = Find(index, value)) {
      out.reserve(entries->size());
      entries->ForEach([&out](const Entry& e) { out.push_back(e.first); });
    }
    return out;
  }

  // How many objects `index` yields `value` for, without copying their keys.
  size_t IndexCount(const std::string& index, const std::string& value) const EXCLUDES(mu_) {
    ReaderMutexLock lock(mu_);
    const Entries* entries = Find(index, value);
    return entries == nullptr ? 0 : entries->size();
  }

  // The objects whose `index` yields `value`, in key order.
  std::vector<Ptr> ByIndex(const std::string& index, const std::string& value) const EXCLUDES(mu_) {
    ReaderMutexLock lock(mu_);
    std::vector<Ptr> out;
    if (const Entries* entries = Find(index, value)) {
      out.reserve(entries->size());
      entries->ForEach([this, &out](const Entry& e) { out.push_back(Open(e.second)); });
    }
    return out;
  }

  // Calls f(Ptr) for each object whose `index` yields `value`, in key order, one at a
  // time: with a codec, only the object being visited is unpacked, where ByIndex
  // unpacks them all at once. Objects changed meanwhile are seen as they are now;
  // those removed meanwhile are skipped.
  template <typename F>
  void ForEachByIndex(const std::string& index, const std::string& value, F&& f) const EXCLUDES(mu_) {
    if (!codec_.unpack) {
      for (const Ptr& obj : ByIndex(index, value)) f(obj);
      return;
    }
    for (const std::string& key : IndexKeys(index, value)) {
      if (Ptr obj = Get(key)) f(obj);
    }
  }
  // The same over every object, in key order.
  template <typename F>
  void ForEach(F&& f) const EXCLUDES(mu_) {
    std::vector<std::string> keys = Keys();
    std::sort(keys.begin(), keys.end());
    for (const std::string& key : keys) {
      if (Ptr obj = Get(key)) f(obj);
    }
  }

  bool HasIndex(const std::string& index) const { return indexers_.count(index) != 0; }

  // Writers (the informer). Each returns the object it replaced or removed.
  Ptr Upsert(const std::string& key, Ptr obj) EXCLUDES(mu_) {
    Stored held = Hold(obj);
    WriterMutexLock lock(mu_);
    Ptr old;
    auto it = items_.find(key);
    if (it != items_.end()) {
      old = Open(it->second);
      Unindex(*it, *old);
      it->second = std::move(held);
    } else {
      it = items_.emplace(key, std::move(held)).first;
    }
    Index(*it, *obj);
    return old;
  }

  Ptr Remove(const std::string& key) EXCLUDES(mu_) {
    WriterMutexLock lock(mu_);
    auto it = items_.find(key);
    if (it == items_.end()) return nullptr;
    Ptr old = Open(it->second);
    Unindex(*it, *old);
    items_.erase(it);
    return old;
  }

  // Replaces the whole content at once (objects as Hold made them); returns the
  // previous content.
  std::unordered_map<std::string, Stored> Replace(std::unordered_map<std::string, Stored> items) EXCLUDES(mu_) {
    WriterMutexLock lock(mu_);
    indices_.clear();  // before the entries it points into go
    std::swap(items_, items);
    for (const Entry& e : items_) Index(e, *Open(e.second));
    return items;
  }

 private:
  // An element of items_: it stays at its address as long as it is in the map (a
  // rehash moves no element), so indexes point to it.
  using Entry = typename std::unordered_map<std::string, Stored>::value_type;
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

  const Entries* Find(const std::string& index, const std::string& value) const REQUIRES_SHARED(mu_) {
    auto idx = indices_.find(index);
    if (idx == indices_.end()) return nullptr;
    auto entries = idx->second.find(value);
    return entries == idx->second.end() ? nullptr : &entries->second;
  }
  void Index(const Entry& e, const T& obj) REQUIRES(mu_) {
    for (const auto& [name, fn] : indexers_) {
      for (auto& value : fn(obj)) indices_[name][std::move(value)].Insert(&e);
    }
  }
  void Unindex(const Entry& e, const T& obj) REQUIRES(mu_) {
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
  const StoreCodec<T> codec_;
  mutable SharedMutex mu_;
  std::unordered_map<std::string, Stored> items_ GUARDED_BY(mu_);
  // index name -> index value -> the entries of items_ it yields
  std::unordered_map<std::string, std::unordered_map<std::string, Entries>> indices_ GUARDED_BY(mu_);
};

}  // namespace certplane::kube
