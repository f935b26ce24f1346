# Warnings and sanitizers as interface targets, applied to libgrid's own targets only
# (never through the global CMAKE_CXX_FLAGS). Not exported.
add_library(libgrid_warnings INTERFACE)
target_compile_options(libgrid_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wno-sign-conversion
  $<$<BOOL:${LIBGRID_WERROR}>:-Werror>)
add_library(libgrid_sanitize INTERFACE)
if(LIBGRID_SANITIZE)
  target_compile_options(libgrid_sanitize INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(libgrid_sanitize INTERFACE -fsanitize=address,undefined)
endif()
