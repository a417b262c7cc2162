//===- Random.h - Reproducible random numbers -------------------*- C++ -*-===//
//
// Part of sparsec's runtime. Training must give bit-identical weights for the
// same seed on every machine and whether or not it was interrupted, so the
// runtime uses its own generators (the standard library's distributions and
// std::shuffle differ between implementations) and derives every stream from
// (seed, purpose, counter) instead of carrying generator state along: data
// order, dropout masks and initialisation are pure functions of where the run
// is, so a resumed run needs no generator state from the checkpoint.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEC_RUNTIME_RANDOM_H
#define SPARSEC_RUNTIME_RANDOM_H

#include <cstdint>
#include <vector>

namespace sparsec::runtime {

/// SplitMix64's finaliser: a bijective 64-bit mix.
inline uint64_t mix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

/// A hash of several words, for counter-based streams.
inline uint64_t hashWords(uint64_t a, uint64_t b, uint64_t c = 0,
                          uint64_t d = 0) {
  return mix64(mix64(mix64(mix64(a) ^ b) ^ c) ^ d);
}

/// xoshiro256** seeded through SplitMix64.
class Rng {
public:
  explicit Rng(uint64_t seed) {
    for (uint64_t &w : s) {
      seed += 0x9E3779B97F4A7C15ull;
      uint64_t z = seed;
      z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
      z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
      w = z ^ (z >> 31);
    }
  }

  uint64_t next() {
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
  }

  /// Uniform in [0, 1) with 24 random bits: exactly representable.
  float uniform() { return float(next() >> 40) * (1.0f / 16777216.0f); }
  /// Uniform in [lo, hi).
  float uniform(float lo, float hi) { return lo + (hi - lo) * uniform(); }
  /// Uniform integer in [0, n), without modulo bias.
  uint64_t below(uint64_t n) {
    uint64_t limit = ~0ull - (~0ull % n);
    uint64_t x;
    do
      x = next();
    while (x >= limit);
    return x % n;
  }

private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s[4];
};

/// Fisher-Yates shuffle with `rng`: the same permutation everywhere.
template <typename T> void shuffle(std::vector<T> &v, Rng &rng) {
  for (size_t i = v.size(); i > 1; --i)
    std::swap(v[i - 1], v[rng.below(i)]);
}

/// Streams derived from a run's seed; each purpose gets its own.
enum class Stream : uint64_t {
  DataOrder = 1,
  Dropout = 2,
  Init = 3,
  Regrow = 4,
};

inline Rng streamRng(uint64_t seed, Stream purpose, uint64_t counter) {
  return Rng(hashWords(seed, static_cast<uint64_t>(purpose), counter));
}

} // namespace sparsec::runtime

#endif // SPARSEC_RUNTIME_RANDOM_H
