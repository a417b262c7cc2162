/* Runs a network compiled by `sparsec compile` on raw f32 files.
 *
 *   cc -DNET=lenet5 -include lenet5.h harness.c lenet5.o -lpthread -ldl -lm
 *   ./a.out input.f32 output.f32 [repeats]
 *
 * Exits 2 on a file of the wrong size, 3 when the network returns an
 * error, printing the code, and 4 when it wrote outside its output buffer
 * (the 64 floats before and after it are checked) or into its input. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GUARD 64
#define CANARY -12345.625f

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s input.f32 output.f32 [repeats]\n", argv[0]);
    return 2;
  }
  size_t nin = CAT(NET, _input_size), nout = CAT(NET, _output_size);
  float *in = malloc(nin * sizeof(float)), *copy = malloc(nin * sizeof(float));
  float *block = malloc((nout + 2 * GUARD) * sizeof(float)), *out = block + GUARD;
  for (size_t i = 0; i < nout + 2 * GUARD; ++i)
    block[i] = CANARY;
  FILE *f = fopen(argv[1], "rb");
  if (!f || fread(in, sizeof(float), nin, f) != nin || fgetc(f) != EOF) {
    fprintf(stderr, "%s: cannot read %zu floats\n", argv[1], nin);
    return 2;
  }
  fclose(f);
  memcpy(copy, in, nin * sizeof(float));
  int repeats = argc > 3 ? atoi(argv[3]) : 1;
  for (int i = 0; i < repeats; ++i) {
    int r = NET(in, out);
    if (r != 0) {
      fprintf(stderr, "network returned %d\n", r);
      return 3;
    }
  }
  for (size_t i = 0; i < GUARD; ++i)
    if (block[i] != CANARY || out[nout + i] != CANARY) {
      fprintf(stderr, "the network wrote outside its output buffer (%s it)\n",
              block[i] != CANARY ? "before" : "after");
      return 4;
    }
  if (memcmp(copy, in, nin * sizeof(float)) != 0) {
    fprintf(stderr, "the network changed its input buffer\n");
    return 4;
  }
  f = fopen(argv[2], "wb");
  if (!f || fwrite(out, sizeof(float), nout, f) != nout) {
    fprintf(stderr, "%s: cannot write\n", argv[2]);
    return 2;
  }
  fclose(f);
  return 0;
}
