//! Hiding passwords in free text: every error message and log line that may echo what a user
//! typed goes through [`mask_secrets`].
//!
//! It errs on the side of hiding too much: a password that contains `@`, spaces or quotes is
//! masked whole, even if that also hides a little of what follows it. A location a person
//! mistyped is echoed in the error that says so, so the credentials are found in any shape,
//! not only in a well-formed URL: `scheme://user:pw@`, a wrong or missing scheme
//! (`postgres:/user:pw@`, `user:pw@host`), and `…password=value` pairs.

const MASK: &str = "***";

/// Replaces anything that looks like a password with `***`: the password of
/// `scheme://user:password@host` URLs, and the value of `password=…`, `PGPASSWORD=…`
/// (any key ending in `password`, any case; quoted values whole).
pub fn mask_secrets(text: &str) -> String {
    mask_key_values(&mask_loose_credentials(&mask_urls(text)))
}

/// Masks the `password` of every `scheme://user:password@…` in `text`.
fn mask_urls(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find("://") {
        let (head, after) = rest.split_at(pos + 3);
        out.push_str(head);
        // This URL's text ends where the line ends or the next URL starts.
        let line_end = after.find('\n').unwrap_or(after.len());
        let region_end = after[..line_end].find("://").map_or(line_end, |next| {
            // Back up over the next URL's scheme.
            after[..next]
                .rfind(|c: char| !(c.is_ascii_alphanumeric() || "+.-".contains(c)))
                .map_or(0, |i| i + 1)
        });
        let region = &after[..region_end];
        match password_span(region).or_else(|| cut_password_span(region)) {
            Some((start, end)) => {
                out.push_str(&region[..start]);
                out.push_str(MASK);
                out.push_str(&region[end..]);
            }
            None => out.push_str(region),
        }
        rest = &after[region_end..];
    }
    out.push_str(rest);
    out
}

/// Where the password lies in the text after `://`: between the first `:` and the `@` that
/// ends the credentials. The `@` is the last one before the first whitespace, or — for a
/// password with a space in it — the last one on the line.
fn password_span(region: &str) -> Option<(usize, usize)> {
    let word_end = region.find(char::is_whitespace).unwrap_or(region.len());
    let colon_before = |at: usize| region[..at].find(':');
    // The word's own `@`, unless it leaves the password empty (`u:@ x@h`: the `@` is in it).
    let at = region[..word_end]
        .rfind('@')
        .filter(|&at| colon_before(at).is_none_or(|c| c + 1 < at))
        .or_else(|| region.rfind('@'))?;
    let colon = colon_before(at)?;
    // A '/' before the colon means the colon is not in the credentials (host:port/path).
    if region[..colon].contains('/') {
        return None;
    }
    Some((colon + 1, at))
}

/// Masks `user:password@` in words that are not well-formed URLs (after [`mask_urls`]):
/// `postgres:/u:pw@h`, `postgres:///u:pw@h`, `u:pw@h`, `"pg:u:pw@h"`. In each word holding an
/// `@`, the credentials end at its last `@` and the password starts at the first `:` after a
/// `scheme:/…` prefix (or the word's first `:` when there is none, which hides a slash-less
/// scheme along with the user: too much, never too little). A password with a space in it is
/// found from the earlier word where the credentials began.
fn mask_loose_credentials(text: &str) -> String {
    text.split_inclusive('\n')
        .map(mask_line_credentials)
        .collect()
}

