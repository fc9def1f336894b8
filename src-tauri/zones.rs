//! Time zones for the "naive timestamps are in…" choice: every IANA name, and this
//! machine's own zone (what a person most likely wrote their local times in).

/// All zone names chrono-tz knows, sorted.
pub fn all() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = chrono_tz::TZ_VARIANTS.iter().map(|z| z.name()).collect();
    names.sort_unstable();
    names
}

/// This machine's zone: `TZ`, then `/etc/timezone`, then the `/etc/localtime` link;
/// `UTC` when none names a zone chrono-tz knows.
pub fn local() -> String {
    let from_env = std::env::var("TZ")
        .ok()
        .map(|tz| tz.trim_start_matches(':').to_string());
    let from_file = || {
        std::fs::read_to_string("/etc/timezone")
            .ok()
            .map(|s| s.trim().to_string())
    };
    let from_link = || {
        std::fs::read_link("/etc/localtime")
            .ok()
            .and_then(|target| {
                let text = target.to_string_lossy().into_owned();
                text.split_once("zoneinfo/")
                    .map(|(_, zone)| zone.to_string())
            })
    };
    [from_env, from_file(), from_link()]
        .into_iter()
        .flatten()
        .find(|name| name.parse::<chrono_tz::Tz>().is_ok())
        .unwrap_or_else(|| "UTC".into())
}

#[cfg(test)]
mod tests {
    #[test]
    fn zones_are_known_names() {
        let all = super::all();
        assert!(all.contains(&"Europe/Paris") && all.contains(&"UTC"));
        assert!(super::local().parse::<chrono_tz::Tz>().is_ok());
    }
}
