//! Recently used locations, remembered in the app's config folder — never with a password.
//!
//! A PostgreSQL URL is stored as its separate fields without the password (the page asks
//! for it again, or libpq's `~/.pgpass` supplies it), so nothing secret is ever on disk.

use std::path::{Path, PathBuf};

use ferry_engine::{Error, Location};
use serde::{Deserialize, Serialize};

use crate::connection::Role;
use crate::request::{LocationRequest, PgFields};

const KEEP_PER_ROLE: usize = 8;
const FILE_NAME: &str = "recent-locations.json";

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct Recent {
    pub role: Role,
    /// What the page fills its form with (a PostgreSQL password is never part of it).
    pub location: LocationRequest,
    /// How the page lists it.
    pub label: String,
}

/// The remembered form of a location: passwords gone, URLs split into fields.
///
/// # Errors
/// When the location does not parse (it is then not worth remembering).
pub fn remembered(request: &LocationRequest) -> Result<LocationRequest, Error> {
    let location = request.to_location()?;
    if let Location::Postgres(pg) = &location {
        return Ok(LocationRequest::PostgresFields(PgFields {
            host: pg.host.clone(),
            port: pg.port.to_string(),
            database: pg.database.clone(),
            user: pg.user.clone(),
            password: String::new(),
            sslmode: pg.sslmode.as_str().to_string(),
        }));
    }
    if let Location::Sqlite { path } = &location {
        return Ok(LocationRequest::Sqlite {
            path: path.display().to_string(),
        });
    }
    Err(Error::bad_input(format!(
        "{} is neither a SQLite file nor a PostgreSQL database",
        location.display()
    )))
}

pub fn load(config_dir: &Path) -> Vec<Recent> {
    std::fs::read(config_dir.join(FILE_NAME))
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default()
}

/// Puts `request` first in its role's list (dropping an equal older entry) and saves.
///
/// # Errors
/// When the location does not parse or the file cannot be written.
pub fn remember(config_dir: &Path, role: Role, request: &LocationRequest) -> Result<(), Error> {
    let location = remembered(request)?;
    let label = location.to_location()?.display();
    let mut list = load(config_dir);
    list.retain(|r| !(r.role == role && r.location == location));
    list.insert(
        0,
        Recent {
            role,
            location,
            label,
        },
    );
    let mut kept = 0;
    list.retain(|r| {
        if r.role != role {
            return true;
        }
        kept += 1;
        kept <= KEEP_PER_ROLE
    });
    save(config_dir, &list)
}

fn save(config_dir: &Path, list: &[Recent]) -> Result<(), Error> {
    let path: PathBuf = config_dir.join(FILE_NAME);
    std::fs::create_dir_all(config_dir).map_err(|e| {
        ferry_engine::error::io_error("creating the settings folder", config_dir, e)
    })?;
    let json = serde_json::to_vec_pretty(list)
        .map_err(|e| Error::runtime(format!("cannot encode the recent locations: {e}")))?;
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, json)
        .and_then(|()| std::fs::rename(&tmp, &path))
        .map_err(|e| ferry_engine::error::io_error("saving the recent locations", &path, e))?;
    ferry_engine::support::files::restrict_to_owner(&path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_never_written() {
        let dir = tempfile::tempdir().unwrap();
        let url = LocationRequest::PostgresUrl {
            url: "postgres://app:s3cret-pw@db.example:6543/prod?sslmode=require".into(),
        };
        let fields = LocationRequest::PostgresFields(PgFields {
            host: "h".into(),
            database: "d".into(),
            user: "u".into(),
            password: "other-s3cret".into(),
            ..Default::default()
        });
        remember(dir.path(), Role::Target, &url).unwrap();
        remember(dir.path(), Role::Source, &fields).unwrap();
        let text = std::fs::read_to_string(dir.path().join(FILE_NAME)).unwrap();
        assert!(!text.contains("s3cret"), "{text}");
        let list = load(dir.path());
        assert_eq!(list.len(), 2);
        let LocationRequest::PostgresFields(f) = &list[1].location else {
            panic!("a URL is remembered as fields: {list:?}")
        };
        assert_eq!(
            (
                f.host.as_str(),
                f.port.as_str(),
                f.database.as_str(),
                f.user.as_str(),
                f.sslmode.as_str()
            ),
            ("db.example", "6543", "prod", "app", "require")
        );
    }

    #[test]
    fn newest_first_without_duplicates_and_capped() {
        let dir = tempfile::tempdir().unwrap();
        let file = |n: usize| LocationRequest::Sqlite {
            path: format!("/data/app{n}.db"),
        };
        for n in 0..12 {
            remember(dir.path(), Role::Source, &file(n)).unwrap();
        }
        remember(dir.path(), Role::Source, &file(9)).unwrap();
        remember(dir.path(), Role::Target, &file(0)).unwrap();
        let list = load(dir.path());
        let sources: Vec<_> = list.iter().filter(|r| r.role == Role::Source).collect();
        assert_eq!(sources.len(), KEEP_PER_ROLE);
        assert_eq!(sources[0].location, file(9));
        assert_eq!(sources[1].location, file(11));
        assert_eq!(list.iter().filter(|r| r.location == file(9)).count(), 1);
        assert_eq!(list[0].role, Role::Target);
    }
}