fn mask_line_credentials(line: &str) -> String {
    // Words with their byte ranges; the separators between them are copied unchanged.
    let words: Vec<(usize, usize)> = word_ranges(line);
    let mut masks: Vec<(usize, usize)> = Vec::new();
    for (i, &(start, end)) in words.iter().enumerate() {
        let word = &line[start..end];
        let Some(at) = word.rfind('@') else { continue };
        let span = credentials_start(&word[..at])
            .map(|colon| (start + colon + 1, start + at))
            // `u:@ rest@h`: an empty password here means the `@` belongs to the password.
            .filter(|(from, to)| from < to)
            .or_else(|| {
                // `…:user:two words@host`, `user:pw @host`: credentials with spaces, started in
                // one of the two words before. That word has a `:` and is not a label (`email:`), and no `@` before that `:`.
                words[i.saturating_sub(2)..i]
                    .iter()
                    .rev()
                    .find_map(|&(s, e)| {
                        let earlier = &line[s..e];
                        let label = earlier.ends_with(':') && earlier.matches(':').count() == 1;
                        (!label).then_some(())?;
                        let colon = credentials_start(earlier)?;
                        // An `@` of its own before that `:` makes it a location (`u@h:5432`).
                        let at_before = earlier.find('@').is_some_and(|a| a < colon);
                        // Masked as a whole URL already (`mask_urls`): judged. Masked by this pass:
                        // its password went on past the `@` it was cut at (`u:@A b@h`).
                        (!at_before && !earlier.contains(MASK))
                            .then_some((s + colon + 1, start + at))
                    })
            });
        if let Some((from, to)) = span {
            if &line[from..to] != MASK {
                // A longer span replaces the ones inside it.
                masks.retain(|&(f, t)| !(from <= f && t <= to));
                if !masks.iter().any(|&(f, t)| from < t && f < to) {
                    masks.push((from, to));
                }
            }
        }
    }
    masks.sort_unstable();
    let mut out = String::with_capacity(line.len());
    let mut copied = 0;
    for (from, to) in masks {
        out.push_str(&line[copied..from]);
        out.push_str(MASK);
        copied = to;
    }
    out.push_str(&line[copied..]);
    out
}

/// Byte ranges of the whitespace-separated words of `line`.
fn word_ranges(line: &str) -> Vec<(usize, usize)> {
    let mut words = Vec::new();
    let mut start = None;
    for (i, c) in line.char_indices() {
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                words.push((s, i));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        words.push((s, line.len()));
    }
    words
}

/// In the part of a word before its `@`, the offset of the `:` that starts the password:
/// the first `:` after a leading `scheme:/…` (quotes and brackets before it skipped), else
/// the first `:` at all. `None` when there is no password (`user@host`).
fn credentials_start(before_at: &str) -> Option<usize> {
    let lead = before_at.len()
        - before_at
            .trim_start_matches(['"', '\'', '(', '<', '[', '{', '`'])
            .len();
    let rest = &before_at[lead..];
    let scheme_len = rest
        .find(':')
        .filter(|&colon| {
            colon > 0
                && rest[..colon]
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
                && rest[colon + 1..].starts_with('/')
        })
        .map(|colon| {
            colon + 1 + rest[colon + 1..].len() - rest[colon + 1..].trim_start_matches('/').len()
        });
    match scheme_len {
        Some(skip) => rest[skip..].find(':').map(|c| lead + skip + c).or_else(|| {
            // `a:/pw@h` reads as a scheme with one slash too: a password may start with `/`.
            let one_slash = !rest[..skip].ends_with("//");
            one_slash.then(|| before_at.find(':')).flatten()
        }),
        None => before_at.find(':'),
    }
}

/// A URL cut before its `@host` (`postgres://user:secret`): no `@`, and what stands where the
/// port would is not a port (digits, or a list of hosts and ports). It is taken for
/// a password: hiding a mistyped port is cheap, echoing a password is not.
fn cut_password_span(region: &str) -> Option<(usize, usize)> {
    let word_end = region.find(char::is_whitespace).unwrap_or(region.len());
    let word = &region[..word_end];
    if word.contains('@') || word.starts_with('[') {
        return None;
    }
    let colon = word.find(':')?;
    let end = word[colon + 1..]
        .find(['/', '?'])
        .map_or(word.len(), |i| colon + 1 + i);
    let port = word[colon + 1..end].trim_end_matches(['"', '\'', ')', ',', '.']);
    // Several hosts (`h:5432,h2:5433`) are ports too.
    let is_port = port.bytes().all(|b| b.is_ascii_digit()) || port.contains(',');
    (!port.is_empty() && !is_port).then_some((colon + 1, colon + 1 + port.len()))
}

/// Masks the values of `…password=value` pairs (also `password = 'a b'`, `"quoted"`).
fn mask_key_values(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut search = 0;
    while let Some(found) = lower[search..].find("password") {
        let key_start = search + found;
        let key_end = key_start + "password".len();
        search = key_end;
        let after_key = &text[key_end..];
        // A quoted key (`"password"=…`) ends with its quote.
        let trimmed = after_key
            .strip_prefix(['"', '\''])
            .unwrap_or(after_key)
            .trim_start();
        let Some(value_part) = trimmed.strip_prefix('=') else {
            continue;
        };
        let value_offset = text.len() - value_part.trim_start().len();
        let value = &text[value_offset..];
        // In a URL query (`?password=x&…`) the value ends at '&'.
        let in_query = text[..key_start].ends_with(['?', '&']);
        let len = value_len(value, in_query);
        if len == 0 {
            continue;
        }
        out.push_str(&text[copied..value_offset]);
        out.push_str(MASK);
        copied = value_offset + len;
        search = copied;
    }
    out.push_str(&text[copied..]);
    out
}

