//===- Data.cpp - IDX data sets ---------------------------------*- C++ -*-===//
//
// Part of sparsec's runtime.
//
//===----------------------------------------------------------------------===//

#include "sparsec/runtime/Data.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <sys/stat.h>

#ifdef SPARSEC_RUNTIME_HAVE_ZLIB
#include <zlib.h>
#endif

using namespace sparsec::runtime;

bool sparsec::runtime::gzipSupported() {
#ifdef SPARSEC_RUNTIME_HAVE_ZLIB
  return true;
#else
  return false;
#endif
}

int32_t Dataset::classes() const {
  int32_t m = -1;
  for (int32_t l : labels)
    m = std::max(m, l);
  return m + 1;
}

void Dataset::truncate(int64_t n) {
  if (n <= 0 || n >= count)
    return;
  count = n;
  images.resize(n * pixels());
  labels.resize(n);
}

namespace {

bool isFile(const std::string &path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

bool endsWith(const std::string &s, const char *suffix) {
  size_t n = std::strlen(suffix);
  return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

/// The whole file, decompressed if it is gzip (checked by its magic bytes,
/// not its name, so a mislabelled file is still read correctly).
Status readAll(const std::string &path, std::vector<uint8_t> &out) {
  FILE *f = std::fopen(path.c_str(), "rb");
  if (!f)
    return Status::error("cannot read '" + path + "': " + std::strerror(errno));
  unsigned char magic[2] = {0, 0};
  size_t got = std::fread(magic, 1, 2, f);
  bool gzip = got == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
  if (!gzip) {
    std::rewind(f);
    out.clear();
    uint8_t buf[1 << 16];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0)
      out.insert(out.end(), buf, buf + n);
    bool bad = std::ferror(f);
    std::fclose(f);
    if (bad)
      return Status::error("cannot read '" + path + "': I/O error");
    return Status::success();
  }
  std::fclose(f);
#ifdef SPARSEC_RUNTIME_HAVE_ZLIB
  gzFile gz = gzopen(path.c_str(), "rb");
  if (!gz)
    return Status::error("cannot read '" + path + "': " + std::strerror(errno));
  out.clear();
  uint8_t buf[1 << 16];
  int n;
  while ((n = gzread(gz, buf, sizeof buf)) > 0)
    out.insert(out.end(), buf, buf + n);
  int err = 0;
  const char *msg = n < 0 ? gzerror(gz, &err) : nullptr;
  std::string why = msg ? msg : "";
  gzclose(gz);
  if (n < 0)
    return Status::error("cannot decompress '" + path + "': " + why);
  return Status::success();
#else
  return Status::error("'" + path +
                       "' is gzip-compressed, but this sparsec was built "
                       "without zlib; decompress it with gunzip");
#endif
}

} // namespace

std::string sparsec::runtime::findDataFile(const std::string &dir,
                                           const std::string &stem) {
  std::string base = dir.empty() ? stem : dir + "/" + stem;
  if (isFile(base))
    return base;
  if (isFile(base + ".gz"))
    return base + ".gz";
  return "";
}

Status sparsec::runtime::readIdx(const std::string &path,
                                 std::vector<int64_t> &dims,
                                 std::vector<uint8_t> &bytes) {
  std::vector<uint8_t> raw;
  if (Status s = readAll(path, raw); !s)
    return s;
  if (raw.size() < 4)
    return Status::error("'" + path + "' is not an IDX file: it holds only " +
                         std::to_string(raw.size()) + " bytes");
  if (raw[0] != 0 || raw[1] != 0)
    return Status::error("'" + path +
                         "' is not an IDX file: its first two bytes are not "
                         "zero" +
                         std::string(endsWith(path, ".gz")
                                         ? ""
                                         : " (a compressed file needs the "
                                           "gzip format)"));
  if (raw[2] != 0x08)
    return Status::error("'" + path + "' holds IDX elements of type 0x" +
                         [&] {
                           char b[8];
                           std::snprintf(b, sizeof b, "%02x", raw[2]);
                           return std::string(b);
                         }() +
                         "; sparsec reads unsigned bytes (0x08)");
  int rank = raw[3];
  if (rank < 1 || raw.size() < 4 + 4 * size_t(rank))
    return Status::error("'" + path + "' has a truncated IDX header");
  dims.clear();
  uint64_t total = 1;
  for (int i = 0; i < rank; ++i) {
    const uint8_t *p = &raw[4 + 4 * i];
    uint32_t d = uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 |
                 uint32_t(p[2]) << 8 | uint32_t(p[3]);
    dims.push_back(d);
    total *= d;
  }
  size_t header = 4 + 4 * size_t(rank);
  if (raw.size() - header != total) {
    std::string shape;
    for (size_t i = 0; i < dims.size(); ++i)
      shape += (i ? "x" : "") + std::to_string(dims[i]);
    return Status::error("'" + path + "' announces " + shape + " = " +
                         std::to_string(total) + " bytes of data but holds " +
                         std::to_string(raw.size() - header) +
                         (raw.size() - header < total ? " (truncated)" : ""));
  }
  bytes.assign(raw.begin() + header, raw.end());
  return Status::success();
}

Status sparsec::runtime::loadSplit(const std::string &dir, Split split,
                                   Dataset &out, int64_t limit) {
  std::string prefix = split == Split::Train ? "train" : "t10k";
  std::string imagesStem = prefix + "-images-idx3-ubyte";
  std::string labelsStem = prefix + "-labels-idx1-ubyte";
  std::string images = findDataFile(dir, imagesStem);
  std::string labels = findDataFile(dir, labelsStem);
  std::string where = dir.empty() ? "." : dir;
  if (images.empty())
    return Status::error("no " + imagesStem + " (or " + imagesStem +
                         ".gz) in '" + where + "'");
  if (labels.empty())
    return Status::error("no " + labelsStem + " (or " + labelsStem +
                         ".gz) in '" + where + "'");
  out = Dataset();
  out.imagesFile = images;
  out.labelsFile = labels;

  std::vector<int64_t> idims, ldims;
  std::vector<uint8_t> ibytes, lbytes;
  if (Status s = readIdx(images, idims, ibytes); !s)
    return s;
  if (Status s = readIdx(labels, ldims, lbytes); !s)
    return s;
  if (idims.size() != 3)
    return Status::error("'" + images + "' holds a rank-" +
                         std::to_string(idims.size()) +
                         " array; images are count x rows x cols (rank 3)");
  if (ldims.size() != 1)
    return Status::error("'" + labels + "' holds a rank-" +
                         std::to_string(ldims.size()) +
                         " array; labels are a vector (rank 1)");
  if (idims[0] != ldims[0])
    return Status::error("'" + images + "' holds " + std::to_string(idims[0]) +
                         " images but '" + labels + "' holds " +
                         std::to_string(ldims[0]) + " labels");
  out.count = idims[0];
  out.rows = idims[1];
  out.cols = idims[2];
  out.images.resize(ibytes.size());
  for (size_t i = 0; i < ibytes.size(); ++i)
    out.images[i] = float(ibytes[i]) / 255.0f;
  out.labels.assign(lbytes.begin(), lbytes.end());
  out.truncate(limit);
  return Status::success();
}
