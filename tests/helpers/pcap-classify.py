#!/usr/bin/python3
"""Reference classifier for tests: count the frames of a pcap file that
match each rule, parsing the headers independently of the eSwitch.

  pcap-classify.py FILE PROTO:PORT[-HI]=MARK ...

Prints JSON: {"frames": N, "parsed": N, "marks": {"MARK": count}}. A rule
matches TCP or UDP (IPv4 or IPv6, after VLAN tags) by destination port; the
first matching rule wins. Frames shorter than an Ethernet header do not
parse (dpu-simd counts them as receive errors).
"""
import json
import struct
import sys

PROTOS = {"tcp": 6, "udp": 17}


def rules_of(args):
    out = []
    for a in args:
        spec, mark = a.split("=")
        proto, ports = spec.split(":")
        lo, _, hi = ports.partition("-")
        out.append((PROTOS[proto], int(lo), int(hi or lo), mark))
    return out


def l4(frame):
    """(proto, dport) or None."""
    if len(frame) < 14:
        return None
    off, et = 14, struct.unpack_from("!H", frame, 12)[0]
    while et in (0x8100, 0x88A8) and len(frame) >= off + 4:
        et = struct.unpack_from("!H", frame, off + 2)[0]
        off += 4
    if et == 0x0800 and len(frame) >= off + 20:
        ihl = (frame[off] & 0x0F) * 4
        proto = frame[off + 9]
        off += ihl
    elif et == 0x86DD and len(frame) >= off + 40:
        proto = frame[off + 6]
        off += 40
    else:
        return (0, 0)
    if proto in (6, 17) and len(frame) >= off + 4:
        return (proto, struct.unpack_from("!H", frame, off + 2)[0])
    return (proto, 0)


def main():
    rules = rules_of(sys.argv[2:])
    data = open(sys.argv[1], "rb").read()
    magic = struct.unpack_from("<I", data, 0)[0]
    end = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    pos, frames, parsed = 24, 0, 0
    marks = {r[3]: 0 for r in rules}
    while pos + 16 <= len(data):
        _, _, caplen, _ = struct.unpack_from(end + "IIII", data, pos)
        frame = data[pos + 16:pos + 16 + caplen]
        pos += 16 + caplen
        frames += 1
        hit = l4(frame)
        if hit is None:
            continue
        parsed += 1
        for proto, lo, hi, mark in rules:
            if hit[0] == proto and lo <= hit[1] <= hi:
                marks[mark] += 1
                break
    print(json.dumps({"frames": frames, "parsed": parsed, "marks": marks}))


if __name__ == "__main__":
    main()
