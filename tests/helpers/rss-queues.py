#!/usr/bin/python3
"""Which receive queue a NIC's RSS puts each record's frame on.

Reads Flow Inspector records (JSON lines with ip_version, src_ip, dst_ip,
protocol, src_port, dst_port) on stdin and prints, per queue 0..N-1, how
many land there: the Toeplitz hash (the common 40-byte key) of the source
and destination addresses and the TCP/UDP ports in network byte order, the
low 7 bits indexing a 128-entry table that deals the queues out in turn.
Written from the Toeplitz definition, not from DPDK's code.

  rss-queues.py N < records.jsonl
"""
import ipaddress
import json
import sys

KEY = bytes([0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3,
             0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3,
             0x80, 0x30, 0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa])


def toeplitz(data):
    key, bits = int.from_bytes(KEY, "big"), len(KEY) * 8
    h = 0
    for i, byte in enumerate(data):
        for b in range(8):
            if byte & (0x80 >> b):
                h ^= (key >> (bits - 32 - (i * 8 + b))) & 0xFFFFFFFF
    return h


def main():
    n = int(sys.argv[1])
    counts = [0] * n
    for line in sys.stdin:
        r = json.loads(line)
        data = (ipaddress.ip_address(r["src_ip"]).packed + ipaddress.ip_address(r["dst_ip"]).packed
                + r["src_port"].to_bytes(2, "big") + r["dst_port"].to_bytes(2, "big"))
        counts[(toeplitz(data) % 128) % n] += 1
    print(" ".join(str(c) for c in counts))


if __name__ == "__main__":
    main()
