//===- common.cpp - Case loading, timing and reporting for drivers ------===//
//
// Timing: a warm-up of at least two calls and 50 ms (--warmup), then `samples` timed
// samples. A sample runs the kernel `inner` times back to back, with `inner`
// chosen so that one sample lasts at least minSampleS, which keeps
// microsecond kernels above the clock's resolution. Per-call times are
// reported: median, quartiles and minimum.
//
//===----------------------------------------------------------------------===//
#include "common.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <new>
#include <sstream>

// Every heap block a driver allocates (the input, output and weight vectors
// included) starts on a 64-byte cache line, as performance-minded callers
// allocate them and as PyTorch's allocator does. glibc's malloc puts large
// blocks 16 bytes past a line, which splits every other 32-byte load of a
// kernel that reads the caller's buffer in place. The same for all systems.
void *operator new(std::size_t n) {
  std::size_t rounded = (n + 63) / 64 * 64;
  void *p = std::aligned_alloc(64, rounded ? rounded : 64);
  if (!p)
    throw std::bad_alloc();
  return p;
}
void *operator new[](std::size_t n) { return operator new(n); }
void operator delete(void *p) noexcept { std::free(p); }
void operator delete[](void *p) noexcept { std::free(p); }
void operator delete(void *p, std::size_t) noexcept { std::free(p); }
void operator delete[](void *p, std::size_t) noexcept { std::free(p); }

namespace bench {

[[noreturn]] void fail(const std::string &message) {
  std::fprintf(stderr, "error: %s\n", message.c_str());
  std::exit(2);
}

Options parseArgs(int argc, char **argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc)
        fail("missing value after " + a);
      return argv[++i];
    };
    if (a == "--case")
      o.caseDir = next();
    else if (a == "--out")
      o.out = next();
    else if (a == "--variant")
      o.variant = next();
    else if (a == "--input")
      o.input = next();
    else if (a == "--output-count")
      o.outputCount = std::atoll(next().c_str());
    else if (a == "--threads")
      o.threads = std::atoi(next().c_str());
    else if (a == "--samples")
      o.samples = std::atoi(next().c_str());
    else if (a == "--min-sample")
      o.minSampleS = std::atof(next().c_str());
    else if (a == "--max-time")
      o.maxTotalS = std::atof(next().c_str());
    else if (a == "--warmup")
      o.warmupS = std::atof(next().c_str());
    else
      fail("unknown argument " + a);
  }
  if (o.caseDir.empty() && (o.input.empty() || o.outputCount <= 0))
    fail("--case DIR, or --input FILE with --output-count N, is required");
  if (o.threads < 1 || o.samples < 1)
    fail("--threads and --samples must be positive");
  return o;
}

static std::map<std::string, std::string> readKV(const std::string &path) {
  std::ifstream in(path);
  if (!in)
    fail("cannot read " + path);
  std::map<std::string, std::string> kv;
  std::string k, v;
  while (in >> k >> v)
    kv[k] = v;
  return kv;
}

template <typename T>
static std::vector<T> readRaw(const std::string &path, size_t count) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    fail("cannot read " + path);
  std::vector<T> data(count);
  in.read(reinterpret_cast<char *>(data.data()), count * sizeof(T));
  if (size_t(in.gcount()) != count * sizeof(T) || in.peek() != EOF)
    fail(path + " does not hold exactly " + std::to_string(count) + " elements");
  return data;
}

Case loadCase(const std::string &dir) {
  // The case directory is <layer>/<pattern>; layer-wide files sit one up.
  std::string layerDir = dir + "/..";
  auto kv = readKV(layerDir + "/meta.txt");
  auto num = [&](const char *key) {
    auto it = kv.find(key);
    if (it == kv.end())
      fail(std::string("meta.txt lacks ") + key);
    return std::atoll(it->second.c_str());
  };
  Case c;
  c.name = kv["name"];
  c.kind = kv["kind"];
  c.M = num("M"), c.K = num("K"), c.N = num("N");
  c.C = num("C"), c.H = num("H"), c.W = num("W");
  c.KH = num("KH"), c.KW = num("KW"), c.pad = num("pad");
  c.groups = num("groups"), c.OH = num("OH"), c.OW = num("OW");
  size_t nw = size_t(c.M) * size_t(c.K);
  size_t nx = c.isFC() ? size_t(c.N) * c.K : size_t(c.C) * c.H * c.W;
  c.w = readRaw<float>(layerDir + "/w.f32", nw);
  c.x = readRaw<float>(layerDir + "/x.f32", nx);
  c.mask = readRaw<uint8_t>(dir + "/mask.u8", nw);
  c.wm.resize(nw);
  for (size_t i = 0; i < nw; ++i) {
    c.wm[i] = c.mask[i] ? c.w[i] : 0.0f;
    c.nnz += c.mask[i] != 0;
  }
  return c;
}

