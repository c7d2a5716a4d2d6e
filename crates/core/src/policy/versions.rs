//! Versions of a policy: which one was in force on a day (conduct is judged by the rules of its time).

use super::model::PolicyMeta;
use chrono::NaiveDate;

/// Why a new version cannot join its series.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VersionError {
    /// The id is taken.
    #[error("a policy with id `{0}` is already loaded")]
    DuplicateId(String),
    /// Same version number twice in one series.
    #[error("series `{series}` already has version {version} (`{other}`)")]
    DuplicateVersion {
        /// Series.
        series: String,
        /// Version number.
        version: u32,
        /// The id that has it.
        other: String,
    },
    /// Two versions taking effect on the same day.
    #[error("`{other}` in series `{series}` already takes effect on {from}")]
    SameStart {
        /// Series.
        series: String,
        /// The day.
        from: NaiveDate,
        /// The other version.
        other: String,
    },
    /// Version numbers and effective dates disagree.
    #[error(
        "version {version} takes effect on {from}, but version {other_version} (`{other}`) takes effect on {other_from}: a higher version must take effect later"
    )]
    OutOfOrder {
        /// New version number.
        version: u32,
        /// Its start.
        from: NaiveDate,
        /// Other version number.
        other_version: u32,
        /// Other id.
        other: String,
        /// Other start.
        other_from: NaiveDate,
    },
    /// A duty id already names a duty of another series.
    #[error(
        "duty `{duty}` is already a duty of series `{series}`: give this system's duty its own id"
    )]
    DutyOfAnotherSeries {
        /// The duty id.
        duty: String,
        /// The series that has it.
        series: String,
    },
    /// A record kind id already names a record kind of another series.
    #[error(
        "record kind `{kind}` is already a record kind of series `{series}`: give this system's kind its own id"
    )]
    RecordKindOfAnotherSeries {
        /// The record kind id.
        kind: String,
        /// The series that has it.
        series: String,
    },
    /// A post kind another series declares too is declared otherwise.
    #[error(
        "post kind `{kind}` is declared by series `{series}` with {field} = {theirs}: a post shared by several systems must be the same post in each"
    )]
    PostKindDisagrees {
        /// The post kind id.
        kind: String,
        /// The series that declares it otherwise.
        series: String,
        /// The key that differs (`single_holder`, `first_responsible`, `leadership`).
        field: &'static str,
        /// Its value there.
        theirs: bool,
    },
    /// An explicit end date runs into the next version.
    #[error("`{earlier}` is in force until {until}, which overlaps `{later}` from {from}")]
    Overlap {
        /// Earlier version id.
        earlier: String,
        /// Its explicit last day.
        until: NaiveDate,
        /// Later version id.
        later: String,
        /// Later version start.
        from: NaiveDate,
    },
}

/// Checks that the duties of `new` can join those of `existing` (all loaded versions): a duty
/// id names one duty of one series across the installation, so obligations, filters and
/// `who --duty` never mistake one system's duty for another's.
pub fn check_new_duties(
    existing: &[super::model::PolicyPack],
    new: &super::model::PolicyPack,
) -> Result<(), VersionError> {
    for d in &new.duties {
        if let Some(other) = existing
            .iter()
            .find(|p| p.meta.series != new.meta.series && p.duty(&d.id).is_some())
        {
            return Err(VersionError::DutyOfAnotherSeries {
                duty: d.id.clone(),
                series: other.meta.series.clone(),
            });
        }
    }
    // One org tree serves every system: a post kind several systems speak of is one post.
    for k in &new.post_kinds {
        for other in existing.iter().filter(|p| p.meta.series != new.meta.series) {
            let Some(theirs) = other.post_kind(&k.id) else {
                continue;
            };
            let differs = [
                ("single_holder", k.single_holder, theirs.single_holder),
                (
                    "first_responsible",
                    k.first_responsible,
                    theirs.first_responsible,
                ),
                ("leadership", k.leadership, theirs.leadership),
            ]
            .into_iter()
            .find(|(_, mine, theirs)| mine != theirs);
            if let Some((field, _, theirs)) = differs {
                return Err(VersionError::PostKindDisagrees {
                    kind: k.id.clone(),
                    series: other.meta.series.clone(),
                    field,
                    theirs,
                });
            }
        }
    }
    // A record names its kind by id alone: one kind of one series, or a record could discharge
    // another system's duties under the wrong checks.
    for k in &new.record_kinds {
        if let Some(other) = existing
            .iter()
            .find(|p| p.meta.series != new.meta.series && p.record_kind(&k.id).is_some())
        {
            return Err(VersionError::RecordKindOfAnotherSeries {
                kind: k.id.clone(),
                series: other.meta.series.clone(),
            });
        }
    }
    Ok(())
}

