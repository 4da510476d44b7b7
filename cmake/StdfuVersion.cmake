# The version lives once, in include/stdfu/version.h; the project, the SONAME,
# the pkg-config file and the CMake package all take it from there.
function(stdfu_read_version header out)
  file(STRINGS ${header} lines REGEX "^#define STDFU_VERSION_(MAJOR|MINOR|PATCH|STRING) ")
  foreach(part MAJOR MINOR PATCH STRING)
    string(REGEX MATCH "#define STDFU_VERSION_${part} +([^;]+)" _ "${lines}")
    string(STRIP "${CMAKE_MATCH_1}" v_${part})
    string(REPLACE "\"" "" v_${part} "${v_${part}}")
  endforeach()
  set(v "${v_MAJOR}.${v_MINOR}.${v_PATCH}")
  if(NOT v MATCHES "^[0-9]+\\.[0-9]+\\.[0-9]+$" OR NOT v STREQUAL v_STRING)
    message(FATAL_ERROR "${header}: STDFU_VERSION_STRING \"${v_STRING}\" does not match "
      "MAJOR.MINOR.PATCH (${v})")
  endif()
  set(${out} ${v} PARENT_SCOPE)
endfunction()
