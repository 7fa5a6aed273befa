# The kernel features the services need and this host's kernel lacks
# (docs/design notes: openvswitch, cls_flower, netem, VRF), checked in a
# QEMU guest running Debian's kernel.
scenario "the guest kernel has openvswitch, cls_flower, netem and VRF"
needs_root
needs ip tc
vm guest=guest.sh