/// Length of a value: a quoted one up to its closing quote (backslash escapes), a bare one up
/// to whitespace (or `&` in a URL query).
fn value_len(value: &str, in_query: bool) -> usize {
    let mut chars = value.char_indices();
    match chars.next() {
        Some((_, q @ ('\'' | '"'))) => {
            while let Some((i, c)) = chars.next() {
                if c == '\\' {
                    chars.next();
                } else if c == q {
                    return i + 1;
                }
            }
            value.len()
        }
        Some(_) => value
            .find(|c: char| c.is_whitespace() || (in_query && c == '&'))
            .unwrap_or(value.len()),
        None => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_passwords_in_free_text() {
        let cases = [
            ("postgres://u:secret@h/db", "postgres://u:***@h/db"),
            (
                "cannot reach postgresql://u:s3cr3t@h:5432/db now",
                "cannot reach postgresql://u:***@h:5432/db now",
            ),
            ("postgres://u:p@ss@h/db", "postgres://u:***@h/db"),
            ("postgres://u:a:b/c@h/db", "postgres://u:***@h/db"),
            ("postgres://u:p%40ss%20w@h/db", "postgres://u:***@h/db"),
            ("postgres://u:it's\"q@h/db", "postgres://u:***@h/db"),
            (
                "postgres://u:two words@h/db failed",
                "postgres://u:***@h/db failed",
            ),
            (
                "postgres://u@h:5432/db (mail a@b)",
                "postgres://u@h:5432/db (mail a@b)",
            ),
            ("postgres://h:5432/db", "postgres://h:5432/db"),
            ("postgres://u:secret", "postgres://u:***"),
            ("'postgres://u:secret' found", "'postgres://u:***' found"),
            (
                "postgres://h:5432,h2:5433/db",
                "postgres://h:5432,h2:5433/db",
            ),
            ("postgres://[::1]:5432/db", "postgres://[::1]:5432/db"),
            (
                "from postgres://a:x@h1/d to mysql://b:y@h2/d",
                "from postgres://a:***@h1/d to mysql://b:***@h2/d",
            ),
            (
                "host=h password=secret user=u",
                "host=h password=*** user=u",
            ),
            ("password='a b' user=u", "password=*** user=u"),
            (r"password='it\'s \\ x' user=u", "password=*** user=u"),
            ("password = spaced user=u", "password = *** user=u"),
            (
                "PGPASSWORD=hunter2 ferry migrate",
                "PGPASSWORD=*** ferry migrate",
            ),
            (
                "postgres://h/db?password=x%20y&sslmode=require",
                "postgres://h/db?password=***&sslmode=require",
            ),
            ("\"password\"=\"q p\"", "\"password\"=***"),
            ("the password is wrong", "the password is wrong"),
            ("password= ", "password= "),
            (
                "line one postgres://u:p@h\nline two @ here",
                "line one postgres://u:***@h\nline two @ here",
            ),
            // Mistyped locations, echoed by the error that says they are wrong.
            (
                "\"postgres:/user:s3cret@host/db\" is not a PostgreSQL URL",
                "\"postgres:/user:***@host/db\" is not a PostgreSQL URL",
            ),
            ("postgres:///u:pw@h/db", "postgres:///u:***@h/db"),
            ("postgresql:/u:p@ss@h/db", "postgresql:/u:***@h/db"),
            ("postgres:u:pw@h/db", "postgres:***@h/db"),
            ("postgre://u:pw@h/db", "postgre://u:***@h/db"),
            ("user:pw@host/db", "user:***@host/db"),
            ("user:a:b/c@host:5432/db", "user:***@host:5432/db"),
            ("to 'u:pw@h'", "to 'u:***@h'"),
            (
                "postgres:/u:two words@h/db failed",
                "postgres:/u:***@h/db failed",
            ),
            // Ambiguous (a password may start with '/'): hidden.
            ("postgres:/u@h:5432/db", "postgres:***@h:5432/db"),
            ("postgres:///u@h:5432/db", "postgres:///u@h:5432/db"),
            (
                "mail nobody@example.com at 12:30",
                "mail nobody@example.com at 12:30",
            ),
            (
                "at 12:30:45 for user nobody@example.com",
                "at 12:30:45 for user nobody@example.com",
            ),
            (
                "postgres://u@h:5432/db and mail a@b",
                "postgres://u@h:5432/db and mail a@b",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(mask_secrets(input), want, "input: {input}");
        }
    }

    /// Real URLs, mangled the ways a person mistypes them, echoed inside a sentence: the
    /// password never survives masking.
    mod mangled {
        use super::super::mask_secrets;
        use proptest::prelude::*;

        fn password() -> impl Strategy<Value = String> {
            // `Zq` in every one, so "not found" means masked; the characters a URL must
            // encode included, and one space inside; not leading with a space (`user: pw` reads as a label) or
            // a `/` (`user://pw@h` reads as a URL of its own).
            "([a-zA-Z0-9@:%!'\"#?&=][a-zA-Z0-9@:/%!'\"#?&=]{0,4}( [a-zA-Z0-9@:/%!'\"#?&=]{1,4})?)?Zq[a-zA-Z0-9@:/%]{0,6}"
        }

        fn scheme() -> impl Strategy<Value = &'static str> {
            prop::sample::select(vec![
                "postgres://",
                "postgresql://",
                "postgres:/",
                "postgres:///",
                "postgresql:",
                "postgres:",
                "postgress://",
                "pg://",
                "http://",
                "",
            ])
        }

        fn percent(p: &str) -> String {
            p.bytes()
                .map(|b| {
                    if b.is_ascii_alphanumeric() {
                        (b as char).to_string()
                    } else {
                        format!("%{b:02X}")
                    }
                })
                .collect()
        }

        proptest! {
            #[test]
            fn a_mangled_url_never_shows_its_password(
                scheme in scheme(),
                user in "[a-z][a-z0-9_]{0,8}",
                password in password(),
                encode in any::<bool>(),
                host in prop::sample::select(vec!["db.example.com", "127.0.0.1:5432", "[::1]:5432", "h"]),
                path in prop::sample::select(vec!["/app", "/app?sslmode=require", "", "/"]),
                spaces in prop::sample::select(vec![(false, false), (true, false), (false, true)]),
                wrap in prop::sample::select(vec!["{}", "\"{}\" is not a PostgreSQL URL", "cannot connect to {}: refused", "--to '{}'", "url={} x"]),
            ) {
                let secret = if encode { percent(&password) } else { password.clone() };
                // Spaces around the separators, as a paste may bring them.
                let (before_at, after_scheme) = spaces;
                let at = if before_at { " @" } else { "@" };
                let lead = if after_scheme { " " } else { "" };
                let url = format!("{scheme}{lead}{user}:{secret}{at}{host}{path}");
                let text = wrap.replace("{}", &url);
                let masked = mask_secrets(&text);
                prop_assert!(!masked.contains(&secret), "{text:?} -> {masked:?}");
            }

            #[test]
            fn a_key_value_password_never_shows(
                password in "[a-zA-Z0-9@:/%!#?&=]{0,8}Zq[a-zA-Z0-9]{0,4}",
                quote in prop::sample::select(vec!["", "'", "\""]),
                key in prop::sample::select(vec!["password", "PASSWORD", "PGPASSWORD", "db_password"]),
                spaced in any::<bool>(),
            ) {
                let eq = if spaced { " = " } else { "=" };
                let text = format!("host=h {key}{eq}{quote}{password}{quote} user=u");
                let masked = mask_secrets(&text);
                prop_assert!(!masked.contains(&password), "{text:?} -> {masked:?}");
            }
        }
    }

    #[test]
    fn masked_text_never_contains_the_secret() {
        for secret in [
            "p@ss",
            "a:b",
            "x/y",
            "sp ace",
            "qu'ote",
            "pc%41",
            "back\\slash",
        ] {
            let quoted = secret.replace('\\', "\\\\").replace('\'', "\\'");
            for text in [
                format!("postgres://user:{secret}@host/db"),
                format!("host=h password='{quoted}'"),
                format!("PGPASSWORD='{quoted}'"),
            ] {
                let masked = mask_secrets(&text);
                assert!(!masked.contains(secret), "{text} -> {masked}");
            }
        }
    }
}
