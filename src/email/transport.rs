//! How an email leaves the shop: over SMTP with lettre when `SMTP_URL` is set, or into the
//! shop's own mailbox (`/_sandbox/mail`) when it is not.

use std::time::Duration;

use anyhow::Context;
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::MailSettings;
use crate::outbox::Written;

/// How long one SMTP conversation may take, whole. Shorter than a claim's lease, so a worker
/// that is still sending still holds its email.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(60);

pub enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// No SMTP server: emails are caught in the mailbox.
    Mailbox,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Nothing of the SMTP URL (its password) can reach a log line.
        f.write_str(match self {
            Self::Smtp(_) => "Transport::Smtp",
            Self::Mailbox => "Transport::Mailbox",
        })
    }
}

/// An email ready to go.
#[derive(Debug)]
pub struct Outgoing<'a> {
    /// `<uuid@domain>`: the same for every attempt, so a receiver that sees it twice can tell.
    pub message_id: String,
    pub from: &'a Mailbox,
    pub to: &'a str,
    pub written: &'a Written,
}

/// Why a send failed, and whether trying again may help.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// The server answered 4xx, or could not be reached, or took too long.
    #[error("{0}")]
    Transient(String),
    /// The server refused it for good (5xx), or the address cannot take email.
    #[error("{0}")]
    Permanent(String),
}

impl Transport {
    pub fn from_settings(settings: &MailSettings) -> anyhow::Result<Self> {
        let Some(url) = &settings.smtp_url else {
            return Ok(Self::Mailbox);
        };
        // lettre's errors name neither the URL nor its password.
        let smtp = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose())
            .context("SMTP_URL is not a usable smtp:// or smtps:// URL")?
            .timeout(Some(Duration::from_secs(20)))
            .build();
        Ok(Self::Smtp(smtp))
    }

    pub fn catches(&self) -> bool {
        matches!(self, Self::Mailbox)
    }

    /// Sends over SMTP. (Catching is the worker's: it is one transaction with the outbox.)
    pub async fn send_smtp(&self, outgoing: &Outgoing<'_>) -> Result<(), SendError> {
        let Self::Smtp(smtp) = self else {
            return Err(SendError::Permanent("no SMTP server is configured".into()));
        };
        let message = message(outgoing)?;
        match tokio::time::timeout(SEND_TIMEOUT, smtp.send(message)).await {
            Err(_) => Err(SendError::Transient(format!(
                "the SMTP server did not finish within {} seconds",
                SEND_TIMEOUT.as_secs()
            ))),
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) if e.is_permanent() => Err(SendError::Permanent(e.to_string())),
            Ok(Err(e)) => Err(SendError::Transient(e.to_string())),
        }
    }
}

fn message(outgoing: &Outgoing<'_>) -> Result<Message, SendError> {
    let to: Mailbox = outgoing.to.parse().map_err(|e| {
        SendError::Permanent(format!("{:?} cannot receive email: {e}", outgoing.to))
    })?;
    Message::builder()
        .message_id(Some(outgoing.message_id.clone()))
        .from(outgoing.from.clone())
        .to(to)
        .subject(outgoing.written.subject.clone())
        .multipart(MultiPart::alternative_plain_html(
            outgoing.written.text.clone(),
            outgoing.written.html.clone(),
        ))
        .map_err(|e| SendError::Permanent(format!("the email could not be built: {e}")))
}
