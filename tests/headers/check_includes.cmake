# Fails when a public header includes anything but the C++17 standard library or another
# libgrid header, naming the header, the line and the include (issue 4: no GDAL, GEOS or Boost
# types in the public API). Also fails when the umbrella header libgrid.hpp misses a header.
# Every *.hpp in the directory is checked at test time, so headers added later are covered.
#   cmake -DHEADER_DIR=<libgrid/include/libgrid> -P check_includes.cmake
cmake_minimum_required(VERSION 3.22)
if(NOT IS_DIRECTORY "${HEADER_DIR}")
  message(FATAL_ERROR "check_includes: HEADER_DIR '${HEADER_DIR}' is not a directory")
endif()
file(REAL_PATH "${HEADER_DIR}" HEADER_DIR)

set(std_headers
  algorithm any array atomic bitset cassert cctype cerrno cfenv cfloat charconv chrono cinttypes
  climits clocale cmath codecvt complex condition_variable csetjmp csignal cstdarg cstddef
  cstdint cstdio cstdlib cstring ctime cuchar cwchar cwctype deque exception execution
  filesystem forward_list fstream functional future initializer_list iomanip ios iosfwd
  iostream istream iterator limits list locale map memory memory_resource mutex new numeric
  optional ostream queue random ratio regex scoped_allocator set shared_mutex sstream stack
  stdexcept streambuf string string_view system_error thread tuple type_traits typeindex
  typeinfo unordered_map unordered_set utility valarray variant vector)

file(GLOB headers RELATIVE "${HEADER_DIR}" "${HEADER_DIR}/*.hpp")
list(SORT headers)
if(NOT headers)
  message(FATAL_ERROR "check_includes: no *.hpp in '${HEADER_DIR}'")
endif()
set(failures "")
set(included_by_umbrella "")
foreach(h IN LISTS headers)
  file(STRINGS "${HEADER_DIR}/${h}" lines)
  set(n 0)
  foreach(line IN LISTS lines)
    math(EXPR n "${n} + 1")
    if(NOT line MATCHES "^[ \t]*#[ \t]*include[ \t]*([<\"])([^>\"]*)[>\"]")
      continue()
    endif()
    set(open "${CMAKE_MATCH_1}")
    set(target "${CMAKE_MATCH_2}")
    if(open STREQUAL "<")
      set(shown "<${target}>")
    else()
      set(shown "\"${target}\"")
    endif()
    if(h STREQUAL "libgrid.hpp")
      list(APPEND included_by_umbrella "${target}")
    endif()
    if(open STREQUAL "<" AND target IN_LIST std_headers)
      continue()
    endif()
    if(target MATCHES "^libgrid/[a-z0-9_]+\\.hpp$")
      if(NOT EXISTS "${HEADER_DIR}/../${target}")
        string(APPEND failures "  ${h}:${n}: #include ${shown}: no such public header\n")
      endif()
      continue()
    endif()
    string(APPEND failures "  ${h}:${n}: #include ${shown}: neither a C++17 standard header nor a public libgrid header (<libgrid/...>)\n")
  endforeach()
endforeach()

foreach(h IN LISTS headers)
  if(NOT h STREQUAL "libgrid.hpp" AND NOT "libgrid/${h}" IN_LIST included_by_umbrella)
    string(APPEND failures "  libgrid.hpp: does not include <libgrid/${h}> (the umbrella header must include every public header)\n")
  endif()
endforeach()

list(LENGTH headers count)
if(failures)
  message(FATAL_ERROR "public header check failed (${count} headers in ${HEADER_DIR}):\n${failures}")
endif()
message(STATUS "${count} public headers include only the standard library and libgrid headers")
