/* consumer: classifies 28x28 images (784 raw floats each) with the LeNet-5
 * that sparsec_add_network compiled, using only the generated C header. */
#include "lenet5_net.h"

#include <stdio.h>

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s image.f32 [image.f32 ...]\n", argv[0]);
    return 2;
  }
  for (int i = 1; i < argc; ++i) {
    float image[lenet5_input_size], scores[lenet5_output_size];
    FILE *f = fopen(argv[i], "rb");
    if (!f) {
      fprintf(stderr, "%s: cannot open\n", argv[i]);
      return 2;
    }
    size_t got = fread(image, sizeof(float), lenet5_input_size, f);
    int extra = fgetc(f) != EOF;
    fclose(f);
    if (got != lenet5_input_size || extra) {
      fprintf(stderr, "%s: expected %d floats\n", argv[i], lenet5_input_size);
      return 2;
    }
    int err = lenet5(image, scores);
    if (err != 0) {
      fprintf(stderr, "lenet5 returned error %d\n", err);
      return 1;
    }
    int best = 0;
    printf("%s:", argv[i]);
    for (int c = 0; c < lenet5_output_size; ++c) {
      printf(" %g", scores[c]);
      if (scores[c] > scores[best])
        best = c;
    }
    printf("\nclass %d\n", best);
  }
  return 0;
}
