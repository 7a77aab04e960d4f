# Installing raftsim and packaging it as a Debian package.
#
#   cmake --install build --prefix /usr/local     bin/raftsim, share/raftsim/scenarios (the shipped
#                                                  scenarios, their README and JSON schema),
#                                                  share/doc/raftsim (README and docs/)
#   (cd build && cpack -G DEB)                     raftsim_VERSION_ARCH.deb, installing under /usr
#
# The package's Depends are the Debian packages of the shared libraries the binary links
# (libgrpc++, libprotobuf, libyaml-cpp, libfmt, ...), found by dpkg-shlibdeps from dpkg-dev.
include(GNUInstallDirs)

# Installing and packaging take what is built; they do not first build every test and benchmark
# (build the raftsim target, then install or cpack).
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY TRUE)

install(DIRECTORY scenarios/ DESTINATION ${CMAKE_INSTALL_DATADIR}/raftsim/scenarios)
install(FILES README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR})

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME raftsim)
set(CPACK_PACKAGE_VENDOR raftsim)
set(CPACK_PACKAGE_CONTACT "raftsim maintainers <raftsim@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Raft consensus fault-injection simulator")
set(CPACK_PACKAGE_DESCRIPTION
    "Runs Raft nodes in a deterministic simulated world (or as real processes), injects faults\n\
and checks Raft's safety properties, linearizability, durability and liveness.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)  # the debug info is for developers' builds, not for users' disks
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
include(CPack)
