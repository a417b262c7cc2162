// find-data DIR: where the runtime finds the MNIST-named test images in DIR.
#include <sparsec/runtime/Data.h>

#include <cstdio>

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  std::string path =
      sparsec::runtime::findDataFile(argv[1], "t10k-images-idx3-ubyte");
  if (path.empty()) {
    std::fprintf(stderr, "%s: no t10k-images-idx3-ubyte[.gz]\n", argv[1]);
    return 1;
  }
  std::printf("%s\n", path.c_str());
  return 0;
}
