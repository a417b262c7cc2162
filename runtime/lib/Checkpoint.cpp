//===- Checkpoint.cpp - Atomic binary snapshots -----------------*- C++ -*-===//
//
// Part of sparsec's runtime.
//
//===----------------------------------------------------------------------===//

#include "sparsec/runtime/Checkpoint.h"

#include <cerrno>
#include <cstdio>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace sparsec::runtime;

static const char kMagic[8] = {'S', 'P', 'C', 'K', 'P', 'T', '0', '1'};

uint64_t sparsec::runtime::fnv1a(const uint8_t *p, size_t n, uint64_t h) {
  for (size_t i = 0; i < n; ++i) {
    h ^= p[i];
    h *= 1099511628211ull;
  }
  return h;
}

void ArchiveWriter::floats(const std::vector<float> &v) {
  u64(v.size());
  size_t at = bytes.size();
  bytes.resize(at + 4 * v.size());
  for (size_t i = 0; i < v.size(); ++i) {
    uint32_t u;
    std::memcpy(&u, &v[i], 4);
    for (int b = 0; b < 4; ++b)
      bytes[at + 4 * i + b] = static_cast<uint8_t>(u >> (8 * b));
  }
}

Status ArchiveWriter::commit(const std::string &path) {
  std::vector<uint8_t> out(kMagic, kMagic + 8);
  out.insert(out.end(), bytes.begin(), bytes.end());
  uint64_t sum = fnv1a(out.data(), out.size());
  for (int i = 0; i < 8; ++i)
    out.push_back(static_cast<uint8_t>(sum >> (8 * i)));
  return writeFileAtomically(path, out.data(), out.size());
}

Status ArchiveReader::open(const std::string &path) {
  FILE *f = std::fopen(path.c_str(), "rb");
  if (!f)
    return Status::error("cannot read checkpoint '" + path +
                         "': " + std::strerror(errno));
  data.clear();
  uint8_t buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0)
    data.insert(data.end(), buf, buf + n);
  std::fclose(f);
  if (data.size() < 16 || std::memcmp(data.data(), kMagic, 8) != 0)
    return Status::error("'" + path + "' is not a sparsec checkpoint");
  uint64_t stored = 0;
  for (int i = 0; i < 8; ++i)
    stored |= uint64_t(data[data.size() - 8 + i]) << (8 * i);
  if (fnv1a(data.data(), data.size() - 8) != stored)
    return Status::error("checkpoint '" + path +
                         "' is corrupt (checksum mismatch)");
  pos = 8;
  end = data.size() - 8;
  good = true;
  return Status::success();
}

bool ArchiveReader::u64(uint64_t &v) {
  if (!take(8))
    return false;
  v = 0;
  for (int i = 0; i < 8; ++i)
    v |= uint64_t(data[pos + i]) << (8 * i);
  pos += 8;
  return true;
}

bool ArchiveReader::str(std::string &s) {
  uint64_t n;
  if (!u64(n) || !take(n))
    return false;
  s.assign(reinterpret_cast<const char *>(&data[pos]), n);
  pos += n;
  return true;
}

bool ArchiveReader::floats(std::vector<float> &v) {
  uint64_t n;
  if (!u64(n) || n > (end - pos) / 4 || !take(4 * n))
    return good = false;
  v.resize(n);
  for (size_t i = 0; i < n; ++i) {
    uint32_t u = 0;
    for (int b = 0; b < 4; ++b)
      u |= uint32_t(data[pos + 4 * i + b]) << (8 * b);
    std::memcpy(&v[i], &u, 4);
  }
  pos += 4 * n;
  return true;
}

bool ArchiveReader::bytesOf(std::vector<uint8_t> &v) {
  uint64_t n;
  if (!u64(n) || !take(n))
    return false;
  v.assign(data.begin() + pos, data.begin() + pos + n);
  pos += n;
  return true;
}

bool ArchiveReader::ints(std::vector<int64_t> &v) {
  uint64_t n;
  if (!u64(n) || n > (end - pos) / 8)
    return good = false;
  v.resize(n);
  for (int64_t &x : v)
    if (!i64(x))
      return false;
  return true;
}

Status sparsec::runtime::writeFileAtomically(const std::string &path,
                                             const void *bytes, size_t size) {
  std::string tmp = path + ".tmp-" + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return Status::error("cannot write '" + path + "': " + std::strerror(errno));
  const char *p = static_cast<const char *>(bytes);
  size_t left = size;
  while (left > 0) {
    ssize_t w = ::write(fd, p, left);
    if (w < 0) {
      if (errno == EINTR)
        continue;
      int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return Status::error("cannot write '" + path + "': " +
                           std::strerror(err));
    }
    p += w;
    left -= static_cast<size_t>(w);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return Status::error("cannot write '" + path + "': " + std::strerror(err));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return Status::error("cannot write '" + path + "': " + std::strerror(err));
  }
  // Make the rename itself durable.
  std::string dir = ".";
  size_t slash = path.rfind('/');
  if (slash != std::string::npos)
    dir = slash == 0 ? "/" : path.substr(0, slash);
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return Status::success();
}
