//! The command line's spelling of the options the engine's messages mention: its flags.

use ferry_engine::options::OptionName;
use ferry_engine::Error;

/// The flag that sets `option`.
pub fn flag(option: OptionName) -> String {
    let flag = match option {
        OptionName::From => "--from",
        OptionName::To => "--to",
        OptionName::Tables => "--tables",
        OptionName::Exclude => "--exclude",
        OptionName::IntoExisting => "--into-existing",
        OptionName::Append => "--append",
        OptionName::Replace => "--replace",
        OptionName::Conventions => "--conventions",
        OptionName::Type => "--type",
        OptionName::OnBadValue => "--on-bad-value",
        OptionName::Epoch => "--epoch",
        OptionName::ColumnTimezone => "--column-timezone",
        OptionName::Promote => "--promote",
        OptionName::AdminEmail => "--admin-email",
        OptionName::UsersTable => "--users-table",
        OptionName::EmailColumn => "--email-column",
        OptionName::UsernameColumn => "--username-column",
        OptionName::PasswordColumn => "--password-column",
        OptionName::OwnerColumn => "--owner-column",
        OptionName::FillUpdatedAt => "--fill-updated-at",
        OptionName::Shared => "--shared",
        OptionName::KeepGlobalUniques => "--keep-global-uniques",
        OptionName::RowLevelSecurity => "--row-level-security",
        OptionName::TargetProfile => "--target-profile",
        OptionName::Distribute => "--distribute",
        OptionName::ExtractUser => "--extract-user",
        OptionName::Bundle => "--bundle",
    };
    flag.to_string()
}

/// An error as the command line says it: the options it mentions as flags.
pub fn words(error: &Error) -> String {
    error.words(&flag)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    /// Every option an engine message can mention is a flag some command of `ferry` takes:
    /// a renamed flag fails here, not in a user's terminal.
    #[test]
    fn every_option_the_engine_mentions_is_a_real_flag() {
        let cli = crate::args::Cli::command();
        let mut longs = vec![];
        for command in cli.get_subcommands() {
            for arg in command.get_arguments() {
                if let Some(long) = arg.get_long() {
                    longs.push(format!("--{long}"));
                }
            }
        }
        for option in OptionName::ALL {
            let flag = flag(*option);
            assert!(
                longs.contains(&flag),
                "{option:?}: {flag} is no flag of ferry"
            );
        }
    }

    #[test]
    fn a_message_names_the_flags() {
        let e = Error::bad_option(
            OptionName::UsersTable,
            format!("{} x: no such table", OptionName::UsersTable.mention()),
        )
        .nothing_written();
        assert_eq!(
            words(&e),
            "--users-table x: no such table; nothing was written"
        );
        assert_eq!(words(&e), e.to_string());
        assert_eq!(e.option(), Some(OptionName::UsersTable));
    }
}
