//! Where a volume is: its optional `availability_zone` and `region`, and
//! the rule that derives the region from the zone.
//!
//! A region name is two lower-case letters, one or more lower-case words
//! and a number, joined by `-`: `us-east-1`, `eu-central-2`,
//! `us-gov-west-1`, `ap-southeast-4`. A zone name is its region followed by:
//! - one zone letter: an availability zone, `us-east-1a`;
//! - `-`, a lower-case location code, `-`, a number and a zone letter: a
//!   Local Zone, `us-west-2-lax-1a` (region `us-west-2`);
//! - `-wl`, a number, `-`, a lower-case city code, `-wlz-` and a number: a
//!   Wavelength Zone, `us-east-1-wl1-bos-wlz-1` (region `us-east-1`).
//!
//! So the region of a zone is its name up to and including the first
//! number: the zone letter of an availability zone is stripped, and so is
//! a Local or Wavelength Zone's suffix. Anything else (an availability
//! zone ID such as `use1-az1`, a zone with two letters, upper case) is
//! refused with the forms, never guessed. Both checks are on the text
//! only: snapsim keeps no list of regions, so a new region needs no
//! update.

/// Longest accepted zone or region name: 64 characters (real ones have
/// at most about 30).
const MAX_LEN: usize = 64;

/// The forms of a zone name, for error messages.
pub const ZONE_FORMS: &str = "use an availability zone name such as \"us-east-1a\" (a region and a zone letter), a Local Zone such as \"us-west-2-lax-1a\" or a Wavelength Zone such as \"us-east-1-wl1-bos-wlz-1\", as describe-volumes prints AvailabilityZone";

/// The form of a region name, for error messages.
pub const REGION_FORM: &str =
    "use a region name such as \"us-east-1\", \"eu-west-2\" or \"us-gov-west-1\"";

/// What kind of zone a name is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ZoneKind {
    /// `us-east-1a`.
    AvailabilityZone,
    /// `us-west-2-lax-1a`.
    LocalZone,
    /// `us-east-1-wl1-bos-wlz-1`.
    WavelengthZone,
}

fn word(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|c| c.is_ascii_lowercase())
}

fn digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit())
}

/// Whether `s` is a region name (see the module doc).
pub fn is_region(s: &str) -> bool {
    if s.len() > MAX_LEN {
        return false;
    }
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() >= 3
        && parts[0].len() == 2
        && word(parts[0])
        && parts[1..parts.len() - 1].iter().all(|p| word(p))
        && digits(parts[parts.len() - 1])
}

/// The region of the zone `zone` and the kind of zone it is.
///
/// # Errors
/// A text saying why `zone` is not a zone name and what to write instead.
pub fn zone_region(zone: &str) -> Result<(&str, ZoneKind), String> {
    let refuse = |why: &str| format!("availability zone \"{zone}\" {why}; {ZONE_FORMS}");
    if zone.len() > MAX_LEN {
        return Err(format!(
            "availability zone of {} characters is not a zone name (real ones have about 30); {ZONE_FORMS}",
            zone.len()
        ));
    }
    // `use1-az1`, `usw2-lax1-az1`: an ID, not a name.
    let parts: Vec<&str> = zone.split('-').collect();
    let last = parts[parts.len() - 1];
    if parts.len() <= 3 && parts.len() >= 2 && last.strip_prefix("az").is_some_and(digits) {
        return Err(refuse(
            "is an availability zone ID (the same physical zone in every account), not a zone name; give the zone name",
        ));
    }
    // The region ends at the first run of digits after two words.
    let Some(k) = (1..parts.len()).find(|&k| parts[k].starts_with(|c: char| c.is_ascii_digit()))
    else {
        return Err(refuse("has no region number"));
    };
    let num_len = parts[k].bytes().take_while(u8::is_ascii_digit).count();
    let region_len = parts[..k].iter().map(|p| p.len() + 1).sum::<usize>() + num_len;
    let region = &zone[..region_len];
    if !is_region(region) {
        return Err(refuse(&format!(
            "does not start with a region name (\"{region}\" is not one)"
        )));
    }
    let letter = &parts[k][num_len..];
    let rest = &parts[k + 1..];
    let kind = match (letter, rest) {
        (l, []) if l.len() == 1 && word(l) => ZoneKind::AvailabilityZone,
        ("", [code, n]) if word(code) => {
            let local = n.len() >= 2 && {
                let (num, l) = n.split_at(n.len() - 1);
                digits(num) && word(l)
            };
            if !local {
                return Err(refuse(
                    "is neither an availability zone nor a Local Zone (its suffix should be a location code, a number and a zone letter)",
                ));
            }
            ZoneKind::LocalZone
        }
        ("", [wl, city, "wlz", n])
            if wl.strip_prefix("wl").is_some_and(digits) && word(city) && digits(n) =>
        {
            ZoneKind::WavelengthZone
        }
        ("", []) => {
            return Err(refuse(
                "has no zone letter: it looks like a region; give it as `region`, or add the zone letter",
            ))
        }
        _ => return Err(refuse("is not a zone name snapsim recognises")),
    };
    Ok((region, kind))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_region_of_a_zone() {
        let r = |z| zone_region(z).unwrap();
        assert_eq!(r("us-east-1a"), ("us-east-1", ZoneKind::AvailabilityZone));
        assert_eq!(r("eu-west-2c"), ("eu-west-2", ZoneKind::AvailabilityZone));
        assert_eq!(
            r("us-gov-west-1b"),
            ("us-gov-west-1", ZoneKind::AvailabilityZone)
        );
        assert_eq!(
            r("ap-southeast-12a"),
            ("ap-southeast-12", ZoneKind::AvailabilityZone)
        );
        assert_eq!(r("us-west-2-lax-1a"), ("us-west-2", ZoneKind::LocalZone));
        assert_eq!(r("us-east-1-bos-1a"), ("us-east-1", ZoneKind::LocalZone));
        assert_eq!(
            r("us-east-1-wl1-bos-wlz-1"),
            ("us-east-1", ZoneKind::WavelengthZone)
        );
        assert_eq!(
            r("ap-northeast-1-wl1-kix-wlz-1"),
            ("ap-northeast-1", ZoneKind::WavelengthZone)
        );
    }

    #[test]
    fn what_is_not_a_zone_is_refused_with_the_forms() {
        for (z, why) in [
            ("us-east-1", "looks like a region"),
            ("use1-az1", "zone ID"),
            ("us-east-1ab", "not a zone name"),
            ("US-EAST-1A", "does not start with a region name"),
            ("us-east-one-a", "no region number"),
            ("east-1a", "does not start with a region name"),
            ("us-west-2-lax-a", "neither"),
            ("us-east-1-wl1-bos-1", "not a zone name"),
            ("", "no region number"),
            ("usw2-lax1-az1", "zone ID"),
            ("us-west-2-lax-", "neither"),
        ] {
            let e = zone_region(z).unwrap_err();
            assert!(e.contains(why), "{z}: {e}");
            assert!(e.contains("us-west-2-lax-1a"), "{z}: {e}");
        }
        assert!(zone_region(&"a".repeat(65)).unwrap_err().contains("65"));
    }

    #[test]
    fn region_names() {
        for r in ["us-east-1", "us-gov-west-1", "cn-north-1", "il-central-1"] {
            assert!(is_region(r), "{r}");
        }
        for r in [
            "us-east-1a",
            "us-east",
            "use1",
            "us-east-1-lax-1",
            "",
            "u-east-1",
        ] {
            assert!(!is_region(r), "{r}");
        }
    }
}
