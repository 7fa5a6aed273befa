#!/usr/bin/python3
"""Send RoCEv2 frames built by scapy (its contrib.roce BTH) out of an interface.

    roce-send.py IFACE KIND COUNT QPS

KIND: ce (IPv4, ECN CE), ect (IPv4, ECT(0): not congested), ce6 (IPv6, CE),
cnp (IPv4 CNP, BTH opcode 0x81), udp-ce (UDP to port 4792 marked CE: not
RoCE). QPS: comma-separated destination QP numbers, used in turn. Data
frames are RC SEND-only with 256 bytes of payload.
"""
import logging
import sys

logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import IP, IPv6, UDP, Ether, Raw, conf, sendp  # noqa: E402
from scapy.contrib.roce import BTH, CNPPadding  # noqa: E402

conf.verb = 0
iface, kind, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
qps = [int(q, 0) for q in sys.argv[4].split(",")]
eth = Ether(src="02:00:00:00:00:02", dst="02:00:00:00:00:01")
frames = []
for i in range(count):
    qp = qps[i % len(qps)]
    v4 = IP(src="192.0.2.2", dst="192.0.2.1", tos=3 if kind in ("ce", "udp-ce") else 2)
    if kind == "cnp":
        # A CNP: DSCP 48 as NICs send them, BECN set, 16 bytes of padding.
        fr = eth / IP(src="192.0.2.2", dst="192.0.2.1", tos=48 << 2) / UDP(
            sport=49152 + i, dport=4791) / BTH(opcode=0x81, dqpn=qp, becn=1) / CNPPadding()
    elif kind == "ce6":
        fr = eth / IPv6(src="2001:db8::2", dst="2001:db8::1", tc=3) / UDP(
            sport=49152, dport=4791) / BTH(opcode=4, dqpn=qp, psn=i) / Raw(b"d" * 256)
    elif kind == "udp-ce":
        fr = eth / v4 / UDP(sport=49152, dport=4792) / Raw(b"d" * 268)
    else:
        fr = eth / v4 / UDP(sport=49152, dport=4791) / BTH(opcode=4, dqpn=qp, psn=i) / Raw(
            b"d" * 256)
    frames.append(fr)
sendp(frames, iface=iface)
