/*===- Workspace.c - Scratch memory and parallel loops of compiled networks ===*
 *
 * Part of sparsec. Compiled to LLVM 14 bitcode when sparsec is built and
 * linked into every network object (see Workspace.cpp). A network's
 * intermediate tensors live in one block that is kept between calls: freeing
 * and re-allocating them on every call made glibc hand the pages back to the
 * kernel and fault them in again, which cost more than the layers themselves.
 *
 * Each network object owns one pointer-sized slot. A call takes the cached
 * block out of the slot (or allocates one when another thread holds it) and
 * puts it back afterwards, so concurrent calls never share memory. No libc
 * headers: the same source builds for every target.
 *
 *===----------------------------------------------------------------------===*/

typedef __UINT64_TYPE__ uint64_t;
typedef __SIZE_TYPE__ size_t;

void *malloc(size_t size);
void free(void *ptr);

/* Returns a block of at least `bytes` bytes, 64-byte aligned, or 0. The
 * slot is a uint64_t; pointers are passed as void * to match the handles of
 * Halide IR. */
__attribute__((weak)) void *sparsec_workspace_acquire(void *slot,
                                                      uint64_t bytes) {
  void *cached =
      (void *)__atomic_exchange_n((uint64_t *)slot, 0, __ATOMIC_ACQUIRE);
  if (cached)
    return cached;
  /* malloc's own header precedes the block; keep the start of the original
   * allocation just below the aligned pointer. */
  char *raw = (char *)malloc(bytes + 64 + sizeof(void *));
  if (!raw)
    return 0;
  char *aligned = (char *)(((uint64_t)(raw + sizeof(void *)) + 63) & ~(uint64_t)63);
  ((void **)aligned)[-1] = raw;
  return aligned;
}

/* Puts the block back into the slot, or frees it if the slot is taken. */
__attribute__((weak)) int sparsec_workspace_release(void *slot, void *block) {
  uint64_t expected = 0;
  if (!__atomic_compare_exchange_n((uint64_t *)slot, &expected,
                                   (uint64_t)block, 0, __ATOMIC_RELEASE,
                                   __ATOMIC_RELAXED))
    free(((void **)block)[-1]);
  return 0;
}

/* The "free" of a tensor placed in the workspace: nothing to do. */
__attribute__((weak)) void sparsec_workspace_keep(void *user_context,
                                                  void *ptr) {
  (void)user_context;
  (void)ptr;
}

/*===- The parallel loop runtime ------------------------------------------===*
 *
 * Halide's default thread pool puts its workers to sleep on a condition
 * variable as soon as a parallel loop ends, so every later loop pays for
 * waking them. On a 2-core VM that cost ~0.1 ms per loop, more than most
 * layers of a pruned network take: a 1x1 convolution 512 -> 512 at 14x14,
 * 90 % pruned, ran in 280 us on one thread and on two. Networks compiled for
 * more than one thread install this loop runner instead (sparsec_parallel,
 * called by their entry points): its workers spin for 2 ms after a loop
 * before they sleep, so the loops of one network call, and of calls in quick
 * succession, find them awake.
 *
 * One loop runs on the pool at a time; a loop started while another runs
 * (from another application thread, or nested in a loop body) goes to
 * Halide's own pool. The pool's state is one weak symbol, shared by every
 * network object in the program.
 *
 * A loop is published by writing its fields and then making `generation`
 * odd; it is closed by making it even again. A worker joins by counting
 * itself in `active` and then checking that the generation is still the one
 * it saw; the caller closes the loop and then waits until `active` is zero
 * before it returns (both sides: an atomic write, then a read of the other's
 * variable, sequentially consistent), so no worker reads a loop's fields
 * after its caller has moved on.
 *
 *===----------------------------------------------------------------------===*/

typedef __UINT8_TYPE__ uint8_t;
typedef __INTPTR_TYPE__ intptr_t;

struct halide_mutex {
  void *opaque;
};
struct halide_cond {
  void *opaque;
};
struct halide_thread;
typedef int (*halide_task_t)(void *user_context, int task_number,
                             uint8_t *closure);
typedef int (*halide_do_par_for_t)(void *, halide_task_t, int, int, uint8_t *);
extern halide_do_par_for_t halide_set_custom_do_par_for(halide_do_par_for_t);
extern int halide_default_do_par_for(void *user_context, halide_task_t task,
                                     int min, int size, uint8_t *closure);
extern struct halide_thread *halide_spawn_thread(void (*f)(void *),
                                                 void *closure);
extern void halide_mutex_lock(struct halide_mutex *mutex);
extern void halide_mutex_unlock(struct halide_mutex *mutex);
extern void halide_cond_broadcast(struct halide_cond *cond);
extern void halide_cond_wait(struct halide_cond *cond,
                             struct halide_mutex *mutex);

struct timespec {
  long tv_sec;
  long tv_nsec;
};
int clock_gettime(int clock, struct timespec *ts);

#define SPARSEC_MAX_WORKERS 63
#define SPARSEC_SPIN_NS 2000000L
#define SEQ __ATOMIC_SEQ_CST

struct sparsec_pool {
  struct halide_mutex mutex; /* guards spawning and sleeping */
  struct halide_cond wake;
  int installed;             /* the loop runner is installed */
  int workers;               /* threads spawned */
  int threads;               /* threads a loop may use, the caller included */
  int busy;                  /* a loop owns the pool */
  int sleepers;
  uint64_t generation;       /* odd while a loop is open */
  int active;                /* workers inside the open loop */
  /* The open loop. */
  halide_task_t task;
  void *user_context;
  uint8_t *closure;
  int next, end, result;
};

