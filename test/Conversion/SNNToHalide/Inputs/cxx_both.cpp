// Two network headers in one translation unit share the C++ layer.
#include "other.h"
#include "small.h"

int main() {
  return static_cast<int>(sparsec::networks::small::input_size -
                          sparsec::networks::other::input_size);
}
