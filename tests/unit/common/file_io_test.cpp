// AtomicFile and write_file_atomically: a reader sees the whole file or none.

#include "hairpin/common/file_io.hpp"

#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>

namespace hairpin {
namespace {

namespace fs = std::filesystem;

// A fresh directory per test, removed on every exit path.
struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("hairpin-file-io-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  std::size_t entries() const {
    return static_cast<std::size_t>(std::distance(fs::directory_iterator(path), fs::directory_iterator{}));
  }
};

TEST(ReadWholeFile, DirectoryIsAnErrorNotAnEmptyFile) {
  TempDir dir;
  const std::string empty = (dir.path / "empty.frr").string();
  ASSERT_TRUE(write_file_atomically(empty, std::string("")).ok());
  auto file = read_whole_file(empty);
  ASSERT_TRUE(file.ok()) << file.error().to_string();  // the positive control: an empty file reads as ""
  EXPECT_EQ(*file, "");
  auto directory = read_whole_file(dir.path.string());
  ASSERT_FALSE(directory.ok());
  EXPECT_NE(directory.error().what.find("directory"), std::string::npos);
  EXPECT_FALSE(read_whole_file((dir.path / "missing").string()).ok());
}

TEST(AtomicFile, Commit_LeavesTheWholeFileAndNoTemp) {
  TempDir dir;
  const std::string path = (dir.path / "state.json").string();
  auto f = AtomicFile::create(path);
  ASSERT_TRUE(f.ok()) << f.error().to_string();
  EXPECT_TRUE(fs::exists(f->temp_path()));
  EXPECT_FALSE(fs::exists(path));  // nothing under the final name before commit
  ASSERT_TRUE(f->write(std::string_view("first half, ")).ok());
  ASSERT_TRUE(f->write(std::string_view("second half")).ok());
  ASSERT_TRUE(f->commit().ok());
  EXPECT_EQ(*read_whole_file(path), "first half, second half");
  EXPECT_EQ(dir.entries(), 1u);  // the temp name is gone
}

TEST(AtomicFile, Uncommitted_LeavesNothingAndKeepsTheOldFile) {
  TempDir dir;
  const std::string path = (dir.path / "config").string();
  ASSERT_TRUE(write_file_atomically(path, "old").ok());
  std::string temp;
  {
    auto f = AtomicFile::create(path);
    ASSERT_TRUE(f.ok());
    temp = f->temp_path();
    ASSERT_TRUE(f->write(std::string_view("new, never committed")).ok());
    EXPECT_TRUE(fs::exists(temp));  // positive control: the temp file existed
  }
  EXPECT_FALSE(fs::exists(temp));
  EXPECT_EQ(*read_whole_file(path), "old");
  EXPECT_EQ(dir.entries(), 1u);
  // Fresh path: an uncommitted writer leaves no file at all.
  { ASSERT_TRUE(AtomicFile::create((dir.path / "never").string()).ok()); }
  EXPECT_FALSE(fs::exists(dir.path / "never"));
  EXPECT_EQ(dir.entries(), 1u);
}

TEST(AtomicFile, MissingOrUnwritableDirectory_OneClearError) {
  TempDir dir;
  const std::string missing = (dir.path / "no" / "such" / "x.pcap").string();
  auto f = AtomicFile::create(missing, "capture file");
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error().where, missing);
  EXPECT_NE(f.error().what.find("cannot write capture file: No such file or directory; no file written"),
            std::string::npos)
      << f.error().to_string();
  EXPECT_NE(f.error().fix.find("directory does not exist"), std::string::npos) << f.error().to_string();
  EXPECT_EQ(f.error().to_string().find('\n'), std::string::npos);
  // A regular file where a directory should be (unwritable even for root):
  // write_file_atomically cannot create it either.
  ASSERT_TRUE(write_file_atomically((dir.path / "plain").string(), "x").ok());
  const auto s = write_file_atomically((dir.path / "plain" / "y").string(), "z");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().what.find("Not a directory; no file written"), std::string::npos) << s.error().to_string();
  EXPECT_EQ(dir.entries(), 1u);
}

TEST(AtomicFile, TwoWriters_HaveTheirOwnTemps_LastCommitWinsWhole) {
  TempDir dir;
  const std::string path = (dir.path / "shared").string();
  auto a = AtomicFile::create(path);
  auto b = AtomicFile::create(path);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->temp_path(), b->temp_path());
  ASSERT_TRUE(a->write(std::string_view("aaaa")).ok());
  ASSERT_TRUE(b->write(std::string_view("bb")).ok());
  ASSERT_TRUE(a->write(std::string_view("AAAA")).ok());
  ASSERT_TRUE(a->commit().ok());
  EXPECT_EQ(*read_whole_file(path), "aaaaAAAA");  // b's bytes did not land in a's file
  ASSERT_TRUE(b->write(std::string_view("BB")).ok());
  ASSERT_TRUE(b->commit().ok());
  EXPECT_EQ(*read_whole_file(path), "bbBB");
  EXPECT_EQ(dir.entries(), 1u);
}

TEST(WriteFileAtomically, CreatesParentsAndReplacesWhole) {
  TempDir dir;
  const std::string path = (dir.path / "a" / "b" / "pidfile").string();
  ASSERT_TRUE(write_file_atomically(path, "123\n").ok());
  ASSERT_TRUE(write_file_atomically(path, "4\n").ok());
  EXPECT_EQ(*read_whole_file(path), "4\n");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path / "a" / "b"), fs::directory_iterator{}), 1);
}

}  // namespace
}  // namespace hairpin
