# certplane_warnings: an interface target every certplane target links to, so that
# warnings (and -Werror in CI) apply to our code and never to third-party headers.
add_library(certplane_warnings INTERFACE)
# -Wno-missing-field-initializers: options structs are filled with C++20 designated
# initializers ({.qps = 20, .burst = 30}) that rely on default member initializers for
# the rest; GCC's -Wextra flags every such use, which would forbid the idiom.
target_compile_options(certplane_warnings INTERFACE -Wall -Wextra -Wpedantic -Wno-missing-field-initializers)
if(CERTPLANE_WERROR)
  target_compile_options(certplane_warnings INTERFACE -Werror)
endif()
# Sanitizer instrumentation makes GCC 12's -Wmaybe-uninitialized report false
# positives inside the standard library (<regex>, <functional>); the release build,
# which CI also runs with -Werror, keeps the warning.
# (clang has no such warning and would refuse the option: the fuzzers build with it.)
if(CERTPLANE_SANITIZE AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  target_compile_options(certplane_warnings INTERFACE -Wno-maybe-uninitialized)
endif()
