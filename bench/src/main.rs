//! Estafette's benchmark: runs against a stack started by `scripts/bench.sh`
//! (dev Dovecot and SMTP, Estafette in release mode, seeded mailboxes) and
//! prints a Markdown table of each operation's median and p95, beside the
//! floor: the same IMAP work done by a raw client on the same mailbox, in the
//! same run.

mod floor;
mod load;
mod memory;
mod stats;
mod web;

use std::future::Future;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::Parser;

use crate::floor::{Floor, Selection};
use crate::stats::{ms, size, Samples};
use crate::web::Web;

pub type Result<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

#[derive(Debug, Parser)]
#[command(
    name = "estafette-bench",
    about = "Measure Estafette against the IMAP floor"
)]
struct Args {
    /// Estafette's address.
    #[arg(long)]
    url: String,
    #[arg(long)]
    imap_port: u16,
    #[arg(long)]
    smtp_port: u16,
    /// The password of every benchmark account.
    #[arg(long, env = "BENCH_PASSWORD", hide_env_values = true)]
    password: String,
    /// The seeded mailboxes to measure (the first also sends).
    #[arg(long, required = true)]
    mailbox: Vec<String>,
    /// Accounts that turn on two-factor sign-in, one TOTP sign-in each.
    #[arg(long)]
    totp: Vec<String>,
    /// Accounts of the concurrent users, `PREFIX{001..COUNT}@DOMAIN`.
    #[arg(long, default_value = "load")]
    load_prefix: String,
    #[arg(long, default_value_t = 200)]
    load_count: usize,
    #[arg(long, default_value = "example.test")]
    domain: String,
    /// Where the sent messages go.
    #[arg(long)]
    sink: String,
    /// Dovecot's log, where IMAP logins are counted.
    #[arg(long)]
    dovecot_log: PathBuf,
    /// The Estafette process, whose memory is read.
    #[arg(long)]
    server_pid: u32,
    /// Repetitions of each timed operation.
    #[arg(long, default_value_t = 20)]
    runs: usize,
    #[arg(long, default_value_t = 5)]
    send_runs: usize,
    #[arg(long, default_value_t = 60)]
    load_seconds: u64,
}

/// The Markdown tables, filled as the measurements come.
#[derive(Default)]
struct Report {
    timings: Vec<[String; 9]>,
    figures: Vec<[String; 2]>,
}

impl Report {
    fn timing(&mut self, what: &str, mailbox: &str, ours: &Samples, floor: Option<&Samples>) {
        self.timing_kept(what, mailbox, ours, floor, None);
    }

    /// A row with both floors: `floor` selects the folder for each
    /// operation, `kept` keeps it selected (the ratio that counts for a
    /// signed-in session, which keeps its selection).
    fn timing_kept(
        &mut self,
        what: &str,
        mailbox: &str,
        ours: &Samples,
        floor: Option<&Samples>,
        kept: Option<&Samples>,
    ) {
        let ratio = |f: Option<&Samples>| {
            f.map_or("–".to_owned(), |f| {
                format!(
                    "{:.2}",
                    ours.median().as_secs_f64() / f.median().as_secs_f64().max(1e-9)
                )
            })
        };
        let (fm, fp) = floor.map_or(("–".to_owned(), "–".to_owned()), |f| {
            (ms(f.median()), ms(f.p95()))
        });
        self.timings.push([
            what.to_owned(),
            mailbox.to_owned(),
            ms(ours.median()),
            ms(ours.p95()),
            fm,
            fp,
            ratio(floor),
            kept.map_or("–".to_owned(), |k| ms(k.median())),
            ratio(kept),
        ]);
        eprintln!("bench: {what} ({mailbox}) done");
    }

    fn figure(&mut self, what: &str, value: String) {
        eprintln!("bench: {what}: {value}");
        self.figures.push([what.to_owned(), value]);
    }

    fn print(&self) {
        println!("| operation | mailbox | Estafette median | Estafette p95 | floor median | floor p95 | ratio | floor, folder kept selected | ratio to it |");
        println!("|---|---|---:|---:|---:|---:|---:|---:|---:|");
        for row in &self.timings {
            println!("| {} |", row.join(" | "));
        }
        println!();
        println!("| measure | value |");
        println!("|---|---|");
        for row in &self.figures {
            println!("| {} |", row.join(" | "));
        }
    }
}

