# CPACK_PROJECT_CONFIG_FILE: the package takes the version the binary was built with
# (written at build time by ops/packaging/version.cmake), not the one at configure time.
if(NOT EXISTS "${CPACK_LEAKWATCH_VERSION_FILE}")
  message(FATAL_ERROR "${CPACK_LEAKWATCH_VERSION_FILE} is missing: build leakwatch first")
endif()
include("${CPACK_LEAKWATCH_VERSION_FILE}")
set(CPACK_PACKAGE_VERSION "${LEAKWATCH_PACKAGE_VERSION}")
set(CPACK_DEBIAN_PACKAGE_VERSION "${LEAKWATCH_PACKAGE_VERSION}")
