/* classify: runs the LeNet-5 network compiled by `sparsec compile` on 28x28
 * images (raw little-endian f32 files, 784 values each) and prints the ten
 * class scores, the predicted class and the median latency.
 *
 *   classify image.f32 [image.f32 ...]
 *
 * It links only the object sparsec wrote (with the Halide runtime inside),
 * libpthread, libdl and libm. */
#include "lenet5.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int by_value(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s image.f32 [image.f32 ...]\n", argv[0]);
    return 2;
  }
  static float image[lenet5_input_size], scores[lenet5_output_size];
  for (int i = 1; i < argc; ++i) {
    FILE *f = fopen(argv[i], "rb");
    size_t got = f ? fread(image, sizeof(float), lenet5_input_size, f) : 0;
    int extra = f ? fgetc(f) : EOF;
    if (f)
      fclose(f);
    if (got != lenet5_input_size || extra != EOF) {
      fprintf(stderr, "%s: expected %d floats (a 28x28 image)\n", argv[i],
              lenet5_input_size);
      return 2;
    }
    enum { runs = 101 };
    double times[runs];
    for (int r = 0; r < runs; ++r) {
      double t0 = now_us();
      int err = lenet5(image, scores);
      times[r] = now_us() - t0;
      if (err != 0) {
        fprintf(stderr, "lenet5 returned error %d\n", err);
        return 1;
      }
    }
    qsort(times, runs, sizeof times[0], by_value);
    int best = 0;
    printf("%s:", argv[i]);
    for (int c = 0; c < lenet5_output_size; ++c) {
      printf(" %.6g", scores[c]);
      if (scores[c] > scores[best])
        best = c;
    }
    printf("\n  class %d, median latency %.1f us over %d runs\n", best,
           times[runs / 2], runs);
  }
  return 0;
}
