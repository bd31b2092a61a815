# Sourced by scripts/test: the scale-out test (tests/api/scale_out.rs) puts two shop servers
# behind Debian's nginx, which the test starts itself with a generated configuration on a free
# port (no root configuration, no system service). Installs nginx with apt-get when missing.

nginx_tools() {
  if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then
    return
  fi
  echo "==> installing nginx with apt-get (for the scale-out test)" >&2
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq >&2
  # The package's own service is not wanted: the test runs nginx in the foreground.
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq nginx >&2
  # A Debian install may start the service on port 80; the tests never need it.
  if command -v service >/dev/null 2>&1; then $sudo service nginx stop >/dev/null 2>&1 || true; fi
  command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || {
    echo "nginx could not be installed: the scale-out test needs it" >&2
    return 1
  }
}
