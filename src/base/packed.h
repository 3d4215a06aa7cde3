// Packed records: a compact byte string for values a cache keeps many of and reads
// rarely, and the way back. A certificate Secret's facts (policy::SecretFacts) are 568
// bytes of mostly empty strings and vectors as a struct, and about 150 packed.
//
// One field list serves both directions, so packing and unpacking cannot disagree:
//
//   template <typename Io, typename F>        // F: Facts (unpacking) or const Facts
//   void FactsFields(Io& io, F& f) { io(f.exists)(f.serial)(f.names)(f.not_after); }
//
//   packed::Writer w;
//   FactsFields(w, facts);
//   std::string bytes = std::move(w).Take();
//
//   packed::Reader r(bytes);
//   Facts back;
//   FactsFields(r, back);
//   if (!r.Done()) ...   // truncated or left over: a programming error
//
// Nested structs have field lists of their own, passed to Each (a vector of them) and
// Maybe (an optional one); a field list may also call overloads of its own for a type
// that is read differently from how it is written (a sorted map, read with Set):
//
//   auto condition = [](auto& io, auto& c) { io(c.type)(c.status)(c.message); };
//   io.Each(status.conditions, condition).Maybe(status.revocation, revocation);
//
// Integers, enums, durations and times are varints (signed ones zigzag-encoded), a
// string or vector is its length then its elements, an optional a presence byte then
// its value. The format is private to one process: never stored, never sent.
#pragma once

#include <chrono>
#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace certplane::packed {

class Writer {
 public:
  template <typename T>
  Writer& operator()(const T& value) {
    Put(value);
    return *this;
  }

  // A vector of structs, each written by `fields(*this, element)`.
  template <typename T, typename F>
  Writer& Each(const std::vector<T>& v, F&& fields) {
    Varint(v.size());
    for (const T& e : v) fields(*this, e);
    return *this;
  }
  // An optional struct, written by `fields(*this, value)` when present.
  template <typename T, typename F>
  Writer& Maybe(const std::optional<T>& o, F&& fields) {
    Put(o.has_value());
    if (o) fields(*this, *o);
    return *this;
  }

  // The bytes written so far.
  std::string Take() && { return std::move(out_); }

 private:
  void Varint(std::uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<char>(v));
  }
  void Put(bool b) { out_.push_back(b ? 1 : 0); }
  template <std::integral I>
  requires(!std::same_as<I, bool>) void Put(I v) {
    if constexpr (std::is_signed_v<I>) {
      const auto s = static_cast<std::int64_t>(v);
      Varint((static_cast<std::uint64_t>(s) << 1) ^ static_cast<std::uint64_t>(s >> 63));  // zigzag
    } else {
      Varint(static_cast<std::uint64_t>(v));
    }
  }
  template <typename E>
  requires std::is_enum_v<E>
  void Put(E e) { Put(static_cast<std::underlying_type_t<E>>(e)); }
  template <typename R, typename P>
  void Put(std::chrono::duration<R, P> d) {
    Put(d.count());
  }
  template <typename C, typename D>
  void Put(std::chrono::time_point<C, D> t) {
    Put(t.time_since_epoch());
  }
  void Put(const std::string& s) {
    Varint(s.size());
    out_.append(s);
  }
  template <typename T>
  void Put(const std::optional<T>& o) {
    Put(o.has_value());
    if (o) Put(*o);
  }
  template <typename T>
  void Put(const std::vector<T>& v) {
    Varint(v.size());
    for (const T& e : v) Put(e);
  }

  std::string out_;
};

class Reader {
 public:
  // `in` must outlive the reader.
  explicit Reader(std::string_view in) : in_(in) {}

  // Reads into `value`; after the input ran short (or held a bad value) every read
  // leaves its value as it was.
  template <typename T>
  Reader& operator()(T& value) {
    if (ok_) Get(value);
    return *this;
  }

  template <typename T, typename F>
  Reader& Each(std::vector<T>& v, F&& fields) {
    std::uint64_t n = 0;
    if (!ok_ || !Varint(n)) return *this;
    if (n > in_.size() - pos_) {  // every element takes at least one byte
      ok_ = false;
      return *this;
    }
    std::vector<T> out(n);
    for (T& e : out) {
      if (ok_) fields(*this, e);
    }
    if (ok_) v = std::move(out);
    return *this;
  }
  template <typename T, typename F>
  Reader& Maybe(std::optional<T>& o, F&& fields) {
    bool present = false;
    (*this)(present);
    if (!ok_) return *this;
    if (!present) {
      o.reset();
      return *this;
    }
    T value{};
    fields(*this, value);
    if (ok_) o = std::move(value);
    return *this;
  }

  // True when every read succeeded and the input is used up.
  bool Done() const { return ok_ && pos_ == in_.size(); }

 private:
  bool Varint(std::uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= in_.size()) return ok_ = false;
      const auto byte = static_cast<unsigned char>(in_[pos_++]);
      v |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) return true;
    }
    return ok_ = false;
  }
  void Get(bool& b) {
    std::uint64_t v = 0;
    if (Varint(v)) b = v != 0;
  }
  template <std::integral I>
  requires(!std::same_as<I, bool>) void Get(I& out) {
    std::uint64_t v = 0;
    if (!Varint(v)) return;
    if constexpr (std::is_signed_v<I>) {
      out = static_cast<I>(static_cast<std::int64_t>(v >> 1) ^ -static_cast<std::int64_t>(v & 1));
    } else {
      out = static_cast<I>(v);
    }
  }
  template <typename E>
  requires std::is_enum_v<E>
  void Get(E& e) {
    std::underlying_type_t<E> v{};
    Get(v);
    if (ok_) e = static_cast<E>(v);
  }
  template <typename R, typename P>
  void Get(std::chrono::duration<R, P>& d) {
    R count{};
    Get(count);
    if (ok_) d = std::chrono::duration<R, P>(count);
  }
  template <typename C, typename D>
  void Get(std::chrono::time_point<C, D>& t) {
    D since{};
    Get(since);
    if (ok_) t = std::chrono::time_point<C, D>(since);
  }
  void Get(std::string& s) {
    std::uint64_t n = 0;
    if (!Varint(n)) return;
    if (n > in_.size() - pos_) {
      ok_ = false;
      return;
    }
    s.assign(in_.substr(pos_, n));
    pos_ += n;
  }
  template <typename T>
  void Get(std::optional<T>& o) {
    bool present = false;
    Get(present);
    if (!ok_) return;
    if (!present) {
      o.reset();
      return;
    }
    T value{};
    Get(value);
    if (ok_) o = std::move(value);
  }
  template <typename T>
  void Get(std::vector<T>& v) {
    std::uint64_t n = 0;
    if (!Varint(n)) return;
    if (n > in_.size() - pos_) {  // every element takes at least one byte
      ok_ = false;
      return;
    }
    std::vector<T> out(n);
    for (T& e : out) Get(e);
    if (ok_) v = std::move(out);
  }

  std::string_view in_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace certplane::packed
