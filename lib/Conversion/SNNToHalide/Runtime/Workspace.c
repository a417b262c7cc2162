/*===- Workspace.c - Persistent scratch memory for compiled networks ------===*
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
