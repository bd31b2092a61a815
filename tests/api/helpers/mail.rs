//! Emails as a shopper or the owner would find them: the mailbox of a shop without SMTP
//! (`/_sandbox/mail` and its table), the outbox's rows, and a real SMTP server (Python's
//! aiosmtpd, `tests/support/smtp_sink.py`) for a shop with `SMTP_URL`.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use super::*;

/// An email as the mailbox (or the SMTP server) received it.
#[derive(Debug, Clone)]
pub struct ReceivedMail {
    pub to: String,
    pub subject: String,
    pub message_id: String,
    pub text: String,
    pub html: String,
}

impl ReceivedMail {
    /// The first link in the text body that starts with `prefix`.
    pub fn link(&self, prefix: &str) -> String {
        let start = self
            .text
            .find(prefix)
            .unwrap_or_else(|| panic!("no link {prefix}… in {}", self.text));
        self.text[start..]
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_owned()
    }

    /// No secret of the shop's, nor a payment's client secret, is in it.
    pub fn assert_no_secrets(&self) {
        for body in [&self.text, &self.html, &self.subject] {
            for secret in ["_secret_", "sk_test_", "sk_live_", "whsec_"] {
                assert!(!body.contains(secret), "{secret} in an email: {body}");
            }
        }
    }
}

/// An outbox row as the owner's list shows it.
#[derive(Debug, Clone)]
pub struct OutboxRow {
    pub id: i64,
    pub kind: String,
    pub recipient: String,
    pub status: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub order_id: Option<Uuid>,
    pub text_body: Option<String>,
    pub claimed_by: Option<Uuid>,
}

impl TestApp {
    /// Every email the mailbox caught, oldest first.
    pub async fn mailbox(&self) -> Vec<ReceivedMail> {
        use diesel::prelude::*;
        use diesel_async::RunQueryDsl;
        use storefront::schema::mailbox;
        let rows: Vec<(String, String, String, String, String)> = mailbox::table
            .order(mailbox::id.asc())
            .select((
                mailbox::recipient,
                mailbox::subject,
                mailbox::message_id,
                mailbox::text_body,
                mailbox::html_body,
            ))
            .load(&mut self.conn().await)
            .await
            .unwrap_or_else(|e| panic!("the mailbox: {e}"));
        rows.into_iter()
            .map(|(to, subject, message_id, text, html)| ReceivedMail {
                to,
                subject,
                message_id,
                text,
                html,
            })
            .collect()
    }

    /// The mailbox's ids, newest first (as `/_sandbox/mail` lists them).
    pub async fn mailbox_ids(&self) -> Vec<i64> {
        use diesel::prelude::*;
        use diesel_async::RunQueryDsl;
        use storefront::schema::mailbox;
        mailbox::table
            .order(mailbox::id.desc())
            .select(mailbox::id)
            .load(&mut self.conn().await)
            .await
            .unwrap_or_else(|e| panic!("the mailbox: {e}"))
    }

    /// The order's number, as the shopper knows it.
    pub async fn order_number(&self, order: Uuid) -> i64 {
        use diesel::prelude::*;
        use diesel_async::RunQueryDsl;
        use storefront::schema::orders;
        orders::table
            .find(order)
            .select(orders::number)
            .first(&mut self.conn().await)
            .await
            .unwrap_or_else(|e| panic!("order {order}: {e}"))
    }

