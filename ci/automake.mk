EXTRA_DIST += ci/install-deps ci/setup-hugepages ci/check ci/fuzz ci/fetch-vm-kernel
