# Sourced by scripts/test: the browser tests need Debian's Chromium and chromedriver, and
# axe-core from npm (pinned in package-lock.json). Installs whatever is missing.

browser_tools() {
  local missing=()
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
  command -v npm >/dev/null 2>&1 || missing+=(npm)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "==> installing ${missing[*]} with apt-get (for the browser tests)" >&2
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >&2
  fi
  if [ ! -f node_modules/axe-core/axe.min.js ]; then
    echo "==> npm ci (axe-core, for the accessibility checks)" >&2
    npm ci --no-audit --no-fund >&2
  fi
}
