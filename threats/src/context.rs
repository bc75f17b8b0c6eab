//! Who reads the message, and whom the server and the reader trust.

use std::collections::HashSet;

use crate::domain;
use crate::lookalike::Protected;

/// Known correspondents' domains looked at; the rest are ignored.
pub const MAX_KNOWN_DOMAINS: usize = 5_000;

#[derive(Debug, Clone, Default)]
pub struct Context {
    /// The receiving server's authserv-ids (`mail.authserv_id`): only
    /// `Authentication-Results` headers carrying one of them are read.
    pub authserv_ids: Vec<String>,
    /// The reader's own domain and the organisation's
    /// (`mail.organisation_domains`).
    pub reader_domains: Vec<String>,
    /// Domains the reader has corresponded with.
    pub known_domains: Vec<String>,
    /// Check DKIM and DMARC alignment when no trusted header says
    /// (`mail.verify_dkim`); see [`crate::dkim`].
    pub verify_dkim: bool,
}

impl Context {
    /// Adds the domain of the reader's address to `reader_domains`.
    pub fn with_reader(mut self, address: &str) -> Context {
        if let Some(d) = domain::of_address(address) {
            self.reader_domains.push(d);
        }
        self
    }
}

/// The context normalised once per analysis: registrable ASCII domains.
pub(crate) struct Prepared {
    pub authserv_ids: Vec<String>,
    pub reader: HashSet<String>,
    pub protected: Protected,
}

fn registrables<'a>(domains: impl Iterator<Item = &'a String>) -> HashSet<String> {
    domains
        .filter_map(|d| domain::to_ascii(d.trim_start_matches('@')))
        .map(|d| domain::registrable(&d))
        .collect()
}

impl Prepared {
    pub fn new(ctx: &Context) -> Prepared {
        let reader = registrables(ctx.reader_domains.iter());
        let known = registrables(ctx.known_domains.iter().take(MAX_KNOWN_DOMAINS));
        let protected = Protected::new(&reader, &known);
        Prepared {
            authserv_ids: ctx.authserv_ids.clone(),
            reader,
            protected,
        }
    }

    /// One of the reader's own (or the organisation's) domains.
    pub fn is_readers(&self, ascii: &str) -> bool {
        self.reader.contains(&domain::registrable(ascii))
    }
}
