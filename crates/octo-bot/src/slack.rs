//! The Slack Web API calls the bot makes, through octo-core's one HTTP client: opening a
//! Socket Mode connection (app-level token), posting, channel members (paginated) and the
//! two-step file upload (bot token). Every answer is checked for `"ok": true`.

use std::time::Duration;

use anyhow::{Context, anyhow};
use bytes::Bytes;
use octo_core::http::{Http, HttpConfig, Method, Req};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use url::Url;

/// Members fetched per `conversations.members` page.
const MEMBERS_PAGE: usize = 200;

/// The Web API with the bot's two tokens.
pub struct SlackApi {
    http: Http,
    base: Url,
    app_token: SecretString,
    bot_token: SecretString,
}

impl SlackApi {
    pub fn new(
        base: Url,
        app_token: SecretString,
        bot_token: SecretString,
    ) -> anyhow::Result<Self> {
        let http = Http::new(HttpConfig {
            user_agent: format!("octobox-octo-bot/{}", env!("CARGO_PKG_VERSION")),
            max_in_flight: 4,
            total_timeout: Duration::from_secs(60),
            ..HttpConfig::default()
        })?;
        Ok(SlackApi {
            http,
            base,
            app_token,
            bot_token,
        })
    }

    fn method_url(&self, method: &str) -> anyhow::Result<Url> {
        let base = self.base.as_str().trim_end_matches('/');
        Url::parse(&format!("{base}/{method}")).with_context(|| format!("Slack URL for {method}"))
    }

    /// Call `method` with a form body and `token`; the answer when `ok`, else its `error`.
    async fn call(
        &self,
        method: &str,
        token: &SecretString,
        body: Vec<u8>,
        content_type: &str,
    ) -> anyhow::Result<Value> {
        let mut req = Req::new(Method::POST, self.method_url(method)?);
        req.bearer = Some(token.expose_secret());
        req.headers.push(("content-type", content_type.to_string()));
        req.body = Some(Bytes::from(body));
        let resp = self.http.send(&req).await?;
        if !resp.status.is_success() {
            anyhow::bail!("Slack {method}: HTTP {}", resp.status);
        }
        let v: Value = serde_json::from_slice(&resp.body)
            .with_context(|| format!("Slack {method}: the answer is not JSON"))?;
        if v["ok"] != true {
            let e = v["error"].as_str().unwrap_or("no error given");
            return Err(anyhow!("Slack {method}: {e}"));
        }
        Ok(v)
    }

    async fn form(
        &self,
        method: &str,
        token: &SecretString,
        fields: &[(&str, &str)],
    ) -> anyhow::Result<Value> {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        self.call(
            method,
            token,
            body.into_bytes(),
            "application/x-www-form-urlencoded",
        )
        .await
    }

    /// `apps.connections.open`: a fresh WebSocket URL (with its one-time ticket).
    pub async fn open_connection(&self) -> anyhow::Result<String> {
        let v = self
            .form("apps.connections.open", &self.app_token, &[])
            .await?;
        v["url"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| anyhow!("Slack apps.connections.open: no url in the answer"))
    }

    /// `chat.postMessage` of `text` to a conversation id.
    pub async fn post(&self, channel: &str, text: &str) -> anyhow::Result<()> {
        let body = json!({"channel": channel, "text": text});
        self.call(
            "chat.postMessage",
            &self.bot_token,
            body.to_string().into_bytes(),
            "application/json; charset=utf-8",
        )
        .await
        .map(drop)
    }

    /// Every member of `channel`, following `next_cursor`.
    pub async fn members(&self, channel: &str) -> anyhow::Result<Vec<String>> {
        let mut all = Vec::new();
        let mut cursor = String::new();
        let limit = MEMBERS_PAGE.to_string();
        for _page in 0..10_000 {
            let mut fields = vec![("channel", channel), ("limit", limit.as_str())];
            if !cursor.is_empty() {
                fields.push(("cursor", cursor.as_str()));
            }
            let v = self
                .form("conversations.members", &self.bot_token, &fields)
                .await?;
            all.extend(
                v["members"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|m| m.as_str().map(str::to_string)),
            );
            let next = v["response_metadata"]["next_cursor"].as_str().unwrap_or("");
            if next.is_empty() {
                return Ok(all);
            }
            if next == cursor {
                anyhow::bail!("Slack conversations.members: next_cursor repeats {next:?}");
            }
            cursor = next.to_string();
        }
        anyhow::bail!("Slack conversations.members: more than 10000 pages")
    }

    /// Upload `bytes` as `filename` into `channel` with a comment: `files.getUploadURLExternal`,
    /// the bytes to the upload URL, `files.completeUploadExternal`. Returns the file id.
    pub async fn upload(
        &self,
        channel: &str,
        filename: &str,
        title: &str,
        bytes: Vec<u8>,
        comment: &str,
    ) -> anyhow::Result<String> {
        let len = bytes.len().to_string();
        let v = self
            .form(
                "files.getUploadURLExternal",
                &self.bot_token,
                &[("filename", filename), ("length", &len)],
            )
            .await?;
        let (Some(url), Some(id)) = (v["upload_url"].as_str(), v["file_id"].as_str()) else {
            anyhow::bail!("Slack files.getUploadURLExternal: no upload_url/file_id in the answer");
        };
        let mut req = Req::new(Method::POST, Url::parse(url).context("Slack's upload_url")?);
        req.headers
            .push(("content-type", "application/octet-stream".into()));
        req.body = Some(Bytes::from(bytes));
        let resp = self.http.send(&req).await?;
        if !resp.status.is_success() {
            anyhow::bail!("Slack file upload: HTTP {}", resp.status);
        }
        let files = json!([{"id": id, "title": title}]).to_string();
        self.form(
            "files.completeUploadExternal",
            &self.bot_token,
            &[
                ("files", &files),
                ("channel_id", channel),
                ("initial_comment", comment),
            ],
        )
        .await?;
        Ok(id.to_string())
    }
}
