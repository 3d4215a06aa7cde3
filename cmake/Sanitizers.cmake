# ASan + UBSan for the whole build when CERTPLANE_SANITIZE is on. UBSan findings abort
# (-fno-sanitize-recover) so a test that triggers undefined behaviour fails instead of
# printing a line nobody reads.
#
# UBSan's vptr check is off: it misfires inside cpprestsdk's stream-buffer templates
# wherever they are instantiated (the base class's type_info in libcpprest.so is not
# the one our objects carry, so every virtual call "does not point to an object of type
# basic_streambuf"), and any file including cpprestsdk headers can instantiate them.
# Every other UBSan check stays on.
if(CERTPLANE_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize=vptr -fno-sanitize-recover=all
                      -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
  # -O1, as the sanitizers' documentation advises, after the build type's -O2: with the
  # instrumentation it halves the compile (certificate_reconciler.cpp: 28 s -> 14 s with
  # -g1), which made this build the longest step of a cold CI run, and the tests under
  # it stay quick.
  add_compile_options(-O1)
endif()
