//! A shop for tests of the `raf` binary: its own catalog file in a temp folder, driven the
//! way a person or a script would, through arguments, standard input, exit codes, stdout
//! and stderr.
// Each test crate compiles its own copy and uses part of it.
#![allow(dead_code)]

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// `raf` with a clean environment: no RAF_DB from the caller, and a data folder inside
/// `home`, so a test that forgot `--db` could never touch a real catalog.
pub fn raf(home: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_raf"));
    cmd.env_remove("RAF_DB").env("HOME", home).env("XDG_DATA_HOME", home.join("data"));
    cmd
}

/// A fresh, initialised catalog.
pub struct Shop {
    pub dir: TempDir,
    pub db: PathBuf,
}

impl Shop {
    pub fn new() -> Shop {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("raf.db");
        let shop = Shop { dir, db };
        shop.run(&["init"]);
        shop
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes `text` to a file in the shop's folder; returns its path.
    pub fn file(&self, name: &str, text: &str) -> String {
        std::fs::write(self.path(name), text).unwrap();
        self.path(name).display().to_string()
    }

    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = raf(self.dir.path());
        cmd.arg("--db").arg(&self.db).args(args);
        cmd
    }

    /// Runs with `stdin` typed in (a scanner, a pipe), expects success; returns stdout.
    pub fn run_with_input(&self, args: &[&str], stdin: &str) -> String {
        let out = self.cmd(args).write_stdin(stdin).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "raf {args:?} failed:\n{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    }

    /// Runs and expects success; returns stdout.
    pub fn run(&self, args: &[&str]) -> String {
        self.run_with_input(args, "")
    }

    /// Runs with `--json`, expects success and parses stdout.
    pub fn json(&self, args: &[&str]) -> Value {
        let stdout = self.run(&[args, &["--json"]].concat());
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("raf {args:?}: stdout is not JSON ({e}):\n{stdout}"))
    }

    /// Runs and expects exit `code`; returns (stdout, stderr).
    pub fn fail(&self, args: &[&str], code: i32) -> (String, String) {
        let out = self.cmd(args).output().unwrap();
        let (stdout, stderr) = (String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap());
        assert_eq!(out.status.code(), Some(code), "raf {args:?}: stdout {stdout}\nstderr {stderr}");
        (stdout, stderr)
    }

    /// A user error: exit 1 and exactly one line on stderr.
    pub fn user_error(&self, args: &[&str]) -> String {
        let (_, stderr) = self.fail(args, 1);
        assert_eq!(stderr.lines().count(), 1, "raf {args:?}: want one line on stderr, got:\n{stderr}");
        stderr.trim_end().to_owned()
    }

    /// A user error with `--json`: one line of `{code, message, details}`; returns it after
    /// checking its code.
    pub fn error(&self, args: &[&str], code: &str) -> Value {
        let line = self.user_error(&[args, &["--json"]].concat());
        let err: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("raf {args:?}: stderr is not JSON ({e}): {line}"));
        assert_eq!(err["code"], code, "raf {args:?}: {err}");
        assert!(err["message"].as_str().is_some_and(|m| !m.is_empty()), "{err}");
        assert!(err.get("details").is_some(), "{err}");
        err
    }

    pub fn show(&self, sku: &str) -> Value {
        self.json(&["product", "show", sku])
    }

    /// The quantity on hand of a product or one of its variants.
    pub fn on_hand(&self, sku: &str) -> String {
        let p = self.show(sku);
        match p["variants"].as_array().unwrap().iter().find(|v| v["sku"] == sku) {
            Some(v) => v["on_hand"].as_str().unwrap().to_owned(),
            None => p["on_hand"].as_str().unwrap().to_owned(),
        }
    }

    /// Adds a product: `add("LED", "LED Ampul", &["--stock", "5"])`.
    pub fn add(&self, sku: &str, name: &str, extra: &[&str]) {
        self.run(&[&["product", "add", sku, name], extra].concat());
    }

    /// The SKUs a `product list` returns, in order.
    pub fn list(&self, args: &[&str]) -> Vec<String> {
        let page = self.json(&[&["product", "list"], args].concat());
        page["rows"].as_array().unwrap().iter().map(|r| r["sku"].as_str().unwrap().to_owned()).collect()
    }
}
