#===- SparsecInstall.cmake - cmake --install and the CMake package --------===#
#
# `cmake --install build --prefix P` puts
#   P/bin/sparsec                                  the compiler
#   P/lib/libsparsec_runtime.a, P/include/sparsec/runtime/*.h   the runtime
#   P/lib/cmake/Sparsec/                            find_package(Sparsec)
# The compiler keeps the run path of Debian's LLVM/MLIR 19 libraries.
#
#===----------------------------------------------------------------------===#
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set_target_properties(sparsec PROPERTIES INSTALL_RPATH "${LLVM_LIBRARY_DIR}")
install(TARGETS sparsec RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

set_target_properties(sparsec_runtime PROPERTIES EXPORT_NAME runtime)
target_include_directories(sparsec_runtime PUBLIC
  $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
install(TARGETS sparsec_runtime EXPORT SparsecRuntimeTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/runtime/include/
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

set(SPARSEC_PACKAGE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/Sparsec)
install(EXPORT SparsecRuntimeTargets NAMESPACE Sparsec::
  DESTINATION ${SPARSEC_PACKAGE_DIR})
# The runtime reads .gz data through zlib when the build found it.
if(ZLIB_FOUND)
  set(SPARSEC_RUNTIME_DEPENDENCIES "find_dependency(ZLIB)")
endif()
configure_package_config_file(
  ${PROJECT_SOURCE_DIR}/cmake/package/SparsecConfig.cmake.in
  ${PROJECT_BINARY_DIR}/cmake/SparsecConfig.cmake
  INSTALL_DESTINATION ${SPARSEC_PACKAGE_DIR}
  PATH_VARS CMAKE_INSTALL_BINDIR)
write_basic_package_version_file(
  ${PROJECT_BINARY_DIR}/cmake/SparsecConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES
  ${PROJECT_BINARY_DIR}/cmake/SparsecConfig.cmake
  ${PROJECT_BINARY_DIR}/cmake/SparsecConfigVersion.cmake
  ${PROJECT_SOURCE_DIR}/cmake/package/SparsecAddNetwork.cmake
  DESTINATION ${SPARSEC_PACKAGE_DIR})
