//! What the generated messages say, and how they are put together.

use std::collections::VecDeque;

use rand::seq::IndexedRandom;
use rand::Rng;

use crate::mime::{base64_lines, header_text, mailbox, rfc2822_date};

const PEOPLE: &[(&str, &str)] = &[
    ("Élodie Lefèvre", "elodie.lefevre@atelier-lumiere.fr"),
    ("François Dupré", "francois@dupre-associes.fr"),
    ("Chloé Bérard", "chloe.berard@univ-besancon.example"),
    ("Renée Côté", "renee.cote@quebec-media.example"),
    ("Jürgen Groß", "j.gross@technik.example.de"),
    ("Marguerite Noël", "marguerite@noel.example"),
    ("Bob Martin", "bob@example.test"),
    ("Priya Raman", "priya.raman@northwind.example"),
    ("Tomás Ibáñez", "tomas@ibanez.example.es"),
    ("Grace Chen", "grace.chen@contoso.example"),
    ("Olu Adeyemi", "olu@lagos-ventures.example"),
    ("Anaïs Moreau", "anais.moreau@mairie.example.fr"),
    ("Support", "support@helpdesk.example.com"),
    ("Sam Okafor", "sam@okafor.example"),
];

const NEWSLETTERS: &[(&str, &str, &str)] = &[
    (
        "La Gazette du Vélo",
        "news@gazette-velo.example",
        "Les nouveautés de la semaine",
    ),
    (
        "Rust Weekly Digest",
        "digest@rustweekly.example",
        "This week in systems programming",
    ),
    (
        "Boutique Éphémère",
        "promo@boutique-ephemere.example",
        "Soldes d'hiver : -30 % sur tout",
    ),
];

const SUBJECTS: &[&str] = &[
    "Réunion de l'équipe : ordre du jour",
    "Compte rendu du séminaire à Besançon",
    "Facture n°{n}",
    "Déjeuner vendredi ?",
    "Quarterly report draft",
    "Invitation: design review on Thursday",
    "Photos du week-end",
    "Contrat à signer avant le {n} mars",
    "Question about the deployment",
    "Vacances d'été — planning",
    "Your ticket #{n} has been updated",
    "Budget prévisionnel {n}",
    "Slides for tomorrow",
    "Re-scheduling our call",
    "Nouvelle adresse du bureau",
];

const PARAGRAPHS: &[&str] = &[
    "Bonjour à tous, voici les points que nous aborderons lors de la prochaine réunion. Merci de préparer vos remarques à l'avance.",
    "Thanks for the quick turnaround. I had a look at the numbers and they seem right to me, apart from the travel line.",
    "Comme convenu, je vous envoie le document mis à jour. N'hésitez pas à me faire part de vos commentaires d'ici vendredi.",
    "Could you confirm that the new server is reachable from the office network? The monitoring shows a few timeouts.",
    "Le déjeuner aura lieu au restaurant « Chez Léon », à deux pas de la gare. Réservation pour douze personnes à 12 h 30.",
    "I've attached the summary. The short version: we are on track, but the migration needs one more week of testing.",
    "Pour rappel, les congés doivent être posés avant la fin du mois. Le planning partagé est à jour.",
    "See you at the meeting. I'll bring the printed copies and the projector adapter.",
    "Nous avons bien reçu votre demande et un membre de l'équipe vous répondra sous 48 heures.",
    "Grüße aus München! The workshop went very well and everyone asked for the recording.",
];

const PNG_LOGO: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x30, 0x00, 0x00, 0x00, 0x30, 0x08, 0x02, 0x00, 0x00, 0x00, 0xd8, 0x60, 0x6e,
    0xd0, 0x00, 0x00, 0x00, 0x3a, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda, 0xed, 0xce, 0x41, 0x0d, 0x00,
    0x00, 0x08, 0x04, 0xa0, 0x6b, 0x62, 0xc4, 0xce, 0x3a, 0xb3, 0x5a, 0xd9, 0xb0, 0x33, 0xe7, 0x07,
    0x1b, 0x01, 0x48, 0xa5, 0x75, 0xbc, 0x12, 0x21, 0x21, 0x21, 0x21, 0x21, 0x21, 0x21, 0x21, 0x21,
    0x21, 0x21, 0x21, 0x21, 0x21, 0x21, 0x21, 0x21, 0x21, 0x21, 0x21, 0x21, 0x1a, 0x3a, 0x0b, 0x53,
    0xce, 0x25, 0xa6, 0xfb, 0x90, 0xa4, 0x98, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae,
    0x42, 0x60, 0x82,
];

