//! A person's fields as the organisation keeps them (工号, contact, leaving): the checks every
//! way in (forms, API, command line, roster import) applies, with their typed refusals.

use chrono::NaiveDate;

/// The longest name a person may have, in characters.
pub const NAME_MAX: usize = 100;
/// The longest staff number (工号), in characters.
pub const STAFF_NO_MAX: usize = 32;
/// The longest email address (RFC 5321), in characters.
pub const EMAIL_MAX: usize = 254;
/// The longest 企业微信 or 钉钉 user id, in characters.
pub const CHANNEL_ID_MAX: usize = 64;

/// A person's field a user got wrong: each is told in the user's language by the web layer
/// (which owns the messages), by field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PersonError {
    /// The name is empty or longer than [`NAME_MAX`] characters.
    #[error("a person's name must be 1 to {NAME_MAX} characters")]
    Name,
    /// The staff number is not 1–32 ASCII letters, digits, `-` or `_`.
    #[error("a staff number is 1 to {STAFF_NO_MAX} ASCII letters, digits, `-` or `_`")]
    StaffNo,
    /// The email address is not one address (one `@`, no spaces, at most 254 characters).
    #[error("not an email address (one `@`, no spaces, at most {EMAIL_MAX} characters)")]
    Email,
    /// The 企业微信 user id has spaces or is longer than [`CHANNEL_ID_MAX`].
    #[error("a WeCom user id is 1 to {CHANNEL_ID_MAX} characters without spaces")]
    WecomId,
    /// The 钉钉 user id has spaces or is longer than [`CHANNEL_ID_MAX`].
    #[error("a DingTalk user id is 1 to {CHANNEL_ID_MAX} characters without spaces")]
    DingtalkId,
    /// The person holds a post from a day after the day they leave: that holding must be
    /// corrected (or the day put later) first.
    #[error("the person holds post `{post}` from {start}, after leaving on {left_on}")]
    LeftBeforeHoldingStart {
        /// The holding.
        holding: String,
        /// Its post (id).
        post: String,
        /// Its first day.
        start: NaiveDate,
        /// The day asked for as the last one.
        left_on: NaiveDate,
    },
}

impl PersonError {
    /// The field of a person record (and of the API body) the error concerns.
    pub fn field(&self) -> &'static str {
        match self {
            PersonError::Name => "name",
            PersonError::StaffNo => "staff_no",
            PersonError::Email => "email",
            PersonError::WecomId => "wecom_id",
            PersonError::DingtalkId => "dingtalk_id",
            PersonError::LeftBeforeHoldingStart { .. } => "left_on",
        }
    }
}

/// A checked name: trimmed, 1 to [`NAME_MAX`] characters.
pub fn check_name(name: &str) -> Result<String, PersonError> {
    let n = name.trim();
    if n.is_empty() || n.chars().count() > NAME_MAX || n.chars().any(char::is_control) {
        return Err(PersonError::Name);
    }
    Ok(n.to_string())
}

/// A checked staff number (工号): trimmed, 1 to 32 ASCII letters, digits, `-` or `_`; an empty
/// one is none.
pub fn check_staff_no(s: &str) -> Result<Option<String>, PersonError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    if s.len() > STAFF_NO_MAX
        || !s
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(PersonError::StaffNo);
    }
    Ok(Some(s.to_string()))
}

/// A checked email address: trimmed, exactly one `@` with something on each side, no spaces,
/// at most 254 characters; an empty one is none.
pub fn check_email(s: &str) -> Result<Option<String>, PersonError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let ok = s.chars().count() <= EMAIL_MAX
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
        && s.matches('@').count() == 1
        && s.split('@').all(|part| !part.is_empty());
    if !ok {
        return Err(PersonError::Email);
    }
    Ok(Some(s.to_string()))
}

fn check_channel_id(s: &str, err: PersonError) -> Result<Option<String>, PersonError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    if s.chars().count() > CHANNEL_ID_MAX || !s.chars().all(|c| c.is_ascii_graphic()) {
        return Err(err);
    }
    Ok(Some(s.to_string()))
}

/// A checked 企业微信 user id: trimmed, 1 to 64 printable ASCII characters; empty is none.
pub fn check_wecom_id(s: &str) -> Result<Option<String>, PersonError> {
    check_channel_id(s, PersonError::WecomId)
}

/// A checked 钉钉 user id: trimmed, 1 to 64 printable ASCII characters; empty is none.
pub fn check_dingtalk_id(s: &str) -> Result<Option<String>, PersonError> {
    check_channel_id(s, PersonError::DingtalkId)
}
