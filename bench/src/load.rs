//! Many signed-in users at once, each listing its INBOX and opening messages
//! for a while.

use std::time::{Duration, Instant};

use rand::seq::IndexedRandom;

use crate::stats::Samples;
use crate::web::Web;

#[derive(Default)]
pub struct Load {
    pub operations: u64,
    pub errors: u64,
    pub latencies: Samples,
    pub elapsed: Duration,
}

/// Runs every user in parallel for `length`.
pub async fn run(users: &[Web], length: Duration) -> Load {
    let start = Instant::now();
    let deadline = start + length;
    let tasks: Vec<_> = users
        .iter()
        .cloned()
        .map(|web| tokio::spawn(one_user(web, deadline)))
        .collect();
    let mut load = Load::default();
    for task in tasks {
        match task.await {
            Ok(user) => {
                load.operations += user.operations;
                load.errors += user.errors;
                load.latencies.extend(user.latencies);
            }
            Err(_) => load.errors += 1,
        }
    }
    load.elapsed = start.elapsed();
    load
}

async fn one_user(web: Web, deadline: Instant) -> Load {
    let mut load = Load::default();
    let mut uids: Vec<u32> = Vec::new();
    while Instant::now() < deadline {
        let started = Instant::now();
        let pick = uids.choose(&mut rand::rng()).copied();
        let result = match pick {
            Some(uid) if load.operations % 2 == 1 => web.open(uid).await.map(|_| ()),
            _ => web.list(0).await.map(|page| {
                uids = page["rows"]
                    .as_array()
                    .map(|rows| {
                        rows.iter()
                            .filter_map(|r| r["uid"].as_u64())
                            .map(|u| u as u32)
                            .collect()
                    })
                    .unwrap_or_default();
            }),
        };
        load.operations += 1;
        match result {
            Ok(()) => load.latencies.push(started.elapsed()),
            Err(_) => load.errors += 1,
        }
    }
    load
}
