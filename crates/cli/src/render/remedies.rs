//! A finding's remedies in the command line's words: the flags that apply them. The engine
//! decides which remedies a finding has (`Finding::remedies`); the app words the same list as
//! buttons.

use ferry_engine::finding::{Policy, Remedy};
use ferry_engine::temporal::{EpochUnit, FoldPolicy};

use super::plan::policy;

/// One line saying how to resolve the finding, e.g. "fix the data, or choose: --on-bad-value
/// tasks.done=text (keep as text), =null, or =skip (leave the rows out)". Empty when the
/// finding has no remedy.
pub fn words(remedies: &[Remedy]) -> String {
    let fix_data = remedies.contains(&Remedy::FixData);
    let mut policies = vec![];
    let mut column = None;
    let mut epochs = vec![];
    let mut folds = vec![];
    let mut gap = false;
    let mut exclude = None;
    let mut add_column = None;
    let mut replace = None;
    let mut type_override: Option<Option<String>> = None;
    let mut create_type = None;
    let mut tenancy = vec![];
    for r in remedies {
        match r {
            Remedy::FixData => {}
            Remedy::Policy {
                table,
                column: c,
                policy,
            } => {
                column = Some(format!("{table}.{c}"));
                policies.push(*policy);
            }
            Remedy::Epoch {
                table,
                column: c,
                unit,
            } => {
                column = Some(format!("{table}.{c}"));
                epochs.push(*unit);
            }
            Remedy::DstGap { .. } => gap = true,
            Remedy::DstFold { policy } => folds.push(*policy),
            Remedy::ExcludeTable { table } => exclude = Some(table.clone()),
            Remedy::AddTargetColumn { table, column: c } => {
                add_column = Some(format!("{table}.{c}"))
            }
            Remedy::CopyAndReplace { table } => replace = Some(table.clone()),
            Remedy::ChangeRole { advice } => return advice.clone(),
            Remedy::TypeOverride {
                table,
                column: c,
                type_name,
            } => {
                column = Some(format!("{table}.{c}"));
                type_override = Some(type_name.clone());
            }
            Remedy::CreateType { name } => create_type = Some(name.clone()),
            Remedy::ShareToo { table, shared } => tenancy.push(format!(
                "mark {table} shared too (--shared {})",
                shared.join(",")
            )),
            Remedy::KeepOwned { table, shared } if shared.is_empty() => {
                tenancy.push(format!("keep {table} owned (leave out --shared)"))
            }
            Remedy::KeepOwned { table, shared } => tenancy.push(format!(
                "keep {table} owned (--shared {})",
                shared.join(",")
            )),
        }
    }
    if !tenancy.is_empty() {
        return or_list(&tenancy);
    }
    let col = column.unwrap_or_default();
    if let Some(name) = create_type {
        return format!("choose a type it has: --on-bad-value {col}=text (the values as they are written) or --type {col}=TYPE; or create {name} in the target first");
    }
    if let Some(Some(type_name)) = &type_override {
        // JSON that jsonb would rewrite: the exact-text choices first, then the usual ones.
        let others: Vec<Remedy> = remedies
            .iter()
            .filter(|r| {
                !matches!(
                    r,
                    Remedy::TypeOverride { .. }
                        | Remedy::Policy {
                            policy: Policy::AsText,
                            ..
                        }
                )
            })
            .cloned()
            .collect();
        return format!("keep each document exactly as written: --type {col}={type_name} (PostgreSQL's {type_name} type stores the text as it is) or --on-bad-value {col}=text; or {}", words(&others));
    }
    if let Some(col) = add_column {
        return format!("add the column to the target, or pass --on-bad-value {col}=null to leave these values behind");
    }
    if let (Some(parent), Some(child)) = (&replace, &exclude) {
        return format!("copy {parent} too: drop it from --exclude and pass --replace {parent} so the target's rows are replaced by the source's (or leave {child} out as well)");
    }
    if let Some(table) = exclude {
        return format!("fix the data (delete or repair these rows in {table}), or leave the table out with --exclude; Ferry does not drop the foreign key silently");
    }
    if !epochs.is_empty() {
        let units: Vec<String> = epochs
            .iter()
            .map(|u| format!("--epoch {col}={}", epoch(*u)))
            .collect();
        return format!("say what the numbers are: {}", units.join(" or "));
    }
    if gap {
        return "these wall-clock times do not exist in the source time zone (DST gap): pass --dst-gap shift-forward, or fix the data".into();
    }
    if !folds.is_empty() {
        let which: Vec<&str> = folds.iter().map(|f| fold(*f)).collect();
        return format!("these wall-clock times happen twice in the source time zone (DST fold): pass --dst-fold {}, or fix the data", which.join(" or "));
    }
    if policies.is_empty() {
        return if fix_data {
            "fix the data".into()
        } else {
            String::new()
        };
    }
    let text = policies.contains(&Policy::AsText);
    let rest: Vec<&Policy> = policies.iter().filter(|p| **p != Policy::AsText).collect();
    let spell = |p: &Policy| {
        let name = policy(*p);
        match p {
            Policy::SkipRow => format!("={name} (leave the rows out)"),
            _ => format!("={name}"),
        }
    };
    let (flags, colon) = if text {
        let mut parts = vec![format!("--on-bad-value {col}=text (keep as text)")];
        parts.extend(rest.iter().map(|p| spell(p)));
        (or_list(&parts), ":")
    } else {
        let mut parts: Vec<String> = rest.iter().map(|p| spell(p)).collect();
        if let Some(first) = parts.first_mut() {
            *first = format!("--on-bad-value {col}{first}");
        }
        (parts.join(" or "), "")
    };
    if fix_data {
        format!("fix the data, or choose{colon} {flags}")
    } else {
        flags
    }
}

