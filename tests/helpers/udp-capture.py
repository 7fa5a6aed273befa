#!/usr/bin/python3
"""Receive UDP datagrams on 127.0.0.1:PORT for SECS seconds and keep them
as a pcap (each wrapped in Ethernet/IPv4/UDP headers addressed to PORT),
so that a decoder such as tshark can read what an exporter sent.

  udp-capture.py PORT OUT.pcap SECS
"""
import socket
import struct
import sys
import time


def main():
    port, out, secs = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", port))
    s.settimeout(0.1)
    lo = socket.inet_aton("127.0.0.1")
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        f.flush()
        end = time.time() + secs
        while time.time() < end:
            try:
                data, addr = s.recvfrom(65535)
            except socket.timeout:
                continue
            udp = struct.pack("!HHHH", addr[1], port, 8 + len(data), 0) + data
            ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0, lo, lo)
            frame = b"\0" * 12 + b"\x08\x00" + ip + udp
            t = time.time()
            f.write(struct.pack("<IIII", int(t), int(t % 1 * 1e6), len(frame), len(frame)) + frame)


if __name__ == "__main__":
    main()
