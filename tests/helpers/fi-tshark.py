#!/usr/bin/python3
"""Flow Inspector's records as tshark decodes the capture.

tshark (Wireshark's dissectors, reassembly off) decodes every frame to
PDML; this script only takes the outermost Ethernet, VLAN, IP and TCP/UDP
layers tshark found, with the values and byte positions tshark gives, and
applies the policy as docs/flow-inspector.md defines it: the first export
unit whose protocol and [src, dst] port pair match; a record needs the
whole TCP or UDP header captured and no later fragment. The payload
bytes are cut from the frame at the offset tshark puts the payload at.
Prints one JSON object per record, the unit's fields as keys.

  fi-tshark.py POLICY PCAP
"""
import json
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET

TSHARK = ["tshark", "-n", "-o", "ip.defragment:FALSE", "-o", "ipv6.defragment:FALSE",
          "-o", "tcp.desegment_tcp_streams:FALSE", "-o", "tcp.analyze_sequence_numbers:FALSE",
          "-T", "pdml", "-r"]
# IPv6 extension headers (and AH) between the IP header and the transport.
EXT = {"ipv6.hopopts", "ipv6.routing", "ipv6.dstopts", "ipv6.fraghdr", "ah"}


def ranges(spec):
    if spec == "*":
        return (0, 65535)
    lo, _, hi = str(spec).partition("-")
    return (int(lo), int(hi or lo))


def raw_frames(path):
    """The captured bytes of each frame, for payload cutting only."""
    data = open(path, "rb").read()
    end = "<" if struct.unpack_from("<I", data, 0)[0] in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    pos, out = 24, []
    while pos + 16 <= len(data):
        cap = struct.unpack_from(end + "I", data, pos + 8)[0]
        out.append(data[pos + 16:pos + 16 + cap])
        pos += 16 + cap
    return out


def fields(proto):
    """name -> first field element within a proto (nested ones included)."""
    out = {}
    for f in proto.iter("field"):
        out.setdefault(f.get("name"), f)
    return out


def show(fs, name):
    f = fs.get(name)
    return None if f is None else f.get("show")


def record(pkt, raw):
    protos = [p for p in pkt if p.tag == "proto"]
    names = [p.get("name") for p in protos]
    fr = fields(protos[names.index("frame")])
    cap, wire = int(show(fr, "frame.cap_len")), int(show(fr, "frame.len"))
    sec, _, frac = show(fr, "frame.time_epoch").partition(".")
    r = {"timestamp": int(sec) * 1000000 + int((frac + "000000")[:6]), "packet_len": wire,
         "port": 0, "vlan_id": 0}
    if "eth" not in names:
        return None
    eth = fields(protos[names.index("eth")])
    r["dst_mac"], r["src_mac"] = show(eth, "eth.dst"), show(eth, "eth.src")
    i = names.index("eth") + 1
    tags = [n for n in names[i:] if n in ("vlan", "ieee8021ad")]
    if tags:
        t = protos[names.index(tags[0])]
        r["vlan_id"] = int(show(fields(t), tags[0] + ".id"))
    l3 = next((k for k in range(i, len(names)) if names[k] in ("ip", "ipv6")), None)
    if l3 is None or any(n not in ("vlan", "ieee8021ad", "ethertype") for n in names[i:l3]):
        return None
    p3, f3 = protos[l3], fields(protos[l3])
    pos3 = int(p3.get("pos"))
    if names[l3] == "ip":
        if f3.get("ip.hdr_len") is None or f3.get("ip.dst") is None:
            return None
        ihl, total = int(show(f3, "ip.hdr_len")), int(show(f3, "ip.len"))
        if ihl < 20 or pos3 + ihl > cap or total < ihl or int(show(f3, "ip.frag_offset")) != 0:
            return None
        r.update(ip_version=4, dscp=int(show(f3, "ip.dsfield.dscp")), ttl=int(show(f3, "ip.ttl")),
                 src_ip=show(f3, "ip.src"), dst_ip=show(f3, "ip.dst"))
        l3_end = pos3 + total
    else:
        if pos3 + 40 > cap or f3.get("ipv6.dst") is None:
            return None
        off = f3.get("ipv6.fraghdr.offset")
        if off is not None and int(off.get("show")) != 0:
            return None
        r.update(ip_version=6, dscp=int(show(f3, "ipv6.tclass.dscp")), ttl=int(show(f3, "ipv6.hlim")),
                 src_ip=show(f3, "ipv6.src"), dst_ip=show(f3, "ipv6.dst"))
        l3_end = pos3 + 40 + int(show(f3, "ipv6.plen"))
    k = l3 + 1
    while k < len(names) and names[k] in EXT:
        k += 1
    if k == len(names) or names[k] not in ("tcp", "udp"):
        return None
    p4, f4 = protos[k], fields(protos[k])
    pos4 = int(p4.get("pos"))
    if names[k] == "tcp":
        if pos4 + 20 > cap:
            return None
        r.update(protocol=6, src_port=int(show(f4, "tcp.srcport")),
                 dst_port=int(show(f4, "tcp.dstport")),
                 tcp_flags=int(show(f4, "tcp.flags"), 16) & 0xFF)
        start = pos4 + max(20, int(show(f4, "tcp.hdr_len")))
    else:
        if pos4 + 8 > cap:
            return None
        r.update(protocol=17, src_port=int(show(f4, "udp.srcport")),
                 dst_port=int(show(f4, "udp.dstport")), tcp_flags=0)
        start = pos4 + 8
    end = min(l3_end, wire)
    r["l4_payload_len"] = max(0, end - start)
    r["_payload"] = raw[start:min(end, cap)] if start <= end else b""
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
    raws = raw_frames(sys.argv[2])
    proc = subprocess.Popen(TSHARK + [sys.argv[2]], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)
    n = 0
    for _, el in ET.iterparse(proc.stdout):
        if el.tag != "packet":
            continue
        r = record(el, raws[n])
        n += 1
        el.clear()
        if r is None:
            continue
        for i, (protos, pairs, fields_) in enumerate(units):
            if r["protocol"] in protos and any(s[0] <= r["src_port"] <= s[1] and
                                               d[0] <= r["dst_port"] <= d[1] for s, d in pairs):
                r.update(export_unit=i, payload=r["_payload"][:nbytes].hex())
                print(json.dumps({k: r[k] for k in fields_}))
                break
    if proc.wait() != 0 or n != len(raws):
        sys.exit(f"fi-tshark: tshark failed or decoded {n} of {len(raws)} frames")


if __name__ == "__main__":
    main()
