//! WebKitGTK's hardware acceleration on Linux, chosen by whether the machine has a GPU.
//!
//! WebKit composites pages with OpenGL by default. On a machine with no GPU (a virtual
//! machine, a thin client, Xvfb in CI) that OpenGL is Mesa's software rasterizer
//! (llvmpipe): it paints on the CPU like WebKit's own non-accelerated path does, with
//! rasterizer threads and GL buffers besides (the web process idled at 283-293 MB RSS on
//! a 1M catalog, 181 MB without). There we turn acceleration off; with a GPU, WebKit's
//! default stays. (Mesa and its LLVM stay mapped either way: GTK's GLX probe and WebKit's
//! EGL display load them before any page.)

use std::path::Path;
use tauri::{Runtime, WebviewWindow};
use webkit2gtk::{HardwareAccelerationPolicy, SettingsExt, WebViewExt};

/// Where the kernel lists GPUs: a `renderD*` node for each one that can render.
const DRI_DIR: &str = "/dev/dri";

/// The policy for this machine: `Never` without a GPU render node, else WebKit's default.
pub fn acceleration_policy(dri_dir: &Path) -> Option<HardwareAccelerationPolicy> {
    if has_render_node(dri_dir) {
        None
    } else {
        Some(HardwareAccelerationPolicy::Never)
    }
}

/// Whether `dri_dir` holds a render node (`renderD128` ...). A display-only device
/// (`card0` of a virtual display adapter) has none.
fn has_render_node(dri_dir: &Path) -> bool {
    std::fs::read_dir(dri_dir)
        .map(|entries| entries.flatten().any(|e| e.file_name().to_string_lossy().starts_with("renderD")))
        .unwrap_or(false)
}

/// Applies this machine's policy to the window's web view. Call it right after the window
/// is built (the shell does in `setup`), before the main loop runs.
pub fn apply_acceleration_policy<R: Runtime>(window: &WebviewWindow<R>) {
    let Some(policy) = acceleration_policy(Path::new(DRI_DIR)) else {
        log::info!("webview hardware acceleration: WebKit's default (a GPU render node is present)");
        return;
    };
    log::info!("webview hardware acceleration: never (no GPU render node in {DRI_DIR})");
    let applied = window.with_webview(move |webview| {
        let view = webview.inner();
        if let Some(settings) = view.settings() {
            settings.set_hardware_acceleration_policy(policy);
        }
        // The view already asked for its page when it was built, and its web process took
        // the settings of that moment; switching acceleration off under a starting page
        // crashes WebKitGTK 2.50's web process. Load the page again in a new process,
        // which starts with the policy (the first one has shown nothing yet).
        if let Some(uri) = view.uri() {
            view.terminate_web_process();
            view.load_uri(&uri);
        }
    });
    if let Err(e) = applied {
        log::warn!("webview hardware acceleration policy not applied: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_without_a_render_node() {
        let dri = tempfile::tempdir().unwrap();
        assert_eq!(acceleration_policy(dri.path()), Some(HardwareAccelerationPolicy::Never));
        // A display-only device is no GPU to render on.
        std::fs::write(dri.path().join("card0"), "").unwrap();
        assert_eq!(acceleration_policy(dri.path()), Some(HardwareAccelerationPolicy::Never));
        // No /dev/dri at all (a container, a server).
        assert_eq!(acceleration_policy(&dri.path().join("missing")), Some(HardwareAccelerationPolicy::Never));
    }

    #[test]
    fn default_with_a_render_node() {
        let dri = tempfile::tempdir().unwrap();
        std::fs::write(dri.path().join("card0"), "").unwrap();
        std::fs::write(dri.path().join("renderD128"), "").unwrap();
        assert_eq!(acceleration_policy(dri.path()), None);
    }
}
