#!/bin/sh
# The DPDK unit test again, forced to run without hugepages (--no-huge), as
# every DPDK program in the tree must be able to.
DPU_NO_HUGE=1 exec "$top_builddir/tests/unit/test-dpdk"
