//! WebKitGTK's rendering on Linux, chosen by whether the machine has a GPU.
//!
//! WebKit composites pages with OpenGL by default, and GTK and WebKit open GL and EGL
//! displays at start to learn what the GPU can share. On a machine with no GPU (a virtual
//! machine, a thin client, Xvfb in CI) that GL is Mesa's software rasterizer (llvmpipe):
//! it paints on the CPU like WebKit's own non-accelerated path does, with rasterizer
//! threads and GL buffers besides, and loading it maps Mesa and its LLVM (43 MB resident).
//! There we tell GTK and WebKit not to use GL at all; with a GPU, their defaults stay.
//! Measured on a 1M catalog under Xvfb: app process 198 → 143 MB RSS, web process
//! 283-293 → 181 MB (`scripts/bench-desktop.sh`).

use std::path::Path;

/// Where the kernel lists GPUs: a `renderD*` node for each one that can render.
const DRI_DIR: &str = "/dev/dri";

/// What GTK and WebKit are told on a machine without a GPU, read when GTK starts and when
/// the first web view is made. A value the user set wins.
const WITHOUT_GPU: [(&str, &str); 4] = [
    // Pages are painted without OpenGL compositing.
    ("WEBKIT_DISABLE_COMPOSITING_MODE", "1"),
    // No DMA-BUF renderer: choosing its buffers opens an EGL display (Mesa) in the app.
    ("WEBKIT_DISABLE_DMABUF_RENDERER", "1"),
    // There is no render device to look for: WebKit would open an EGL display to find one.
    ("WEBKIT_WEB_RENDER_DEVICE_FILE", "/dev/null"),
    // GTK does not probe GLX for a GL visual: nothing in the window draws with GTK's GL.
    ("GDK_GL", "disable"),
];

/// Turns GL off for GTK and WebKit when this machine has no GPU render node. Call it
/// first thing, while the process has one thread and before GTK starts.
pub fn choose_acceleration() {
    if has_render_node(Path::new(DRI_DIR)) {
        return;
    }
    for (name, value) in WITHOUT_GPU {
        if std::env::var_os(name).is_none() {
            std::env::set_var(name, value);
        }
    }
}

/// What `choose_acceleration` decided, for the log (the logger starts after it).
pub fn acceleration() -> String {
    let set: Vec<String> = WITHOUT_GPU.iter().filter_map(|(name, _)| std::env::var(name).ok().map(|value| format!("{name}={value}"))).collect();
    if set.is_empty() {
        "WebKit's default".into()
    } else {
        format!("software, no GL (no GPU render node, or set by the user): {}", set.join(" "))
    }
}

/// Whether `dri_dir` holds a render node (`renderD128` ...). A display-only device
/// (`card0` of a virtual display adapter) has none.
fn has_render_node(dri_dir: &Path) -> bool {
    std::fs::read_dir(dri_dir).map(|entries| entries.flatten().any(|e| e.file_name().to_string_lossy().starts_with("renderD"))).unwrap_or(false)
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
