#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Compare dpu-telemetry's GPU series (nvidia-smi and dcgm providers) with
what nvidia-smi itself reads. Used by tests/integration/telemetry-nvml.sh.

  nvml-compare.py idle  PAGE SMI_CSV FIELDS
  nvml-compare.py load  PAGE_IDLE PAGE_A PAGE_B SMI_CSV FIELDS MIB SECONDS
  nvml-compare.py after PAGE_IDLE PAGE SMI_CSV FIELDS
  nvml-compare.py fake  PAGE VARIANT      (tests/helpers/fake-nvml.c; VARIANT
                                           default or no-v2)

PAGE: a scrape of /metrics; SMI_CSV: `nvidia-smi --query-gpu=FIELDS
--format=csv,noheader,nounits`, FIELDS the comma-separated field list
(index first). Prints "ok" or the mismatches, one line.
"""
import csv
import re
import sys

MIB = 2**20


def page(path):
    """{(family, gpu): (labels, value)} for the GPU series of a scrape."""
    out = {}
    for line in open(path):
        m = re.match(r'^(dts_nvidia_smi_\w+|DCGM_FI_\w+)\{([^}]*)\} (\S+)$', line)
        if not m:
            continue
        labels = dict(re.findall(r'(\w+)="([^"]*)"', m.group(2)))
        out[(m.group(1), labels.get("gpu"))] = (labels, float(m.group(3)))
    return out


def smi(path, fields):
    names = fields.split(",")
    rows = {}
    for row in csv.reader(open(path), skipinitialspace=True):
        r = dict(zip(names, row))
        rows[r["index"]] = r
    return rows


def number(v):
    """nvidia-smi's value as a float, None where it says N/A or unsupported."""
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def get(p, family, gpu):
    v = p.get((family, gpu))
    return None if v is None else v[1]


def energy(p, gpu):
    for fam in ("dts_nvidia_smi_energy_joules_total", "dts_nvidia_smi_energy_joules"):
        if (fam, gpu) in p:
            return p[(fam, gpu)][1]
    return None


# nvidia-smi field -> (our nvidia-smi-provider family, scale from nvidia-smi's unit)
PAIRS = {
    "temperature.gpu": ("dts_nvidia_smi_temperature_gpu", 1),
    "power.draw": ("dts_nvidia_smi_power_draw_watts", 1),
    "clocks.sm": ("dts_nvidia_smi_clocks_sm_hz", 1e6),
    "clocks.mem": ("dts_nvidia_smi_clocks_mem_hz", 1e6),
    "clocks.gr": ("dts_nvidia_smi_clocks_gr_hz", 1e6),
    "fan.speed": ("dts_nvidia_smi_fan_speed_ratio", 0.01),
    "utilization.gpu": ("dts_nvidia_smi_utilization_gpu_ratio", 0.01),
    "memory.used": ("dts_nvidia_smi_memory_used_bytes", MIB),
    "memory.free": ("dts_nvidia_smi_memory_free_bytes", MIB),
    "memory.reserved": ("dts_nvidia_smi_memory_reserved_bytes", MIB),
}


def mib_close(ours, theirs, slack=2):
    return ours is not None and theirs is not None and abs(ours / MIB - theirs) <= slack


