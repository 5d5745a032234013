//! `import.md`: what was read, what was assumed and why, what could not be
//! expressed (by name), and per entry what the grouping hides (the spread
//! of the members' write rates) and the observed snapshot durations.
//! Deterministic: the same inputs and command give the same bytes.

use super::build::{rate_text, schedule_of};
use super::group::spread;
use super::metrics::Fit;
use super::time::{format_rfc3339, human};
use super::Gathered;
use std::fmt::Write;

/// Most rows of a per-volume or per-entry table; the rest are counted.
const MAX_ROWS: usize = 50;

fn bytes(b: f64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut x = b;
    let mut u = 0;
    while x >= 1024.0 && u + 1 < units.len() {
        x /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{b:.0} B")
    } else {
        format!("{x:.1} {}", units[u])
    }
}

fn cut<T>(xs: &[T]) -> (&[T], usize) {
    if xs.len() > MAX_ROWS {
        (&xs[..MAX_ROWS], xs.len() - MAX_ROWS)
    } else {
        (xs, 0)
    }
}

/// The report's Markdown; `simulated` (from `--compare`) adds the
/// simulated time pending beside the observed one.
pub fn markdown(g: &Gathered, simulated: Option<&[super::compare::Simulated]>) -> String {
    let mut s = String::new();
    let o = &g.opts;
    let _ = writeln!(s, "# Import report: {}\n", o.name);
    let _ = writeln!(
        s,
        "Written by `snapsim import` beside the scenario. Command:\n\n```sh\n{}\n```\n",
        o.command
    );

    // ------------------------------------------------------------ read
    let _ = writeln!(s, "## What was read\n");
    let _ = writeln!(
        s,
        "- **Volumes** (`describe-volumes`, {} file{}): {} volumes in {} availability zone(s) of {} region(s).",
        o.volumes.len(),
        if o.volumes.len() == 1 { "" } else { "s" },
        g.volumes.len(),
        count_distinct(g.volumes.iter().map(|v| v.az.clone())),
        count_distinct(g.volumes.iter().map(|v| v.region().to_string())),
    );
    let c = &g.collected;
    match g.window {
        Some(w) => {
            let _ = writeln!(
                s,
                "- **Metrics** (CloudWatch, {} file{}): {} results, {} datapoints; period {} s; window {} to {} ({} periods).",
                c.files,
                if c.files == 1 { "" } else { "s" },
                c.results,
                c.datapoints,
                w.period,
                format_rfc3339(w.start * 1000),
                format_rfc3339((w.start + w.seconds()) * 1000),
                w.periods
            );
        }
        None => {
            let _ = writeln!(
                s,
                "- **Metrics**: none given, so the volumes receive no writes; horizon {} from the scenario format's default start.",
                human(g.duration as f64)
            );
        }
    }
    for (name, n) in &c.ignored {
        let _ = writeln!(
            s,
            "  - {n} result(s) for {name}: not used (only write and read ops and bytes are)."
        );
    }
    let _ = writeln!(
        s,
        "- **Policies** (`get-lifecycle-policy`): {} ({} applied to at least one volume).",
        g.policies.len(),
        (0..g.policies.len())
            .filter(|k| g.policy_of.contains(&Some(*k)))
            .count()
    );
    let with_times = g
        .history
        .iter()
        .filter(|h| h.pending_seconds().is_some())
        .count();
    let _ = writeln!(
        s,
        "- **Snapshot history** (`describe-snapshots`): {} snapshots, {} completed with a CompletionTime, {} of volumes not in the inventory (ignored).\n",
        g.history.len(),
        with_times,
        g.history
            .iter()
            .filter(|h| !g.volumes.iter().any(|v| v.id == h.volume))
            .count()
    );

    // ------------------------------------------------------------ assumptions
    let _ = writeln!(s, "## Assumptions\n");
    let _ = writeln!(s, "- **Spatial pattern of writes: `{}`** for every volume. CloudWatch counts writes and bytes but not where they land, and the changed-block count of a snapshot depends on it. The default, uniform, spreads a given number of writes over the most distinct 512 KiB blocks any random pattern does, so incremental snapshots come out at their largest (a conservative backup-window estimate); `--pattern zipf:1.1`, `hotspot:90:10` or `sequential` give smaller ones.", o.pattern.text);
    if g.window.is_some() {
        let _ = writeln!(s, "- **Write rate**: VolumeWriteOps (Sum) ÷ period, per period. {}", match o.fit {
            Fit::Daily => "Fitted as a daily profile (`--fit daily`): each hour of the simulated day gets the mean rate of the periods observed in that hour over the whole window, so day-to-day and weekly differences are averaged away (`--fit steps` replays every period).",
            Fit::Steps => "Replayed period by period (`--fit steps`), as Poisson arrivals at each period's rate.",
        });
        let _ = writeln!(s, "- **Write size**: one size per volume, VolumeWriteBytes ÷ VolumeWriteOps over the window (a volume whose IO size varies over time keeps its mean).");
        let _ = writeln!(s, "- **Gaps** (periods without a datapoint, e.g. while a volume was detached or before it existed) are left out of the means: the daily fit averages the observed periods of each hour; the steps fit fills a gap with the volume's mean rate. **Zero** datapoints are idle periods and stay 0.");
        if o.reads {
            let _ = writeln!(s, "- **Reads** (`--reads`): each entry gets a read stream at its mean VolumeReadOps rate over the window, of its mean size (VolumeReadBytes ÷ VolumeReadOps), spread uniformly over the volume (CloudWatch does not say where reads land; reads change no block, so only latency depends on it); a volume with VolumeReadOps but no VolumeReadBytes gets 16 KiB reads (an assumption); and the scenario runs at IO fidelity: reads and writes queue at the volume, so the latency while snapshots are pending is measured. Every IO is simulated, which costs far more than flow fidelity; `snapsim validate` estimates the work and refuses what is beyond reason.");
        } else {
            let _ = writeln!(s, "- **Reads** are summarised below but not simulated: the scenario runs at flow fidelity, where reads change no block (`--reads` adds them and runs at IO fidelity, for latency).");
        }
    }
    let from_snap = g.used.iter().filter(|u| u.1).count();
    let _ = writeln!(
        s,
        "- **Used bytes** (the first snapshot's size): {}.",
        match (o.used.from_snapshots, o.used.fraction) {
            (true, Some(f)) => format!("{from_snap} volume(s) from the newest completed snapshot's FullSnapshotSizeInBytes, {} at --used {f} of their size", g.used.len() - from_snap),
            (true, None) => "from each volume's newest completed snapshot's FullSnapshotSizeInBytes (VolumeSize is the volume's size, not its written bytes)".to_string(),
            (false, Some(f)) => format!("--used {f} of each volume's size"),
            (false, None) => String::new(),
        }
    );
    let completed = super::snapshots::with_completed(&g.history);
    let seeding: Vec<(usize, usize, bool)> = g
        .entries
        .iter()
        .map(|e| {
            super::snapshots::seeded(
                &completed,
                e.members.iter().map(|&i| g.volumes[i].id.as_str()),
            )
        })
        .collect();
    let seeded_entries = seeding.iter().filter(|x| x.2).count();
    let _ = writeln!(s, "- **Snapshot chains** (`existing_snapshot`): {seeded_entries} of {} entries start with an existing snapshot, because their volumes have a `completed` snapshot in the `describe-snapshots` files (a grouped entry: when a strict majority of its members have one; `pending` and `error` snapshots do not count). Their first simulated snapshot is incremental: it holds only the blocks written from the scenario's start, and the existing snapshot (the `used` bytes) is stored from the start and deleted by retention like any other. The other entries' first simulated snapshot is full. Assumption: blocks changed between the newest completed snapshot's StartTime and the scenario start are in no simulated snapshot.", g.entries.len());
    let mut listed = 0;
    for (e, &(with, n, yes)) in g.entries.iter().zip(&seeding) {
        listed += 1;
        if listed <= MAX_ROWS {
            let _ = writeln!(
                s,
                "  - {}: {with} of {n} volume(s) with a completed snapshot: {}.",
                e.name,
                if yes {
                    "existing snapshot, first simulated snapshot incremental"
                } else {
                    "no existing snapshot, first simulated snapshot full"
                }
            );
        }
    }
    if listed > MAX_ROWS {
        let _ = writeln!(s, "  - … and {} more entries.", listed - MAX_ROWS);
    }
    zones(&mut s, g);
    if !g.policies.is_empty() {
        let _ = writeln!(s, "- **DLM timing**: requests at the scheduled times exactly. DLM starts a run within an hour after its time; add `\"jitter\": \"1h\"` to a `snapshots` block to model that. A schedule without `Times` starts at the window's start. Retention ages in months are taken as 30 days, years as 365.");
    }
    let _ = writeln!(s, "- **Names**: a volume entry is named `VOLUMEID.AZ`, a group entry by its key values, so the availability zone (and with it the region) stays visible; KmsKeyId and tags other than the grouping keys are not carried into the scenario (they change no snapshot timing).\n");

    // ------------------------------------------------------------ not expressed
    let _ = writeln!(s, "## Not expressed in the scenario\n");
    let mut listed = 0;
    for p in &g.policies {
        for u in &p.unexpressed {
            let _ = writeln!(s, "- {u}.");
            listed += 1;
        }
    }
    for (v, others) in &g.contested {
        let ids: Vec<&str> = others.iter().map(|&k| g.policies[k].id.as_str()).collect();
        let _ = writeln!(
            s,
            "- volume {}: also targeted by {} (a volume has one schedule; the first policy given, {}, is simulated).",
            g.volumes[*v].id,
            ids.join(", "),
            g.policy_of[*v].map_or("", |k| g.policies[k].id.as_str())
        );
        listed += 1;
    }
    for e in &g.entries {
        if let Some(Err(why)) = schedule_of(e, g) {
            let _ = writeln!(s, "- entry {}: its policy's schedule has no request in the window ({why}); it is not snapshotted.", e.name);
            listed += 1;
        }
    }
    let no_metrics: Vec<&str> = g
        .volumes
        .iter()
        .zip(&g.fitted)
        .filter(|(_, f)| !f.has_writes)
        .map(|(v, _)| v.id.as_str())
        .collect();
    if g.window.is_some() && !no_metrics.is_empty() {
        let (shown, more) = cut(&no_metrics);
        let _ = writeln!(
            s,
            "- {} volume(s) without write metrics receive no writes: {}{}.",
            no_metrics.len(),
            shown.join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        );
        listed += 1;
    }
    if listed == 0 {
        let _ = writeln!(
            s,
            "- nothing: every input the importer read is in the scenario."
        );
    }
    let _ = writeln!(s);

    // ------------------------------------------------------------ entries
    let _ = writeln!(s, "## Entries\n");
    if o.group_by.is_empty() {
        let _ = writeln!(s, "One entry per volume (no `--group-by`).\n");
    } else {
        let _ = writeln!(s, "Grouped by {} (plus the volume type, the policy and encryption, which an entry has one of). A group entry's volumes are identical: mean size, IOPS, throughput, used bytes and, per hour, write rate. The spread columns are what that hides.\n", o.group_by.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "));
    }
    let _ = writeln!(s, "| entry | volumes | type | size | write rate (mean) | member rates min / median / max | write size | write bandwidth | reads | gaps / zeros (periods) | schedule |");
    let _ = writeln!(s, "|---|---:|---|---:|---:|---|---:|---:|---:|---:|---|");
    let (shown, more) = cut(&g.entries);
    for e in shown {
        let mut rates: Vec<f64> = e.members.iter().map(|&i| g.fitted[i].write_rate).collect();
        let sp = spread(&mut rates).map_or("—".into(), |(a, m, b)| {
            format!("{} / {} / {}", rate_text(a), rate_text(m), rate_text(b))
        });
        let f = &e.fitted;
        let sched = match schedule_of(e, g) {
            None => "none".to_string(),
            Some(Ok(v)) => {
                let mut t = v.to_string();
                if t.len() > 80 {
                    t.truncate(77);
                    t.push('…');
                }
                format!("`{t}`")
            }
            Some(Err(_)) => "none in the window".into(),
        };
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} GiB | {} | {} | {} | {}/s | {} | {} / {} | {} |",
            e.name,
            e.members.len(),
            e.kind,
            e.size_gib,
            rate_text(f.write_rate),
            sp,
            bytes(f.write_size.round()),
            bytes(f.write_rate * f.write_size),
            rate_text(f.read_rate),
            f.gaps,
            f.zeros,
            sched
        );
    }
    if more > 0 {
        let _ = writeln!(s, "\n… and {more} more entries (see the scenario).");
    }
    let _ = writeln!(s);

    // ------------------------------------------------------------ history
    let _ = writeln!(s, "## Observed time pending (describe-snapshots)\n");
    if with_times == 0 {
        let _ = writeln!(
            s,
            "No completed snapshot with a CompletionTime was given.\n"
        );
    } else if let Some(sim) = simulated {
        let _ = writeln!(s, "CompletionTime − StartTime of completed snapshots, per entry, beside the time pending (request to completed) the imported scenario gives when simulated (`--compare`, seed 1). The simulated first snapshot of each volume is shown apart from the later ones: it is incremental where the entry starts with an existing snapshot (`first` column marked *incr.*, comparable with the observed incremental ones) and full where it does not (*full*); the later ones are incremental.\n");
        let _ = writeln!(s, "| entry | observed: snapshots | min | median | max | simulated first: median | simulated later: snapshots | min | median | max |");
        let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        let mut rows = 0;
        for (e, sm) in g.entries.iter().zip(sim) {
            let mut d: Vec<f64> = g
                .history
                .iter()
                .filter(|h| e.members.iter().any(|&i| g.volumes[i].id == h.volume))
                .filter_map(|h| h.pending_seconds())
                .collect();
            let n = d.len();
            let obs = spread(&mut d).map_or("— | — | —".into(), |(a, m, b)| {
                format!("{} | {} | {}", human(a), human(m), human(b))
            });
            let kind = if sm.seeded { "incr." } else { "full" };
            let first = spread(&mut sm.first.clone())
                .map_or("—".into(), |(_, m, _)| format!("{} ({kind})", human(m)));
            let mut later = sm.later.clone();
            let ln = later.len();
            let lat = spread(&mut later).map_or("— | — | —".into(), |(a, m, b)| {
                format!("{} | {} | {}", human(a), human(m), human(b))
            });
            rows += 1;
            if rows <= MAX_ROWS {
                let _ = writeln!(s, "| {} | {n} | {obs} | {first} | {ln} | {lat} |", e.name);
            }
        }
        if rows > MAX_ROWS {
            let _ = writeln!(s, "\n… and {} more entries.", rows - MAX_ROWS);
        }
        let _ = writeln!(s);
    } else {
        let _ = writeln!(s, "CompletionTime − StartTime of completed snapshots, per entry, to set beside the simulated `time pending` of the same entry in the run's report (the simulated first snapshot is incremental where the entry starts with an existing snapshot and full elsewhere, see Assumptions; `--compare` simulates the scenario and adds its times here).\n");
        let _ = writeln!(s, "| entry | snapshots | min | median | max |");
        let _ = writeln!(s, "|---|---:|---:|---:|---:|");
        let mut rows = 0;
        for e in &g.entries {
            let mut d: Vec<f64> = g
                .history
                .iter()
                .filter(|h| e.members.iter().any(|&i| g.volumes[i].id == h.volume))
                .filter_map(|h| h.pending_seconds())
                .collect();
            if let Some((a, m, b)) = spread(&mut d) {
                rows += 1;
                if rows <= MAX_ROWS {
                    let _ = writeln!(
                        s,
                        "| {} | {} | {} | {} | {} |",
                        e.name,
                        d.len(),
                        human(a),
                        human(m),
                        human(b)
                    );
                }
            }
        }
        if rows > MAX_ROWS {
            let _ = writeln!(s, "\n… and {} more entries.", rows - MAX_ROWS);
        }
        let _ = writeln!(s);
    }

    // ------------------------------------------------------------ members
    if !o.group_by.is_empty() {
        let _ = writeln!(s, "## Members of each group\n");
        for e in cut(&g.entries).0 {
            let ids: Vec<&str> = e
                .members
                .iter()
                .map(|&i| g.volumes[i].id.as_str())
                .collect();
            let (shown, more) = cut(&ids);
            let _ = writeln!(
                s,
                "- {} ({}): {}{}",
                e.name,
                e.members.len(),
                shown.join(", "),
                if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                }
            );
        }
        let _ = writeln!(s);
    }
    s
}

