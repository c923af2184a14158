// Atomic file writes (see file_io.hpp): temp file, fsync, rename, directory fsync.

#include "hairpin/common/file_io.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace hairpin {

namespace {

namespace fs = std::filesystem;

std::string dir_of(const std::string& path) {
  const fs::path p(path);
  return p.has_parent_path() ? p.parent_path().string() : std::string(".");
}

std::string temp_name(const std::string& path) {
  static std::atomic<unsigned> counter{0};
  return (fs::path(dir_of(path)) / ("." + fs::path(path).filename().string() + ".hairpin-tmp." +
                                    std::to_string(::getpid()) + "." + std::to_string(counter++)))
      .string();
}

std::string fix_for(int err) {
  switch (err) {
    case ENOSPC:
    case EDQUOT: return "disk full: free space on that file system or write elsewhere";
    case ENOENT:
    case ENOTDIR: return "the directory does not exist: create it or choose another path";
    case EACCES:
    case EPERM:
    case EROFS: return "choose a directory you can write to";
    default: return "check the path, its directory and free space";
  }
}

}  // namespace

Result<AtomicFile> AtomicFile::create(const std::string& path, std::string noun, mode_t mode) {
  if (path.empty() || fs::path(path).filename().empty()) {
    return Error{"cannot write " + noun + ": no file name", path.empty() ? "(empty path)" : path,
                 "give a file name, not a directory"};
  }
  const std::string temp = temp_name(path);
  // O_EXCL: a name another writer (or a stale run with our pid) holds is never reused.
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    const int err = errno;
    return Error{"cannot write " + noun + ": " + std::strerror(err) + "; no file written", path, fix_for(err)};
  }
  return AtomicFile(path, temp, std::move(noun), fd);
}

AtomicFile::AtomicFile(std::string path, std::string temp, std::string noun, int fd)
    : path_(std::move(path)), temp_(std::move(temp)), noun_(std::move(noun)), fd_(fd) {}

AtomicFile::AtomicFile(AtomicFile&& other) noexcept
    : path_(std::move(other.path_)), temp_(std::move(other.temp_)), noun_(std::move(other.noun_)), fd_(other.fd_) {
  other.fd_ = -1;
  other.temp_.clear();
}

AtomicFile& AtomicFile::operator=(AtomicFile&& other) noexcept {
  if (this != &other) {
    discard();
    path_ = std::move(other.path_);
    temp_ = std::move(other.temp_);
    noun_ = std::move(other.noun_);
    fd_ = other.fd_;
    other.fd_ = -1;
    other.temp_.clear();
  }
  return *this;
}

AtomicFile::~AtomicFile() { discard(); }

Error AtomicFile::fail(int err) {
  discard();
  return Error{"cannot write " + noun_ + ": " + std::strerror(err) + "; no file written", path_, fix_for(err)};
}

Status AtomicFile::write(ByteView bytes) {
  if (fd_ < 0) return Error{"cannot write " + noun_ + ": already closed", path_, "this is a bug in hairpin"};
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return fail(n < 0 ? errno : ENOSPC);  // a 0-byte write is a full device
    done += static_cast<std::size_t>(n);
  }
  return Ok{};
}

Status AtomicFile::write(std::string_view text) {
  return write(ByteView(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

Status AtomicFile::commit() {
  if (fd_ < 0) return Error{"cannot write " + noun_ + ": already closed", path_, "this is a bug in hairpin"};
  // Data on disk before the name points at it; EINVAL: a file system without fsync.
  if (::fsync(fd_) != 0 && errno != EINVAL) return fail(errno);
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) return fail(errno);  // NFS reports a failed write-back here
  if (::rename(temp_.c_str(), path_.c_str()) != 0) return fail(errno);
  temp_.clear();
  // The rename itself on disk. Best effort: the file is already complete under its
  // name, so a directory that cannot be fsynced (EINVAL) is not an error to report.
  const int dir = ::open(dir_of(path_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return Ok{};
}

void AtomicFile::discard() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  if (!temp_.empty()) ::unlink(temp_.c_str());
  temp_.clear();
}

Status write_file_atomically(const std::string& path, const std::string& content) {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  auto file = AtomicFile::create(path);
  if (!file) return file.error();
  if (auto s = file->write(content); !s) return s;
  return file->commit();
}

}  // namespace hairpin
