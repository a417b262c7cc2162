/* Calls a compiled network from four threads at once and checks that every
 * result equals a single-threaded one (each concurrent call must get its own
 * workspace; all but one run their parallel loops on Halide's pool while the
 * call that holds sparsec's pool runs them there), then counts the page faults of 200 further calls: with the
 * workspace cached between calls there should be almost none. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define SIZE_IN CAT(NET, _input_size)
#define SIZE_OUT CAT(NET, _output_size)

/* From the Halide runtime and sparsec's runtime in the network object. */
typedef int (*halide_task_t)(void *, int, unsigned char *);
typedef int (*halide_do_par_for_t)(void *, halide_task_t, int, int,
                                   unsigned char *);
halide_do_par_for_t halide_set_custom_do_par_for(halide_do_par_for_t);
int halide_default_do_par_for(void *, halide_task_t, int, int,
                              unsigned char *);
int sparsec_do_par_for(void *, halide_task_t, int, int, unsigned char *);

static float input[SIZE_IN], expected[SIZE_OUT];
static int mismatches;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void *worker(void *arg) {
  (void)arg;
  static __thread float out[SIZE_OUT];
  for (int i = 0; i < 50; ++i) {
    if (NET(input, out) != 0 || memcmp(out, expected, sizeof out) != 0) {
      pthread_mutex_lock(&lock);
      ++mismatches;
      pthread_mutex_unlock(&lock);
    }
  }
  return NULL;
}

static long faults(void) {
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return u.ru_minflt + u.ru_majflt;
}

int main(void) {
  for (int i = 0; i < SIZE_IN; ++i)
    input[i] = (float)((i * 37) % 101) / 50.0f - 1.0f;
  if (NET(input, expected) != 0)
    return 1;
  /* A network compiled for several threads installs sparsec's loop runner
   * on its first call. */
  halide_do_par_for_t runner =
      halide_set_custom_do_par_for(halide_default_do_par_for);
  halide_set_custom_do_par_for(runner);
  printf("parallel loops: %s\n",
         runner == sparsec_do_par_for ? "sparsec's pool" : "another runner");
  pthread_t t[4];
  for (int i = 0; i < 4; ++i)
    pthread_create(&t[i], NULL, worker, NULL);
  for (int i = 0; i < 4; ++i)
    pthread_join(t[i], NULL);
  printf("concurrent mismatches: %d\n", mismatches);
  static float out[SIZE_OUT];
  long before = faults();
  for (int i = 0; i < 200; ++i)
    NET(input, out);
  long extra = faults() - before;
  printf("page faults in 200 calls: %s\n", extra < 20 ? "few" : "many");
  if (extra >= 20)
    printf("(%ld)\n", extra);
  return 0;
}
