#!/usr/bin/env python3
"""Writes the `snapsim import` benchmark input: a describe-volumes file of
N volumes (default 10,000) and get-metric-data files with D days (default
30) of 5-minute VolumeWriteOps and VolumeWriteBytes sums for each, 100
volumes (200 results) per file, so each file stays far below the
importer's 256 MiB limit. 10,000 volumes x 30 days x 288 periods x 2
metrics = 172.8 M datapoints, about 6.6 GB of compact JSON.

Usage: benches/import_gen.py OUT_DIR [VOLUMES] [DAYS]
Python 3 standard library only; deterministic (no clock, no randomness).
"""
import json
import math
import os
import sys

out = sys.argv[1]
volumes = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
days = int(sys.argv[3]) if len(sys.argv) > 3 else 30
PERIOD = 300
N = days * 86400 // PERIOD
START = 1_793_491_200  # 2026-11-01T00:00:00Z
PER_FILE = 100
os.makedirs(out, exist_ok=True)


def iso(s):
    # Civil date from days since the epoch (Hinnant), UTC.
    z = s // 86400 + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    y = yoe + era * 400
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    y += m <= 2
    t = s % 86400
    return f"{y:04d}-{m:02d}-{d:02d}T{t // 3600:02d}:{t // 60 % 60:02d}:{t % 60:02d}+00:00"


# get-metric-data lists the newest timestamp first.
stamps = json.dumps([iso(START + k * PERIOD) for k in reversed(range(N))], separators=(",", ":"))

# 32 daily shapes reused across volumes: the importer's work does not
# depend on the values, and formatting 173 M floats would dominate.
ops_arrays, bytes_arrays = [], []
for v in range(32):
    rate = 5 + 7 * v
    peak = v % 24
    ops = [round(rate * PERIOD * (1 + 0.5 * math.cos(2 * math.pi * ((k * PERIOD / 3600) - peak) / 24)))
           for k in reversed(range(N))]
    ops_arrays.append(json.dumps([float(o) for o in ops], separators=(",", ":")))
    bytes_arrays.append(json.dumps([float(o * 16384) for o in ops], separators=(",", ":")))

types = [("gp3", 3000, 125), ("gp2", None, None), ("io2", 4000, None), ("st1", None, None)]
vols = []
for i in range(volumes):
    kind, iops, thr = types[i % 4]
    v = {"AvailabilityZone": f"us-east-1{'abc'[i % 3]}", "Encrypted": False,
         "Size": 500 + (i % 7) * 100, "State": "in-use",
         "VolumeId": f"vol-{i:017x}", "VolumeType": kind,
         "Tags": [{"Key": "Role", "Value": ["db", "web", "logs", "batch"][i % 4]}]}
    if iops:
        v["Iops"] = iops
    if thr:
        v["Throughput"] = thr
    vols.append(v)
with open(os.path.join(out, "volumes.json"), "w") as f:
    json.dump({"Volumes": vols}, f, indent=4)

files = []
for first in range(0, volumes, PER_FILE):
    name = os.path.join(out, f"metrics-{first // PER_FILE:04d}.json")
    files.append(name)
    with open(name, "w") as f:
        f.write('{"MetricDataResults":[')
        for i in range(first, min(first + PER_FILE, volumes)):
            vid = f"vol-{i:017x}"
            for metric, arrays in (("VolumeWriteOps", ops_arrays), ("VolumeWriteBytes", bytes_arrays)):
                if i > first or metric == "VolumeWriteBytes":
                    f.write(",")
                f.write(f'{{"Id":"m{i}{metric[11]}","Label":"{vid} {metric}","Timestamps":{stamps},'
                        f'"Values":{arrays[i % 32]},"StatusCode":"Complete"}}')
        f.write('],"Messages":[]}\n')
print(f"wrote {out}/volumes.json ({volumes} volumes) and {len(files)} metrics files "
      f"({volumes * 2 * N} datapoints over {days} days)")

# One nightly DLM policy for every volume (tag Role, any value listed).
with open(os.path.join(out, "policy.json"), "w") as f:
    json.dump({"Policy": {"PolicyId": "policy-0000000000000bench", "State": "ENABLED", "PolicyDetails": {
        "PolicyType": "EBS_SNAPSHOT_MANAGEMENT", "ResourceTypes": ["VOLUME"],
        "TargetTags": [{"Key": "Role", "Value": r} for r in ("db", "web", "logs", "batch")],
        "Schedules": [{"Name": "nightly", "CreateRule": {"Interval": 24, "IntervalUnit": "HOURS", "Times": ["03:00"]},
                       "RetainRule": {"Count": 7}}]}}}, f, indent=4)
