//! Storage errors, each with a stable code.

/// What went wrong in storage.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The `DATABASE_URL` names no engine Zeren speaks.
    #[error("unsupported database URL `{0}`: use sqlite://PATH or postgres://USER@HOST/DB")]
    UnsupportedUrl(String),
    /// The database could not be reached or opened.
    #[error("cannot connect to the database at {url}: {source}")]
    Connect {
        /// The URL, without password.
        url: String,
        /// Cause.
        source: sqlx::Error,
    },
    /// No such record.
    #[error("{what} `{id}` not found")]
    NotFound {
        /// Kind of record.
        what: &'static str,
        /// Id or code asked for.
        id: String,
    },
    /// The record changed since the caller read it.
    #[error(
        "{what} `{id}` was changed by someone else (version {actual}, you edited version {expected}); reload and try again"
    )]
    Conflict {
        /// Kind of record.
        what: &'static str,
        /// Id.
        id: String,
        /// Version the caller edited.
        expected: i64,
        /// Version now stored.
        actual: i64,
    },
    /// A unique value is taken.
    #[error("{what} `{key}` already exists")]
    Duplicate {
        /// Kind of record.
        what: &'static str,
        /// The value.
        key: String,
    },
    /// The change breaks a rule of the domain.
    #[error("{0}")]
    Invalid(String),
    /// The change breaks a rule of the org tree.
    #[error(transparent)]
    Tree(#[from] zeren_core::org::TreeError),
    /// A post the policy does not allow there.
    #[error(transparent)]
    Post(#[from] zeren_core::org::PostError),
    /// A holding that breaks the rules of holdings.
    #[error(transparent)]
    Holding(#[from] zeren_core::org::HoldingError),
    /// A portfolio assignment that breaks the rules of assignments.
    #[error(transparent)]
    Assignment(#[from] zeren_core::org::AssignmentError),
    /// A person's field the user got wrong.
    #[error(transparent)]
    Person(#[from] crate::repo::people::PersonError),
    /// The stored data is not what Zeren wrote (a hand edit, a newer version).
    #[error("stored data is damaged: {0}")]
    Corrupt(String),
    /// A backup archive problem.
    #[error("backup: {0}")]
    Backup(String),
    /// Reading or writing a file.
    #[error("{path}: {source}")]
    Io {
        /// File.
        path: String,
        /// Cause.
        source: std::io::Error,
    },
    /// Any other database failure.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

impl StorageError {
    /// The stable code of the error, for APIs and logs.
    pub fn code(&self) -> &'static str {
        match self {
            StorageError::UnsupportedUrl(_) => "unsupported_database_url",
            StorageError::Connect { .. } => "database_unreachable",
            StorageError::NotFound { .. } => "not_found",
            StorageError::Conflict { .. } => "version_conflict",
            StorageError::Duplicate { .. } => "duplicate",
            StorageError::Invalid(_)
            | StorageError::Tree(_)
            | StorageError::Post(_)
            | StorageError::Holding(_)
            | StorageError::Assignment(_)
            | StorageError::Person(_) => "invalid",
            StorageError::Corrupt(_) => "corrupt",
            StorageError::Backup(_) => "backup_invalid",
            StorageError::Io { .. } => "io",
            StorageError::Database(_) => "database",
        }
    }
}

/// Result of storage operations.
pub type Result<T, E = StorageError> = std::result::Result<T, E>;

/// A [`StorageError::Conflict`] unless `actual`, the version stored, is `expected`, the one the
/// caller edited: an edit of something changed meanwhile is refused, never applied over it.
pub(crate) fn current(what: &'static str, id: &str, expected: i64, actual: i64) -> Result<()> {
    if expected == actual {
        Ok(())
    } else {
        Err(StorageError::Conflict {
            what,
            id: id.into(),
            expected,
            actual,
        })
    }
}
