// Splitting a watch stream into events, whatever the chunk boundaries.
#include <gtest/gtest.h>

#include "kube/watch.h"

namespace certplane::kube {
namespace {

TEST(LineSplitterTest, ReassemblesLinesAcrossChunks) {
  const std::string stream = "{\"a\":1}\n{\"b\":2}\n\n{\"c\":3}\n{\"partial";
  for (size_t chunk = 1; chunk <= stream.size(); ++chunk) {
    LineSplitter splitter;
    std::vector<std::string> lines;
    for (size_t i = 0; i < stream.size(); i += chunk) {
      Status s = splitter.Feed(std::string_view(stream).substr(i, chunk), [&](std::string_view line) {
        lines.emplace_back(line);
        return Status::Ok();
      });
      ASSERT_TRUE(s.ok());
    }
    EXPECT_EQ(lines, (std::vector<std::string>{"{\"a\":1}", "{\"b\":2}", "", "{\"c\":3}"})) << "chunk " << chunk;
    EXPECT_TRUE(splitter.has_partial_line());
  }
}

TEST(LineSplitterTest, StopsAtTheFirstFailure) {
  LineSplitter splitter;
  int calls = 0;
  Status s = splitter.Feed("a\nb\nc\n", [&](std::string_view) {
    ++calls;
    return calls == 2 ? Cancelled("enough") : Status::Ok();
  });
  EXPECT_EQ(s.code(), StatusCode::kCancelled);
  EXPECT_EQ(calls, 2);
}

TEST(ParseWatchLineTest, ReadsEachEventType) {
  struct Case {
    const char* type;
    WatchEventType expected;
  };
  for (auto [type, expected] :
       {Case{"ADDED", WatchEventType::kAdded}, Case{"MODIFIED", WatchEventType::kModified},
        Case{"DELETED", WatchEventType::kDeleted}, Case{"BOOKMARK", WatchEventType::kBookmark}}) {
    std::string line = std::string("{\"type\":\"") + type + R"(","object":{"metadata":{"resourceVersion":"7"}}})";
    auto event = ParseWatchLine(line);
    ASSERT_TRUE(event.ok()) << event.status();
    EXPECT_EQ(event->type, expected);
    EXPECT_EQ(event->object["metadata"]["resourceVersion"], "7");
  }
}

TEST(ParseWatchLineTest, TurnsAnErrorEventIntoItsStatus) {
  auto gone = ParseWatchLine(
      R"({"type":"ERROR","object":{"kind":"Status","code":410,"reason":"Expired","message":"too old resource version"}})");
  EXPECT_EQ(gone.status().code(), StatusCode::kGone);
  EXPECT_NE(gone.status().message().find("too old resource version"), std::string::npos);
  auto internal = ParseWatchLine(
      R"({"type":"ERROR","object":{"kind":"Status","code":500,"reason":"InternalError","message":"x"}})");
  EXPECT_EQ(internal.status().code(), StatusCode::kUnavailable);
}

TEST(ParseWatchLineTest, RejectsMalformedLines) {
  EXPECT_EQ(ParseWatchLine("not json").status().code(), StatusCode::kInternal);
  EXPECT_EQ(ParseWatchLine(R"({"type":"ADDED"})").status().code(), StatusCode::kInternal);
  EXPECT_EQ(ParseWatchLine(R"({"type":"WHAT","object":{}})").status().code(), StatusCode::kInternal);
}

}  // namespace
}  // namespace certplane::kube
