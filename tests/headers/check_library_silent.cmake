# Fails when libgrid's own code prints or ends the process (issue 4: the library never prints
# or exits; progress and problems reach the caller through callbacks, reports and exceptions).
# Checks every .cpp/.hpp under SOURCE_DIR (libgrid/src and the public headers) at test time;
# // comments are ignored.
#   cmake -DSOURCE_DIR=<libgrid> -P check_library_silent.cmake
cmake_minimum_required(VERSION 3.22)
file(GLOB_RECURSE sources "${SOURCE_DIR}/*.cpp" "${SOURCE_DIR}/*.hpp")
if(NOT sources)
  message(FATAL_ERROR "check_library_silent: no sources under '${SOURCE_DIR}'")
endif()
set(forbidden
  "std::(cout|cerr|clog|wcout|wcerr)"
  "fmt::v?print"
  "(^|[^A-Za-z0-9_])(printf|fprintf|vprintf|vfprintf|puts|fputs|putchar|perror)[ \t]*\\("
  "(^|[^A-Za-z0-9_.>])(exit|_Exit|quick_exit|abort|terminate)[ \t]*\\(")
set(failures "")
foreach(f IN LISTS sources)
  file(STRINGS "${f}" lines)
  file(RELATIVE_PATH shown "${SOURCE_DIR}" "${f}")
  set(n 0)
  foreach(line IN LISTS lines)
    math(EXPR n "${n} + 1")
    string(REGEX REPLACE "//.*$" "" code "${line}")
    foreach(pattern IN LISTS forbidden)
      if(code MATCHES "${pattern}")
        string(STRIP "${line}" line)
        string(APPEND failures "  ${shown}:${n}: ${line}\n")
        break()
      endif()
    endforeach()
  endforeach()
endforeach()
list(LENGTH sources count)
if(failures)
  message(FATAL_ERROR "libgrid prints or exits (report through ProgressFn, a report or libgrid::Error instead):\n${failures}")
endif()
message(STATUS "${count} libgrid sources neither print nor exit")
