//! Volumes → scenario entries: one entry per volume, or with `--group-by`
//! one `count` entry per group of volumes sharing the key values.
//!
//! The volume type and the DLM policy are always part of the key (an entry
//! has one type and one schedule). A group entry stands for its members
//! with their means: the mean size rounded up to a GiB, the mean IOPS
//! rounded up and the mean throughput rounded down, the mean used bytes,
//! and per hour (or per period) the mean write rate. The EBS provisioning
//! rules are linear bounds (e.g. gp3: at most 500 IOPS per GiB, 0.25 MiB/s
//! per IOPS), so the mean of volumes that obey them obeys them too, and the
//! roundings keep it so. The group's write size is its total write bytes ÷
//! its total writes. What the means hide is reported: the spread of the
//! members' write rates.

use super::metrics::{mean, Fitted};
use super::volumes::Volume;
use super::ImportError;

/// One `--group-by` key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Key {
    /// `type`: the volume type.
    Type,
    /// `az`: the availability zone.
    Az,
    /// `region`: the region.
    Region,
    /// `tag:NAME`: the value of a tag (`untagged` when absent).
    Tag(String),
    /// `policy`: the DLM policy applied.
    Policy,
}

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Key::Type => f.write_str("type"),
            Key::Az => f.write_str("az"),
            Key::Region => f.write_str("region"),
            Key::Policy => f.write_str("policy"),
            Key::Tag(t) => write!(f, "tag:{t}"),
        }
    }
}

/// Parses `type,tag:Role,az`.
///
/// # Errors
/// [`ImportError::Options`] for an unknown key.
pub fn parse_keys(text: &str) -> Result<Vec<Key>, ImportError> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|k| match k {
            "type" => Ok(Key::Type),
            "az" => Ok(Key::Az),
            "region" => Ok(Key::Region),
            "policy" => Ok(Key::Policy),
            t if t.starts_with("tag:") && t.len() > 4 => Ok(Key::Tag(t[4..].to_string())),
            other => Err(ImportError::Options {
                problem: format!("--group-by key \"{other}\" is unknown"),
                fix: "use a comma-separated list of type, az, region, policy and tag:NAME, e.g. --group-by type,tag:Role,az".into(),
            }),
        })
        .collect()
}

/// One scenario entry.
#[derive(Clone, Debug)]
pub struct Entry {
    /// The entry's `name` (with `count` > 1 the volumes are `name-1` …).
    pub name: String,
    /// Indexes of the member volumes in the inventory.
    pub members: Vec<usize>,
    /// Volume type.
    pub kind: String,
    /// Size [GiB].
    pub size_gib: u64,
    /// IOPS, for the types that take them.
    pub iops: Option<u64>,
    /// Throughput [MiB/s], gp3 only.
    pub throughput_mib_s: Option<u64>,
    /// Used bytes [B].
    pub used: u64,
    /// Encrypted.
    pub encrypted: bool,
    /// Where the entry's volumes are, as the scenario keeps it.
    pub location: Location,
    /// Index of the policy applied, if any.
    pub policy: Option<usize>,
    /// The write workload per volume.
    pub fitted: Fitted,
}

/// Where an entry's volumes are: its scenario keys `availability_zone`
/// (all members in one zone; the format derives the region) or `region`
/// (all in one region, several zones), or neither (several regions; the
/// import report lists the split).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    /// Every member is in this zone.
    Zone(String),
    /// Every member is in this region, in several zones.
    Region(String),
    /// The members span several regions.
    Mixed,
}

impl Location {
    /// The location of volumes `vols` (at least one).
    pub fn of(vols: &[&Volume]) -> Location {
        let first = vols[0];
        if vols.iter().all(|v| v.az == first.az) {
            Location::Zone(first.az.clone())
        } else if vols.iter().all(|v| v.region() == first.region()) {
            Location::Region(first.region().to_string())
        } else {
            Location::Mixed
        }
    }
}

/// One region of a [`split`]: its name, its volumes, and per zone (in
/// first-seen order) the zone's name and volumes.
pub type RegionSplit = (String, usize, Vec<(String, usize)>);

/// How volumes `vols` split: per region (in first-seen order) a
/// [`RegionSplit`], `[("us-east-1", 3, [("us-east-1a", 2), ("us-east-1b",
/// 1)])]`.
pub fn split(vols: &[&Volume]) -> Vec<RegionSplit> {
    let mut out: Vec<RegionSplit> = Vec::new();
    for v in vols {
        let at = match out.iter().position(|r| r.0 == v.region()) {
            Some(k) => k,
            None => {
                out.push((v.region().to_string(), 0, Vec::new()));
                out.len() - 1
            }
        };
        let r = &mut out[at];
        r.1 += 1;
        match r.2.iter_mut().find(|z| z.0 == v.az) {
            Some(z) => z.1 += 1,
            None => r.2.push((v.az.clone(), 1)),
        }
    }
    out
}

