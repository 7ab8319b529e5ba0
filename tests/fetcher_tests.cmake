# The fetcher's tests and the fixture HTTP server they run against. include()d from
# tests/CMakeLists.txt, so paths are relative to this file's folder.
add_subdirectory(${CMAKE_CURRENT_LIST_DIR}/fixture_server ${CMAKE_CURRENT_BINARY_DIR}/fixture_server)

add_executable(address_guard_test ${CMAKE_CURRENT_LIST_DIR}/address_guard_test.cc)
target_link_libraries(address_guard_test lw_crawler lw_test_main)
add_test(NAME address_guard_test COMMAND address_guard_test)

add_executable(robots_test ${CMAKE_CURRENT_LIST_DIR}/robots_test.cc)
target_link_libraries(robots_test lw_crawler lw_test_main)
add_test(NAME robots_test COMMAND robots_test)

add_executable(curl_fetcher_test ${CMAKE_CURRENT_LIST_DIR}/curl_fetcher_test.cc)
target_link_libraries(curl_fetcher_test lw_crawler lw_fixture_server lw_test_main)
add_test(NAME curl_fetcher_test COMMAND curl_fetcher_test)
set_tests_properties(curl_fetcher_test PROPERTIES TIMEOUT 120)
