#include "base/packed.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace certplane::packed {
namespace {

enum class Colour : std::uint8_t { kRed, kGreen, kBlue };

struct Record {
  bool flag = false;
  std::int32_t small = 0;
  std::int64_t big = 0;
  std::uint64_t unsigned_big = 0;
  Colour colour = Colour::kRed;
  std::string text;
  std::vector<std::string> names;
  std::vector<Colour> colours;
  std::optional<std::chrono::sys_seconds> when;
  std::optional<std::chrono::nanoseconds> how_long;
  std::optional<std::int32_t> maybe;

  bool operator==(const Record&) const = default;
};

template <typename Io, typename R>
void Fields(Io& io, R& r) {
  io(r.flag)(r.small)(r.big)(r.unsigned_big)(r.colour)(r.text)(r.names)(r.colours)(r.when)(r.how_long)(r.maybe);
}

std::string Pack(const Record& r) {
  Writer w;
  Fields(w, r);
  return std::move(w).Take();
}

TEST(Packed, EveryKindOfFieldComesBackAsItWas) {
  Record r;
  r.flag = true;
  r.small = -42;
  r.big = std::numeric_limits<std::int64_t>::min();
  r.unsigned_big = std::numeric_limits<std::uint64_t>::max();
  r.colour = Colour::kBlue;
  r.text = std::string("with a \0 byte", 13);
  r.names = {"a.example.com", "", "b.example.com"};
  r.colours = {Colour::kGreen, Colour::kRed};
  r.when = std::chrono::sys_seconds(std::chrono::seconds(1767225600));
  r.how_long = std::chrono::hours(720);
  r.maybe = 0;  // present, though zero
  std::string bytes = Pack(r);
  Reader reader(bytes);
  Record back;
  Fields(reader, back);
  EXPECT_TRUE(reader.Done());
  EXPECT_EQ(back, r);
}

TEST(Packed, EmptyFieldsTakeOneByteEach) {
  std::string bytes = Pack(Record{});
  EXPECT_EQ(bytes.size(), 11u);
  Reader reader(bytes);
  Record back;
  back.maybe = 7;
  back.names = {"stale"};
  Fields(reader, back);
  EXPECT_TRUE(reader.Done());
  EXPECT_EQ(back, Record{});
}

TEST(Packed, SmallNegativeNumbersStaySmall) {
  Writer w;
  w(std::int64_t{-1})(std::int64_t{63})(std::int64_t{-64});
  EXPECT_EQ(std::move(w).Take().size(), 3u);
}

TEST(Packed, TruncatedInputIsNotDone) {
  Record r;
  r.text = "some text";
  r.names = {"x", "y"};
  std::string bytes = Pack(r);
  for (size_t n = 0; n < bytes.size(); ++n) {
    Reader reader(std::string_view(bytes).substr(0, n));
    Record back;
    Fields(reader, back);
    EXPECT_FALSE(reader.Done()) << "with " << n << " of " << bytes.size() << " bytes";
  }
}

TEST(Packed, LeftoverInputIsNotDone) {
  std::string bytes = Pack(Record{}) + "x";
  Reader reader(bytes);
  Record back;
  Fields(reader, back);
  EXPECT_FALSE(reader.Done());
}

TEST(Packed, ALengthBeyondTheInputIsRefusedWithoutAllocating) {
  Writer w;
  w(std::uint64_t{1} << 40);  // read back as the length of a vector
  std::string bytes = std::move(w).Take();
  Reader reader(bytes);
  std::vector<std::string> v;
  reader(v);
  EXPECT_FALSE(reader.Done());
  EXPECT_TRUE(v.empty());
}

struct Child {
  std::string name;
  std::optional<std::int32_t> age;
  bool operator==(const Child&) const = default;
};
struct Parent {
  std::vector<Child> children;
  std::optional<Child> eldest;
  std::string after;
  bool operator==(const Parent&) const = default;
};
template <typename Io, typename P>
void ParentFields(Io& io, P& p) {
  auto child = [](auto& io, auto& c) { io(c.name)(c.age); };
  io.Each(p.children, child).Maybe(p.eldest, child);
  io(p.after);
}

TEST(Packed, NestedStructsComeBackThroughTheirOwnFieldLists) {
  Parent p{.children = {{"a", 3}, {"b", std::nullopt}}, .eldest = Child{"c", 40}, .after = "end"};
  Writer w;
  ParentFields(w, p);
  std::string bytes = std::move(w).Take();
  Reader r(bytes);
  Parent back{.children = {{"stale", 1}}, .eldest = std::nullopt, .after = ""};
  ParentFields(r, back);
  EXPECT_TRUE(r.Done());
  EXPECT_EQ(back, p);

  Parent none{.children = {}, .eldest = std::nullopt, .after = ""};
  Writer w2;
  ParentFields(w2, none);
  bytes = std::move(w2).Take();
  Reader r2(bytes);
  back = p;
  ParentFields(r2, back);
  EXPECT_TRUE(r2.Done());
  EXPECT_EQ(back, none);
}

TEST(Packed, TruncatedNestedStructsAreNotDone) {
  Parent p{.children = {{"a", 3}, {"b", 4}}, .eldest = Child{"c", 40}, .after = "end"};
  Writer w;
  ParentFields(w, p);
  std::string bytes = std::move(w).Take();
  for (size_t n = 0; n < bytes.size(); ++n) {
    Reader r(std::string_view(bytes).substr(0, n));
    Parent back;
    ParentFields(r, back);
    EXPECT_FALSE(r.Done()) << "with " << n << " of " << bytes.size() << " bytes";
  }
}

}  // namespace
}  // namespace certplane::packed
