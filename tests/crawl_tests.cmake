# Crawler unit tests (HTML to text, URLs, the crawl of sources with a fake fetcher).
# Included from tests/CMakeLists.txt, so paths are relative to tests/.
add_executable(crawl_test html_text_test.cc crawl_test.cc crawl_kinds_test.cc feed_test.cc telegram_test.cc
                          source_health_test.cc)
target_link_libraries(crawl_test lw_crawler lw_watchlists lw_test_main)
# The saved real pages live beside the worktree, never in it; tests skip when absent.
target_compile_definitions(crawl_test PRIVATE LW_OPS_SOURCES_DIR="${CMAKE_SOURCE_DIR}/ops/sources"
                           LW_REAL_WORLD_DIR="${CMAKE_SOURCE_DIR}/../shared/real-world")
add_test(NAME crawl_test COMMAND crawl_test)

# End to end: the real binary against the fixture HTTP server on sample sites.
if(TARGET leakwatch-fixture-server)
  add_test(NAME e2e_crawl COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/e2e/crawl.sh)
  set_tests_properties(e2e_crawl PROPERTIES
    ENVIRONMENT "LW=$<TARGET_FILE:leakwatch>;FIXTURE_SERVER=$<TARGET_FILE:leakwatch-fixture-server>;LW_SAMPLES=${CMAKE_SOURCE_DIR}/ops/samples"
    TIMEOUT 300)
  add_test(NAME e2e_crawl_kinds COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/e2e/crawl_kinds.sh)
  set_tests_properties(e2e_crawl_kinds PROPERTIES
    ENVIRONMENT "LW=$<TARGET_FILE:leakwatch>;FIXTURE_SERVER=$<TARGET_FILE:leakwatch-fixture-server>"
    TIMEOUT 300)
endif()
