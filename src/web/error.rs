//! The web layer's one error type, turned into a response once: a status and a message a person
//! can act on; internals (SQL, paths) go to the log, never to the client.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::messages::Message;

#[derive(Debug)]
pub enum WebError {
    /// 401: not signed in, or the credentials are wrong.
    Unauthorized(&'static str),
    /// 403: signed in, but outside the caller's scope.
    Forbidden,
    NotFound,
    /// 400: the request breaks a rule; the message says which, in both languages.
    BadRequest(Message),
    /// 409: something changed first (a review, a lock, another school's records).
    Conflict(Message),
    /// 413: the upload is larger than the server takes.
    TooLarge,
    /// 429: too many failed sign-ins from here or on this name; wait this many seconds.
    Throttled(u64),
    /// 429/503: heavy work is queued and the line (or the caller's share of it) is full.
    Busy(crate::web::queue::Busy),
    /// 403: signed in with a one-time password that must be changed first.
    PasswordChangeRequired,
    Internal(String),
}

impl WebError {
    /// A 400 whose message is written as `中文 / English`.
    pub fn bad(text: impl Into<String>) -> WebError {
        WebError::BadRequest(Message::pair(text))
    }

    /// A broken or oversized multipart upload: 413 for one over the limit, else 400.
    pub fn multipart(e: &axum::extract::multipart::MultipartError) -> WebError {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE { WebError::TooLarge } else { WebError::bad(e.body_text()) }
    }

    /// What a person reads while sign-in is throttled.
    pub fn throttled_message(secs: u64) -> Message {
        Message::new(
            format!("登录失败次数过多，请 {secs} 秒后再试"),
            format!("too many failed sign-ins: try again in {secs} s"),
        )
    }

    /// What a person reads when heavy work cannot be queued, and the status and wait that go with it.
    pub fn busy(b: crate::web::queue::Busy) -> (StatusCode, u64, Message) {
        use crate::web::queue::Busy;
        match b {
            Busy::YourLimit => (
                StatusCode::TOO_MANY_REQUESTS,
                10,
                Message::new(
                    "您已有一项同类任务在排队或进行中，请等它完成后再提交",
                    "you already have one of these waiting or running: wait for it to finish",
                ),
            ),
            Busy::LineFull | Busy::TimedOut => (
                StatusCode::SERVICE_UNAVAILABLE,
                60,
                Message::new(
                    "服务器正忙（排队已满），请稍后再试",
                    "the server is busy (the line is full): try again later",
                ),
            ),
        }
    }

    /// What a person reads for a file over the upload limit.
    pub fn too_large_message() -> Message {
        let mib = crate::web::api::UPLOAD_LIMIT >> 20;
        Message::new(
            format!("文件超过 {mib} MiB 的上传上限：请按学校或年度拆分后分别提交"),
            format!(
                "the file is larger than the upload limit of {mib} MiB: split it by school or year and submit the parts"
            ),
        )
    }
}

impl From<crate::store::StoreError> for WebError {
    fn from(e: crate::store::StoreError) -> Self {
        use crate::store::StoreError as E;
        match e {
            E::Refused(m) => WebError::BadRequest(m),
            E::Conflict(m) => WebError::Conflict(m),
            E::NotFound(_) => WebError::NotFound,
            other => WebError::Internal(other.to_string()),
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let (status, message) = match self {
            WebError::Unauthorized(m) => (StatusCode::UNAUTHORIZED, m.to_string()),
            WebError::Forbidden => (StatusCode::FORBIDDEN, "无权访问 / outside your scope".to_string()),
            WebError::NotFound => (StatusCode::NOT_FOUND, "未找到 / not found".to_string()),
            WebError::BadRequest(m) => (StatusCode::BAD_REQUEST, m.to_string()),
            WebError::Conflict(m) => (StatusCode::CONFLICT, m.to_string()),
            WebError::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, WebError::too_large_message().to_string()),
            WebError::Throttled(secs) => {
                let body = Json(
                    serde_json::json!({ "error": WebError::throttled_message(secs).to_string(), "retry_after": secs }),
                );
                return (StatusCode::TOO_MANY_REQUESTS, [(axum::http::header::RETRY_AFTER, secs.to_string())], body)
                    .into_response();
            }
            WebError::Busy(b) => {
                let (status, secs, m) = WebError::busy(b);
                let body = Json(serde_json::json!({ "error": m.to_string(), "retry_after": secs }));
                return (status, [(axum::http::header::RETRY_AFTER, secs.to_string())], body).into_response();
            }
            WebError::PasswordChangeRequired => (
                StatusCode::FORBIDDEN,
                "请先修改一次性密码（POST /api/v1/password） / change your one-time password first".to_string(),
            ),
            WebError::Internal(detail) => {
                tracing::error!(target: "vetis::web", "internal error: {detail}");
                (StatusCode::INTERNAL_SERVER_ERROR, "服务器内部错误 / internal error".to_string())
            }
        };
        (status, Json(serde_json::json!({ "error": message }))).into_response()
    }
}
