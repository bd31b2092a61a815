//! Debian's nginx in front of shop servers, as a deployment runs them: started by the test in
//! the foreground with a configuration generated for it, on a free port, under a temporary
//! directory (no root configuration, no system service). scripts/test installs nginx.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use super::*;

pub struct Proxy {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub address: String,
    dir: std::path::PathBuf,
}

fn nginx_binary() -> String {
    let on_path = std::env::var("PATH")
        .unwrap_or_default()
        .split(':')
        .map(|dir| std::path::Path::new(dir).join("nginx"))
        .find(|candidate| candidate.is_file());
    match on_path {
        Some(path) => path.display().to_string(),
        None if std::path::Path::new("/usr/sbin/nginx").is_file() => "/usr/sbin/nginx".into(),
        // Loudly: a scale-out test that quietly skipped would prove nothing.
        None => panic!(
            "nginx is not installed; the scale-out test needs it. scripts/test installs it \
             (or: source scripts/nginx.sh && nginx_tools)"
        ),
    }
}

/// A port nobody listens on right now.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("finding a free port: {e}"))
}

impl Proxy {
    /// Reserves the proxy's address, so that servers can be told their public URL before the
    /// proxy starts.
    pub fn reserve() -> (String, u16) {
        let port = free_port();
        (format!("http://127.0.0.1:{port}"), port)
    }

    /// nginx on `port`, passing requests to `upstreams` in turn (round robin, nginx's default)
    /// with the headers a deployment sets, and naming in `X-Upstream` which server answered.
    pub async fn start(port: u16, upstreams: &[&str]) -> Self {
        let dir =
            std::env::temp_dir().join(format!("storefront-nginx-{}", Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("creating {}: {e}", dir.display()));
        let servers: String = upstreams
            .iter()
            .map(|address| {
                let host_port = address.trim_start_matches("http://");
                format!("        server {host_port};\n")
            })
            .collect();
        let dir_text = dir.display();
        let config = format!(
            "daemon off;
master_process off;
error_log {dir_text}/error.log warn;
pid {dir_text}/nginx.pid;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {dir_text}/body;
    proxy_temp_path {dir_text}/proxy;
    fastcgi_temp_path {dir_text}/fastcgi;
    uwsgi_temp_path {dir_text}/uwsgi;
    scgi_temp_path {dir_text}/scgi;
    upstream shop {{
{servers}    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://shop;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            add_header X-Upstream $upstream_addr always;
        }}
    }}
}}
"
        );
        let config_path = dir.join("nginx.conf");
        std::fs::write(&config_path, config)
            .unwrap_or_else(|e| panic!("writing {}: {e}", config_path.display()));
        let child = Command::new(nginx_binary())
            .arg("-p")
            .arg(&dir)
            .arg("-e")
            .arg(dir.join("error.log"))
            .arg("-c")
            .arg(&config_path)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("starting nginx: {e}"));
        let proxy = Self {
            child,
            address: format!("http://127.0.0.1:{port}"),
            dir,
        };
        let client = reqwest::Client::new();
        for _ in 0..100 {
            if let Ok(response) = client
                .get(format!("{}/healthz", proxy.address))
                .send()
                .await
                && response.status() == StatusCode::OK
            {
                return proxy;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("nginx did not start: {}", proxy.error_log());
    }

    pub fn error_log(&self) -> String {
        std::fs::read_to_string(self.dir.join("error.log")).unwrap_or_default()
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