def idle(p, rows):
    bad = []
    for gpu, r in rows.items():
        total = get(p, "dts_nvidia_smi_memory_total_bytes", gpu)
        lab = p.get(("dts_nvidia_smi_memory_total_bytes", gpu), ({}, 0))[0]
        if total is None or total != int(r["memory.total"]) * MIB or lab.get("uuid") != r["uuid"] \
                or lab.get("name") != r["name"]:
            bad.append(f"gpu {gpu} memory.total/uuid/name: {lab} {total} vs {r['uuid']} "
                       f"{r['name']} {r['memory.total']} MiB")
        # Present exactly where nvidia-smi has a value.
        for field, (fam, scale) in PAIRS.items():
            if field not in r:
                continue
            theirs = number(r[field])
            ours = get(p, fam, gpu)
            if (theirs is None) != (ours is None):
                bad.append(f"gpu {gpu} {field}: nvidia-smi {r[field]!r}, ours {ours}")
        t, theirs = get(p, "dts_nvidia_smi_temperature_gpu", gpu), number(r["temperature.gpu"])
        if t is None or theirs is None or abs(t - theirs) > 3:
            bad.append(f"gpu {gpu} temperature: {t} vs {r['temperature.gpu']}")
        for field in ("memory.used", "memory.free", "memory.reserved"):
            if field in r and number(r[field]) is not None and \
                    not mib_close(get(p, PAIRS[field][0], gpu), number(r[field])):
                bad.append(f"gpu {gpu} {field}: {get(p, PAIRS[field][0], gpu)} B vs {r[field]} MiB")
        w, theirs = get(p, "dts_nvidia_smi_power_draw_watts", gpu), number(r.get("power.draw"))
        if theirs is not None and (w is None or abs(w - theirs) > max(20, 0.25 * theirs)):
            bad.append(f"gpu {gpu} power: {w} W vs {theirs} W")
        mhz, theirs = get(p, "dts_nvidia_smi_clocks_mem_hz", gpu), number(r.get("clocks.mem"))
        if theirs is not None and (mhz is None or abs(mhz / 1e6 - theirs) > 0.05 * theirs):
            bad.append(f"gpu {gpu} memory clock: {mhz} Hz vs {theirs} MHz")
        # The dcgm provider: the same readings under DCGM's names and units.
        lab = p.get(("DCGM_FI_DEV_GPU_TEMP", gpu), ({}, 0))[0]
        if lab.get("UUID") != r["uuid"] or lab.get("modelName") != r["name"]:
            bad.append(f"gpu {gpu} DCGM_FI_DEV_GPU_TEMP labels {lab}")
        for dfam, sfam, scale in (("DCGM_FI_DEV_FB_USED", "dts_nvidia_smi_memory_used_bytes", MIB),
                                  ("DCGM_FI_DEV_FB_FREE", "dts_nvidia_smi_memory_free_bytes", MIB),
                                  ("DCGM_FI_DEV_FB_RESERVED", "dts_nvidia_smi_memory_reserved_bytes",
                                   MIB),
                                  ("DCGM_FI_DEV_GPU_TEMP", "dts_nvidia_smi_temperature_gpu", 1)):
            if get(p, sfam, gpu) is None and get(p, dfam, gpu) is None:
                continue  # neither has it (an older driver: no reservation)
            d, s = get(p, dfam, gpu), get(p, sfam, gpu)
            if d is None or s is None or abs(d * scale - s) > 2 * scale:
                bad.append(f"gpu {gpu} {dfam} {d} vs {sfam} {s}")
        # DCGM's energy counter keeps dcgm-exporter's name (mJ), no _total.
        e, d = energy(p, gpu), get(p, "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION", gpu)
        if e is not None and (d is None or abs(d / 1000 - e) > 1):
            bad.append(f"gpu {gpu} DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION {d} mJ vs {e} J")
    return bad


def load(p0, pa, pb, rows, mib, seconds):
    bad = []
    for gpu, r in rows.items():
        if gpu != "0":
            continue  # the load runs on GPU 0
        u0, ub = get(p0, "dts_nvidia_smi_memory_used_bytes", gpu), \
            get(pb, "dts_nvidia_smi_memory_used_bytes", gpu)
        if u0 is None or ub is None or ub - u0 < mib * MIB:
            bad.append(f"memory used {u0} -> {ub}: not up by the {mib} MiB held")
        if not mib_close(ub, number(r["memory.used"])):
            bad.append(f"memory used under load {ub} B vs nvidia-smi {r['memory.used']} MiB")
        for snap, name in ((pa, "first"), (pb, "second")):
            util = get(snap, "dts_nvidia_smi_utilization_gpu_ratio", gpu)
            if util is None or util < 0.9:
                bad.append(f"utilization ({name} scrape) {util} under a back-to-back kernel")
        d = get(pb, "DCGM_FI_DEV_GPU_UTIL", gpu)
        if d is None or d < 90:
            bad.append(f"DCGM_FI_DEV_GPU_UTIL {d}")
        if number(r.get("utilization.gpu")) is not None and number(r["utilization.gpu"]) < 90:
            bad.append(f"nvidia-smi itself says utilization {r['utilization.gpu']} %")
        ea, eb = energy(pa, gpu), energy(pb, gpu)
        wa, wb = get(pa, "dts_nvidia_smi_power_draw_watts", gpu), \
            get(pb, "dts_nvidia_smi_power_draw_watts", gpu)
        if None not in (ea, eb, wa, wb):
            rate = (eb - ea) / seconds
            mean = (wa + wb) / 2
            if not 0.5 * mean <= rate <= 1.5 * mean:
                bad.append(f"energy {ea} -> {eb} J in {seconds} s = {rate:.1f} W, "
                           f"power read {wa}, {wb} W")
    return bad


