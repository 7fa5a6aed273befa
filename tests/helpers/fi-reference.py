#!/usr/bin/python3
"""Independent reference for Flow Inspector's offline mode: decode a pcap
(outermost L2/L3/L4, standard library only) and print, as JSON lines, the
record each frame should give under a policy: the first export unit whose
protocol and [src, dst] port pair match; all fields of docs/flow-inspector.md.

  fi-reference.py POLICY PCAP
"""
import ipaddress
import json
import struct
import sys


def ranges(spec):
    if isinstance(spec, int):
        return (spec, spec)
    if spec == "*":
        return (0, 65535)
    lo, _, hi = str(spec).partition("-")
    return (int(lo), int(hi or lo))


def frames(path):
    data = open(path, "rb").read()
    end = "<" if struct.unpack_from("<I", data, 0)[0] in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    nano = struct.unpack_from(end + "I", data, 0)[0] == 0xA1B23C4D
    pos = 24
    while pos + 16 <= len(data):
        sec, frac, cap, wire = struct.unpack_from(end + "IIII", data, pos)
        yield sec * 1000000 + (frac // 1000 if nano else frac), data[pos + 16:pos + 16 + cap], wire
        pos += 16 + cap


def decode(f, wire):
    if len(f) < 14:
        return None
    r = {"dst_mac": ":".join("%02x" % b for b in f[0:6]),
         "src_mac": ":".join("%02x" % b for b in f[6:12]), "vlan_id": 0, "packet_len": wire}
    off, et, first = 14, struct.unpack_from("!H", f, 12)[0], True
    while et in (0x8100, 0x88A8, 0x9100):
        if off + 4 > len(f):
            return None
        if first:
            r["vlan_id"] = struct.unpack_from("!H", f, off)[0] & 0xFFF
            first = False
        et = struct.unpack_from("!H", f, off + 2)[0]
        off += 4
    if et == 0x0800:
        if off + 20 > len(f) or f[off] >> 4 != 4:
            return None
        ihl = (f[off] & 15) * 4
        if ihl < 20 or off + ihl > len(f):
            return None
        total = struct.unpack_from("!H", f, off + 2)[0]
        if struct.unpack_from("!H", f, off + 6)[0] & 0x1FFF:
            return None
        r.update(ip_version=4, dscp=f[off + 1] >> 2, ttl=f[off + 8], protocol=f[off + 9],
                 src_ip=str(ipaddress.IPv4Address(f[off + 12:off + 16])),
                 dst_ip=str(ipaddress.IPv4Address(f[off + 16:off + 20])))
        l4, l4_end = off + ihl, off + total
        if total < ihl:
            return None
    elif et == 0x86DD:
        if off + 40 > len(f) or f[off] >> 4 != 6:
            return None
        nh = f[off + 6]
        r.update(ip_version=6, dscp=(struct.unpack_from("!H", f, off)[0] >> 6) & 0x3F,
                 ttl=f[off + 7], src_ip=str(ipaddress.IPv6Address(f[off + 8:off + 24])),
                 dst_ip=str(ipaddress.IPv6Address(f[off + 24:off + 40])))
        l4, l4_end = off + 40, off + 40 + struct.unpack_from("!H", f, off + 4)[0]
        while nh in (0, 43, 60, 51):
            if l4 + 8 > len(f):
                return None
            ln = (f[l4 + 1] + 2) * 4 if nh == 51 else (f[l4 + 1] + 1) * 8
            nh, l4 = f[l4], l4 + ln
        if nh == 44:
            if l4 + 8 > len(f) or struct.unpack_from("!H", f, l4 + 2)[0] & 0xFFF8:
                return None
            nh, l4 = f[l4], l4 + 8
        r["protocol"] = nh
    else:
        return None
    if r["protocol"] == 6:
        if l4 + 20 > len(f):
            return None
        r.update(src_port=struct.unpack_from("!H", f, l4)[0],
                 dst_port=struct.unpack_from("!H", f, l4 + 2)[0], tcp_flags=f[l4 + 13])
        l4 += max(20, (f[l4 + 12] >> 4) * 4)
    elif r["protocol"] == 17:
        if l4 + 8 > len(f):
            return None
        r.update(src_port=struct.unpack_from("!H", f, l4)[0],
                 dst_port=struct.unpack_from("!H", f, l4 + 2)[0], tcp_flags=0)
        l4 += 8
    else:
        return None
    l4_end = min(l4_end, wire)
    r["l4_payload_len"] = max(0, l4_end - l4)
    r["_payload"] = f[l4:min(l4_end, len(f))] if l4 <= l4_end else b""
    return r


def main():
    policy = json.load(open(sys.argv[1]))
    units = []
    for u in policy["export-units"]:
        protos = {"tcp": 6, "udp": 17}
        units.append(([protos[p.lower()] for p in u["filter"]["protocols"]],
                      [(ranges(s), ranges(d)) for s, d in u["filter"].get("ports", [["*", "*"]])],
                      u["export"]["fields"]))
    nbytes = policy.get("payload-bytes", 64)
    for ts, f, wire in frames(sys.argv[2]):
        r = decode(f, wire)
        if r is None:
            continue
        for i, (protos, pairs, fields) in enumerate(units):
            if r["protocol"] in protos and any(s[0] <= r["src_port"] <= s[1] and d[0] <= r["dst_port"] <= d[1]
                                               for s, d in pairs):
                r.update(timestamp=ts, export_unit=i, port=0, payload=r["_payload"][:nbytes].hex())
                print(json.dumps({k: r[k] for k in fields}))
                break


if __name__ == "__main__":
    main()
