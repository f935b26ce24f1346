# Driver of the package tests (tests/package/CMakeLists.txt registers one ctest per STEP):
#   install    cmake --install this build into PREFIX (a folder under the build tree), check the
#              files and run the installed grid-partition
#   cmake      configure, build and run consumer/ with find_package(libgrid) against PREFIX
#   pkgconfig  compile consumer/*.cpp with `pkg-config --cflags --libs libgrid`, then run it
cmake_minimum_required(VERSION 3.22)

function(run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    string(REPLACE ";" " " shown "${ARGN}")
    message(FATAL_ERROR "package: ${what} failed (exit ${rc}): ${shown}\n${out}\n${err}")
  endif()
  set(run_output "${out}" PARENT_SCOPE)
endfunction()

# The consumer prints one line for the plan and one for the error it provokes.
function(check_app_output out)
  message(STATUS "consumer output:\n${out}")
  foreach(expected
      "consumer: 6 transformers, [0-9]+ edges, 2 grids, loads 300 300, verify ok"
      "consumer: libgrid::Error 'option contradicts the inputs'")
    if(NOT out MATCHES "${expected}")
      message(FATAL_ERROR "package: the consumer's output lacks '${expected}'")
    endif()
  endforeach()
endfunction()

set(libdir "${PREFIX}/${LIBDIR}")
if(STEP STREQUAL "install")
  file(REMOVE_RECURSE "${PREFIX}")
  set(config_args "")
  if(CONFIG)
    set(config_args --config "${CONFIG}")
  endif()
  run("cmake --install (build every target first: a package test installs the whole build)"
    "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${PREFIX}" ${config_args})
  foreach(f include/libgrid/libgrid.hpp "${LIBDIR}/cmake/libgrid/libgridConfig.cmake"
      "${LIBDIR}/cmake/libgrid/libgridConfigVersion.cmake"
      "${LIBDIR}/cmake/libgrid/libgridTargets.cmake" "${LIBDIR}/pkgconfig/libgrid.pc"
      bin/grid-partition)
    if(NOT EXISTS "${PREFIX}/${f}")
      message(FATAL_ERROR "package: cmake --install did not install ${f}")
    endif()
  endforeach()
  file(GLOB private_headers "${PREFIX}/include/libgrid/*/*" "${PREFIX}/include/libgrid/*.h")
  if(private_headers)
    message(FATAL_ERROR "package: internal headers were installed: ${private_headers}")
  endif()
  # The installed CLI runs from the prefix (a shared libgrid is found through its RPATH).
  run("running the installed grid-partition" "${PREFIX}/bin/grid-partition" --version)
  if(NOT run_output MATCHES "grid-partition ${VERSION}")
    message(FATAL_ERROR "package: installed grid-partition --version printed '${run_output}'")
  endif()
  message(STATUS "installed into ${PREFIX}")

elseif(STEP STREQUAL "cmake")
  set(build "${WORK_DIR}/cmake-consumer")
  file(REMOVE_RECURSE "${build}")
  run("configuring the consumer project" "${CMAKE_COMMAND}" -S "${SOURCE_DIR}" -B "${build}"
    -G "${GENERATOR}" "-DCMAKE_CXX_COMPILER=${CXX}" "-DCMAKE_BUILD_TYPE=${BUILD_TYPE}"
    "-DCMAKE_PREFIX_PATH=${PREFIX}" "-DCMAKE_CXX_FLAGS=${EXTRA_FLAGS}"
    "-DCMAKE_EXE_LINKER_FLAGS=${EXTRA_FLAGS}")
  # find_package must have taken the tree installed above, not a libgrid elsewhere.
  file(STRINGS "${build}/CMakeCache.txt" found REGEX "^libgrid_DIR:")
  if(NOT found STREQUAL "libgrid_DIR:PATH=${libdir}/cmake/libgrid")
    message(FATAL_ERROR "package: find_package(libgrid) found '${found}', not ${libdir}/cmake/libgrid")
  endif()
  run("building the consumer project" "${CMAKE_COMMAND}" --build "${build}")
  run("running the consumer" "${build}/app")
  check_app_output("${run_output}")

elseif(STEP STREQUAL "pkgconfig")
  if(NOT PKG_CONFIG)
    message("SKIPPED: pkg-config not found (Debian package pkg-config)")
    return()
  endif()
  set(ENV{PKG_CONFIG_PATH} "${libdir}/pkgconfig")
  run("pkg-config --modversion libgrid" "${PKG_CONFIG}" --modversion libgrid)
  string(STRIP "${run_output}" version)
  if(NOT version STREQUAL VERSION)
    message(FATAL_ERROR "package: libgrid.pc says version '${version}', the project is ${VERSION}")
  endif()
  run("pkg-config --cflags --libs libgrid" "${PKG_CONFIG}" --cflags --libs libgrid)
  string(STRIP "${run_output}" flags)
  message(STATUS "pkg-config --cflags --libs libgrid: ${flags}")
  separate_arguments(flags UNIX_COMMAND "${flags}")
  separate_arguments(extra UNIX_COMMAND "${EXTRA_FLAGS}")
  file(MAKE_DIRECTORY "${WORK_DIR}")
  set(app "${WORK_DIR}/pkgconfig-app")
  file(REMOVE "${app}")
  run("compiling the consumer with pkg-config's flags" "${CXX}" -std=c++17 ${extra}
    "${SOURCE_DIR}/main.cpp" "${SOURCE_DIR}/summary.cpp" -o "${app}" ${flags}
    "-Wl,-rpath,${libdir}")
  run("running the pkg-config consumer" "${app}")
  check_app_output("${run_output}")

else()
  message(FATAL_ERROR "package: unknown STEP '${STEP}'")
endif()