/// Times `op`.
async fn timed<T>(op: impl Future<Output = Result<T>>) -> Result<(Duration, T)> {
    let start = Instant::now();
    let value = op.await?;
    Ok((start.elapsed(), value))
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let mut report = Report::default();
    let outcome = run(&args, &mut report).await;
    report.print();
    match outcome {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("estafette-bench: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(args: &Args, report: &mut Report) -> Result<()> {
    sign_in(args, report).await?;
    for mailbox in &args.mailbox {
        reading(args, mailbox, report).await?;
    }
    sending(args, report, 10, args.send_runs).await?;
    sending(args, report, 20, 1).await?;
    opening_large(args, report).await?;
    logins_per_page_views(args, report).await?;
    concurrent_users(args, report).await?;
    first_load(args, report).await
}

async fn sign_in(args: &Args, report: &mut Report) -> Result<()> {
    let user = &args.mailbox[0];
    let (mut ours, mut floor) = (Samples::default(), Samples::default());
    for _ in 0..args.runs {
        let web = Web::new(&args.url)?;
        ours.push(timed(web.sign_in(user, &args.password)).await?.0);
        let (d, raw) = timed(Floor::login(args.imap_port, user, &args.password)).await?;
        floor.push(d);
        raw.logout().await?;
    }
    report.timing("sign-in, password", "–", &ours, Some(&floor));

    if args.totp.is_empty() {
        return Ok(());
    }
    let mut secrets = Vec::new();
    for user in &args.totp {
        let web = Web::new(&args.url)?;
        web.sign_in(user, &args.password).await?;
        secrets.push((user, web.enrol_totp(&args.password).await?));
    }
    // The enrolment used this step's code, which is refused a second time.
    let step = web::now() / 30;
    while web::now() / 30 == step {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let mut ours = Samples::default();
    for (user, secret) in secrets {
        let web = Web::new(&args.url)?;
        let (d, ()) = timed(async {
            web.sign_in(user, &args.password).await?;
            web.verify_code(&secret.code_at(web::now())).await
        })
        .await?;
        ours.push(d);
    }
    report.timing("sign-in, password + TOTP", "–", &ours, Some(&floor));
    Ok(())
}

async fn reading(args: &Args, user: &str, report: &mut Report) -> Result<()> {
    let mut raw = Floor::login(args.imap_port, user, &args.password).await?;
    let html = floor::html_newsletter(user, 100 * 1024);
    let uid = raw.append("INBOX", html.as_bytes()).await?;
    let web = Web::new(&args.url)?;
    web.sign_in(user, &args.password).await?;
    // Warm both paths (Dovecot builds its index on the first SELECT).
    for _ in 0..2 {
        raw.page(0, Selection::Again).await?;
        web.list(0).await?;
    }
    let total = web.list(0).await?["total"].as_u64().unwrap_or(0);
    let label = format!("{total} messages");
    let word = "deployment";

    // Per operation: Estafette, the floor selecting again, the floor kept selected.
    let mut samples: [[Samples; 3]; 4] = Default::default();
    for _ in 0..args.runs {
        let (d, page) = timed(web.list(0)).await?;
        check_rows(&page, "first page")?;
        samples[0][0].push(d);
        samples[0][1].push(timed(raw.page(0, Selection::Again)).await?.0);
        samples[0][2].push(timed(raw.page(0, Selection::Kept)).await?.0);

        let (d, page) = timed(web.list(1)).await?;
        check_rows(&page, "next page")?;
        samples[1][0].push(d);
        samples[1][1].push(timed(raw.page(1, Selection::Again)).await?.0);
        samples[1][2].push(timed(raw.page(1, Selection::Kept)).await?.0);

        let (d, frame) = timed(web.open(uid)).await?;
        if frame < 50 * 1024 {
            return Err(format!("the newsletter's document is only {frame} bytes").into());
        }
        samples[2][0].push(d);
        samples[2][1].push(timed(raw.open(uid, Selection::Again)).await?.0);
        samples[2][2].push(timed(raw.open(uid, Selection::Kept)).await?.0);

        let (d, page) = timed(web.search_subject(word)).await?;
        check_rows(&page, "search")?;
        samples[3][0].push(d);
        samples[3][1].push(timed(raw.search_subject(word, Selection::Again)).await?.0);
        samples[3][2].push(timed(raw.search_subject(word, Selection::Kept)).await?.0);
    }
    let names = [
        "first page of INBOX (50 rows)",
        "next page",
        "open a 100 KB HTML message (sanitised)",
        "search by subject (first page)",
    ];
    for (name, [ours, again, kept]) in names.iter().zip(&samples) {
        report.timing_kept(name, &label, ours, Some(again), Some(kept));
    }
    raw.logout().await
}

fn check_rows(page: &serde_json::Value, what: &str) -> Result<()> {
    match page["rows"].as_array() {
        Some(rows) if !rows.is_empty() => Ok(()),
        _ => Err(format!("{what}: no rows").into()),
    }
}

/// Sends `runs` messages with an attachment of `mb` MB through Estafette and
/// through the floor, measuring the server's memory meanwhile.
async fn sending(args: &Args, report: &mut Report, mb: usize, runs: usize) -> Result<()> {
    let attachment = mb * 1024 * 1024;
    let user = &args.mailbox[0];
    let web = Web::new(&args.url)?;
    web.sign_in(user, &args.password).await?;
    // Measured is the send itself, not the undo delay.
    web.set_undo_delay(0).await?;
    let mut raw = Floor::login(args.imap_port, user, &args.password).await?;
    let (mut ours, mut floor) = (Samples::default(), Samples::default());
    let mut peak_growth = 0u64;
    for _ in 0..runs {
        let message = floor::with_attachment(user, &args.sink, attachment)?;
        let before = memory::rss(args.server_pid);
        let watch = memory::PeakWatch::start(args.server_pid);
        let (d, ()) = timed(async {
            let mut data = vec![0u8; attachment];
            rand::RngCore::fill_bytes(&mut rand::rng(), &mut data);
            let id = web
                .upload("figures.bin", "application/octet-stream", data)
                .await?;
            web.send(&args.sink, "Benchmark: attachment", &id).await
        })
        .await?;
        let peak = watch.finish().await;
        peak_growth = peak_growth.max(peak.saturating_sub(before));
        ours.push(d);
        floor.push(
            timed(raw.send(args.smtp_port, &args.password, &message))
                .await?
                .0,
        );
    }
    report.timing(
        &format!("send with a {mb} MB attachment (upload + send, wall)"),
        "–",
        &ours,
        Some(&floor),
    );
    report.figure(
        &format!("server RSS growth at peak while sending {mb} MB"),
        size(peak_growth),
    );
    raw.logout().await
}

/// Opens a message with a 20 MB HTML body and one with a 50 MB attachment
/// (outline and frame, as the message view does), measuring the server's
/// memory meanwhile: the view fetches only what it shows, cut.
async fn opening_large(args: &Args, report: &mut Report) -> Result<()> {
    let user = &args.mailbox[0];
    let web = Web::new(&args.url)?;
    web.sign_in(user, &args.password).await?;
    let mut raw = Floor::login(args.imap_port, user, &args.password).await?;
    let html = floor::html_newsletter(user, 20 * 1024 * 1024);
    let attachment = floor::with_attachment(user, user, 50 * 1024 * 1024)?.formatted();
    for (what, message) in [
        ("a 20 MB HTML body", html.into_bytes()),
        ("a 50 MB attachment", attachment),
    ] {
        let uid = raw.append("INBOX", &message).await?;
        drop(message);
        let before = memory::rss(args.server_pid);
        let watch = memory::PeakWatch::start(args.server_pid);
        web.open(uid).await?;
        let peak = watch.finish().await;
        report.figure(
            &format!("server RSS growth at peak opening a message with {what}"),
            size(peak.saturating_sub(before)),
        );
    }
    raw.logout().await
}

fn logins_of(log: &std::path::Path, user: &str) -> Result<usize> {
    let needle = format!("Login: user=<{user}>");
    Ok(std::fs::read_to_string(log)?.matches(&needle).count())
}

async fn logins_per_page_views(args: &Args, report: &mut Report) -> Result<()> {
    let user = &args.mailbox[0];
    let web = Web::new(&args.url)?;
    web.sign_in(user, &args.password).await?;
    let uids: Vec<u32> = web.list(0).await?["rows"]
        .as_array()
        .ok_or("no rows")?
        .iter()
        .filter_map(|r| r["uid"].as_u64().map(|u| u as u32))
        .collect();
    let before = logins_of(&args.dovecot_log, user)?;
    for i in 0..100 {
        if i % 2 == 0 {
            web.list((i / 2) % 3).await?;
        } else {
            web.open(uids[i as usize % uids.len()]).await?;
        }
    }
    let after = logins_of(&args.dovecot_log, user)?;
    report.figure(
        "IMAP logins per 100 page views (one signed-in session)",
        (after - before).to_string(),
    );
    Ok(())
}

async fn concurrent_users(args: &Args, report: &mut Report) -> Result<()> {
    let users: Vec<String> = (1..=args.load_count)
        .map(|i| format!("{}{i:03}@{}", args.load_prefix, args.domain))
        .collect();
    let before = memory::rss(args.server_pid);
    let mut webs = Vec::new();
    for batch in users.chunks(10) {
        let signed: Vec<Result<Web>> =
            futures::future::join_all(batch.iter().map(|u| async move {
                let web = Web::new(&args.url)?;
                web.sign_in(u, &args.password).await?;
                web.list(0).await?;
                Ok(web)
            }))
            .await;
        for web in signed {
            webs.push(web?);
        }
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = memory::rss(args.server_pid);
    report.figure(
        &format!(
            "server memory per idle signed-in session, its IMAP connection included ({} sessions)",
            webs.len()
        ),
        size(after.saturating_sub(before) / webs.len().max(1) as u64),
    );

    let load = load::run(&webs, Duration::from_secs(args.load_seconds)).await;
    report.figure(
        &format!(
            "{} concurrent users listing and opening for {} s: throughput",
            webs.len(),
            args.load_seconds
        ),
        format!(
            "{:.0} operations/s",
            load.operations as f64 / load.elapsed.as_secs_f64()
        ),
    );
    report.figure(
        "… latency p50 / p99",
        format!(
            "{} / {}",
            ms(load.latencies.median()),
            ms(load.latencies.percentile(99.0))
        ),
    );
    report.figure(
        "… errors",
        format!("{} of {}", load.errors, load.operations),
    );
    if load.latencies.len() == 0 {
        return Err("no operation of the concurrent users succeeded".into());
    }
    Ok(())
}

/// The first load, from the sign-in page to the inbox: both pages' HTML and
/// every asset they name, raw, as served to a browser (brotli), and in gzip
/// (the measure of PRODUCT §8).
async fn first_load(args: &Args, report: &mut Report) -> Result<()> {
    let web = Web::new(&args.url)?;
    let mut pages = vec!["/login".to_owned()];
    let mut kinds: std::collections::BTreeMap<&str, [u64; 3]> = Default::default();
    let mut seen = std::collections::HashSet::new();
    let mut i = 0;
    while i < pages.len() {
        let path = pages[i].clone();
        if path == "/" {
            web.sign_in(&args.mailbox[0], &args.password).await?;
        }
        let (raw, body) = web.transfer(&path, "identity").await?;
        let (packed, _) = web.transfer(&path, "br, gzip").await?;
        let (gzipped, _) = web.transfer(&path, "gzip").await?;
        let kind = kind_of(&path);
        let entry = kinds.entry(kind).or_default();
        entry[0] += raw.bytes;
        entry[1] += packed.bytes;
        entry[2] += gzipped.bytes;
        if packed.encoding.is_none() && raw.bytes > 1024 {
            eprintln!("bench: {path} is not served compressed");
        }
        if kind == "HTML" || kind == "JS" {
            let text = String::from_utf8_lossy(&body);
            let imported = (kind == "JS").then(|| static_imports(&path, &text));
            for asset in assets_named(&text)
                .into_iter()
                .chain(imported.into_iter().flatten())
            {
                if seen.insert(asset.clone()) {
                    pages.push(asset);
                }
            }
        }
        if path == "/login" {
            pages.push("/".to_owned());
        }
        i += 1;
    }
    let mut total = [0u64; 3];
    for (kind, sizes) in &kinds {
        for (t, s) in total.iter_mut().zip(sizes) {
            *t += s;
        }
        report.figure(
            &format!("first load (sign-in page → inbox): {kind}, raw / brotli / gzip"),
            format!(
                "{} / {} / {}",
                size(sizes[0]),
                size(sizes[1]),
                size(sizes[2])
            ),
        );
    }
    report.figure(
        "first load (sign-in page → inbox): total, raw / brotli / gzip",
        format!(
            "{} / {} / {}",
            size(total[0]),
            size(total[1]),
            size(total[2])
        ),
    );
    Ok(())
}

fn kind_of(path: &str) -> &'static str {
    let path = path.split('?').next().unwrap_or(path);
    match path.rsplit_once('.').map(|(_, ext)| ext) {
        Some("wasm") => "WASM",
        Some("js") => "JS",
        Some("css") => "CSS",
        Some(_) => "other",
        None => "HTML",
    }
}

/// The `/pkg/…` and `/style…` assets a page or a script names.
fn assets_named(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for prefix in ["\"/pkg/", "'/pkg/", "\"/style", "\"/assets/"] {
        let mut rest = text;
        while let Some(at) = rest.find(prefix) {
            let tail = &rest[at + 1..];
            let end = tail.find(['"', '\'']).unwrap_or(tail.len());
            found.push(tail[..end].to_owned());
            rest = &tail[end..];
        }
    }
    found
}

/// The modules a script imports statically (`from "./x.js"`, or `from"./x.js"`
/// once minified), as paths beside it: loaded with it. (Its `import()` and
/// `fetch` of the parts of lazily loaded pages are not.)
fn static_imports(path: &str, js: &str) -> Vec<String> {
    let dir = path.rsplit_once('/').map_or("", |(dir, _)| dir);
    let mut found = Vec::new();
    for (at, _) in js.match_indices("from") {
        let after = js[at + "from".len()..].trim_start();
        let Some(quote) = after.chars().next().filter(|c| matches!(c, '"' | '\'')) else {
            continue;
        };
        let Some(tail) = after[1..].strip_prefix("./") else {
            continue;
        };
        let end = tail.find(quote).unwrap_or(tail.len());
        let module = format!("{dir}/{}", &tail[..end]);
        if !found.contains(&module) {
            found.push(module);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn static_imports_are_loaded_with_their_script_and_lazy_parts_are_not() {
        let js =
            "import * as a from \"./__wasm_split.js\"\nimport * as b from \"./__wasm_split.js\"\n\
                  const c = fetch(new URL(\"./chunk_8.wasm\", import.meta.url));";
        assert_eq!(
            static_imports("/pkg/0123/estafette.js", js),
            vec!["/pkg/0123/__wasm_split.js"]
        );
        let minified =
            "import{a as b}from\"./__wasm_split.js\";const from=1;fetch(\"./chunk_9.wasm\")";
        assert_eq!(
            static_imports("/pkg/0123/estafette.js", minified),
            vec!["/pkg/0123/__wasm_split.js"],
            "minified too"
        );
    }

    #[test]
    fn assets_are_found_in_pages_and_scripts() {
        let html = r#"<link rel="stylesheet" href="/pkg/estafette.css"><script type="module">import('/pkg/estafette.js').then(m => m.default('/pkg/estafette_bg.wasm'))</script>"#;
        assert_eq!(
            assets_named(html),
            vec![
                "/pkg/estafette.css",
                "/pkg/estafette.js",
                "/pkg/estafette_bg.wasm"
            ]
        );
        assert_eq!(kind_of("/pkg/estafette_bg.wasm"), "WASM");
        assert_eq!(kind_of("/"), "HTML");
        assert_eq!(kind_of("/login"), "HTML");
    }
}
