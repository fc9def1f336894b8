//! The translated expression as text both databases read the same way.

use super::*;

pub(super) fn compound(e: &Expr) -> bool {
    matches!(
        e,
        Expr::Bin(..)
            | Expr::Not(_)
            | Expr::Neg(_)
            | Expr::In(..)
            | Expr::Between(..)
            | Expr::IsNull(..)
            | Expr::Cast(..)
            | Expr::Quantified { .. }
    )
}

/// Output readable by both databases; compound operands are parenthesised so that no
/// precedence difference between the dialects can regroup them.
pub(super) fn render(e: &Expr) -> String {
    let child = |c: &Expr| {
        if compound(c) {
            format!("({})", render(c))
        } else {
            render(c)
        }
    };
    let list = |items: &[Expr]| items.iter().map(render).collect::<Vec<_>>().join(", ");
    let not = |n: bool| if n { "NOT " } else { "" };
    match e {
        Expr::Col { name, .. } => crate::postgres::ddl::quote_ident(name),
        Expr::Num(n) => n.clone(),
        Expr::Str(s) => format!("'{}'", s.replace('\'', "''")),
        Expr::Null => "NULL".into(),
        Expr::Bool(b) => (if *b { "TRUE" } else { "FALSE" }).into(),
        Expr::Neg(x) => format!("-{}", child(x)),
        Expr::Not(x) => format!("NOT {}", child(x)),
        Expr::Bin(op, a, b) => format!("{} {op} {}", child(a), child(b)),
        Expr::Func(f, args) => format!("{f}({})", list(args)),
        Expr::Cast(x, ty) => format!("CAST({} AS {ty})", render(x)),
        Expr::In(x, items, n) => format!("{} {}IN ({})", child(x), not(*n), list(items)),
        Expr::Between(x, lo, hi, n) => format!(
            "{} {}BETWEEN {} AND {}",
            child(x),
            not(*n),
            child(lo),
            child(hi)
        ),
        Expr::IsNull(x, n) => format!("{} IS {}NULL", child(x), not(*n)),
        Expr::Quantified { lhs, op, all, rhs } => {
            format!(
                "{} {op} {} ({})",
                child(lhs),
                if *all { "ALL" } else { "ANY" },
                render(rhs)
            )
        }
        Expr::Array(items) => format!("ARRAY[{}]", list(items)),
        Expr::Paren(x) => format!("({})", render(x)),
    }
}
