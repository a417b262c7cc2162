// load_fma.c - how many vector multiply-adds per nanosecond one core
// sustains with register operands and with one L1-resident load each (the
// inner loop of a sparse row kernel: one input vector per stored weight),
// for 256-bit (AVX2) and 512-bit (AVX-512) vectors. Not part of the tests.
//
//   cc -O2 bench/micro/load_fma.c -o load_fma && taskset -c 0 ./load_fma
//
// Numbers are per nanosecond (no clock assumption); bytes/ns of the loads
// show whether wider loads buy more bandwidth. The AVX-512 half is skipped
// on CPUs without AVX-512F.
#include <immintrin.h>
#include <stdio.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

// 16 KiB of input, well inside L1; each iteration reads 12 consecutive
// vectors at a new offset, like one stored weight over a tile of 12 vectors.
static float in[4096] __attribute__((aligned(64)));
static volatile float sink;

#define N_ITER 50000000L
#define ACC 12

__attribute__((target("avx2,fma"), noinline)) static double fma256(int load) {
  __m256 a[ACC], w = _mm256_set1_ps(0.999f), c = _mm256_set1_ps(1e-3f);
  for (int k = 0; k < ACC; ++k)
    a[k] = _mm256_set1_ps((float)k);
  double t = now();
  for (long i = 0; i < N_ITER; ++i) {
    const float *p = in + ((i * 8 * ACC) & 4095);
    if (load) {
#pragma GCC unroll 12
      for (int k = 0; k < ACC; ++k)
        a[k] = _mm256_fmadd_ps(w, _mm256_load_ps(p + 8 * k), a[k]);
    } else {
#pragma GCC unroll 12
      for (int k = 0; k < ACC; ++k)
        a[k] = _mm256_fmadd_ps(a[k], w, c);
    }
  }
  t = now() - t;
  __m256 s = a[0];
  for (int k = 1; k < ACC; ++k)
    s = _mm256_add_ps(s, a[k]);
  float o[8];
  _mm256_storeu_ps(o, s);
  sink = o[0];
  return t;
}

__attribute__((target("avx512f"), noinline)) static double fma512(int load) {
  __m512 a[ACC], w = _mm512_set1_ps(0.999f), c = _mm512_set1_ps(1e-3f);
  for (int k = 0; k < ACC; ++k)
    a[k] = _mm512_set1_ps((float)k);
  double t = now();
  for (long i = 0; i < N_ITER; ++i) {
    const float *p = in + ((i * 16 * ACC) & 4095);
    if (load) {
#pragma GCC unroll 12
      for (int k = 0; k < ACC; ++k)
        a[k] = _mm512_fmadd_ps(w, _mm512_load_ps(p + 16 * k), a[k]);
    } else {
#pragma GCC unroll 12
      for (int k = 0; k < ACC; ++k)
        a[k] = _mm512_fmadd_ps(a[k], w, c);
    }
  }
  t = now() - t;
  __m512 s = a[0];
  for (int k = 1; k < ACC; ++k)
    s = _mm512_add_ps(s, a[k]);
  sink = _mm512_reduce_add_ps(s);
  return t;
}

static void report(const char *what, int bytes, double t, int load) {
  double perNs = (double)N_ITER * ACC / t / 1e9;
  if (load)
    printf("%-28s %5.2f per ns, loads %5.1f bytes/ns\n", what, perNs,
           perNs * bytes);
  else
    printf("%-28s %5.2f per ns\n", what, perNs);
}

int main(void) {
  for (int i = 0; i < 4096; ++i)
    in[i] = 1.0f / (1 + i % 7);
  report("256-bit FMA, registers", 32, fma256(0), 0);
  report("256-bit FMA + L1 load", 32, fma256(1), 1);
  __builtin_cpu_init();
  if (!__builtin_cpu_supports("avx512f")) {
    printf("no AVX-512F: 512-bit rows skipped\n");
    return 0;
  }
  report("512-bit FMA, registers", 64, fma512(0), 0);
  report("512-bit FMA + L1 load", 64, fma512(1), 1);
  return 0;
}