    /// Waits until the mailbox holds an email to `to` whose subject contains `subject`.
    pub async fn wait_for_mail(&self, to: &str, subject: &str) -> ReceivedMail {
        for _ in 0..150 {
            if let Some(mail) = self
                .mailbox()
                .await
                .into_iter()
                .find(|m| m.to == to && m.subject.contains(subject))
            {
                return mail;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "no email {subject:?} to {to} in the mailbox; it has {:?}; the outbox has {:?}",
            self.mailbox().await,
            self.outbox().await
        );
    }

    /// Every outbox row, oldest first.
    pub async fn outbox(&self) -> Vec<OutboxRow> {
        use diesel::prelude::*;
        use diesel_async::RunQueryDsl;
        use storefront::schema::outbox;
        type Row = (
            i64,
            String,
            String,
            String,
            i32,
            Option<String>,
            Option<Uuid>,
            Option<String>,
            Option<Uuid>,
        );
        let rows: Vec<Row> = outbox::table
            .order(outbox::id.asc())
            .select((
                outbox::id,
                outbox::kind,
                outbox::recipient,
                outbox::status,
                outbox::attempts,
                outbox::last_error,
                outbox::order_id,
                outbox::text_body,
                outbox::claimed_by,
            ))
            .load(&mut self.conn().await)
            .await
            .unwrap_or_else(|e| panic!("the outbox: {e}"));
        rows.into_iter()
            .map(
                |(
                    id,
                    kind,
                    recipient,
                    status,
                    attempts,
                    last_error,
                    order_id,
                    text_body,
                    claimed_by,
                )| {
                    OutboxRow {
                        id,
                        kind,
                        recipient,
                        status,
                        attempts,
                        last_error,
                        order_id,
                        text_body,
                        claimed_by,
                    }
                },
            )
            .collect()
    }

    /// The outbox rows of one kind.
    pub async fn outbox_of_kind(&self, kind: &str) -> Vec<OutboxRow> {
        self.outbox()
            .await
            .into_iter()
            .filter(|row| row.kind == kind)
            .collect()
    }

    /// Polls the outbox until `check` holds for it.
    pub async fn wait_for_outbox(
        &self,
        what: &str,
        check: impl Fn(&[OutboxRow]) -> bool,
    ) -> Vec<OutboxRow> {
        for _ in 0..300 {
            let rows = self.outbox().await;
            if check(&rows) {
                return rows;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the outbox never had {what}: {:?}", self.outbox().await);
    }

    /// How long the email waits, after its last attempt, before the next one.
    pub async fn wait_before_next_try(&self, id: i64) -> Duration {
        use diesel::prelude::*;
        use diesel_async::RunQueryDsl;
        use storefront::schema::outbox;
        let (after, updated): (time::OffsetDateTime, time::OffsetDateTime) = outbox::table
            .find(id)
            .select((outbox::send_after, outbox::updated_at))
            .first(&mut self.conn().await)
            .await
            .unwrap_or_else(|e| panic!("email {id}: {e}"));
        Duration::try_from(after - updated).unwrap_or(Duration::ZERO)
    }

    /// The clock moves on: emails waiting for later are due now.
    pub async fn make_waiting_emails_due(&self) {
        use diesel_async::RunQueryDsl;
        diesel::sql_query(
            "UPDATE outbox SET send_after = now() WHERE status = 'pending' AND send_after > now()",
        )
        .execute(&mut self.conn().await)
        .await
        .unwrap_or_else(|e| panic!("moving the clock: {e}"));
    }
}

/// A real SMTP server on 127.0.0.1, run by Python's aiosmtpd; it writes each message it
/// accepts as a JSON file in its own directory, which [`SmtpSink::messages`] reads.
pub struct SmtpSink {
    pub port: u16,
    dir: PathBuf,
    refuse: Option<String>,
    child: Option<Child>,
}

impl SmtpSink {
    pub async fn start() -> Self {
        Self::start_with(None).await
    }

    /// A server that refuses for good (550) every recipient containing `text`.
    pub async fn start_refusing(text: &str) -> Self {
        Self::start_with(Some(text.to_owned())).await
    }

    async fn start_with(refuse: Option<String>) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .unwrap_or_else(|e| panic!("a free port: {e}"))
            .port();
        let dir = std::env::temp_dir().join(format!("storefront-smtp-{}", Uuid::new_v4()));
        let mut sink = Self {
            port,
            dir,
            refuse,
            child: None,
        };
        sink.run().await;
        sink
    }

    /// `SMTP_URL` for the shop.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    async fn run(&mut self) {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/smtp_sink.py");
        let mut command = Command::new("python3");
        command
            .arg(script)
            .arg("--port")
            .arg(self.port.to_string())
            .arg("--dir")
            .arg(&self.dir)
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        if let Some(refuse) = &self.refuse {
            command.arg("--refuse").arg(refuse);
        }
        let mut child = command
            .spawn()
            .unwrap_or_else(|e| panic!("starting python3 for the SMTP server: {e}"));
        for _ in 0..200 {
            if let Ok(Some(status)) = child.try_wait() {
                let mut stderr = String::new();
                if let Some(mut pipe) = child.stderr.take() {
                    use std::io::Read;
                    let _ = pipe.read_to_string(&mut stderr);
                }
                panic!(
                    "the test SMTP server stopped ({status}): {stderr}\n\
                     It needs aiosmtpd: python3 -m pip install aiosmtpd (scripts/test installs it)"
                );
            }
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                self.child = Some(child);
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let _ = child.kill();
        panic!("the test SMTP server did not listen on {}", self.port);
    }

    /// Stops the server: the port refuses connections until [`SmtpSink::restart`].
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same port.
    pub async fn restart(&mut self) {
        self.stop();
        self.run().await;
    }

    /// Every message received, in the order they arrived.
    pub fn messages(&self) -> Vec<ReceivedMail> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut names: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                p.extension().is_some_and(|e| e == "json")
                    && !p
                        .file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with('.'))
            })
            .collect();
        names.sort();
        names
            .into_iter()
            .map(|path| {
                let json: serde_json::Value = serde_json::from_slice(
                    &std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
                )
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                let field = |name: &str| json[name].as_str().unwrap_or_default().to_owned();
                ReceivedMail {
                    to: json["rcpt_tos"][0].as_str().unwrap_or_default().to_owned(),
                    subject: field("subject"),
                    message_id: field("message_id"),
                    text: field("text"),
                    html: field("html"),
                }
            })
            .collect()
    }

    /// Waits until the server has received at least `count` messages.
    pub async fn wait_for(&self, count: usize) -> Vec<ReceivedMail> {
        for _ in 0..300 {
            let messages = self.messages();
            if messages.len() >= count {
                return messages;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "the SMTP server received {} messages, not {count}",
            self.messages().len()
        );
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
