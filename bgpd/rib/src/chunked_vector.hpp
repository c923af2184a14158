#pragma once
// A growable array for the RIB's per-prefix tables (a million prefixes: tens of
// MiB each). It grows by whole 2 MiB chunks that never move, so growing copies
// nothing and each byte is paged in once; a std::vector would copy everything
// and page in twice the memory at each doubling. Chunks after the first are
// marked MADV_HUGEPAGE: where the kernel has transparent huge pages, one page
// fault maps 2 MiB instead of 4 KiB, and lookups miss the TLB less. The first
// chunk keeps ordinary pages, so a small table stays small in RSS.
//
// For trivially destructible T only; elements are never destroyed one by one.

#include <sys/mman.h>

#include <cstddef>
#include <new>
#include <type_traits>
#include <vector>

namespace hairpin::bgpd {

template <typename T>
class ChunkedVector {
  static_assert(std::is_trivially_destructible_v<T>);

 public:
  static constexpr std::size_t kChunkBytes = std::size_t{2} << 20;
  static constexpr std::size_t kPerChunk = kChunkBytes / sizeof(T);

  ChunkedVector() = default;
  ChunkedVector(const ChunkedVector&) = delete;
  ChunkedVector& operator=(const ChunkedVector&) = delete;
  ~ChunkedVector() {
    for (T* chunk : chunks_) munmap(chunk, kChunkBytes);
  }

  std::size_t size() const { return size_; }
  T& operator[](std::size_t i) { return chunks_[i / kPerChunk][i % kPerChunk]; }
  const T& operator[](std::size_t i) const { return chunks_[i / kPerChunk][i % kPerChunk]; }

  void push_back(const T& value) {
    if (size_ == chunks_.size() * kPerChunk) add_chunk();
    new (&(*this)[size_]) T(value);
    ++size_;
  }

 private:
  void add_chunk() {
    void* p = mmap(nullptr, kChunkBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc{};
    if (!chunks_.empty()) madvise(p, kChunkBytes, MADV_HUGEPAGE);  // advisory: plain pages without THP
    chunks_.push_back(static_cast<T*>(p));
  }

  std::vector<T*> chunks_;
  std::size_t size_ = 0;
};

}  // namespace hairpin::bgpd
