#pragma once
// Whole-file reads and all-or-nothing writes, for configs, topologies, state,
// pidfiles and captures. A reader sees a file complete or not at all: an
// AtomicFile writes to a temp name of its own beside the target and, on commit,
// fsyncs, renames it into place and fsyncs the directory. Every error is one
// hairpin::Error (what, where, fix) and leaves no file behind.

#include <sys/types.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include "hairpin/common/byte_io.hpp"
#include "hairpin/common/result.hpp"

namespace hairpin {

inline Result<std::string> read_whole_file(const std::string& path) {
  // An ifstream opens a directory without complaint (open(2) O_RDONLY succeeds) and
  // then reads nothing: without this a directory read as an empty file.
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    return Error{"cannot read file: it is a directory", path, "give the path of a file"};
  std::ifstream in(path);
  if (!in) return Error{"cannot read file", path, "check the path and permissions"};
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

// One file being written. The temp name, "<dir>/.<name>.hairpin-tmp.<pid>.<n>", is
// unique per process and per writer (created O_EXCL), so two writers to one path
// never share a temp file; the last to commit wins, whole. Not committed (an error,
// an exception, an early return): the destructor removes the temp file.
class AtomicFile {
 public:
  // `noun` names the file in errors: "cannot write capture file: ...".
  static Result<AtomicFile> create(const std::string& path, std::string noun = "file", mode_t mode = 0644);

  AtomicFile(AtomicFile&& other) noexcept;
  AtomicFile& operator=(AtomicFile&& other) noexcept;
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  ~AtomicFile();

  // All of `bytes`, or an error (and the temp file is gone).
  Status write(ByteView bytes);
  Status write(std::string_view text);
  // fsync, close, rename into place, fsync the directory: only now does `path` change.
  Status commit();
  // Drop what was written; `path` is untouched.
  void discard();

  bool is_open() const { return fd_ >= 0; }
  const std::string& path() const { return path_; }
  const std::string& temp_path() const { return temp_; }

 private:
  AtomicFile(std::string path, std::string temp, std::string noun, int fd);
  Error fail(int err);

  std::string path_, temp_, noun_;
  int fd_ = -1;
};

// The whole of `content` at `path` or, on error, `path` as it was. Creates the
// parent directories.
Status write_file_atomically(const std::string& path, const std::string& content);

}  // namespace hairpin
