//! The database each test runs on: a fresh SQLite file, or, with
//! `OMSORG_TEST_DATABASE=postgres`, a fresh database in a throwaway
//! PostgreSQL cluster that this test process starts (Debian's `postgresql`
//! package; `OMSORG_TEST_PG_BIN` names another bin directory) in a
//! temporary directory on a free loopback port, and that stops and is
//! deleted when the process ends.
//!
//! PostgreSQL refuses to run as root; as root, the cluster runs as the
//! package's `postgres` user (or `nobody`).

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

use omsorg_server::db::Backend;
use sqlx::{AnyPool, Connection, Executor};

/// The backend this run tests (`OMSORG_TEST_DATABASE`: sqlite, the
/// default, or postgres).
pub fn backend() -> Backend {
    match std::env::var("OMSORG_TEST_DATABASE").as_deref() {
        Ok("postgres") => Backend::Postgres,
        Ok("sqlite") | Err(_) => Backend::Sqlite,
        Ok(other) => panic!("OMSORG_TEST_DATABASE={other}: expected sqlite or postgres"),
    }
}

/// A new, empty database's URL: a file `name` in `dir` on SQLite, a new
/// database in the cluster on PostgreSQL.
pub async fn fresh(dir: &Path, name: &str) -> String {
    sqlx::any::install_default_drivers();
    match backend() {
        Backend::Sqlite => format!("sqlite://{}", dir.join(format!("{name}.db")).display()),
        Backend::Postgres => cluster().create_database().await,
    }
}

/// Every byte the database keeps on disk for `url` (its file and WAL, or
/// its PostgreSQL data files and the cluster's WAL after a checkpoint), to
/// look for what must not be stored in the clear.
pub async fn bytes_on_disk(url: &str) -> Vec<u8> {
    let mut bytes = Vec::new();
    match Backend::of_url(url).expect("a database URL") {
        Backend::Sqlite => {
            let path = url.trim_start_matches("sqlite://");
            bytes.extend(std::fs::read(path).unwrap());
            if let Ok(wal) = std::fs::read(format!("{path}-wal")) {
                bytes.extend(wal);
            }
        }
        Backend::Postgres => {
            let pool = AnyPool::connect(url).await.unwrap();
            pool.execute("CHECKPOINT").await.unwrap();
            let (oid,): (String,) = sqlx::query_as(
                "SELECT CAST(oid AS TEXT) FROM pg_database WHERE datname = current_database()",
            )
            .fetch_one(&pool)
            .await
            .unwrap();
            pool.close().await;
            let data = &cluster().data;
            for dir in [data.join("base").join(oid), data.join("pg_wal")] {
                for entry in std::fs::read_dir(dir).unwrap() {
                    let path = entry.unwrap().path();
                    if path.is_file() {
                        bytes.extend(std::fs::read(path).unwrap());
                    }
                }
            }
        }
    }
    bytes
}

pub struct Cluster {
    port: u16,
    data: PathBuf,
    next: AtomicUsize,
}

impl Cluster {
    fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    pub async fn create_database(&self) -> String {
        let name = format!("t{}", self.next.fetch_add(1, Ordering::Relaxed));
        let mut admin = self.admin().await;
        admin
            .execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .expect("CREATE DATABASE");
        admin.close().await.ok();
        self.url(&name)
    }

    /// A connection to the `postgres` database, once the cluster takes them
    /// (it accepts TCP before it has finished starting).
    async fn admin(&self) -> sqlx::AnyConnection {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        loop {
            match sqlx::AnyConnection::connect(&self.url("postgres")).await {
                Ok(conn) => return conn,
                Err(e) if std::time::Instant::now() > deadline => {
                    panic!("the test cluster does not answer: {e}")
                }
                Err(_) => tokio::time::sleep(std::time::Duration::from_millis(50)).await,
            }
        }
    }
}

pub fn cluster() -> &'static Cluster {
    static CLUSTER: OnceLock<Cluster> = OnceLock::new();
    CLUSTER.get_or_init(start_cluster)
}

