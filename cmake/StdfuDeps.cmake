# Dependencies that only some parts need. A missing one stops configure with
# the Debian package that provides it and the switch that drops the part.

# stdfu_require_module(PREFIX MODULE... PACKAGE deb SWITCH -DX=OFF)
macro(stdfu_require_module prefix)
  cmake_parse_arguments(_R "" "PACKAGE;SWITCH" "MODULES" ${ARGN})
  pkg_check_modules(${prefix} QUIET IMPORTED_TARGET ${_R_MODULES})
  if(NOT ${prefix}_FOUND)
    message(FATAL_ERROR "pkg-config module(s) ${_R_MODULES} not found. Install ${_R_PACKAGE} "
      "(bash .ci/deps installs everything), or configure with ${_R_SWITCH}.")
  endif()
endmacro()

# stdfu_require_program(VAR NAME PACKAGE deb SWITCH -DX=OFF [PATHS dir...])
# Caches VAR like find_program, so later find_program(VAR ...) calls reuse it.
function(stdfu_require_program var name)
  cmake_parse_arguments(_R "" "PACKAGE;SWITCH" "PATHS" ${ARGN})
  if(_R_PATHS)
    find_program(${var} ${name} PATHS ${_R_PATHS} NO_DEFAULT_PATH)
  else()
    find_program(${var} ${name})
  endif()
  if(NOT ${var})
    message(FATAL_ERROR "${name} not found. Install ${_R_PACKAGE} (bash .ci/deps installs "
      "everything), or configure with ${_R_SWITCH}.")
  endif()
endfunction()