def after(p0, p2, rows):
    bad = []
    for gpu, r in rows.items():
        u0, u2 = get(p0, "dts_nvidia_smi_memory_used_bytes", gpu), \
            get(p2, "dts_nvidia_smi_memory_used_bytes", gpu)
        if u0 is None or u2 is None or abs(u2 - u0) > 2 * MIB:
            bad.append(f"gpu {gpu} memory used {u0} before, {u2} after the load left")
        if not mib_close(u2, number(r["memory.used"])):
            bad.append(f"gpu {gpu} memory used {u2} B vs nvidia-smi {r['memory.used']} MiB")
    return bad


def fake(p, variant):
    """The page against tests/helpers/fake-nvml.c's fixed readings, exactly."""
    total, reserved, mib = 80 << 30, 512 << 20, MIB
    want = {}
    for n in (0, 1):
        used = (1 << 30) + n * mib + (512 << 10)
        if variant == "no-v2":  # version 1: used holds the reservation, no reserved
            mem = {"used": reserved + used, "free": total - reserved - used}
        else:
            mem = {"used": used, "free": total - reserved - used, "reserved": reserved}
        g = str(n)
        smi_values = {
            "temperature_gpu": 41 + n, "power_draw_watts": (123456 + n) / 1000,
            "utilization_gpu_ratio": (87 - n) / 100, "utilization_memory_ratio": (13 + n) / 100,
            "memory_total_bytes": total, "clocks_sm_hz": (1755 + n) * 1e6,
            "clocks_gr_hz": (1650 + n) * 1e6, "clocks_mem_hz": (2619 + n) * 1e6,
            "energy_joules_total": (987654321 + n) / 1000,
        }
        smi_values.update({f"memory_{k}_bytes": v for k, v in mem.items()})
        for k, v in smi_values.items():
            want[("dts_nvidia_smi_" + k, g)] = ({"gpu": g, "uuid": f"GPU-00000000-0000-0000-0000-00000000000{n}",
                                                "name": f"Fake GPU {n}"}, v)
        dcgm_values = {
            "GPU_TEMP": 41 + n, "POWER_USAGE": (123456 + n) / 1000, "GPU_UTIL": 87 - n,
            "MEM_COPY_UTIL": 13 + n, "SM_CLOCK": 1755 + n, "MEM_CLOCK": 2619 + n,
            "TOTAL_ENERGY_CONSUMPTION": 987654321 + n,
            # DCGM's FB fields are integers, whole MiB
            "FB_USED": mem["used"] // mib, "FB_FREE": mem["free"] // mib,
        }
        if "reserved" in mem:
            dcgm_values["FB_RESERVED"] = mem["reserved"] // mib
        for k, v in dcgm_values.items():
            want[("DCGM_FI_DEV_" + k, g)] = ({"gpu": g, "UUID": f"GPU-00000000-0000-0000-0000-00000000000{n}",
                                             "modelName": f"Fake GPU {n}"}, v)
    bad = []
    for key, (labels, v) in want.items():
        got = p.get(key)
        if got is None:
            bad.append(f"no {key[0]} for gpu {key[1]}")
        elif got[0] != labels or abs(got[1] - v) > 1e-9 * max(1, abs(v)):
            bad.append(f"{key[0]} gpu {key[1]}: {got} (want {labels} {v})")
    for key in p:
        if key not in want:
            bad.append(f"unexpected {key[0]} for gpu {key[1]}")
    return bad


def main():
    mode, args = sys.argv[1], sys.argv[2:]
    if mode == "idle":
        bad = idle(page(args[0]), smi(args[1], args[2]))
    elif mode == "load":
        bad = load(page(args[0]), page(args[1]), page(args[2]), smi(args[3], args[4]),
                   int(args[5]), float(args[6]))
    elif mode == "fake":
        bad = fake(page(args[0]), args[1])
    else:
        bad = after(page(args[0]), page(args[1]), smi(args[2], args[3]))
    print("ok" if not bad else "; ".join(bad))


main()
