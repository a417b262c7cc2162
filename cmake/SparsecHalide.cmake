#===- SparsecHalide.cmake - Import Debian's Halide 14 without its config -===#
#
# Debian's HalideConfig.cmake runs find_dependency(LLVM 14), which clashes
# with the LLVM 19 targets MLIR imports. Import libHalide14.so as a plain
# imported target instead; only lib/Conversion links it.
#
#===----------------------------------------------------------------------===#
find_path(HALIDE_INCLUDE_DIR Halide.h PATH_SUFFIXES halide14 REQUIRED)
find_library(HALIDE_LIBRARY NAMES Halide14 Halide REQUIRED)
if(NOT TARGET Sparsec::Halide)
  add_library(Sparsec::Halide SHARED IMPORTED GLOBAL)
  set_target_properties(Sparsec::Halide PROPERTIES
    IMPORTED_LOCATION "${HALIDE_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${HALIDE_INCLUDE_DIR}")
endif()
message(STATUS "Halide: ${HALIDE_LIBRARY} (headers in ${HALIDE_INCLUDE_DIR})")
