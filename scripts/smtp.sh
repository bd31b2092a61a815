# Sourced by scripts/test: the email tests talk to a real SMTP server, Python's aiosmtpd
# (tests/support/smtp_sink.py, started by each test on a free port). Installs it from PyPI
# with pip when it is missing, and python3 and pip with apt-get when they are.

smtp_tools() {
  if python3 -c 'import aiosmtpd' >/dev/null 2>&1; then
    return
  fi
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  if ! command -v python3 >/dev/null 2>&1 || ! python3 -m pip --version >/dev/null 2>&1; then
    echo "==> installing python3 and pip with apt-get (for the email tests' SMTP server)" >&2
    $sudo apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3 python3-pip >&2
  fi
  echo "==> pip install aiosmtpd (the email tests' SMTP server)" >&2
  # A Debian-managed Python refuses plain pip installs (PEP 668); a user install is enough.
  python3 -m pip install --quiet aiosmtpd >&2 ||
    python3 -m pip install --quiet --user --break-system-packages aiosmtpd >&2
  python3 -c 'import aiosmtpd' || {
    echo "aiosmtpd could not be installed: the email tests need it" >&2
    return 1
  }
}
