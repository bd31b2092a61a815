//! chromedriver, started once per test binary, and the viewports the tests use.

use super::*;

/// How long any one wait may take: generous, for a loaded two-core machine.
pub const WAIT: Duration = Duration::from_secs(20);
pub(super) const POLL: Duration = Duration::from_millis(100);

/// Chromium is heavy: at most two run at once, whatever the test threads.
pub(super) static BROWSERS: LazyLock<Semaphore> = LazyLock::new(|| Semaphore::new(2));
pub(super) static DRIVER: OnceLock<Result<String, String>> = OnceLock::new();

pub(super) const MISSING: &str = "the browser tests need Debian's `chromium` and `chromium-driver` packages \
     (apt-get install -y chromium chromium-driver; scripts/test installs them when missing)";

#[derive(Clone, Copy)]
pub struct Viewport {
    pub width: u32,
    pub height: u32,
}

pub const DESKTOP: Viewport = Viewport {
    width: 1280,
    height: 900,
};
pub const PHONE: Viewport = Viewport {
    width: 390,
    height: 844,
};

/// Where the tests leave their screenshots and logs (ignored by git).
pub fn artifacts_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/artifacts/browser")
}

pub(super) fn find_program(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/bin")])
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

pub(super) fn chromium() -> PathBuf {
    find_program("chromium").unwrap_or_else(|| panic!("Chromium is not installed: {MISSING}"))
}

/// Starts chromedriver once for this test binary. A small shell watchdog in its own process
/// group ends chromedriver and every browser it started when the test process goes away,
/// however it goes.
pub(super) fn start_driver() -> Result<String, String> {
    let chromedriver =
        find_program("chromedriver").ok_or(format!("chromedriver is not installed: {MISSING}"))?;
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| format!("finding a free port for chromedriver: {e}"))?
        .port();
    let log = artifacts_dir().join("chromedriver.log");
    std::fs::create_dir_all(artifacts_dir()).map_err(|e| format!("creating artifacts: {e}"))?;
    Command::new("sh")
        .arg("-c")
        .arg(
            r#""$1" --port="$2" >"$4" 2>&1 &
driver=$!
while kill -0 "$3" 2>/dev/null && kill -0 "$driver" 2>/dev/null; do sleep 1; done
kill -TERM 0"#,
        )
        .arg("storefront-chromedriver")
        .arg(&chromedriver)
        .arg(port.to_string())
        .arg(std::process::id().to_string())
        .arg(&log)
        .process_group(0)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("starting {}: {e}", chromedriver.display()))?;
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if started.elapsed() > WAIT {
            return Err(format!(
                "chromedriver did not answer on port {port} within {WAIT:?}; see {}",
                log.display()
            ));
        }
        std::thread::sleep(POLL);
    }
    Ok(format!("http://127.0.0.1:{port}"))
}

pub(super) fn driver_url() -> &'static str {
    match DRIVER.get_or_init(start_driver) {
        Ok(url) => url,
        Err(e) => panic!("{e}"),
    }
}
