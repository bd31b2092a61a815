//! The keyboard alone: keys, Tab, and what has the focus.

use super::*;

impl Browser {
    /// Presses keys one after the other (text, or a [`Key`] as a char).
    pub async fn keys(&self, keys: &str) {
        let mut actions = KeyActions::new("keyboard".into());
        for key in keys.chars() {
            actions = actions
                .then(KeyAction::Down { value: key })
                .then(KeyAction::Up { value: key });
        }
        self.client
            .perform_actions(actions)
            .await
            .unwrap_or_else(|e| panic!("pressing {keys:?}: {e}"));
    }

    pub async fn press(&self, key: Key) {
        self.keys(&char::from(key).to_string()).await;
    }

    /// The accessible name of what has the keyboard focus, looking into the card iframe when
    /// focus is inside it.
    pub async fn focused_name(&self) -> String {
        const NAME: &str = r#"
            const el = document.activeElement;
            if (!el || el === document.body) return { name: "" };
            if (el.tagName === "IFRAME") return { frame: true };
            const label = el.getAttribute("aria-label")
                || (el.labels && el.labels.length ? el.labels[0].textContent : "")
                || el.textContent || el.value || "";
            return { name: label.replace(/\s+/g, " ").trim() };
        "#;
        let answer = self
            .client
            .execute(NAME, vec![])
            .await
            .unwrap_or_else(|e| panic!("reading the focus: {e}"));
        if answer["frame"] == true {
            let frame = self
                .client
                .active_element()
                .await
                .unwrap_or_else(|e| panic!("the focused frame: {e}"));
            frame
                .enter_frame()
                .await
                .unwrap_or_else(|e| panic!("entering the focused frame: {e}"));
            let inner = self.client.execute(NAME, vec![]).await;
            self.client
                .enter_parent_frame()
                .await
                .unwrap_or_else(|e| panic!("leaving the frame: {e}"));
            let inner = inner.unwrap_or_else(|e| panic!("reading the focus in the frame: {e}"));
            return inner["name"].as_str().unwrap_or_default().to_owned();
        }
        answer["name"].as_str().unwrap_or_default().to_owned()
    }

    /// Presses Tab until the focus is on something named `name`.
    pub async fn tab_to(&self, name: &str) {
        self.tab_until(name, |focused| focused == name).await;
    }

    /// Presses Tab until the focus is on something whose name starts with `prefix`.
    pub async fn tab_to_starting(&self, prefix: &str) {
        self.tab_until(prefix, |focused| focused.starts_with(prefix))
            .await;
    }

    async fn tab_until(&self, what: &str, reached: impl Fn(&str) -> bool) {
        let mut seen = Vec::new();
        for _ in 0..80 {
            self.press(Key::Tab).await;
            let focused = self.focused_name().await;
            if reached(&focused) {
                return;
            }
            seen.push(focused);
        }
        panic!("Tab never reached {what:?}; the focus went through {seen:?}");
    }
}
