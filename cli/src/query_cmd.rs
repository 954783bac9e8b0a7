//! `pledges list` and `pledges show`.

use std::borrow::Cow;
use std::fmt::Write;
use std::io::Write as _;

use serde::de::DeserializeOwned;
use serde_json::Value;
use ukraine_pledges::Dataset;
use ukraine_pledges::diagnostic::did_you_mean;
use ukraine_pledges::model::{Category, ConditionKind, Pledge, Status};

use crate::args::{DataArg, ListArgs, QueryFormat, RecordKind, ShowArgs};
use crate::{ERROR, FAILURE, SUCCESS, emit, fail, load_or_report};

/// The dataset of `--data`, else `./data` when it exists (as `validate`
/// reads it), else the bundled one; which is said on standard error. An
/// invalid directory is reported, never replaced by the bundled copy.
pub(crate) fn dataset(arg: &DataArg) -> Result<Cow<'static, Dataset>, u8> {
    let dir = match &arg.data {
        Some(dir) => Some(dir.clone()),
        None => {
            let local = std::path::PathBuf::from("./data");
            local.is_dir().then_some(local)
        }
    };
    let mut err = std::io::stderr();
    match dir {
        Some(dir) => {
            let _ = writeln!(err, "reading {}", dir.display());
            load_or_report(&dir, &arg.limit).map(Cow::Owned)
        }
        None => {
            let data = Dataset::bundled();
            let _ = writeln!(
                err,
                "reading the bundled dataset {}",
                crate::escape::visible(&data.manifest().version)
            );
            Ok(Cow::Borrowed(data))
        }
    }
}

/// Parses `value` as one of the data model's snake_case enum values.
fn parse_enum<T: DeserializeOwned + schemars::JsonSchema>(
    what: &str,
    value: &str,
) -> Result<T, u8> {
    serde_json::from_value(Value::from(value)).map_err(|_| {
        let allowed = names::<T>();
        let hint = match did_you_mean(value, allowed.iter().map(String::as_str)) {
            Some(near) => format!("did you mean `{near}`?"),
            None => format!("one of: {}", allowed.join(", ")),
        };
        fail(format_args!("`{value}` is not a {what}; {hint}"))
    })
}

fn names<T: schemars::JsonSchema>() -> Vec<String> {
    let schema = schemars::schema_for!(T).to_value();
    schema
        .get("oneOf")
        .and_then(Value::as_array)
        .map(|b| {
            b.iter()
                .filter_map(|v| v.get("const")?.as_str().map(str::to_owned))
                .collect()
        })
        .or_else(|| {
            schema.get("enum").and_then(Value::as_array).map(|v| {
                v.iter()
                    .filter_map(|s| s.as_str().map(str::to_owned))
                    .collect()
            })
        })
        .unwrap_or_default()
}

pub(crate) fn actor_named<'d>(
    data: &'d Dataset,
    name: Option<&str>,
) -> Result<Option<&'d str>, u8> {
    let Some(name) = name else { return Ok(None) };
    match data.actor_by_alias(name) {
        Some(actor) => Ok(Some(actor.id.as_str())),
        None => {
            let ids = data.actors().iter().map(|a| a.id.as_str());
            let hint = did_you_mean(name, ids)
                .map(|near| format!("; did you mean `{near}`?"))
                .unwrap_or_default();
            Err(fail(format_args!("no actor is called `{name}`{hint}")))
        }
    }
}

fn filtered<'d>(data: &'d Dataset, args: &ListArgs) -> Result<Vec<&'d Pledge>, u8> {
    let actor = actor_named(data, args.actor.as_deref())?;
    let involving: Option<Vec<&Pledge>> = actor_named(data, args.involving.as_deref())?
        .map(|id| data.pledges_involving(id).collect());
    let category: Option<Category> = args
        .category
        .as_deref()
        .map(|c| parse_enum("category", c))
        .transpose()?;
    let status: Option<Status> = args
        .status
        .as_deref()
        .map(|s| parse_enum("status", s))
        .transpose()?;
    let condition: Option<ConditionKind> = args
        .condition
        .as_deref()
        .map(|k| parse_enum("condition kind", k))
        .transpose()?;
    Ok(data
        .pledges()
        .iter()
        .filter(|p| {
            actor.is_none_or(|a| p.pledgers.iter().any(|who| data.acts_for(who.as_str(), a)))
        })
        .filter(|p| category.is_none_or(|c| p.categories.contains(&c)))
        .filter(|p| status.is_none_or(|s| p.status == s))
        .filter(|p| condition.is_none_or(|k| p.conditions.iter().any(|c| c.kind == k)))
        .filter(|p| {
            involving
                .as_ref()
                .is_none_or(|list| list.iter().any(|q| q.id == p.id))
        })
        .filter(|p| !args.contested || !p.contested_claims().is_empty())
        .filter(|p| {
            args.min_credibility
                .is_none_or(|n| p.credibility().get() <= n)
        })
        .collect())
}

pub(crate) fn enum_name<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

