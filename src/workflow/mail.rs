//! Notices by e-mail, where the installation has an SMTP server (`VETIS_SMTP`): each unread notice
//! of a user with an address is mailed once, in Chinese then English, with the link to its page.
//! Optional: without a server the bell is the only channel, and nothing here runs.

use std::time::Duration;

use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Mailbox, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::settings::{Smtp, SmtpSecurity};
use crate::store::notifications::{self, Outgoing};
use crate::store::{Db, StoreError};

/// Notices older than this when mailing starts (or after a long outage) stay in the bell only.
const RECENT_DAYS: i64 = 3;
/// Notices mailed in one round; the rest wait for the next.
const BATCH: i64 = 200;
/// How long one message may take with the server.
const TIMEOUT: Duration = Duration::from_secs(30);

/// A connection setting to the server and the sender, checked once at start-up.
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// The site's address, to make the notices' links whole (`VETIS_PUBLIC_URL`).
    site: Option<String>,
}

/// What a round of mailing did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Round {
    pub sent: usize,
    pub failed: usize,
}

impl Mailer {
    /// The mailer of a setting; an error names what is wrong (the sender, the CA file).
    pub fn new(s: &Smtp, site: Option<String>) -> Result<Mailer, String> {
        let from: Mailbox = format!("VETIS <{}>", s.from)
            .parse()
            .map_err(|e| format!("VETIS_SMTP: from={:?}: {e} / 发件地址无效", s.from))?;
        let tls = || -> Result<TlsParameters, String> {
            let mut b = TlsParameters::builder(s.host.clone());
            if let Some(ca) = &s.ca_file {
                let pem = std::fs::read(ca).map_err(|e| format!("VETIS_SMTP: ca={}: {e}", ca.display()))?;
                let cert = Certificate::from_pem(&pem).map_err(|e| {
                    format!("VETIS_SMTP: ca={}: not a PEM certificate ({e}) / 不是 PEM 证书", ca.display())
                })?;
                b = b.add_root_certificate(cert);
            }
            b.build_rustls().map_err(|e| format!("VETIS_SMTP: TLS: {e}"))
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(s.host.clone())
            .port(s.port)
            .timeout(Some(TIMEOUT))
            .tls(match s.security {
                SmtpSecurity::Plain => Tls::None,
                SmtpSecurity::StartTls => Tls::Required(tls()?),
                SmtpSecurity::Tls => Tls::Wrapper(tls()?),
            });
        if let Some(user) = &s.user {
            builder = builder.credentials(Credentials::new(user.clone(), s.password.clone().unwrap_or_default()));
        }
        Ok(Mailer { transport: builder.build(), from, site })
    }

    /// Sends one plain-text message; an error says what the server answered.
    pub async fn send(&self, to: &str, subject: &str, body: String) -> Result<(), String> {
        let to: Mailbox = to.parse().map_err(|e| format!("{to}: {e}"))?;
        let part =
            SinglePart::builder().header(ContentType::TEXT_PLAIN).header(ContentTransferEncoding::Base64).body(body);
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .singlepart(part)
            .map_err(|e| e.to_string())?;
        self.transport.send(message).await.map(|_| ()).map_err(|e| e.to_string())
    }

    /// The message of a notice: its subject and its text in both languages, with its link.
    fn compose(&self, n: &Outgoing) -> (String, String) {
        let label = n.kind.label();
        let mut gist: String = n.text.zh.chars().take(40).collect();
        if gist.len() < n.text.zh.len() {
            gist.push('…');
        }
        let subject = format!("VETIS {}：{gist}", label.zh);
        // Without the site's address (`VETIS_PUBLIC_URL`) the link is the page's path in VETIS.
        let link = match &self.site {
            Some(site) => format!("查看 / Open: {site}{}", n.link),
            None => format!("在 VETIS 中查看 / Open in VETIS: {}", n.link),
        };
        let body = format!(
            "{}\n\n{}\n\n{link}\n\n——\n这是 VETIS 自动发送给 {} 的通知，请勿回复；在系统中已读的通知不再发送。\nSent by VETIS to {}; do not reply. Notices read in VETIS are not mailed.\n",
            n.text.zh, n.text.en, n.username, n.username
        );
        (subject, body)
    }

    /// Mails every recent unread notice not yet mailed to a user with an address; a notice whose
    /// sending fails is tried again in the next round, up to `notifications::MAIL_TRIES` times.
    pub async fn send_pending(&self, db: &Db) -> Result<Round, StoreError> {
        let mut round = Round::default();
        for n in notifications::to_mail(db, RECENT_DAYS, BATCH).await? {
            let (subject, body) = self.compose(&n);
            let sent = self.send(&n.email, &subject, body).await;
            if let Err(e) = &sent {
                tracing::warn!(target: "vetis::mail", "notice {} to {}: {e}", n.id, n.username);
            }
            notifications::mail_done(db, n.id, sent.is_ok()).await?;
            if sent.is_ok() {
                round.sent += 1;
            } else {
                round.failed += 1;
            }
        }
        Ok(round)
    }
}
