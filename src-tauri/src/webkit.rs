//! WebKitGTK's hardware acceleration on Linux, chosen by whether the machine has a GPU.
//!
//! WebKit composites pages with OpenGL by default. On a machine with no GPU (a virtual
//! machine, a thin client, Xvfb in CI) that OpenGL is Mesa's software rasterizer
//! (llvmpipe): it paints on the CPU like WebKit's own non-accelerated path does, with
//! rasterizer threads and GL buffers besides (the web process idled at 283-293 MB RSS on
//! a 1M catalog, 181 MB without). There we turn accelerated compositing off; with a GPU,
//! WebKit's default stays. (Mesa and its LLVM stay mapped either way: GTK's GLX probe and
//! WebKit's EGL display load them before any page.)

use std::path::Path;

/// Where the kernel lists GPUs: a `renderD*` node for each one that can render.
const DRI_DIR: &str = "/dev/dri";
/// WebKitGTK's switch, read when its first web view is made. A value the user set wins.
const DISABLE_COMPOSITING: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";

/// Turns accelerated compositing off when this machine has no GPU render node. Call it
/// first thing, while the process has one thread and before GTK starts.
pub fn choose_acceleration() {
    if std::env::var_os(DISABLE_COMPOSITING).is_none() && !has_render_node(Path::new(DRI_DIR)) {
        std::env::set_var(DISABLE_COMPOSITING, "1");
    }
}

/// What `choose_acceleration` decided, for the log (the logger starts after it).
pub fn acceleration() -> &'static str {
    match std::env::var_os(DISABLE_COMPOSITING) {
        Some(v) if v != "0" => "off (no GPU render node, or WEBKIT_DISABLE_COMPOSITING_MODE set)",
        _ => "WebKit's default",
    }
}

/// Whether `dri_dir` holds a render node (`renderD128` ...). A display-only device
/// (`card0` of a virtual display adapter) has none.
fn has_render_node(dri_dir: &Path) -> bool {
    std::fs::read_dir(dri_dir)
        .map(|entries| entries.flatten().any(|e| e.file_name().to_string_lossy().starts_with("renderD")))
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_render_node_is_a_gpu_a_display_device_is_not() {
        let dri = tempfile::tempdir().unwrap();
        assert!(!has_render_node(dri.path()));
        std::fs::write(dri.path().join("card0"), "").unwrap();
        assert!(!has_render_node(dri.path()), "a display-only device is no GPU to render on");
        assert!(!has_render_node(&dri.path().join("missing")), "no /dev/dri at all (a container, a server)");
        std::fs::write(dri.path().join("renderD128"), "").unwrap();
        assert!(has_render_node(dri.path()));
    }
}
