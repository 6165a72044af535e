# Sourced by run.sh and test.sh: installs what building, running and testing Raf need on
# Debian 12 (as root, or through sudo), skipping whatever is already there.

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# Installs the Debian packages among "$@" that are not installed yet.
ensure_apt() {
    command -v dpkg >/dev/null || { echo "not Debian: install the equivalents of: $*" >&2; return 0; }
    local missing=()
    for package in "$@"; do
        dpkg -s "$package" 2>/dev/null | grep -q '^Status: install ok installed' || missing+=("$package")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        echo "installing: ${missing[*]}"
        as_root apt-get update -qq
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
    fi
}

# Build tools, the WebKitGTK the desktop window is drawn with, and pdftoppm (poppler-utils),
# which tests/labels.rs renders label PDFs with.
ensure_build_deps() {
    ensure_apt build-essential pkg-config curl ca-certificates libwebkit2gtk-4.1-dev poppler-utils
}

# Rust through rustup (Debian's rustc is older than Raf's rust-version).
ensure_rust() {
    [ -f "$HOME/.cargo/env" ] && . "$HOME/.cargo/env"
    if ! command -v cargo >/dev/null; then
        curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal
        . "$HOME/.cargo/env"
    fi
}

# Node and npm for the UI's tests (any Node >= 18 will do; keep one that is there).
ensure_node() {
    command -v npm >/dev/null || ensure_apt nodejs npm
}

# End-to-end tests: a virtual display, and the WebDriver servers that drive the real window.
ensure_e2e_deps() {
    ensure_apt xvfb xauth webkit2gtk-driver
    command -v tauri-driver >/dev/null || cargo install tauri-driver --locked
}

# The UI's npm packages (typescript, webdriverio), when package-lock.json changed.
ensure_ui_packages() {
    if [ ! -f ui/node_modules/.package-lock.json ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
        (cd ui && npm ci --no-audit --no-fund)
    fi
}

# Prints a step's header.
step() {
    printf '\n==== %s ====\n' "$*"
}
