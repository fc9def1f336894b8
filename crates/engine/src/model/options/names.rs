//! The options a person sets, named by what they mean. Engine messages mention them through
//! [`OptionName::mention`]; each front end spells them its own way when it shows the message
//! (the CLI `--users-table`, the app "Users table"), through
//! [`crate::model::error::Error::words`].

use serde::Serialize;

/// An option of a run, as both front ends offer it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OptionName {
    From,
    To,
    Tables,
    Exclude,
    IntoExisting,
    Append,
    Replace,
    Conventions,
    Type,
    OnBadValue,
    Epoch,
    ColumnTimezone,
    Promote,
    AdminEmail,
    UsersTable,
    EmailColumn,
    UsernameColumn,
    PasswordColumn,
    OwnerColumn,
    FillUpdatedAt,
    Shared,
    KeepGlobalUniques,
    RowLevelSecurity,
    TargetProfile,
    Distribute,
    ExtractUser,
    Bundle,
}

/// Where a mention starts and ends inside a message: control characters, which no sentence
/// of ours contains, so a table named like an option is never mistaken for one.
const OPEN: char = '\u{1}';
const CLOSE: char = '\u{2}';

impl OptionName {
    pub const ALL: &'static [OptionName] = &[
        OptionName::From,
        OptionName::To,
        OptionName::Tables,
        OptionName::Exclude,
        OptionName::IntoExisting,
        OptionName::Append,
        OptionName::Replace,
        OptionName::Conventions,
        OptionName::Type,
        OptionName::OnBadValue,
        OptionName::Epoch,
        OptionName::ColumnTimezone,
        OptionName::Promote,
        OptionName::AdminEmail,
        OptionName::UsersTable,
        OptionName::EmailColumn,
        OptionName::UsernameColumn,
        OptionName::PasswordColumn,
        OptionName::OwnerColumn,
        OptionName::FillUpdatedAt,
        OptionName::Shared,
        OptionName::KeepGlobalUniques,
        OptionName::RowLevelSecurity,
        OptionName::TargetProfile,
        OptionName::Distribute,
        OptionName::ExtractUser,
        OptionName::Bundle,
    ];

    /// A stable identifier (`users_table`), also the serialized form.
    pub fn key(self) -> &'static str {
        match self {
            OptionName::From => "from",
            OptionName::To => "to",
            OptionName::Tables => "tables",
            OptionName::Exclude => "exclude",
            OptionName::IntoExisting => "into_existing",
            OptionName::Append => "append",
            OptionName::Replace => "replace",
            OptionName::Conventions => "conventions",
            OptionName::Type => "type",
            OptionName::OnBadValue => "on_bad_value",
            OptionName::Epoch => "epoch",
            OptionName::ColumnTimezone => "column_timezone",
            OptionName::Promote => "promote",
            OptionName::AdminEmail => "admin_email",
            OptionName::UsersTable => "users_table",
            OptionName::EmailColumn => "email_column",
            OptionName::UsernameColumn => "username_column",
            OptionName::PasswordColumn => "password_column",
            OptionName::OwnerColumn => "owner_column",
            OptionName::FillUpdatedAt => "fill_updated_at",
            OptionName::Shared => "shared",
            OptionName::KeepGlobalUniques => "keep_global_uniques",
            OptionName::RowLevelSecurity => "row_level_security",
            OptionName::TargetProfile => "target_profile",
            OptionName::Distribute => "distribute",
            OptionName::ExtractUser => "extract_user",
            OptionName::Bundle => "bundle",
        }
    }

    fn from_key(key: &str) -> Option<OptionName> {
        OptionName::ALL.iter().copied().find(|o| o.key() == key)
    }

    /// The option inside an engine message; replaced by the front end's spelling when shown.
    pub fn mention(self) -> String {
        format!("{OPEN}{}{CLOSE}", self.key())
    }

    /// The spelling an engine message gets where no front end chose one (`Display`, logs):
    /// the command line's, the front end every other one can be scripted with.
    pub fn default_words(self) -> String {
        format!("--{}", self.key().replace('_', "-"))
    }
}

/// `text` with every [`OptionName::mention`] replaced by `name(option)`.
pub fn spell(text: &str, name: &dyn Fn(OptionName) -> String) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(OPEN) {
        out.push_str(&rest[..start]);
        let after = &rest[start + OPEN.len_utf8()..];
        match after
            .find(CLOSE)
            .and_then(|end| Some((end, OptionName::from_key(&after[..end])?)))
        {
            Some((end, option)) => {
                out.push_str(&name(option));
                rest = &after[end + CLOSE.len_utf8()..];
            }
            None => {
                out.push(OPEN);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_are_spelled_by_the_caller_and_other_text_is_kept() {
        let text = format!(
            "{} x: no such table; name it with {} (\u{1}nonsense\u{2} stays)",
            OptionName::UsersTable.mention(),
            OptionName::UsersTable.mention()
        );
        assert_eq!(
            spell(&text, &|o| o.default_words()),
            "--users-table x: no such table; name it with --users-table (\u{1}nonsense\u{2} stays)"
        );
        assert_eq!(
            spell(&text, &|_| "Users table".into()),
            "Users table x: no such table; name it with Users table (\u{1}nonsense\u{2} stays)"
        );
    }

    #[test]
    fn every_option_has_its_own_key() {
        for o in OptionName::ALL {
            assert_eq!(OptionName::from_key(o.key()), Some(*o));
        }
    }
}
