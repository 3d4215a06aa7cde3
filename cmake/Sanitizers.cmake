# ASan + UBSan for the whole build when CERTPLANE_SANITIZE is on. UBSan findings abort
# (-fno-sanitize-recover) so a test that triggers undefined behaviour fails instead of
# printing a line nobody reads.
if(CERTPLANE_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