/// Characters of the scenario format's names; others become `_`.
pub fn sanitize(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The inputs of grouping, per inventory volume.
pub struct PerVolume<'a> {
    /// The inventory.
    pub volumes: &'a [Volume],
    /// Used bytes of each.
    pub used: &'a [u64],
    /// Policy of each.
    pub policy: &'a [Option<usize>],
    /// Policy ids, by index.
    pub policy_ids: &'a [String],
    /// Fitted metrics of each.
    pub fitted: &'a [Fitted],
}

/// Builds the entries: one per volume when `keys` is empty.
pub fn entries(p: &PerVolume<'_>, keys: &[Key]) -> Vec<Entry> {
    let mut groups: Vec<(Vec<String>, Vec<usize>)> = Vec::new();
    for (i, v) in p.volumes.iter().enumerate() {
        let key: Vec<String> = if keys.is_empty() {
            vec![v.id.clone(), v.az.clone()]
        } else {
            let mut k: Vec<String> = Vec::new();
            if !keys.contains(&Key::Type) {
                k.push(v.kind.clone());
            }
            for key in keys {
                k.push(match key {
                    Key::Type => v.kind.clone(),
                    Key::Az => v.az.clone(),
                    Key::Region => v.region().to_string(),
                    Key::Tag(t) => v
                        .tag(t)
                        .map_or_else(|| "untagged".into(), str::to_lowercase),
                    Key::Policy => policy_name(p, i),
                });
            }
            if !keys.contains(&Key::Policy) && p.policy[i].is_some() {
                k.push(policy_name(p, i));
            }
            if v.encrypted {
                k.push("enc".into());
            }
            k
        };
        match groups.iter_mut().find(|(gk, _)| *gk == key) {
            Some((_, m)) => m.push(i),
            None => groups.push((key, vec![i])),
        }
    }
    let mut names: Vec<String> = Vec::new();
    groups
        .into_iter()
        .map(|(key, members)| {
            let mut name = sanitize(&key.join("."));
            name.truncate(56);
            let base = name.clone();
            let mut n = 2;
            while names.contains(&name) {
                name = format!("{base}.{n}");
                n += 1;
            }
            names.push(name.clone());
            entry(p, name, members)
        })
        .collect()
}

fn policy_name(p: &PerVolume<'_>, i: usize) -> String {
    p.policy[i].map_or_else(|| "no-policy".into(), |k| p.policy_ids[k].clone())
}

fn entry(p: &PerVolume<'_>, name: String, members: Vec<usize>) -> Entry {
    let n = members.len() as f64;
    let vols: Vec<&Volume> = members.iter().map(|&i| &p.volumes[i]).collect();
    let mean_of = |f: &dyn Fn(&Volume) -> f64| vols.iter().map(|v| f(v)).sum::<f64>() / n;
    let kind = vols[0].kind.clone();
    let size = mean_of(&|v| v.size_gib as f64);
    let iops = match kind.as_str() {
        "gp3" => Some(mean_of(&|v| f64::from(v.iops.unwrap_or(3000))).ceil() as u64),
        "io1" | "io2" => Some(mean_of(&|v| f64::from(v.iops.unwrap_or(100))).ceil() as u64),
        _ => None,
    };
    let throughput = (kind == "gp3")
        .then(|| mean_of(&|v| f64::from(v.throughput_mib_s.unwrap_or(125))).floor() as u64);
    let used = members.iter().map(|&i| p.used[i] as f64).sum::<f64>() / n;
    let fitted: Vec<&Fitted> = members.iter().map(|&i| &p.fitted[i]).collect();
    Entry {
        name,
        kind,
        size_gib: (size - 1e-9).ceil() as u64,
        iops,
        throughput_mib_s: throughput,
        used: used.floor() as u64,
        encrypted: vols[0].encrypted,
        location: Location::of(&vols),
        policy: p.policy[members[0]],
        fitted: if members.len() == 1 {
            p.fitted[members[0]].clone()
        } else {
            mean(&fitted)
        },
        members,
    }
}

/// Min, median and max of `xs` (NaN-free), or `None` when empty.
pub fn spread(xs: &mut [f64]) -> Option<(f64, f64, f64)> {
    if xs.is_empty() {
        return None;
    }
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    let med = if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2.0
    };
    Some((xs[0], med, xs[n - 1]))
}
