//! `storefront admin create --email E`: creates an admin account, or makes an existing account
//! an admin with a new password. The password comes from standard input (one line), or from a
//! prompt that does not echo when standard input is a terminal.

use std::io::{BufRead, IsTerminal, Write};

use anyhow::Context;

use crate::accounts::{db as accounts_db, password, strength};
use crate::db::{self, DbPool};
use crate::domain::Email;

pub const USAGE: &str = "storefront admin create --email EMAIL   (password from stdin or a prompt)";

/// Creates or promotes the admin.
pub async fn create_admin(
    pool: &DbPool,
    email: &str,
    password: &str,
) -> anyhow::Result<accounts_db::User> {
    let email = Email::parse(email).map_err(|e| anyhow::anyhow!("{e}"))?;
    strength::check(password, email.as_str()).map_err(|message| anyhow::anyhow!("{message}"))?;
    let password = password.to_owned();
    let hash = tokio::task::spawn_blocking(move || password::hash_now(&password))
        .await
        .context("password hashing task")??;
    let mut conn = pool.get().await.context("connecting to the database")?;
    let user = accounts_db::upsert_admin(&mut conn, &email, &hash)
        .await
        .context("saving the admin")?;
    // A new password ends the account's sessions, on every server.
    crate::session::store::revoke_user_sessions(&mut conn, user.id, None)
        .await
        .context("ending the account's sessions")?;
    Ok(user)
}

/// The whole command: arguments after `admin`, the database from `DATABASE_URL`.
pub async fn run(args: impl Iterator<Item = String>) -> anyhow::Result<()> {
    let email = parse_args(args)?;
    let database_url = std::env::var("DATABASE_URL")
        .ok()
        .filter(|v| !v.trim().is_empty())
        .context("DATABASE_URL is not set: point it at the shop's PostgreSQL database")?;
    let password = read_password()?;
    let pool = db::pool(&database_url, 1)?;
    db::migrate(&pool).await?;
    let user = create_admin(&pool, &email, &password).await?;
    println!(
        "{} is an admin (account {}); sign in at /login, then open /admin",
        user.email, user.id
    );
    Ok(())
}

fn parse_args(mut args: impl Iterator<Item = String>) -> anyhow::Result<String> {
    if args.next().as_deref() != Some("create") {
        anyhow::bail!("usage: {USAGE}");
    }
    let mut email = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--email" => email = args.next(),
            other => match other.strip_prefix("--email=") {
                Some(value) => email = Some(value.to_owned()),
                None => anyhow::bail!("unknown argument {other:?}\nusage: {USAGE}"),
            },
        }
    }
    email.context(format!("--email is required\nusage: {USAGE}"))
}

fn read_password() -> anyhow::Result<String> {
    let stdin = std::io::stdin();
    let on_terminal = stdin.is_terminal();
    if on_terminal {
        eprint!("Password for the admin account: ");
        std::io::stderr().flush().ok();
    }
    // No echo on a terminal, with the system's stty rather than a dependency; where it is
    // missing, the password is read with echo.
    let echo_off = on_terminal && stty("-echo");
    let mut line = String::new();
    let read = stdin.lock().read_line(&mut line);
    if echo_off {
        stty("echo");
        eprintln!();
    }
    read.context("reading the password from standard input")?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    if password.is_empty() {
        anyhow::bail!("no password given on standard input");
    }
    Ok(password)
}

fn stty(setting: &str) -> bool {
    std::process::Command::new("stty")
        .arg(setting)
        .stdin(std::process::Stdio::inherit())
        .status()
        .is_ok_and(|s| s.success())
}

#[cfg(test)]
mod tests {
    use super::parse_args;

    fn args(list: &[&str]) -> impl Iterator<Item = String> {
        list.iter()
            .map(|s| (*s).to_owned())
            .collect::<Vec<_>>()
            .into_iter()
    }

    #[test]
    fn the_command_needs_create_and_an_email() {
        assert_eq!(
            parse_args(args(&["create", "--email", "a@example.com"])).ok(),
            Some("a@example.com".into())
        );
        assert_eq!(
            parse_args(args(&["create", "--email=a@example.com"])).ok(),
            Some("a@example.com".into())
        );
        assert!(parse_args(args(&["create"])).is_err());
        assert!(parse_args(args(&["delete", "--email", "a@example.com"])).is_err());
        assert!(parse_args(args(&["create", "--admin"])).is_err());
    }
}
