add_executable(matcher_test matcher_extractor_test.cc matcher_decoders_test.cc matcher_class_masks_test.cc
                            record_formats_test.cc)
target_link_libraries(matcher_test lw_matcher lw_test_main PkgConfig::ZLIB)
add_test(NAME matcher_test COMMAND matcher_test)
# The bundled sample leaks (ops/samples/leaks) serve as realistic input.
target_compile_definitions(matcher_test PRIVATE LW_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