__attribute__((weak)) struct sparsec_pool sparsec_pool_state;

static long sparsec_now_ns(void) {
  struct timespec ts;
  clock_gettime(1 /* CLOCK_MONOTONIC */, &ts);
  return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

static void sparsec_relax(void) {
#if defined(__x86_64__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

/* Runs iterations of the open loop until none is left, taking them in
 * runs of consecutive ones: a 1/(2 x threads) share of what is left, at
 * least one. Single iterations taken in turn by alternating threads made
 * neighbouring output rows share cache lines between cores, and the
 * counter bounce between them on every iteration: a sparse 1x1 layer whose
 * 512 rows took 0.5 us each ran slower on two threads than on one. */
static void sparsec_run_iterations(struct sparsec_pool *p) {
  int threads = __atomic_load_n(&p->threads, __ATOMIC_RELAXED);
  int i = __atomic_load_n(&p->next, __ATOMIC_RELAXED);
  for (;;) {
    int run;
    do {
      if (i >= p->end)
        return;
      run = (p->end - i) / (2 * threads);
      if (run < 1)
        run = 1;
    } while (!__atomic_compare_exchange_n(&p->next, &i, i + run, 0,
                                          __ATOMIC_RELAXED, __ATOMIC_RELAXED));
    for (int last = i + run; i < last; ++i) {
      int r = p->task(p->user_context, i, p->closure);
      if (r != 0) {
        int zero = 0;
        __atomic_compare_exchange_n(&p->result, &zero, r, 0, SEQ, SEQ);
      }
    }
    i = __atomic_load_n(&p->next, __ATOMIC_RELAXED);
  }
}

static void sparsec_worker(void *arg) {
  struct sparsec_pool *p = &sparsec_pool_state;
  int id = (int)(intptr_t)arg; /* 1, 2, ... : the caller is thread 0 */
  uint64_t seen = __atomic_load_n(&p->generation, SEQ) & ~(uint64_t)1;
  for (;;) {
    uint64_t g;
    long spin_start = sparsec_now_ns();
    int spins = 0;
    while (((g = __atomic_load_n(&p->generation, SEQ)) & 1) == 0 ||
           g == seen) {
      sparsec_relax();
      if (++spins % 64 != 0 || sparsec_now_ns() - spin_start < SPARSEC_SPIN_NS)
        continue;
      halide_mutex_lock(&p->mutex);
      __atomic_fetch_add(&p->sleepers, 1, SEQ);
      while (((g = __atomic_load_n(&p->generation, SEQ)) & 1) == 0 ||
             g == seen)
        halide_cond_wait(&p->wake, &p->mutex);
      __atomic_fetch_sub(&p->sleepers, 1, SEQ);
      halide_mutex_unlock(&p->mutex);
      break;
    }
    seen = g;
    if (id >= __atomic_load_n(&p->threads, SEQ))
      continue;
    __atomic_fetch_add(&p->active, 1, SEQ);
    if (__atomic_load_n(&p->generation, SEQ) == g)
      sparsec_run_iterations(p);
    __atomic_fetch_sub(&p->active, 1, SEQ);
  }
}

__attribute__((weak)) int sparsec_do_par_for(void *user_context,
                                             halide_task_t task, int min,
                                             int size, uint8_t *closure) {
  struct sparsec_pool *p = &sparsec_pool_state;
  int expected = 0;
  if (size <= 1 || __atomic_load_n(&p->workers, SEQ) == 0 ||
      !__atomic_compare_exchange_n(&p->busy, &expected, 1, 0, SEQ, SEQ))
    return halide_default_do_par_for(user_context, task, min, size, closure);
  p->task = task;
  p->user_context = user_context;
  p->closure = closure;
  p->end = min + size;
  p->result = 0;
  __atomic_store_n(&p->next, min, SEQ);
  uint64_t g = __atomic_load_n(&p->generation, SEQ) + 1; /* odd: open */
  __atomic_store_n(&p->generation, g, SEQ);
  if (__atomic_load_n(&p->sleepers, SEQ) > 0) {
    halide_mutex_lock(&p->mutex);
    halide_cond_broadcast(&p->wake);
    halide_mutex_unlock(&p->mutex);
  }
  sparsec_run_iterations(p);
  __atomic_store_n(&p->generation, g + 1, SEQ); /* even: closed */
  while (__atomic_load_n(&p->active, SEQ) != 0)
    sparsec_relax();
  int result = __atomic_load_n(&p->result, SEQ);
  __atomic_store_n(&p->busy, 0, SEQ);
  return result;
}

/* Called by a network's entry point before its pipeline when it was
 * compiled for `threads` > 1: spawns the missing workers and installs the
 * loop runner (once). */
__attribute__((weak)) int sparsec_parallel(int threads) {
  struct sparsec_pool *p = &sparsec_pool_state;
  if (threads > SPARSEC_MAX_WORKERS + 1)
    threads = SPARSEC_MAX_WORKERS + 1;
  if (__atomic_load_n(&p->workers, SEQ) + 1 >= threads &&
      __atomic_load_n(&p->threads, SEQ) == threads)
    return 0;
  halide_mutex_lock(&p->mutex);
  while (p->workers + 1 < threads) {
    ++p->workers;
    halide_spawn_thread(sparsec_worker, (void *)(intptr_t)p->workers);
  }
  __atomic_store_n(&p->threads, threads, SEQ);
  if (!p->installed) {
    p->installed = 1;
    halide_set_custom_do_par_for(sparsec_do_par_for);
  }
  halide_mutex_unlock(&p->mutex);
  return 0;
}
