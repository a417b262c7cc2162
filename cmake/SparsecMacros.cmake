#===- SparsecMacros.cmake - Helpers for sparsec's own targets ------------===#

# sparsec_add_library(name src... [LINK lib...] [DEPENDS target...] [EH])
#
# A static library of sparsec code linked against the shared MLIR and LLVM
# libraries (never their static archives: a static llvm:: copy next to
# libHalide's LLVM 14 crashes at start-up). EH turns C++ exceptions on, which
# only the Halide-facing library needs.
function(sparsec_add_library name)
  cmake_parse_arguments(ARG "EH" "" "LINK;DEPENDS" ${ARGN})
  add_library(${name} STATIC ${ARG_UNPARSED_ARGUMENTS})
  target_link_libraries(${name} PUBLIC ${ARG_LINK} MLIR LLVM)
  if(ARG_DEPENDS)
    add_dependencies(${name} ${ARG_DEPENDS})
  endif()
  if(ARG_EH)
    target_compile_options(${name} PRIVATE -fexceptions)
  endif()
endfunction()