/// The Zones and regions assumption: what each entry keeps of its
/// volumes' location, and for the entries whose volumes are in several
/// zones how they split.
fn zones(s: &mut String, g: &Gathered) {
    use super::group::{split, Location};
    let count = |f: fn(&Location) -> bool| g.entries.iter().filter(|e| f(&e.location)).count();
    let _ = writeln!(
        s,
        "- **Zones and regions** (`availability_zone`, `region`): {} of {} entries keep their volumes' availability zone (the scenario format derives the region from it), {} only their region (the members are in several zones of one region), {} neither (the members are in several regions). They are carried into `summary.json` per volume; the simulation does not use them yet.",
        count(|l| matches!(l, Location::Zone(_))),
        g.entries.len(),
        count(|l| matches!(l, Location::Region(_))),
        count(|l| *l == Location::Mixed),
    );
    let mut listed = 0;
    for e in &g.entries {
        if matches!(e.location, Location::Zone(_)) {
            continue;
        }
        listed += 1;
        if listed > MAX_ROWS {
            continue;
        }
        let vols: Vec<&super::volumes::Volume> = e.members.iter().map(|&i| &g.volumes[i]).collect();
        let parts = split(&vols);
        let zones_of = |z: &[(String, usize)]| {
            z.iter()
                .map(|(z, n)| format!("{z} ({n})"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let line = match &e.location {
            Location::Region(r) => format!(
                "{} volumes in {} zones of region {r}: {}; kept: `region` {r}",
                vols.len(),
                parts[0].2.len(),
                zones_of(&parts[0].2)
            ),
            _ => format!(
                "{} volumes in {} regions: {}; no zone or region kept",
                vols.len(),
                parts.len(),
                parts
                    .iter()
                    .map(|(r, n, z)| format!("{r} ({n}: {})", zones_of(z)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        let _ = writeln!(s, "  - {}: {line}.", e.name);
    }
    if listed > MAX_ROWS {
        let _ = writeln!(s, "  - … and {} more entries.", listed - MAX_ROWS);
    }
}

fn count_distinct(it: impl Iterator<Item = String>) -> usize {
    let mut v: Vec<String> = it.collect();
    v.sort();
    v.dedup();
    v.len()
}
