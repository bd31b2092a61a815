//! Whether a new password is good enough: 8 to 256 characters, and not easy to guess by
//! zxcvbn's estimate (common passwords, words, names, dates, keyboard patterns, the email
//! itself), with zxcvbn's own advice when it is not.

use zxcvbn::{Score, zxcvbn};

use super::password::{MAX_LENGTH, MIN_LENGTH};

/// zxcvbn's "safely unguessable": at least 10^10 guesses.
const MIN_SCORE: Score = Score::Three;

/// Refuses a password with a message the person can act on.
pub fn check(password: &str, email: &str) -> Result<(), String> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        return Err(format!(
            "Choose a password of at least {MIN_LENGTH} characters."
        ));
    }
    if length > MAX_LENGTH {
        return Err(format!(
            "Choose a password of at most {MAX_LENGTH} characters."
        ));
    }
    let local_part = email.split('@').next().unwrap_or_default();
    let estimate = zxcvbn(password, &[email, local_part, "storefront", "shop"]);
    if estimate.score() >= MIN_SCORE {
        return Ok(());
    }
    let mut message = String::from("This password is too easy to guess.");
    if let Some(feedback) = estimate.feedback() {
        if let Some(warning) = feedback.warning() {
            message.push(' ');
            message.push_str(&warning.to_string());
        }
        for suggestion in feedback.suggestions() {
            message.push(' ');
            message.push_str(&suggestion.to_string());
        }
    }
    message.push_str(" A few unrelated words make a strong password that is easy to remember.");
    Err(message)
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn common_and_personal_passwords_are_refused_with_advice() {
        for weak in [
            "password",
            "password1",
            "12345678",
            "qwertyuiop",
            "ada@example.com",
            "ada12345",
        ] {
            let message = check(weak, "ada@example.com").err().unwrap_or_default();
            assert!(message.contains("too easy to guess"), "{weak}: {message:?}");
        }
        let message = check("password", "ada@example.com")
            .err()
            .unwrap_or_default();
        assert!(message.contains("common"), "{message}");
    }

    #[test]
    fn passphrases_pass() {
        for strong in [
            "correct horse battery",
            "a new long password",
            "owner password 1",
            "tulip-ferry-91-gravel",
        ] {
            assert_eq!(check(strong, "ada@example.com"), Ok(()), "{strong}");
        }
    }

    #[test]
    fn length_is_checked_first() {
        assert!(check("Xq9!", "a@b.c").is_err_and(|m| m.contains("at least 8")));
        assert!(check(&"x".repeat(257), "a@b.c").is_err_and(|m| m.contains("at most 256")));
    }
}
