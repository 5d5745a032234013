//! `aws ec2 describe-volumes` output: `{"Volumes": [{"VolumeId", "Size"
//! (GiB), "VolumeType", "Iops", "Throughput" (MiB/s), "AvailabilityZone",
//! "Encrypted", "KmsKeyId", "Tags": [{"Key", "Value"}]}], "NextToken"}`.
//! Several files (pages) merge in the order given; a `VolumeId` seen twice
//! is an error. Keys the importer does not use (`Attachments`, `State`,
//! `CreateTime`, …) are ignored, as the CLI adds fields over time.

use super::input::{expect_shape, read_json, short, typed};
use super::ImportError;
use serde::Deserialize;
use std::collections::HashMap;
use std::path::Path;

/// The volume types snapsim models (EBS `VolumeType` values).
pub const KNOWN_TYPES: &[&str] = &["gp2", "gp3", "io1", "io2", "st1", "sc1"];

/// One `{"Key", "Value"}` tag.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    /// Tag key.
    pub key: String,
    /// Tag value (the CLI prints `""` for an empty one).
    #[serde(default)]
    pub value: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Page {
    volumes: Vec<RawVolume>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawVolume {
    volume_id: String,
    size: u64,
    volume_type: String,
    iops: Option<u32>,
    throughput: Option<u32>,
    availability_zone: String,
    #[serde(default)]
    encrypted: bool,
    kms_key_id: Option<String>,
    #[serde(default)]
    tags: Vec<Tag>,
}

/// One volume of the inventory.
#[derive(Clone, Debug, PartialEq)]
pub struct Volume {
    /// `VolumeId`, e.g. `vol-0a1b2c3d4e5f60001`.
    pub id: String,
    /// `Size` [GiB].
    pub size_gib: u64,
    /// `VolumeType`, one of [`KNOWN_TYPES`].
    pub kind: String,
    /// `Iops` (provisioned for gp3, io1, io2; the baseline for gp2).
    pub iops: Option<u32>,
    /// `Throughput` [MiB/s] (gp3 only).
    pub throughput_mib_s: Option<u32>,
    /// `AvailabilityZone`, e.g. `us-east-1a`.
    pub az: String,
    /// The region of `az` (`us-east-1`), by the scenario format's rule
    /// ([`crate::scenario::location`]).
    pub region: String,
    /// `Encrypted`.
    pub encrypted: bool,
    /// `KmsKeyId`, kept for the report only.
    pub kms_key_id: Option<String>,
    /// `Tags`, in file order.
    pub tags: Vec<Tag>,
    /// The file and JSON path it came from (`volumes.json Volumes[3]`).
    pub source: String,
}

impl Volume {
    /// The region: the availability zone up to its region number
    /// (`us-east-1a` → `us-east-1`; a Local Zone `us-west-2-lax-1a` and a
    /// Wavelength Zone `us-east-1-wl1-bos-wlz-1` are in `us-west-2` and
    /// `us-east-1`), as the scenario format derives it.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The value of tag `key`, if present.
    pub fn tag(&self, key: &str) -> Option<&str> {
        self.tags
            .iter()
            .find(|t| t.key == key)
            .map(|t| t.value.as_str())
    }
}

/// Reads and merges the `describe-volumes` pages `files`.
///
/// # Errors
/// The file, JSON path, value and fix of the first problem: not JSON,
/// another command's output, a missing or mistyped key, an unknown volume
/// type, a duplicate `VolumeId`.
pub fn read(files: &[&Path]) -> Result<Vec<Volume>, ImportError> {
    let mut out: Vec<Volume> = Vec::new();
    let mut seen: HashMap<String, String> = HashMap::new();
    for path in files {
        let file = path.display().to_string();
        let v = read_json(path)?;
        expect_shape(&v, &file, "Volumes", "--volumes")?;
        let types: Vec<serde_json::Value> = v["Volumes"]
            .as_array()
            .map(|a| a.iter().map(|x| x["VolumeType"].clone()).collect())
            .unwrap_or_default();
        let page: Page = typed(
            v,
            &file,
            "give --volumes the unmodified output of `aws ec2 describe-volumes --output json`",
        )?;
        for (i, r) in page.volumes.into_iter().enumerate() {
            let at = format!("Volumes[{i}]");
            if !KNOWN_TYPES.contains(&r.volume_type.as_str()) {
                return Err(ImportError::input(
                    &file,
                    &format!("{at}.VolumeType"),
                    types.get(i).map_or_else(String::new, short),
                    format!(
                        "volume {} has a type snapsim does not model (it knows {})",
                        r.volume_id,
                        KNOWN_TYPES.join(", ")
                    ),
                    "leave the volume out of the file (e.g. `--filters Name=volume-type,Values=gp2,gp3,io1,io2,st1,sc1`), or add it by hand as a `custom` volume",
                ));
            }
            if !r.volume_id.starts_with("vol-") || r.volume_id.len() > 40 {
                return Err(ImportError::input(
                    &file,
                    &format!("{at}.VolumeId"),
                    format!("\"{}\"", r.volume_id),
                    "a VolumeId looks like vol-0123456789abcdef0",
                    "give the unmodified describe-volumes output",
                ));
            }
            if matches!(r.volume_type.as_str(), "io1" | "io2") && r.iops.is_none() {
                return Err(ImportError::input(
                    &file,
                    &format!("{at}.Iops"),
                    "(missing)",
                    format!("volume {} is {} but has no Iops, which that type always has", r.volume_id, r.volume_type),
                    "give the unmodified describe-volumes output (a --query that drops Iops loses it)",
                ));
            }
            if r.size == 0 {
                return Err(ImportError::input(
                    &file,
                    &format!("{at}.Size"),
                    "0",
                    "a volume size is at least 1 GiB",
                    "give the unmodified describe-volumes output",
                ));
            }
            let region = match crate::scenario::location::zone_region(&r.availability_zone) {
                Ok((region, _)) => region.to_string(),
                Err(why) => {
                    return Err(ImportError::input(
                        &file,
                        &format!("{at}.AvailabilityZone"),
                        short(&serde_json::Value::String(r.availability_zone.clone())),
                        format!("volume {}: {why}", r.volume_id),
                        "give the unmodified describe-volumes output",
                    ))
                }
            };
            let source = format!("{file} {at}");
            if let Some(first) = seen.insert(r.volume_id.clone(), source.clone()) {
                return Err(ImportError::input(
                    &file,
                    &format!("{at}.VolumeId"),
                    format!("\"{}\"", r.volume_id),
                    format!("the volume is listed twice (first at {first})"),
                    "give each describe-volumes page once; pages of one listing never repeat a volume",
                ));
            }
            out.push(Volume {
                id: r.volume_id,
                size_gib: r.size,
                kind: r.volume_type,
                iops: r.iops,
                throughput_mib_s: r.throughput,
                az: r.availability_zone,
                region,
                encrypted: r.encrypted,
                kms_key_id: r.kms_key_id,
                tags: r.tags,
                source,
            });
        }
    }
    Ok(out)
}
