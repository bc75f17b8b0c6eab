//! Fills a Maildir with realistic, deterministic mail for the demo and the
//! benchmarks: plain and HTML messages, newsletters with remote images, inline
//! `cid:` images, attachments (PDF, PNG, text, one large PDF), threads, French
//! names and subjects, varied dates and senders. Files are written straight
//! into the Maildir (Dovecot indexes them on first access), named by date so
//! that UIDs follow the dates.

mod content;
mod mime;

use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

#[derive(Debug, Parser)]
#[command(
    name = "estafette-mailgen",
    about = "Fill a Maildir with generated mail"
)]
struct Args {
    /// The Maildir to fill (its INBOX: cur/, new/, tmp/ are created).
    #[arg(long)]
    maildir: PathBuf,
    /// How many messages.
    #[arg(long, default_value_t = 2000)]
    count: usize,
    /// Seed of the generator: the same seed gives the same mailbox.
    #[arg(long, default_value_t = 2026)]
    seed: u64,
    /// The mailbox owner (the recipient).
    #[arg(long, default_value = "alice@example.test")]
    owner: String,
    /// Newest message date (Unix seconds); messages go back about two years from it.
    #[arg(long, default_value_t = 1_795_000_000)]
    newest: i64,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match generate(&args) {
        Ok(n) => {
            println!("wrote {n} messages into {}", args.maildir.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("estafette-mailgen: {e}");
            ExitCode::FAILURE
        }
    }
}

fn generate(args: &Args) -> io::Result<usize> {
    for sub in ["cur", "new", "tmp"] {
        fs::create_dir_all(args.maildir.join(sub))?;
    }
    let mut rng = ChaCha8Rng::seed_from_u64(args.seed);
    let span = 2 * 365 * 24 * 3600_i64;
    let step = (span / args.count.max(1) as i64).max(1);
    let mut date = args.newest - span;
    let mut threads = content::Threads::default();
    let large_at = args.count / 2;
    for i in 0..args.count {
        date += rng.random_range(step / 2..=step * 3 / 2);
        let kind = if i == large_at {
            content::Kind::LargeAttachment
        } else {
            content::Kind::pick(&mut rng)
        };
        let msg = content::message(
            &mut rng,
            i,
            date.min(args.newest),
            kind,
            &args.owner,
            &mut threads,
        );
        write_message(&args.maildir, i, &msg)?;
    }
    Ok(args.count)
}

fn write_message(maildir: &Path, index: usize, msg: &content::Generated) -> io::Result<()> {
    let name = format!(
        "{}.M{index}P0.estafette,S={}:2,{}",
        msg.date,
        msg.bytes.len(),
        msg.flags
    );
    let mut out = BufWriter::new(fs::File::create(maildir.join("cur").join(name))?);
    out.write_all(&msg.bytes)?;
    out.flush()
}
