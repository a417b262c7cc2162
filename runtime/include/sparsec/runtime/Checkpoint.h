//===- Checkpoint.h - Atomic binary snapshots -------------------*- C++ -*-===//
//
// Part of sparsec's runtime. A checkpoint is a little-endian byte stream
// closed by a checksum. It is written to a temporary file next to its
// destination, flushed to disk and renamed over it, so that a run killed at
// any moment (even by SIGKILL) leaves either the previous checkpoint or the
// new one, never a torn file; a torn or foreign file is refused on load.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEC_RUNTIME_CHECKPOINT_H
#define SPARSEC_RUNTIME_CHECKPOINT_H

#include "sparsec/runtime/Status.h"

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace sparsec::runtime {

class ArchiveWriter {
public:
  void u64(uint64_t v) {
    for (int i = 0; i < 8; ++i)
      bytes.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  void i64(int64_t v) { u64(static_cast<uint64_t>(v)); }
  void f64(double v) {
    uint64_t u;
    std::memcpy(&u, &v, 8);
    u64(u);
  }
  void str(const std::string &s) {
    u64(s.size());
    bytes.insert(bytes.end(), s.begin(), s.end());
  }
  void floats(const std::vector<float> &v);
  void bytesOf(const std::vector<uint8_t> &v) {
    u64(v.size());
    bytes.insert(bytes.end(), v.begin(), v.end());
  }
  void ints(const std::vector<int64_t> &v) {
    u64(v.size());
    for (int64_t x : v)
      i64(x);
  }

  /// Appends the checksum and writes the file atomically.
  Status commit(const std::string &path);

  std::vector<uint8_t> bytes;
};

class ArchiveReader {
public:
  /// Reads `path` and checks its checksum.
  Status open(const std::string &path);

  /// Each read fails (returns false) past the end; the first failure sticks.
  bool u64(uint64_t &v);
  bool i64(int64_t &v) {
    uint64_t u;
    if (!u64(u))
      return false;
    v = static_cast<int64_t>(u);
    return true;
  }
  bool f64(double &v) {
    uint64_t u;
    if (!u64(u))
      return false;
    std::memcpy(&v, &u, 8);
    return true;
  }
  bool str(std::string &s);
  bool floats(std::vector<float> &v);
  bool bytesOf(std::vector<uint8_t> &v);
  bool ints(std::vector<int64_t> &v);
  bool ok() const { return good; }
  bool atEnd() const { return pos == end; }

private:
  bool take(size_t n) {
    if (!good || end - pos < n)
      return good = false;
    return true;
  }
  std::vector<uint8_t> data;
  size_t pos = 0, end = 0;
  bool good = true;
};

/// FNV-1a over bytes, for checksums and option fingerprints.
uint64_t fnv1a(const uint8_t *p, size_t n, uint64_t h = 1469598103934665603ull);

/// Writes `bytes` to `path` atomically: a temporary file in the same
/// directory, fsync, rename, fsync of the directory.
Status writeFileAtomically(const std::string &path, const void *bytes,
                           size_t size);

} // namespace sparsec::runtime

#endif // SPARSEC_RUNTIME_CHECKPOINT_H