fn bin_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("OMSORG_TEST_PG_BIN") {
        return dir.into();
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL's server (Debian package postgresql; `cargo xtask setup`)")
        .filter_map(|e| {
            let e = e.ok()?;
            let version = e.file_name().to_str()?.parse().ok()?;
            Some((version, e.path().join("bin")))
        })
        .filter(|(_, bin)| bin.join("postgres").exists())
        .collect();
    versions.sort();
    versions
        .pop()
        .expect("a PostgreSQL server under /usr/lib/postgresql")
        .1
}

/// The user the cluster runs as: ours, or an unprivileged one as root.
fn run_as() -> Option<(u32, u32)> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return None;
    }
    for name in ["postgres", "nobody"] {
        let c = std::ffi::CString::new(name).unwrap();
        // SAFETY: a valid C string; the result is read before any other call.
        let pw = unsafe { libc::getpwnam(c.as_ptr()) };
        if !pw.is_null() {
            // SAFETY: non-null, as returned by getpwnam.
            return Some(unsafe { ((*pw).pw_uid, (*pw).pw_gid) });
        }
    }
    panic!("as root, PostgreSQL needs an unprivileged user (postgres or nobody)");
}

fn as_user(cmd: &mut Command, user: Option<(u32, u32)>) -> &mut Command {
    if let Some((uid, gid)) = user {
        cmd.uid(uid).gid(gid).env("HOME", "/tmp");
    }
    cmd
}

fn start_cluster() -> Cluster {
    let bin = bin_dir();
    let user = run_as();
    let root = tempfile::Builder::new()
        .prefix("omsorg-pg-")
        .tempdir()
        .unwrap()
        .keep();
    let data = root.join("data");
    std::fs::create_dir(&data).unwrap();
    if let Some((uid, gid)) = user {
        std::os::unix::fs::chown(&root, Some(uid), Some(gid)).unwrap();
        std::os::unix::fs::chown(&data, Some(uid), Some(gid)).unwrap();
    }
    let initdb = as_user(
        Command::new(bin.join("initdb")).args(["-D"]).arg(&data),
        user,
    )
    .args([
        "-U",
        "postgres",
        "--auth=trust",
        "-E",
        "UTF8",
        "--no-sync",
        "--locale=C",
    ])
    .stdout(Stdio::null())
    .output()
    .expect("initdb runs");
    assert!(
        initdb.status.success(),
        "initdb: {}",
        String::from_utf8_lossy(&initdb.stderr)
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    // The server runs under a shell that stops it and deletes the
    // directory when this process ends: the kernel sends the shell SIGTERM
    // when the thread that started it ends, and that thread lives until
    // the process exits.
    let script = r#"
        trap 'kill -INT "$pid" 2>/dev/null; wait "$pid"; rm -rf "$ROOT"; exit 0' TERM
        "$BIN/postgres" -D "$ROOT/data" -p "$PORT" -k "$ROOT" \
            -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off \
            -c full_page_writes=off -c max_connections=300 -c shared_buffers=32MB \
            >"$ROOT/postgres.log" 2>&1 &
        pid=$!
        wait "$pid"
    "#;
    let (started, is_started) = std::sync::mpsc::channel();
    let (root2, bin2) = (root.clone(), bin.clone());
    std::thread::Builder::new()
        .name("postgres-cluster".into())
        .spawn(move || {
            let mut cmd = Command::new("sh");
            as_user(cmd.args(["-c", script]), user)
                .env("ROOT", &root2)
                .env("BIN", &bin2)
                .env("PORT", port.to_string());
            // SAFETY: prctl is async-signal-safe; nothing else runs here.
            unsafe {
                cmd.pre_exec(|| {
                    if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM) != 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                    Ok(())
                });
            }
            let mut child = cmd.spawn().expect("postgres starts");
            started.send(()).unwrap();
            let _ = child.wait();
        })
        .unwrap();
    is_started.recv().unwrap();
    Cluster {
        port,
        data,
        next: AtomicUsize::new(0),
    }
}