impl VersionError {
    /// The message in the user's language.
    pub fn message(&self, lang: crate::Lang) -> String {
        use VersionError::*;
        if lang == crate::Lang::En {
            return self.to_string();
        }
        match self {
            DuplicateId(id) => format!("已载入编号为 `{id}` 的制度"),
            DuplicateVersion {
                series,
                version,
                other,
            } => format!("制度 `{series}` 已有第 {version} 版（`{other}`）"),
            SameStart {
                series,
                from,
                other,
            } => format!("制度 `{series}` 的 `{other}` 已于 {from} 施行，不能同日施行两个版本"),
            OutOfOrder {
                version,
                from,
                other_version,
                other,
                other_from,
            } => format!(
                "第 {version} 版 {from} 施行，而第 {other_version} 版（`{other}`）{other_from} 施行：版本号更高的须更晚施行"
            ),
            DutyOfAnotherSeries { duty, series } => {
                format!("职责 `{duty}` 已是制度 `{series}` 的职责，请为本制度的职责另取编号")
            }
            PostKindDisagrees {
                kind,
                series,
                field,
                theirs,
            } => format!(
                "职务 `{kind}` 在制度 `{series}` 中的 {field} 为 {theirs}：几个责任制共用的职务须在各制度中一致"
            ),
            RecordKindOfAnotherSeries { kind, series } => format!(
                "记录类型 `{kind}` 已是制度 `{series}` 的记录类型，请为本制度的记录类型另取编号"
            ),
            Overlap {
                earlier,
                until,
                later,
                from,
            } => format!("`{earlier}` 施行至 {until}，与 {from} 起施行的 `{later}` 重叠"),
        }
    }
}

/// Checks that `new` can join `existing` (all loaded versions, any series).
pub fn check_new_version(existing: &[PolicyMeta], new: &PolicyMeta) -> Result<(), VersionError> {
    if existing.iter().any(|m| m.id == new.id) {
        return Err(VersionError::DuplicateId(new.id.clone()));
    }
    for m in existing.iter().filter(|m| m.series == new.series) {
        if m.version == new.version {
            return Err(VersionError::DuplicateVersion {
                series: new.series.clone(),
                version: new.version,
                other: m.id.clone(),
            });
        }
        if m.effective_from == new.effective_from {
            return Err(VersionError::SameStart {
                series: new.series.clone(),
                from: new.effective_from,
                other: m.id.clone(),
            });
        }
        if (m.version < new.version) != (m.effective_from < new.effective_from) {
            return Err(VersionError::OutOfOrder {
                version: new.version,
                from: new.effective_from,
                other_version: m.version,
                other: m.id.clone(),
                other_from: m.effective_from,
            });
        }
        let (earlier, later) = if m.effective_from < new.effective_from {
            (m, new)
        } else {
            (new, m)
        };
        if let Some(until) = earlier.effective_until
            && until >= later.effective_from
        {
            return Err(VersionError::Overlap {
                earlier: earlier.id.clone(),
                until,
                later: later.id.clone(),
                from: later.effective_from,
            });
        }
    }
    Ok(())
}

/// The version of `series` in force on `day`: the latest to take effect on or before it,
/// unless its own end date has passed. Each version ends where the next begins.
pub fn version_in_force<'a>(
    versions: &'a [PolicyMeta],
    series: &str,
    day: NaiveDate,
) -> Option<&'a PolicyMeta> {
    versions
        .iter()
        .filter(|m| m.series == series && m.effective_from <= day)
        .max_by_key(|m| m.effective_from)
        .filter(|m| m.effective_until.is_none_or(|u| day <= u))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(id: &str, version: u32, from: &str, until: Option<&str>) -> PolicyMeta {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        PolicyMeta {
            id: id.into(),
            series: "s".into(),
            version,
            document_number: "x".into(),
            title: "t".into(),
            title_en: "t".into(),
            issuer: "i".into(),
            adopted_on: d(from),
            adopted_by: None,
            issued_on: d(from),
            effective_from: d(from),
            effective_until: until.map(d),
            legal_basis: vec![],
            notice: None,
        }
    }

    #[test]
    fn in_force_on_a_day() {
        let v = vec![
            meta("a", 1, "2021-05-13", None),
            meta("b", 2, "2024-03-01", Some("2025-12-31")),
        ];
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(version_in_force(&v, "s", d("2021-05-12")), None);
        assert_eq!(version_in_force(&v, "s", d("2021-05-13")).unwrap().id, "a");
        assert_eq!(version_in_force(&v, "s", d("2024-02-29")).unwrap().id, "a");
        assert_eq!(version_in_force(&v, "s", d("2024-03-01")).unwrap().id, "b");
        assert_eq!(version_in_force(&v, "s", d("2026-01-01")), None);
    }

    #[test]
    fn refuses_wrong_overlaps() {
        let v = vec![meta("a", 1, "2021-05-13", Some("2024-06-30"))];
        assert!(check_new_version(&v, &meta("b", 2, "2024-07-01", None)).is_ok());
        assert!(matches!(
            check_new_version(&v, &meta("b", 2, "2024-03-01", None)),
            Err(VersionError::Overlap { .. })
        ));
        assert!(matches!(
            check_new_version(&v, &meta("a", 2, "2025-01-01", None)),
            Err(VersionError::DuplicateId(_))
        ));
        assert!(matches!(
            check_new_version(&v, &meta("b", 1, "2025-01-01", None)),
            Err(VersionError::DuplicateVersion { .. })
        ));
        assert!(matches!(
            check_new_version(&v, &meta("b", 2, "2021-05-13", None)),
            Err(VersionError::SameStart { .. })
        ));
        assert!(matches!(
            check_new_version(&v, &meta("b", 2, "2020-01-01", None)),
            Err(VersionError::OutOfOrder { .. })
        ));
    }
}
