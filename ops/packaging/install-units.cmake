# Installs the systemd units and the cron example with /usr/local (what ops/systemd and
# ops/cron name) replaced by the install prefix in use. Run by `cmake --install` and CPack
# (ops/packaging/install.cmake sets LW_SOURCE_DIR, LW_STAGING_DIR and LW_DOCDIR first).
function(lw_install_rewritten source destination name)
  file(READ "${LW_SOURCE_DIR}/${source}" text)
  string(REPLACE "/usr/local/" "${CMAKE_INSTALL_PREFIX}/" text "${text}")
  file(WRITE "${LW_STAGING_DIR}/${name}" "${text}")
  file(INSTALL DESTINATION "${CMAKE_INSTALL_PREFIX}/${destination}" TYPE FILE FILES "${LW_STAGING_DIR}/${name}")
endfunction()

lw_install_rewritten(ops/systemd/leakwatch-crawl.service lib/systemd/system leakwatch-crawl.service)
lw_install_rewritten(ops/systemd/leakwatch-crawl.timer lib/systemd/system leakwatch-crawl.timer)
lw_install_rewritten(ops/cron/leakwatch ${LW_DOCDIR}/examples leakwatch.cron)
