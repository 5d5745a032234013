#!/usr/bin/env python3
"""Writes the bundled import example's AWS CLI output files (fictional ids,
the CLI's documented JSON shapes, `--output json` indentation). Run from
this folder; the files are committed, so this is needed only to change
them. Deterministic: no randomness, no clock."""
import json
import math

DAY0 = "2026-11-01"
PERIOD = 300  # s: CloudWatch's 5-minute EBS period
N = 86400 // PERIOD


def ts(k):
    s = k * PERIOD
    return f"{DAY0}T{s // 3600:02d}:{s // 60 % 60:02d}:00+00:00"


def dump(name, obj):
    with open(name, "w") as f:
        json.dump(obj, f, indent=4)
        f.write("\n")


def tags(**kv):
    return [{"Key": k, "Value": v} for k, v in kv.items()]


def vol(n, size, vtype, az, iops=None, thr=None, enc=False, **t):
    v = {
        "Attachments": [],
        "AvailabilityZone": az,
        "CreateTime": "2025-03-14T09:26:53.000Z",
        "Encrypted": enc,
        "Size": size,
        "SnapshotId": "",
        "State": "in-use",
        "VolumeId": f"vol-0a1b2c3d4e5f6000{n}",
        "VolumeType": vtype,
        "MultiAttachEnabled": False,
        "Tags": tags(**t),
    }
    if iops is not None:
        v["Iops"] = iops
    if thr is not None:
        v["Throughput"] = thr
    if enc:
        v["KmsKeyId"] = "arn:aws:kms:us-east-1:111122223333:key/00000000-1111-2222-3333-444444444444"
    return v


dump("describe-volumes-page1.json", {
    "Volumes": [
        vol(1, 200, "gp3", "us-east-1a", 3000, 125, True, Name="db-a", Role="db", Backup="hourly"),
        vol(2, 200, "gp3", "us-east-1b", 3000, 125, True, Name="db-b", Role="db", Backup="hourly"),
        vol(3, 100, "gp2", "us-east-1a", 300, None, Name="web-a", Role="web", Backup="nightly"),
    ],
    "NextToken": "eyJ2IjoiZmljdGlvbmFsIn0=",
})
dump("describe-volumes-page2.json", {
    "Volumes": [
        vol(4, 500, "st1", "us-east-1a", None, None, Name="logs", Role="logs", Backup="nightly"),
        vol(5, 100, "io2", "us-east-1b", 4000, None, Name="oltp", Role="oltp", Backup="hourly"),
        vol(6, 100, "gp2", "us-east-1b", 300, None, Name="web-b", Role="web", Backup="nightly"),
    ],
})


def profile(k, peak_hour, amp):
    h = k * PERIOD / 3600
    return 1 + amp * math.cos(2 * math.pi * (h - peak_hour) / 24)


# (volume, mean writes/s, IO size, peak hour, amplitude)
loads = {1: (150, 16384, 14, 0.5), 2: (120, 16384, 14, 0.5), 3: (20, 8192, 20, 0.8),
         4: (4, 262144, 2, 0.0), 5: (200, 8192, 11, 0.3)}


def series(n):
    rate, size, peak, amp = loads[n]
    ops, byts = [], []
    for k in range(N):
        o = round(rate * profile(k, peak, amp) * PERIOD)
        if n == 4 and not (1 * 12 <= k < 4 * 12):  # logs: written 01:00-04:00 only
            o = 0
        ops.append(float(o))
        byts.append(float(o * size))
    return ops, byts


def result(rid, label, values, skip=()):
    keep = [k for k in range(N) if k not in skip]
    # get-metric-data returns the newest timestamp first (ScanBy default).
    keep.reverse()
    return {"Id": rid, "Label": label, "Timestamps": [ts(k) for k in keep],
            "Values": [values[k] for k in keep], "StatusCode": "Complete"}


page1, page2 = [], []
for n in (1, 2, 3):
    ops, byts = series(n)
    gap = range(100, 106) if n == 3 else ()  # 30 minutes missing (a gap)
    vid = f"vol-0a1b2c3d4e5f6000{n}"
    page1.append(result(f"wo_vol_0a1b2c3d4e5f6000{n}", f"{vid} VolumeWriteOps", ops, gap))
    page1.append(result(f"wb_vol_0a1b2c3d4e5f6000{n}", f"{vid} VolumeWriteBytes", byts, gap))
ops, byts = series(4)
# Labels left at CloudWatch's default (the metric name): the Id names the volume.
page2.append(result("wo_vol_0a1b2c3d4e5f60004", "VolumeWriteOps", ops))
page2.append(result("wb_vol_0a1b2c3d4e5f60004", "VolumeWriteBytes", byts))
page2.append(result("ro_vol_0a1b2c3d4e5f60001", "VolumeReadOps vol-0a1b2c3d4e5f60001", [v * 2 for v in series(1)[0]]))
page2.append(result("idle_1", "vol-0a1b2c3d4e5f60001 VolumeIdleTime", [0.0] * N))
dump("get-metric-data-page1.json", {"MetricDataResults": page1, "NextToken": "eyJwIjoyfQ==", "Messages": []})
dump("get-metric-data-page2.json", {"MetricDataResults": page2, "Messages": []})