CSR toCSR(const Case &c) {
  CSR s;
  s.rowptr.reserve(c.M + 1);
  s.col.reserve(c.nnz);
  s.val.reserve(c.nnz);
  s.rowptr.push_back(0);
  for (int64_t i = 0; i < c.M; ++i) {
    for (int64_t k = 0; k < c.K; ++k) {
      size_t at = size_t(i) * c.K + k;
      if (c.mask[at]) {
        s.col.push_back(int32_t(k));
        s.val.push_back(c.w[at]);
      }
    }
    s.rowptr.push_back(int32_t(s.col.size()));
  }
  return s;
}

void im2col(const Case &c, const float *x, float *cols) {
  const int64_t ohw = c.OH * c.OW;
  for (int64_t ch = 0; ch < c.C; ++ch)
    for (int64_t kh = 0; kh < c.KH; ++kh)
      for (int64_t kw = 0; kw < c.KW; ++kw) {
        float *row = cols + ((ch * c.KH + kh) * c.KW + kw) * ohw;
        for (int64_t oy = 0; oy < c.OH; ++oy) {
          int64_t iy = oy + kh - c.pad;
          float *dst = row + oy * c.OW;
          if (iy < 0 || iy >= c.H) {
            std::memset(dst, 0, sizeof(float) * c.OW);
            continue;
          }
          const float *src = x + (ch * c.H + iy) * c.W;
          for (int64_t ox = 0; ox < c.OW; ++ox) {
            int64_t ix = ox + kw - c.pad;
            dst[ox] = (ix >= 0 && ix < c.W) ? src[ix] : 0.0f;
          }
        }
      }
}

std::vector<float> readFloats(const std::string &path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in)
    fail("cannot read " + path);
  size_t bytes = size_t(in.tellg());
  if (bytes % sizeof(float))
    fail(path + " is not a whole number of floats");
  std::vector<float> v(bytes / sizeof(float));
  in.seekg(0);
  in.read(reinterpret_cast<char *>(v.data()), bytes);
  return v;
}

std::vector<float> transpose(const std::vector<float> &in, int64_t rows,
                             int64_t cols) {
  std::vector<float> out(in.size());
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t k = 0; k < cols; ++k)
      out[k * rows + r] = in[r * cols + k];
  return out;
}

static double now() {
  using clock = std::chrono::steady_clock;
  return std::chrono::duration<double>(clock::now().time_since_epoch()).count();
}

Stats measure(const Options &o, const std::function<void()> &fn) {
  double start = now();
  int warm = 0;
  while (warm < 2 || now() - start < o.warmupS) {
    fn();
    ++warm;
  }
  double single = (now() - start) / warm;
  int inner = std::max(1, int(std::ceil(o.minSampleS / std::max(single, 1e-9))));
  std::vector<double> per;
  double begin = now();
  for (int s = 0; s < o.samples; ++s) {
    double t0 = now();
    for (int i = 0; i < inner; ++i)
      fn();
    per.push_back((now() - t0) / inner);
    if (per.size() >= 3 && now() - begin > o.maxTotalS)
      break;
  }
  std::vector<double> sorted = per;
  std::sort(sorted.begin(), sorted.end());
  auto q = [&](double f) {
    double pos = f * (sorted.size() - 1);
    size_t lo = size_t(pos);
    size_t hi = std::min(lo + 1, sorted.size() - 1);
    return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
  };
  Stats st;
  st.median = q(0.5), st.p25 = q(0.25), st.p75 = q(0.75), st.min = sorted[0];
  st.samples = int(sorted.size()), st.inner = inner;
  st.perCall = per;
  return st;
}

void writeOutput(const Options &o, const float *y, size_t n) {
  if (o.out.empty())
    return;
  std::ofstream out(o.out, std::ios::binary);
  out.write(reinterpret_cast<const char *>(y), n * sizeof(float));
  if (!out)
    fail("cannot write " + o.out);
}

static std::string jsonEscape(const std::string &s) {
  std::string r;
  for (char ch : s) {
    if (ch == '"' || ch == '\\')
      r += '\\';
    if (ch == '\n') {
      r += "\\n";
      continue;
    }
    r += ch;
  }
  return r;
}

void reportOK(const Stats &s, const std::string &info) {
  std::string all;
  for (double t : s.perCall) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%s%.9g", all.empty() ? "" : ", ", t);
    all += buf;
  }
  std::printf("{\"status\": \"ok\", \"median_s\": %.9g, \"p25_s\": %.9g, "
              "\"p75_s\": %.9g, \"min_s\": %.9g, \"samples\": %d, "
              "\"inner\": %d, \"samples_s\": [%s], \"info\": \"%s\"}\n",
              s.median, s.p25, s.p75, s.min, s.samples, s.inner, all.c_str(),
              jsonEscape(info).c_str());
  std::fflush(stdout);
}

void reportNA(const std::string &reason) {
  std::printf("{\"status\": \"n/a\", \"reason\": \"%s\"}\n",
              jsonEscape(reason).c_str());
  std::fflush(stdout);
  std::exit(0);
}

} // namespace bench