/// "a, b, or c"; "a or b" for two.
fn or_list(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [a, b] => format!("{a}, or {b}"),
        [init @ .., last] => format!("{}, or {last}", init.join(", ")),
    }
}

fn epoch(u: EpochUnit) -> &'static str {
    match u {
        EpochUnit::Seconds => "seconds",
        EpochUnit::Milliseconds => "ms",
    }
}

fn fold(f: FoldPolicy) -> &'static str {
    match f {
        FoldPolicy::Earlier => "earlier",
        FoldPolicy::Later => "later",
        FoldPolicy::Reject => "reject",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy_remedy(policy: Policy) -> Remedy {
        Remedy::Policy {
            table: "tasks".into(),
            column: "done".into(),
            policy,
        }
    }

    #[test]
    fn policies_read_as_the_flags_that_apply_them() {
        let all = [
            Remedy::FixData,
            policy_remedy(Policy::AsText),
            policy_remedy(Policy::Null),
            policy_remedy(Policy::SkipRow),
        ];
        assert_eq!(words(&all), "fix the data, or choose: --on-bad-value tasks.done=text (keep as text), =null, or =skip (leave the rows out)");
        let not_null_existing = [Remedy::FixData, policy_remedy(Policy::SkipRow)];
        assert_eq!(
            words(&not_null_existing),
            "fix the data, or choose --on-bad-value tasks.done=skip (leave the rows out)"
        );
        let nullable_existing = [
            Remedy::FixData,
            policy_remedy(Policy::Null),
            policy_remedy(Policy::SkipRow),
        ];
        assert_eq!(
            words(&nullable_existing),
            "fix the data, or choose --on-bad-value tasks.done=null or =skip (leave the rows out)"
        );
        assert_eq!(words(&[]), "");
    }

    #[test]
    fn tenancy_remedies_name_the_whole_shared_list() {
        let remedies = [
            Remedy::ShareToo {
                table: "goals".into(),
                shared: vec!["categories".into(), "goals".into()],
            },
            Remedy::KeepOwned {
                table: "categories".into(),
                shared: vec![],
            },
        ];
        assert_eq!(
            words(&remedies),
            "mark goals shared too (--shared categories,goals), or keep categories owned (leave out --shared)"
        );
        let rest = [Remedy::KeepOwned {
            table: "categories".into(),
            shared: vec!["currencies".into()],
        }];
        assert_eq!(words(&rest), "keep categories owned (--shared currencies)");
    }
}