ops, byts = series(5)
for metric, values, unit in (("VolumeWriteOps", ops, "Count"), ("VolumeWriteBytes", byts, "Bytes")):
    dump(f"vol-0a1b2c3d4e5f60005.{metric}.json", {
        "Label": metric,
        "Datapoints": [{"Timestamp": ts(k).replace("+00:00", "Z"), "Sum": values[k], "Unit": unit}
                       for k in range(N)],
    })

dump("policy-hourly.json", {"Policy": {
    "PolicyId": "policy-0a1b2c3d4e5f60001",
    "Description": "Hourly-ish snapshots of databases",
    "State": "ENABLED",
    "ExecutionRoleArn": "arn:aws:iam::111122223333:role/AWSDataLifecycleManagerDefaultRole",
    "DateCreated": "2025-03-14T09:30:00.000000+00:00",
    "DateModified": "2025-03-14T09:30:00.000000+00:00",
    "PolicyDetails": {
        "PolicyType": "EBS_SNAPSHOT_MANAGEMENT",
        "ResourceTypes": ["VOLUME"],
        "TargetTags": [{"Key": "Backup", "Value": "hourly"}],
        "Schedules": [
            {"Name": "every-4h", "CopyTags": False,
             "TagsToAdd": [{"Key": "dlm", "Value": "every-4h"}],
             "CreateRule": {"Interval": 4, "IntervalUnit": "HOURS", "Times": ["00:30"]},
             "RetainRule": {"Count": 6},
             "CrossRegionCopyRules": [{"TargetRegion": "us-west-2", "Encrypted": True,
                                       "CmkArn": "arn:aws:kms:us-west-2:111122223333:key/fictional",
                                       "RetainRule": {"Interval": 7, "IntervalUnit": "DAYS"}}]},
            {"Name": "weekly", "CreateRule": {"CronExpression": "cron(0 5 ? * SUN *)"},
             "RetainRule": {"Count": 4}},
        ],
    },
}})
dump("policy-nightly.json", {"Policy": {
    "PolicyId": "policy-0a1b2c3d4e5f60002",
    "Description": "Nightly snapshots",
    "State": "ENABLED",
    "PolicyDetails": {
        "PolicyType": "EBS_SNAPSHOT_MANAGEMENT",
        "ResourceTypes": ["VOLUME"],
        "TargetTags": [{"Key": "Backup", "Value": "nightly"}],
        "Schedules": [
            {"Name": "nightly", "CreateRule": {"CronExpression": "cron(0 3 * * ? *)"},
             "RetainRule": {"Interval": 7, "IntervalUnit": "DAYS"},
             "FastRestoreRule": {"Count": 1, "AvailabilityZones": ["us-east-1a"]}},
        ],
    },
}})


def snap(i, n, start, done, full):
    s = {"Description": "Created by DLM", "Encrypted": n in (1, 2), "OwnerId": "111122223333",
         "Progress": "100%", "SnapshotId": f"snap-0a1b2c3d4e5f6{i:04d}", "StartTime": start,
         "State": "completed", "VolumeId": f"vol-0a1b2c3d4e5f6000{n}",
         "VolumeSize": {1: 200, 2: 200, 3: 100, 4: 500, 5: 100, 6: 100, 9: 50}[n], "StorageTier": "standard"}
    if done:
        s["CompletionTime"] = done
    if full:
        s["FullSnapshotSizeInBytes"] = full
    return s


dump("describe-snapshots.json", {"Snapshots": [
    snap(1, 1, "2026-10-31T00:30:41.112000+00:00", "2026-10-31T00:52:10.500000+00:00", 96 << 30),
    snap(2, 1, "2026-10-31T04:31:02.000Z", "2026-10-31T04:47:40.000Z", 97 << 30),
    snap(3, 2, "2026-10-31T00:30:39+00:00", "2026-10-31T00:49:01+00:00", 88 << 30),
    snap(4, 3, "2026-10-31T03:05:17.250000+00:00", "2026-10-31T03:09:02.750000+00:00", 41 << 30),
    snap(5, 4, "2026-10-30T22:02:00.000000-05:00", "2026-10-30T22:31:30.000000-05:00", 300 << 30),
    snap(6, 5, "2026-10-31T00:30:55.000000+00:00", "2026-10-31T00:41:15.000000+00:00", None),
    snap(7, 9, "2026-10-31T00:30:55.000000+00:00", "2026-10-31T00:41:15.000000+00:00", 1 << 30),
]})
