#!/usr/bin/env bash
# Start-up benchmark of the desktop app on a 1M-product catalog: prints the time to the
# first interactive window, to the first page of products, and the idle memory (RSS of
# the app and of its WebKit processes). Needs a display or xvfb-run; builds the release
# app first. The catalog comes from RAF_BENCH_DB (default /tmp/b1m.db, made by
#   RAF_BENCH_DB=/tmp/b1m.db cargo bench --bench catalog) and is copied, never changed.
# Usage: bash scripts/bench-desktop.sh          (RAF_BENCH_PROFILE=debug for a debug build;
#        RAF_BENCH_APP=path/to/raf-desktop measures that binary instead of building one)
set -euo pipefail
cd "$(dirname "$0")/.."

source_db="${RAF_BENCH_DB:-/tmp/b1m.db}"
profile="${RAF_BENCH_PROFILE:-release}"
[ -f "$source_db" ] || { echo "no catalog at $source_db: RAF_BENCH_DB=$source_db cargo bench --bench catalog" >&2; exit 1; }
app="${RAF_BENCH_APP:-${CARGO_TARGET_DIR:-$PWD/target}/$profile/raf-desktop}"
if [ -z "${RAF_BENCH_APP:-}" ]; then
    if [ "$profile" = release ]; then cargo build --release --locked -p raf-desktop; else cargo build --locked -p raf-desktop; fi
fi

work="$(mktemp -d)"
trap 'kill "$app_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
cp "$source_db" "$work/raf.db"
products=$(sqlite3 "$work/raf.db" 'SELECT count(*) FROM products' 2>/dev/null || echo "?")

run() {
    RAF_DB="$work/raf.db" XDG_DATA_HOME="$work/data" XDG_CONFIG_HOME="$work/config" XDG_CACHE_HOME="$work/cache" "$app" > "$work/log" 2>&1 &
    app_pid=$!
}
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
    run
else
    # No display: a virtual one for the app's whole life.
    Xvfb :97 -screen 0 1280x800x24 > /dev/null 2>&1 &
    xvfb_pid=$!
    trap 'kill "$app_pid" "$xvfb_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
    sleep 0.5
    DISPLAY=:97 run
fi

# The app logs each milestone as "<name> after <ms> ms" (tauri-plugin-log, stdout).
wait_for() {
    for _ in $(seq 1 600); do
        grep -qs "$1 after" "$work/log" && { grep -o "$1 after [0-9]* ms" "$work/log" | head -1; return; }
        sleep 0.05
    done
    echo "$1: not seen in 30 s"
}
# A first start migrates the copy to this version's schema (backing it up first): not timed.
wait_for first_page > /dev/null
kill "$app_pid"; wait "$app_pid" 2>/dev/null || true
rm -f "$work"/raf.db.v*.bak
if [ -n "${xvfb_pid:-}" ]; then DISPLAY=:97 run; else run; fi

window=$(wait_for window)
first_page=$(wait_for first_page)
opened=$(grep -o "opened in [0-9.]*[a-zµ]*" "$work/log" | head -1 || true)
# A large file's integrity check runs after the first page, in the background: idle means
# after it, so the figures are the app at rest, not the check's pages and buffers.
for _ in $(seq 1 1200); do grep -qs "checked" "$work/log" && break; sleep 0.05; done
checked=$(grep -o "checked in [0-9.]*[a-zµ]*" "$work/log" | head -1 || true)
sleep 5   # idle

kb() { awk -v k="$1:" '$1 == k {print $2}' "/proc/$2/status" 2>/dev/null || echo 0; }
# PSS shares each library page among the processes that map it (WebKit's libraries are
# mapped by all three): their sum is what the app costs the machine.
pss_of() { awk '/^Pss:/ {print $2}' "/proc/$1/smaps_rollup" 2>/dev/null || echo 0; }
# Resident kB of the mappings of files whose path matches $2.
mapped_kb() { awk -v re="$2" '/^[0-9a-f]+-/ {f = ($6 ~ re)} f && /^Rss:/ {s += $2} END {print s + 0}' "/proc/$1/smaps"; }
mb() { echo "$(( $1 / 1024 )) MB"; }
descendants() { local p; for p in $(pgrep -P "$1"); do echo "$p"; descendants "$p"; done; }

echo "catalog: $products products ($(du -h "$work/raf.db" | cut -f1)), $profile build"
echo "time to first interactive window: ${window#window after }"
echo "time to first page of products:   ${first_page#first_page after }"
echo "catalog open (integrity check + migrations, in the background): ${opened#opened in }; large file's check: ${checked#checked in }"
grep -o "webview hardware acceleration: .*" "$work/log" | head -1 || true
# Pages of the catalog read through its memory map: clean file pages, which the kernel
# reclaims under pressure (and which Windows and macOS do not count as the app's memory).
# libLLVM: Mesa's software GL (no GPU here), loaded by GTK's and WebKit's GL set-up.
total_kb=0 total_pss_kb=0
for pid in "$app_pid" $(descendants "$app_pid"); do
    rss=$(kb VmRSS "$pid") pss=$(pss_of "$pid")
    total_kb=$((total_kb + rss)) total_pss_kb=$((total_pss_kb + pss))
    printf 'idle, %-22s RSS %s (anonymous %s, files %s, of which libLLVM %s' "$(cat "/proc/$pid/comm"):" \
        "$(mb "$rss")" "$(mb "$(kb RssAnon "$pid")")" "$(mb "$(kb RssFile "$pid")")" "$(mb "$(mapped_kb "$pid" libLLVM)")"
    [ "$pid" = "$app_pid" ] && printf ', catalog pages %s' "$(mb "$(mapped_kb "$pid" 'raf\\.db$')")"
    echo "), PSS $(mb "$pss"), $(ls "/proc/$pid/task" | wc -l) threads"
done
echo "idle RSS, app + WebKit processes:  $(mb "$total_kb")"
echo "idle PSS, app + WebKit processes:  $(mb "$total_pss_kb")"
