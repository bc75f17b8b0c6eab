//! The floor: the IMAP (and SMTP) work of each operation done by a raw
//! client, async-imap straight on a socket, already logged in. What Estafette
//! adds is measured against it.

use async_imap::types::Fetch;
use async_imap::{Client, Session};
use futures::TryStreamExt;
use lettre::message::{header::ContentType, Attachment, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use tokio::net::TcpStream;

use crate::Result;

/// What Estafette's list asks of each row.
const FIELDS: &str = "(UID FLAGS RFC822.SIZE BODY.PEEK[HEADER])";
const PAGE: u32 = 50;

pub struct Floor {
    session: Session<TcpStream>,
    /// INBOX's count at its last SELECT.
    exists: u32,
}

/// How the floor pays for the folder: selected again for each operation (as
/// a stateless client does), or kept selected and known (a FETCH only), the
/// floor of a client that keeps its selection, as a signed-in session does.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Selection {
    Again,
    Kept,
}

impl Floor {
    /// Connects and logs in (the floor of a sign-in).
    pub async fn login(port: u16, user: &str, password: &str) -> Result<Floor> {
        let tcp = TcpStream::connect(("127.0.0.1", port)).await?;
        tcp.set_nodelay(true)?;
        let mut client = Client::new(tcp);
        client.read_response().await?.ok_or("no IMAP greeting")?;
        let session = client.login(user, password).await.map_err(|(e, _)| e)?;
        Ok(Floor { session, exists: 0 })
    }

    pub async fn logout(mut self) -> Result<()> {
        self.session.logout().await?;
        Ok(())
    }

    /// INBOX selected, unless it is kept selected (and known).
    async fn select(&mut self, how: Selection) -> Result<()> {
        if how == Selection::Again || self.exists == 0 {
            self.exists = self.session.select("INBOX").await?.exists;
        }
        Ok(())
    }

    /// One page of rows newest first, by sequence range.
    pub async fn page(&mut self, page: u32, how: Selection) -> Result<usize> {
        self.select(how).await?;
        let newest = self.exists.saturating_sub(page * PAGE);
        if newest == 0 {
            return Ok(0);
        }
        let oldest = newest.saturating_sub(PAGE - 1).max(1);
        let rows: Vec<Fetch> = self
            .session
            .fetch(format!("{oldest}:{newest}"), FIELDS)
            .await?
            .try_collect()
            .await?;
        Ok(rows.len())
    }

    /// The whole message, as a reader needs it.
    pub async fn open(&mut self, uid: u32, how: Selection) -> Result<usize> {
        self.select(how).await?;
        let parts: Vec<Fetch> = self
            .session
            .uid_fetch(uid.to_string(), "BODY.PEEK[]")
            .await?
            .try_collect()
            .await?;
        Ok(parts.first().and_then(|f| f.body()).map_or(0, <[u8]>::len))
    }

    /// SEARCH by subject, then the newest page of the results.
    pub async fn search_subject(&mut self, word: &str, how: Selection) -> Result<usize> {
        self.select(how).await?;
        let mut uids: Vec<u32> = self
            .session
            .uid_search(format!("SUBJECT \"{word}\""))
            .await?
            .into_iter()
            .collect();
        uids.sort_unstable_by(|a, b| b.cmp(a));
        uids.truncate(PAGE as usize);
        if uids.is_empty() {
            return Ok(0);
        }
        let set: Vec<String> = uids.iter().map(u32::to_string).collect();
        let rows: Vec<Fetch> = self
            .session
            .uid_fetch(set.join(","), FIELDS)
            .await?
            .try_collect()
            .await?;
        Ok(rows.len())
    }

    /// Appends a message; returns its UID (the folder's UIDNEXT before).
    pub async fn append(&mut self, folder: &str, raw: &[u8]) -> Result<u32> {
        let uid = self
            .session
            .select(folder)
            .await?
            .uid_next
            .ok_or("no UIDNEXT")?;
        self.session.append(folder, None, None, raw).await?;
        Ok(uid)
    }

    /// The floor of a send: SMTP submission, then the copy kept in Sent.
    pub async fn send(&mut self, smtp_port: u16, password: &str, message: &Message) -> Result<()> {
        let from = message
            .envelope()
            .from()
            .map(ToString::to_string)
            .ok_or("no sender")?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
            .port(smtp_port)
            .credentials(Credentials::new(from, password.to_owned()))
            .build();
        transport.send(message.clone()).await?;
        self.session
            .append("Sent", Some("(\\Seen)"), None, message.formatted())
            .await?;
        Ok(())
    }
}

/// A message with an attachment of `bytes` random bytes.
pub fn with_attachment(from: &str, to: &str, bytes: usize) -> Result<Message> {
    let mut data = vec![0u8; bytes];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut data);
    Ok(Message::builder()
        .from(from.parse()?)
        .to(to.parse()?)
        .subject("Benchmark: attachment")
        .multipart(
            MultiPart::mixed()
                .singlepart(SinglePart::plain("The figures are attached.".to_owned()))
                .singlepart(
                    Attachment::new("figures.bin".to_owned())
                        .body(data, ContentType::parse("application/octet-stream")?),
                ),
        )?)
}

/// A newsletter of about `bytes` of HTML: tables, styles, links and remote
/// images, the kind of message the sanitiser works hardest on.
pub fn html_newsletter(to: &str, bytes: usize) -> String {
    let mut html = String::from(
        "<html><head><style>.row{color:#333} td{padding:4px}</style></head><body><table>",
    );
    let mut i = 0;
    while html.len() < bytes {
        html.push_str(&format!(
            "<tr class=\"row\"><td style=\"font-weight:bold;color:#1f5fbf\">Article {i}</td>\
             <td><a href=\"https://news.example/a/{i}\">Lire la suite de l'article numéro {i}</a> \
             — un résumé de quelques mots pour remplir la ligne.</td>\
             <td><img src=\"https://img.example/{i}.png\" width=\"32\" height=\"32\" alt=\"\"></td></tr>\r\n"
        ));
        i += 1;
    }
    html.push_str("</table></body></html>\r\n");
    format!(
        "From: Bench News <news@bench.example>\r\nTo: <{to}>\r\nSubject: Benchmark newsletter 100 KB\r\n\
         Date: Mon, 23 Nov 2026 10:00:00 +0000\r\nMessage-ID: <bench-news-{bytes}@bench.example>\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{html}"
    )
}
