# Installation and the Debian package (included by the top-level CMakeLists.txt).
#   cmake --install BUILD [--prefix /usr/local]   the binary, units, man page, completion, examples
#   ./ops/package                                 the same as a .deb (CPack), plus /etc/leakwatch
# What the package does when installed (user, directories, next steps) is in postinst here.
include(GNUInstallDirs)
set(lw_packaging ${CMAKE_SOURCE_DIR}/ops/packaging)

# leakwatch(1), made at build time from the binary's own --help (help2man), so that the
# page and the program cannot drift.
find_program(HELP2MAN help2man)
if(NOT HELP2MAN)
  message(FATAL_ERROR "help2man not found (it makes the man page from --help): "
                      "install the Debian package help2man (ops/setup does)")
endif()
set(lw_man ${CMAKE_BINARY_DIR}/man/leakwatch.1.gz)
add_custom_command(OUTPUT ${lw_man}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/man
  COMMAND bash ${lw_packaging}/man-page $<TARGET_FILE:leakwatch> ${lw_man}
  DEPENDS leakwatch ${lw_packaging}/man-page ${lw_packaging}/leakwatch.h2m
  COMMENT "Generating leakwatch.1 from leakwatch --help" VERBATIM)
add_custom_target(leakwatch-man ALL DEPENDS ${lw_man})

install(TARGETS leakwatch RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${lw_man} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${lw_packaging}/leakwatch.bash-completion
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME leakwatch)
install(FILES README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES ${lw_packaging}/config.toml DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)
install(DIRECTORY ops/sources/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples/sources)
# One [[alert]] per SIEM and the webhook signature verifiers.
install(DIRECTORY ops/alerts/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples/alerts USE_SOURCE_PERMISSIONS)

# The systemd units (lib/systemd/system) and the cron example (examples/leakwatch.cron):
# ops/systemd and ops/cron name /usr/local, where a default `cmake --install` puts the
# binary; at install time that becomes the prefix really used (/usr for the package).
install(CODE "set(LW_SOURCE_DIR \"${CMAKE_SOURCE_DIR}\")
              set(LW_STAGING_DIR \"${CMAKE_BINARY_DIR}/install-rewritten\")
              set(LW_DOCDIR \"${CMAKE_INSTALL_DOCDIR}\")")
install(SCRIPT ${lw_packaging}/install-units.cmake)

# The configuration, a conffile: only in the package (component "conffiles", not installed
# by a plain `cmake --install`, which must not write to /etc).
install(FILES ${lw_packaging}/config.toml DESTINATION /etc/leakwatch COMPONENT conffiles EXCLUDE_FROM_ALL)

# The Debian package. Its version is the one the binary was built with (cpack-version.cmake
# reads leakwatch-version.cmake, written at build time by ops/packaging/version.cmake).
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME leakwatch)
set(CPACK_PACKAGE_CONTACT "leakwatch maintainers <security@example.com>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "watch leaks, pastes and broker listings for the identifiers you protect")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "leakwatch tells a security team when the accounts it protects (Apple IDs, staff
emails, customer phone numbers) show up in a leak. It stores them only as keyed
hashes, crawls paste sites and broker listings, scans leaked dumps, and records
every exposure with where and when it was seen.
.
The package creates the leakwatch user, /var/lib/leakwatch and
/etc/leakwatch/config.toml, and installs a systemd timer, disabled until the
administrator has made the key (leakwatch init) and enabled it.")
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)          # Depends: from the libraries actually linked
set(CPACK_DEBIAN_PACKAGE_DEPENDS "passwd")      # useradd, in postinst
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "bash-completion")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${lw_packaging}/postinst ${lw_packaging}/prerm ${lw_packaging}/postrm ${lw_packaging}/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_GROUPING ALL_COMPONENTS_IN_ONE)
set(CPACK_COMPONENTS_ALL Unspecified conffiles)
set(CPACK_STRIP_FILES ON)
set(CPACK_LEAKWATCH_VERSION_FILE ${CMAKE_BINARY_DIR}/leakwatch-version.cmake)
set(CPACK_PROJECT_CONFIG_FILE ${lw_packaging}/cpack-version.cmake)
include(CPack)
