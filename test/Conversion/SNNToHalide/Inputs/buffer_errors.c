/* Calls a compiled network's entry points with good and bad arguments and
 * prints what each returns: every bad buffer must give an error code, never
 * a crash. */
#include <HalideRuntime.h>
#include <stdio.h>
#include <string.h>

#include "small.h"

static float in[small_input_size], out[small_output_size];

static void dense(halide_dimension_t *dims, const int *shape, int rank) {
  int stride = 1;
  for (int d = 0; d < rank; ++d) {
    dims[d].min = 0;
    dims[d].extent = shape[rank - 1 - d];
    dims[d].stride = stride;
    dims[d].flags = 0;
    stride *= dims[d].extent;
  }
}

static struct halide_type_t f32type(void) {
  struct halide_type_t t = {halide_type_float, 32, 1};
  return t;
}

static int call(halide_dimension_t *din, int rin, float *hin,
                struct halide_type_t tin) {
  halide_dimension_t dout[2];
  int oshape[2] = {small_output_dim0, small_output_dim1};
  dense(dout, oshape, 2);
  halide_buffer_t bi, bo;
  memset(&bi, 0, sizeof bi);
  memset(&bo, 0, sizeof bo);
  bi.host = (uint8_t *)hin;
  bi.type = tin;
  bi.dimensions = rin;
  bi.dim = din;
  bo.host = (uint8_t *)out;
  bo.type = f32type();
  bo.dimensions = 2;
  bo.dim = dout;
  return small_buffer(&bi, &bo);
}

int main(void) {
  for (int i = 0; i < small_input_size; ++i)
    in[i] = 1.0f;
  struct halide_type_t f32 = {halide_type_float, 32, 1};
  int shape[4] = {small_input_dim0, small_input_dim1, small_input_dim2,
                  small_input_dim3};
  halide_dimension_t d[4];

  int r = small(in, out);
  printf("raw: %d out[0]=%g out[13]=%g\n", r, out[0], out[13]);
  printf("raw null input: %d\n", small(NULL, out));
  printf("raw null output: %d\n", small(in, NULL));
  dense(d, shape, 4);
  out[0] = 0;
  r = call(d, 4, in, f32);
  printf("buffer: %d out[0]=%g\n", r, out[0]);
  printf("null buffer: %d\n", small_buffer(NULL, NULL));
  printf("rank 3: %d\n", call(d, 3, in, f32));
  struct halide_type_t i32 = {halide_type_int, 32, 1};
  printf("int32: %d\n", call(d, 4, in, i32));
  printf("null host: %d\n", call(d, 4, NULL, f32));
  d[2].extent = 4;
  printf("extent: %d\n", call(d, 4, in, f32));
  dense(d, shape, 4);
  d[0].min = 1;
  printf("min: %d\n", call(d, 4, in, f32));
  dense(d, shape, 4);
  d[1].stride = 6;
  printf("stride: %d\n", call(d, 4, in, f32));
  return 0;
}
