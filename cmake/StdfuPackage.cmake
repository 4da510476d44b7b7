# How downstream projects find the installed libstdfu: a pkg-config file and
# a CMake package (find_package(stdfu) -> stdfu::stdfu).
include(CMakePackageConfigHelpers)

set(STDFU_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/stdfu)
install(EXPORT stdfuTargets NAMESPACE stdfu:: DESTINATION ${STDFU_CMAKE_DIR}
  FILE stdfuTargets.cmake)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/stdfuConfig.cmake.in
  ${PROJECT_BINARY_DIR}/stdfuConfig.cmake INSTALL_DESTINATION ${STDFU_CMAKE_DIR})
# 0.x: every minor release may change the API (the SONAME tracks the major).
write_basic_package_version_file(${PROJECT_BINARY_DIR}/stdfuConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/stdfuConfig.cmake
  ${PROJECT_BINARY_DIR}/stdfuConfigVersion.cmake DESTINATION ${STDFU_CMAKE_DIR})

# The .pc file is written at install time, with the prefix the install really
# uses (`cmake --install --prefix DIR` moves it; DESTDIR does not), so that
# /usr with a multiarch libdir, /usr/local and any other prefix all get paths
# that exist. An absolute CMAKE_INSTALL_LIBDIR/INCLUDEDIR is kept as given.
foreach(v PC_PREFIX PC_LIBDIR PC_INCLUDEDIR)
  set(${v} "@${v}@") # filled in at install time
endforeach()
configure_file(${PROJECT_SOURCE_DIR}/src/lib/stdfu.pc.in ${PROJECT_BINARY_DIR}/stdfu.pc.in @ONLY)
install(CODE "
  set(PC_PREFIX \"\${CMAKE_INSTALL_PREFIX}\")
  set(PC_LIBDIR \"${CMAKE_INSTALL_LIBDIR}\")
  set(PC_INCLUDEDIR \"${CMAKE_INSTALL_INCLUDEDIR}\")
  if(NOT IS_ABSOLUTE \"\${PC_LIBDIR}\")
    set(PC_LIBDIR \"\\\${prefix}/\${PC_LIBDIR}\")
  endif()
  if(NOT IS_ABSOLUTE \"\${PC_INCLUDEDIR}\")
    set(PC_INCLUDEDIR \"\\\${prefix}/\${PC_INCLUDEDIR}\")
  endif()
  configure_file(\"${PROJECT_BINARY_DIR}/stdfu.pc.in\" \"${PROJECT_BINARY_DIR}/stdfu.pc\" @ONLY)
")
install(FILES ${PROJECT_BINARY_DIR}/stdfu.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
