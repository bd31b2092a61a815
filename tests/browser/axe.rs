//! Accessibility checks with axe-core (from npm), injected into the page under test and into
//! its frames, run in the same browser.

use std::path::Path;
use std::sync::OnceLock;

use fantoccini::Locator;
use serde_json::Value;

use crate::harness::Browser;

fn axe_source() -> &'static str {
    static SOURCE: OnceLock<String> = OnceLock::new();
    SOURCE.get_or_init(|| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("node_modules/axe-core/axe.min.js");
        std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "axe-core is missing ({}: {e}): run `npm ci` in the repository (scripts/test does it)",
                path.display()
            )
        })
    })
}

const RUN: &str = r#"
    const done = arguments[arguments.length - 1];
    window.axe
        .run(document, { resultTypes: ["violations"] })
        .then((results) => done({ violations: results.violations }))
        .catch((error) => done({ error: String(error) }));
"#;

/// The serious and critical violations that axe finds on the page shown (and its frames),
/// each described readably; minor ones are only printed. The full results are saved as
/// `axe-<page>.json`, next to a screenshot of the page.
pub async fn serious_violations(browser: &Browser, page: &str) -> Vec<String> {
    browser.screenshot(page).await;
    inject(browser).await;
    let results = browser
        .client
        .execute_async(RUN, vec![])
        .await
        .unwrap_or_else(|e| panic!("running axe on the {page} page: {e}"));
    if let Some(error) = results.get("error") {
        panic!("axe failed on the {page} page: {error}");
    }
    let violations = results["violations"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let path = browser.artifact(&format!("axe-{page}.json"));
    let _ = std::fs::write(
        &path,
        serde_json::to_string_pretty(&violations).unwrap_or_default(),
    );

    let mut serious = Vec::new();
    for violation in &violations {
        if matches!(violation["impact"].as_str(), Some("serious" | "critical")) {
            serious.push(format!("{page} page: {}", describe(violation)));
        } else {
            eprintln!(
                "axe, {page} page ({}): {} — {}",
                violation["impact"].as_str().unwrap_or("?"),
                violation["id"].as_str().unwrap_or("?"),
                violation["help"].as_str().unwrap_or("?"),
            );
        }
    }
    serious
}

fn describe(violation: &Value) -> String {
    let mut out = format!(
        "[{}] {}: {}\n  {}\n",
        violation["impact"].as_str().unwrap_or("?"),
        violation["id"].as_str().unwrap_or("?"),
        violation["help"].as_str().unwrap_or("?"),
        violation["helpUrl"].as_str().unwrap_or(""),
    );
    for node in violation["nodes"].as_array().into_iter().flatten() {
        out.push_str(&format!(
            "  - {}\n    {}\n    {}\n",
            node["target"],
            node["html"].as_str().unwrap_or(""),
            node["failureSummary"]
                .as_str()
                .unwrap_or("")
                .replace('\n', "\n    "),
        ));
    }
    out
}

/// Puts axe into the page and into each of its frames, so that axe checks the card form too.
async fn inject(browser: &Browser) {
    let source = axe_source();
    let client = &browser.client;
    client
        .execute(source, vec![])
        .await
        .unwrap_or_else(|e| panic!("injecting axe: {e}"));
    let frames = client
        .find_all(Locator::XPath("//iframe"))
        .await
        .unwrap_or_default();
    for frame in frames {
        frame
            .enter_frame()
            .await
            .unwrap_or_else(|e| panic!("entering a frame: {e}"));
        let injected = client.execute(source, vec![]).await;
        client
            .enter_parent_frame()
            .await
            .unwrap_or_else(|e| panic!("leaving a frame: {e}"));
        injected.unwrap_or_else(|e| panic!("injecting axe into a frame: {e}"));
    }
}