/// The shape of a message.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    Plain,
    Alternative,
    Newsletter,
    InlineImage,
    Pdf,
    Png,
    Text,
    LargeAttachment,
}

impl Kind {
    pub fn pick(rng: &mut impl Rng) -> Kind {
        match rng.random_range(0..100) {
            0..40 => Kind::Plain,
            40..62 => Kind::Alternative,
            62..72 => Kind::Newsletter,
            72..80 => Kind::InlineImage,
            80..88 => Kind::Pdf,
            88..94 => Kind::Png,
            _ => Kind::Text,
        }
    }
}

/// Recent messages that later ones may answer.
#[derive(Default)]
pub struct Threads {
    recent: VecDeque<(String, String, String)>, // message-id, subject, references
}

pub struct Generated {
    pub bytes: Vec<u8>,
    pub date: i64,
    /// Maildir flags, in the alphabetical order Maildir wants.
    pub flags: String,
}

fn pdf(title: &str, pad_to: usize) -> Vec<u8> {
    let mut body = format!(
        "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n\
         2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n\
         3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R \
         /Resources << /Font << /F1 5 0 R >> >> >> endobj\n\
         4 0 obj << /Length 60 >> stream\nBT /F1 24 Tf 72 760 Td ({}) Tj ET\nendstream endobj\n\
         5 0 obj << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> endobj\n",
        title.replace(['(', ')', '\\'], "")
    )
    .into_bytes();
    let mut filler = 0u32;
    while body.len() < pad_to {
        filler = filler.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        body.extend_from_slice(format!("% padding {filler:010}\n").as_bytes());
    }
    body.extend_from_slice(b"trailer << /Root 1 0 R >>\n%%EOF\n");
    body
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

pub fn message(
    rng: &mut impl Rng,
    index: usize,
    date: i64,
    kind: Kind,
    owner: &str,
    threads: &mut Threads,
) -> Generated {
    let (from_name, from_addr, mut subject) = match kind {
        Kind::Newsletter => {
            let (n, a, s) = NEWSLETTERS.choose(rng).copied().unwrap_or(NEWSLETTERS[0]);
            (n.to_owned(), a.to_owned(), s.to_owned())
        }
        _ => {
            let (n, a) = PEOPLE.choose(rng).copied().unwrap_or(PEOPLE[0]);
            let s = SUBJECTS.choose(rng).copied().unwrap_or(SUBJECTS[0]);
            (
                n.to_owned(),
                a.to_owned(),
                s.replace("{n}", &rng.random_range(2..9999).to_string()),
            )
        }
    };
    let message_id = format!("<gen.{index}.{:08x}@example.test>", rng.random::<u32>());
    let mut thread_headers = String::new();
    let replying =
        !matches!(kind, Kind::Newsletter) && !threads.recent.is_empty() && rng.random_bool(0.25);
    if replying {
        let pick = rng.random_range(0..threads.recent.len());
        if let Some((parent_id, parent_subject, parent_refs)) = threads.recent.get(pick).cloned() {
            subject = format!("Re: {}", parent_subject.trim_start_matches("Re: "));
            let references = format!("{parent_refs} {parent_id}").trim().to_owned();
            thread_headers = format!("In-Reply-To: {parent_id}\r\nReferences: {references}\r\n");
            threads
                .recent
                .push_back((message_id.clone(), subject.clone(), references));
        }
    } else if !matches!(kind, Kind::Newsletter) {
        threads
            .recent
            .push_back((message_id.clone(), subject.clone(), String::new()));
    }
    if threads.recent.len() > 20 {
        threads.recent.pop_front();
    }

    let paragraphs: Vec<&str> = (0..rng.random_range(1..4))
        .filter_map(|_| PARAGRAPHS.choose(rng).copied())
        .collect();
    let first_name = from_name.split(' ').next().unwrap_or_default().to_owned();
    let text = format!(
        "{}\r\n\r\n-- \r\n{first_name}\r\n",
        paragraphs.join("\r\n\r\n")
    );
    let html_paragraphs: String = paragraphs
        .iter()
        .map(|p| format!("<p>{}</p>", html_escape(p)))
        .collect();
    let boundary = format!("=_estafette_{index}_{:06x}", rng.random::<u32>() & 0xffffff);

    let (content_type, body) = match kind {
        Kind::Plain => ("text/plain; charset=utf-8".to_owned(), text.clone()),
        Kind::Alternative => (
            format!("multipart/alternative; boundary=\"{boundary}\""),
            alternative(&boundary, &text, &format!("<html><body style=\"font-family:sans-serif\">{html_paragraphs}<p>— <b>{}</b></p></body></html>", html_escape(&first_name))),
        ),
        Kind::Newsletter => {
            let html = format!(
                "<html><head><style>.hero{{color:#1f5fbf}} td{{padding:8px}}</style></head><body>\
                 <table width=\"600\" style=\"margin:auto;border:1px solid #ddd\"><tr><td>\
                 <img src=\"https://images.newsletter.example/banner-{index}.jpg\" width=\"600\" alt=\"Bannière\">\
                 <h1 class=\"hero\">{}</h1>{html_paragraphs}\
                 <p><a href=\"https://newsletter.example/read?id={index}\">Lire la suite</a></p>\
                 <img src=\"https://track.newsletter.example/open.gif?u={index}\" width=\"1\" height=\"1\" alt=\"\">\
                 </td></tr></table><p style=\"font-size:11px\"><a href=\"https://newsletter.example/unsubscribe\">Se désabonner</a></p></body></html>",
                html_escape(&subject)
            );
            (format!("multipart/alternative; boundary=\"{boundary}\""), alternative(&boundary, &text, &html))
        }
        Kind::InlineImage => {
            let html = format!("<html><body>{html_paragraphs}<p><img src=\"cid:logo-{index}@example.test\" alt=\"Logo\" width=\"48\" height=\"48\"></p></body></html>");
            let body = format!(
                "--{boundary}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{html}\r\n\
                 --{boundary}\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\
                 Content-ID: <logo-{index}@example.test>\r\nContent-Disposition: inline; filename=\"logo.png\"\r\n\r\n{}\
                 --{boundary}--\r\n",
                base64_lines(PNG_LOGO)
            );
            (format!("multipart/related; boundary=\"{boundary}\"; type=\"text/html\""), body)
        }
        Kind::Pdf => attachment(&boundary, &text, "application/pdf", &format!("Compte-rendu-{index}.pdf"), &pdf(&subject, 2_000 + index % 40_000)),
        Kind::Png => attachment(&boundary, &text, "image/png", "schéma.png", PNG_LOGO),
        Kind::Text => attachment(
            &boundary,
            &text,
            "text/plain; charset=utf-8",
            "notes.txt",
            format!("Notes de réunion n°{index}\n- point un\n- point deux\n").as_bytes(),
        ),
        Kind::LargeAttachment => attachment(&boundary, &text, "application/pdf", "Rapport annuel 2026.pdf", &pdf("Rapport annuel", 5 * 1024 * 1024)),
    };

    let mut flags = String::new();
    if rng.random_bool(0.06) {
        flags.push('F');
    }
    if replying && rng.random_bool(0.3) {
        flags.push('R');
    }
    let unread = rng.random_bool(0.2);
    if !unread {
        flags.push('S');
    }
    let headers = format!(
        "Return-Path: <{from_addr}>\r\nMessage-ID: {message_id}\r\nDate: {}\r\nFrom: {}\r\nTo: {}\r\n{thread_headers}\
         Subject: {}\r\nMIME-Version: 1.0\r\nContent-Type: {content_type}\r\n{}\r\n",
        rfc2822_date(date),
        mailbox(&from_name, &from_addr),
        mailbox("Alice Lambert", owner),
        header_text(&subject),
        if content_type.starts_with("text/") { "Content-Transfer-Encoding: 8bit\r\n" } else { "" },
    );
    let mut bytes = headers.into_bytes();
    bytes.extend_from_slice(body.as_bytes());
    Generated { bytes, date, flags }
}

fn alternative(boundary: &str, text: &str, html: &str) -> String {
    format!(
        "--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{text}\r\n\
         --{boundary}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{html}\r\n\
         --{boundary}--\r\n"
    )
}

fn attachment(
    boundary: &str,
    text: &str,
    mime: &str,
    filename: &str,
    data: &[u8],
) -> (String, String) {
    let body = format!(
        "--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{text}\r\n\
         --{boundary}\r\nContent-Type: {mime}; name=\"{}\"\r\nContent-Transfer-Encoding: base64\r\n\
         Content-Disposition: attachment; filename=\"{}\"\r\n\r\n{}--{boundary}--\r\n",
        header_text(filename),
        header_text(filename),
        base64_lines(data)
    );
    (format!("multipart/mixed; boundary=\"{boundary}\""), body)
}
