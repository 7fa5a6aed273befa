#!/bin/sh
# Generate ./configure from configure.ac (needs autoconf, automake, libtool,
# autoconf-archive: ci/install-deps installs them).
set -e
cd "$(dirname "$0")"
autoreconf --install --force
