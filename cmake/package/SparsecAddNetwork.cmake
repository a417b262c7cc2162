#===- SparsecAddNetwork.cmake - sparsec_add_network() ---------------------===#
#
# Part of sparsec's CMake package (find_package(Sparsec)). What
# add_halide_library is to Halide:
#
#   sparsec_add_network(<target> SOURCE net.mlir
#                       [TARGET host|x86-64-avx2|x86-64-avx512|arm64-neon]
#                       [FUNCTION <name>] [THREADS <n>] [TRAIN])
#
# runs `sparsec compile` at build time (again whenever net.mlir or sparsec
# changes) and defines the static library <target>, whose interface carries
# the generated header (<target>.h) on its include path and the system
# libraries the object needs (pthread, dl, m). Link it and include the header.
# With TRAIN it is the training step instead (`sparsec compile --train`:
# <name>_train_step, _train_forward and _train_init on Halide buffers, with
# Halide's headers on the include path); apps fine-tune with it and
# Sparsec::runtime.
#
#===----------------------------------------------------------------------===#
include_guard(GLOBAL)

function(sparsec_add_network target)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "TRAIN" "SOURCE;TARGET;FUNCTION;THREADS" "")
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "sparsec_add_network(${target}): unknown arguments:\n  ${ARG_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT ARG_SOURCE)
    message(FATAL_ERROR "sparsec_add_network(${target}): SOURCE <net.mlir> is required")
  endif()
  if(NOT ARG_TARGET)
    set(ARG_TARGET host)
  endif()
  set(known host x86-64-avx2 x86-64-avx512 arm64-neon)
  if(NOT ARG_TARGET IN_LIST known)
    # Each list or path goes on an indented line of its own, which CMake prints
    # as it is instead of wrapping it at 80 columns.
    message(FATAL_ERROR "sparsec_add_network(${target}): TARGET ${ARG_TARGET} is not one of:\n  ${known}")
  endif()
  get_filename_component(source "${ARG_SOURCE}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  if(NOT EXISTS "${source}")
    message(FATAL_ERROR "sparsec_add_network(${target}): SOURCE does not exist:\n  ${source}")
  endif()

  set(dir "${CMAKE_CURRENT_BINARY_DIR}/${target}.sparsec")
  set(obj "${dir}/${target}.o")
  set(header "${dir}/${target}.h")
  set(args compile "${source}" -o "${obj}" "--target=${ARG_TARGET}")
  if(ARG_FUNCTION)
    list(APPEND args "--function=${ARG_FUNCTION}")
  endif()
  if(ARG_THREADS)
    list(APPEND args "--threads=${ARG_THREADS}")
  endif()
  set(what "${ARG_TARGET}")
  if(ARG_TRAIN)
    list(APPEND args --train)
    set(what "${ARG_TARGET}, training step")
  endif()
  file(MAKE_DIRECTORY "${dir}")
  add_custom_command(
    OUTPUT "${obj}" "${header}"
    COMMAND Sparsec::sparsec ${args}
    DEPENDS "${source}" Sparsec::sparsec
    COMMENT "sparsec compile ${ARG_SOURCE} (${what})"
    VERBATIM)
  set_source_files_properties("${obj}" PROPERTIES EXTERNAL_OBJECT TRUE GENERATED TRUE)
  add_library(${target} STATIC "${obj}" "${header}")
  set_target_properties(${target} PROPERTIES LINKER_LANGUAGE C)
  target_include_directories(${target} INTERFACE "${dir}")
  if(ARG_TRAIN AND SPARSEC_HALIDE_INCLUDE_DIR)
    # The training step's entry points take Halide buffers (HalideBuffer.h).
    target_include_directories(${target} INTERFACE "${SPARSEC_HALIDE_INCLUDE_DIR}")
  endif()
  find_package(Threads REQUIRED)
  target_link_libraries(${target} INTERFACE Threads::Threads ${CMAKE_DL_LIBS} m)
endfunction()
