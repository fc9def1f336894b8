//! Hiding passwords in free text: every error message and log line that may echo what a user
//! typed goes through [`mask_secrets`].
//!
//! It errs on the side of hiding too much: a password that contains `@`, spaces or quotes is
//! masked whole, even if that also hides a little of what follows it.

const MASK: &str = "***";

/// Replaces anything that looks like a password with `***`: the password of
/// `scheme://user:password@host` URLs, and the value of `password=…`, `PGPASSWORD=…`
/// (any key ending in `password`, any case; quoted values whole).
pub fn mask_secrets(text: &str) -> String {
    mask_key_values(&mask_urls(text))
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
        match password_span(region) {
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
    let at = region[..word_end]
        .rfind('@')
        .or_else(|| region.rfind('@'))?;
    let colon = region[..at].find(':')?;
    // A '/' before the colon means the colon is not in the credentials (host:port/path).
    if region[..colon].contains('/') {
        return None;
    }
    Some((colon + 1, at))
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
        ];
        for (input, want) in cases {
            assert_eq!(mask_secrets(input), want, "input: {input}");
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
