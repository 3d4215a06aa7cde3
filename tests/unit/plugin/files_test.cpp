// Writing exported files: modes whatever the umask, no partial export over existing
// files, no following symbolic links. In a fresh temporary folder per test.
#include "files.h"

#include <sys/stat.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "test_files.h"

namespace certplane::plugin {
namespace {

using certplane::testing::ReadFile;
using ::testing::HasSubstr;

class ExportFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    old_umask_ = ::umask(0);  // the loosest umask: the modes must still be exact
  }
  void TearDown() override { ::umask(old_umask_); }
  static std::vector<ExportFile> Files(const std::string& tag = "1") {
    std::vector<ExportFile> files;
    files.push_back({"tls.crt", SensitiveString("CERT " + tag), false, ""});
    files.push_back({"tls.key", SensitiveString("KEY " + tag), true, ""});
    return files;
  }
  static mode_t Mode(const std::string& path) {
    struct stat st {};
    EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
    return st.st_mode & 07777;
  }
  const certplane::testing::TempDir tmp_;
  const std::string dir_ = tmp_.path();
  mode_t old_umask_ = 022;
};

TEST_F(ExportFiles, CreatesTheFolderPrivateAndKeysWithMode0600) {
  const std::string out = dir_ + "/a/b";
  ASSERT_TRUE(WriteExportFiles(out, Files(), false).ok());
  EXPECT_EQ(Mode(out), 0700u);
  EXPECT_EQ(Mode(out + "/tls.key"), 0600u);
  EXPECT_EQ(Mode(out + "/tls.crt"), 0644u);
  EXPECT_EQ(ReadFile(out + "/tls.key"), "KEY 1");
  EXPECT_EQ(ReadFile(out + "/tls.crt"), "CERT 1");
}

TEST_F(ExportFiles, RefusesToReplaceAnExistingFileAndWritesNothingThen) {
  std::ofstream(dir_ + "/tls.key") << "precious";
  Status s = WriteExportFiles(dir_, Files(), false);
  EXPECT_EQ(s.code(), StatusCode::kAlreadyExists);
  EXPECT_THAT(s.message(), HasSubstr(dir_ + "/tls.key already exists; pass --overwrite"));
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/tls.crt")) << "nothing is written when one file is in the way";
  EXPECT_EQ(ReadFile(dir_ + "/tls.key"), "precious");
}

TEST_F(ExportFiles, OverwriteReplacesAndTightensTheMode) {
  std::ofstream(dir_ + "/tls.key") << "a much longer old key than the new one";
  ::chmod((dir_ + "/tls.key").c_str(), 0666);
  ASSERT_TRUE(WriteExportFiles(dir_, Files("2"), true).ok());
  EXPECT_EQ(ReadFile(dir_ + "/tls.key"), "KEY 2");
  EXPECT_EQ(Mode(dir_ + "/tls.key"), 0600u);
}

TEST_F(ExportFiles, NeverFollowsASymbolicLink) {
  const std::string target = dir_ + "/elsewhere";
  std::ofstream(target) << "untouched";
  std::filesystem::create_symlink(target, dir_ + "/tls.key");
  Status s = WriteExportFiles(dir_, Files(), true);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("opening " + dir_ + "/tls.key"));
  EXPECT_EQ(ReadFile(target), "untouched");
}

TEST_F(ExportFiles, RefusesAnOutThatIsAFile) {
  std::ofstream(dir_ + "/file") << "x";
  Status s = WriteExportFiles(dir_ + "/file", Files(), false);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("is not a folder"));
}

TEST_F(ExportFiles, PasswordFileGivesItsFirstLineWithoutTheLineEnding) {
  std::ofstream(dir_ + "/pw") << "s3cret\r\nignored\n";
  Result<SensitiveString> pw = ReadPasswordFile(dir_ + "/pw");
  ASSERT_TRUE(pw.ok()) << pw.status();
  EXPECT_EQ(pw->view(), "s3cret");
  std::ofstream(dir_ + "/no-newline") << "changeit";
  EXPECT_EQ(ReadPasswordFile(dir_ + "/no-newline")->view(), "changeit");
}

TEST_F(ExportFiles, PasswordFileMustExistAndNotStartEmpty) {
  Result<SensitiveString> missing = ReadPasswordFile(dir_ + "/nope");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr("--password-file " + dir_ + "/nope: no such file"));
  std::ofstream(dir_ + "/empty") << "\nsecond line\n";
  Result<SensitiveString> empty = ReadPasswordFile(dir_ + "/empty");
  EXPECT_EQ(empty.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(empty.status().message(), HasSubstr("the first line is empty"));
}

}  // namespace
}  // namespace certplane::plugin