pub fn list(args: &ListArgs) -> u8 {
    let data = match dataset(&args.data) {
        Ok(data) => data,
        Err(code) => return code,
    };
    if args.records != RecordKind::Pledges {
        return crate::other_records::list(&data, args);
    }
    let pledges = match filtered(&data, args) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let text = match args.format {
        QueryFormat::Json => crate::other_records::to_json(&pledges),
        QueryFormat::Human => {
            let width = pledges
                .iter()
                .map(|p| p.id.as_str().len())
                .max()
                .unwrap_or(0);
            let mut text = String::new();
            let mut any_contested = false;
            for p in &pledges {
                let contested = !p.contested_claims().is_empty();
                any_contested |= contested;
                let _ = writeln!(
                    text,
                    "{:width$}  {:<16}  {}{}  {}",
                    p.id.as_str(),
                    enum_name(&p.status),
                    p.credibility(),
                    if contested { '*' } else { ' ' },
                    p.title
                );
            }
            let _ = writeln!(
                text,
                "{} pledge{}",
                pledges.len(),
                if pledges.len() == 1 { "" } else { "s" }
            );
            if !pledges.is_empty() {
                let _ = writeln!(
                    text,
                    "(the number is how credible each pledge's least attested claim is: 1 confirmed to 6 cannot be judged{})",
                    if any_contested {
                        "; * the sources disagree on a claim: see `pledges show ID`"
                    } else {
                        ""
                    }
                );
            }
            text
        }
    };
    if emit(&text).is_err() { ERROR } else { SUCCESS }
}

pub fn show(args: &ShowArgs) -> u8 {
    let data = match dataset(&args.data) {
        Ok(data) => data,
        Err(code) => return code,
    };
    if data.pledge(&args.id).is_none()
        && let Some(code) = crate::other_records::show(&data, args)
    {
        return code;
    }
    let Some(pledge) = data.pledge(&args.id) else {
        let ids = data
            .pledges()
            .iter()
            .map(|p| p.id.as_str())
            .chain(data.events().iter().map(|e| e.id.as_str()))
            .chain(data.statements().iter().map(|s| s.id.as_str()));
        let hint = did_you_mean(&args.id, ids)
            .map(|near| format!("; did you mean `{near}`?"))
            .unwrap_or_default();
        let _ = fail(format_args!(
            "no pledge, event or statement has the id `{}`{hint}",
            args.id
        ));
        return FAILURE;
    };
    let name = |id: &str| {
        data.actor(id)
            .map_or_else(|| id.to_owned(), |a| a.name.to_string())
    };
    let text = match args.format {
        QueryFormat::Json => {
            crate::other_records::record_json(&data, "pledge", pledge, &pledge.contested_claims())
        }
        QueryFormat::Human => {
            let mut t = String::new();
            let _ = writeln!(
                t,
                "{}\n{}\n",
                pledge.title,
                "=".repeat(pledge.title.as_str().chars().count())
            );
            let _ = writeln!(t, "{}\n", pledge.description);
            let pledgers: Vec<String> =
                pledge.pledgers.iter().map(|id| name(id.as_str())).collect();
            let _ = writeln!(t, "id:          {}", pledge.id);
            let _ = writeln!(t, "pledged by:  {}", pledgers.join(", "));
            if let Some(b) = &pledge.beneficiary {
                let _ = writeln!(t, "for:         {}", name(b.as_str()));
            }
            let categories: Vec<String> = pledge.categories.iter().map(enum_name).collect();
            let _ = writeln!(
                t,
                "categories:  {} (the first is primary)",
                categories.join(", ")
            );
            let _ = writeln!(t, "status:      {}", enum_name(&pledge.status));
            if let Some(note) = &pledge.status_note {
                let _ = writeln!(t, "             ({note})");
            }
            for r in &pledge.status_reports {
                let when = r
                    .as_of
                    .map(|d| format!(" as of {d}"))
                    .or_else(|| r.event.as_ref().map(|e| format!(" as of event {e}")))
                    .unwrap_or_default();
                let _ = writeln!(t, "  reported:  {} by {}{when}", r.status, r.source);
            }
            let _ = writeln!(
                t,
                "commitment:  {}",
                pledge
                    .commitment
                    .map_or_else(|| "not stated".to_owned(), |c| enum_name(&c))
            );
            for q in &pledge.quantities {
                let _ = writeln!(t, "quantity:    {}", crate::other_records::quantity(q));
            }
            if let Some(event) = &pledge.event {
                let name = data
                    .event(event.as_str())
                    .map_or_else(String::new, |e| format!(" ({})", e.name));
                let _ = writeln!(t, "made at:     {event}{name}");
            }
            let _ = writeln!(
                t,
                "announced:   {}",
                pledge
                    .announced
                    .map_or_else(|| "not stated".to_owned(), |d| d.to_string())
            );
            for r in &pledge.roles {
                let _ = writeln!(t, "role:        {}: {}", r.role, name(r.actor.as_str()));
            }
            for c in &pledge.conditions {
                let on = c
                    .actor
                    .as_ref()
                    .map(|a| format!(" [{}]", name(a.as_str())))
                    .unwrap_or_default();
                let only = c
                    .applies_to
                    .as_ref()
                    .map(|a| format!(" (binds {} only)", name(a.as_str())))
                    .unwrap_or_default();
                let _ = writeln!(
                    t,
                    "condition:   {}{on}{only}: {}",
                    enum_name(&c.kind),
                    c.text
                );
            }
            let title = |id: &str| {
                data.pledge(id)
                    .map_or_else(String::new, |p| format!(" ({})", p.title))
            };
            for l in &pledge.links {
                let _ = writeln!(
                    t,
                    "link:        {} {}{}",
                    l.kind,
                    l.pledge,
                    title(l.pledge.as_str())
                );
            }
            for c in data.components(pledge.id.as_str()) {
                let _ = writeln!(t, "component:   {} ({})", c.id, c.title);
            }
            for x in data.statements_about(pledge.id.as_str()) {
                let _ = writeln!(t, "statement:   {} {} ({})", x.kind, x.id, x.title);
            }
            crate::other_records::evidence_text(
                &data,
                pledge,
                &pledge.contested_claims(),
                13,
                &mut t,
            );
            t
        }
    };
    if emit(&text).is_err() { ERROR } else { SUCCESS }
}
