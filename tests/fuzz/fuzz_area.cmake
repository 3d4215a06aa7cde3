# certplane_add_fuzz_area(LIBS <library>... TARGETS <name>:<body>...)
# What a fuzz area (tests/fuzz/<area>/, named after its folder) builds from its
# parsers.cpp, corpus_test.cpp, fuzz_target.cpp and corpus/:
#   (a) <area>_fuzz_parsers, a static library of parsers.cpp linked with LIBS, and the
#       corpus test <area>_corpus_tests: every malformed input through every parser, as
#       a unit test (CI runs it under ASan and UBSan in the sanitizer build). It reads
#       the corpus through ../corpus.h, from CERTPLANE_FUZZ_CORPUS_DIR.
#   (b) in a clang build with CERTPLANE_BUILD_FUZZ=ON (run-fuzzers.sh makes one), one
#       libFuzzer binary fuzz_<area>_<name> per TARGETS entry, its entry point calling
#       the function <body> (CERTPLANE_FUZZ_BODY); the target <area>_fuzzers builds them
#       all, and fuzz-targets.txt in the area's build folder lists their names for
#       ../run-fuzzers.sh.
#   (c) the fuzz run itself, the ctest entry fuzz.<area> (label fuzz, so `ctest -L fuzz`):
#       <area>/run-fuzzers.sh, which configures and builds its own clang build
#       (build-fuzz/) and runs each target for 20 seconds over the corpus. Every area
#       builds in that one folder: a resource lock keeps two runs from building at once.
include_guard(GLOBAL)

function(certplane_add_fuzz_area)
  cmake_parse_arguments(F "" "" "LIBS;TARGETS" ${ARGN})
  get_filename_component(area ${CMAKE_CURRENT_SOURCE_DIR} NAME)
  set(parsers ${area}_fuzz_parsers)

  add_library(${parsers} STATIC parsers.cpp)
  target_link_libraries(${parsers} PUBLIC ${F_LIBS} PRIVATE certplane_warnings)
  target_include_directories(${parsers} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})

  certplane_add_test(NAME ${area}_corpus_tests TIER unit SOURCES corpus_test.cpp LIBS ${parsers})
  target_include_directories(${area}_corpus_tests PRIVATE ${CMAKE_CURRENT_FUNCTION_LIST_DIR})
  target_compile_definitions(${area}_corpus_tests PRIVATE CERTPLANE_FUZZ_CORPUS_DIR="${CMAKE_CURRENT_SOURCE_DIR}/corpus")

  if(CERTPLANE_BUILD_FUZZ)
    if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
      message(FATAL_ERROR "CERTPLANE_BUILD_FUZZ needs clang (libFuzzer); use tests/fuzz/${area}/run-fuzzers.sh")
    endif()
    target_compile_options(${parsers} PRIVATE -fsanitize=fuzzer-no-link)
    set(binaries)
    set(names)
    foreach(entry ${F_TARGETS})
      string(REPLACE ":" ";" parts ${entry})
      list(GET parts 0 name)
      list(GET parts 1 body)
      set(binary fuzz_${area}_${name})
      add_executable(${binary} fuzz_target.cpp)
      target_compile_definitions(${binary} PRIVATE CERTPLANE_FUZZ_BODY=${body})
      target_compile_options(${binary} PRIVATE -fsanitize=fuzzer,address,undefined)
      target_link_options(${binary} PRIVATE -fsanitize=fuzzer,address,undefined)
      target_link_libraries(${binary} PRIVATE ${parsers} certplane_warnings)
      list(APPEND binaries ${binary})
      string(APPEND names "${name}\n")
    endforeach()
    add_custom_target(${area}_fuzzers DEPENDS ${binaries})
    file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/fuzz-targets.txt "${names}")
  endif()

  add_test(NAME fuzz.${area} COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/run-fuzzers.sh 20)
  set_tests_properties(fuzz.${area} PROPERTIES LABELS fuzz TIMEOUT 1800 RESOURCE_LOCK certplane_fuzz_build)
endfunction()
