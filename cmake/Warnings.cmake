# certplane_warnings: an interface target every certplane target links to, so that
# warnings (and -Werror in CI) apply to our code and never to third-party headers.
add_library(certplane_warnings INTERFACE)
target_compile_options(certplane_warnings INTERFACE -Wall -Wextra -Wpedantic)
if(CERTPLANE_WERROR)
  target_compile_options(certplane_warnings INTERFACE -Werror)
endif()
