//! An OpenAI-compatible simulator: `POST /v1/chat/completions` with JSON-schema
//! structured output and `POST /v1/embeddings` (float vectors of the asked-for
//! `dimensions`, at most 2,048 inputs a request), API-key checks (401), injected
//! 429 / 500 and latency, answers that break the schema on request, and request logs. Its chat
//! "model" is a deterministic reader: the sender (with address), capitalised two-word
//! names and all-caps organisations of the body, and the sender's relationships to
//! them. Its embedding "model" hashes the text ([`sim_vector`]).

#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use crate::graph_sim::{Req, Response, json_response, spawn_server};

pub const TENANT_KEY: &str = "sk-sim-tenant-Key-FAKE-0000000001";
/// The operator-wide key, accepted like a tenant's.
pub const OPERATOR_KEY: &str = "sk-sim-operator-Key-FAKE-00000002";
/// A body containing this gets an answer that is not the schema.
pub const BREAK_SCHEMA: &str = "PLEASE-ANSWER-MALFORMED";
/// A body containing this is refused as a bad request (400), like content the
/// provider's filter rejects.
pub const REFUSE: &str = "PLEASE-ANSWER-400";
/// A body containing this gets names with a NUL byte (valid JSON; Postgres TEXT refuses it).
pub const NUL_NAMES: &str = "PLEASE-ANSWER-NUL";

#[derive(Debug, Clone)]
pub struct ChatLogged {
    pub authorized: bool,
    /// The bearer key it carried.
    pub key: String,
    pub model: String,
    pub status: u16,
    pub structured: bool,
    pub at: std::time::Instant,
}

#[derive(Debug, Clone)]
pub struct EmbedLogged {
    pub key: String,
    pub model: String,
    pub dimensions: Option<u64>,
    pub inputs: Vec<String>,
    pub status: u16,
}

#[derive(Default)]
pub struct AiState {
    pub keys: Vec<String>,
    pub log: Vec<ChatLogged>,
    pub embeds: Vec<EmbedLogged>,
    /// (status, how many more requests get it)
    pub faults: Vec<(u16, usize)>,
    /// (latency, how many more requests are answered that late)
    pub slow: Vec<(std::time::Duration, usize)>,
    /// (status, after how many more answered): embedding requests are then refused.
    pub refuse_embeddings: Option<(u16, usize)>,
}

#[derive(Clone)]
pub struct OpenAiSim {
    pub addr: SocketAddr,
    pub state: Arc<Mutex<AiState>>,
}

impl OpenAiSim {
    pub fn start() -> OpenAiSim {
        let keys = vec![TENANT_KEY.into(), OPERATOR_KEY.into()];
        let state = Arc::new(Mutex::new(AiState { keys, ..Default::default() }));
        let shared = state.clone();
        let addr = spawn_server(0, move |req| {
            let s = shared.clone();
            async move {
                let delay = {
                    let mut st = s.lock().unwrap_or_else(|p| p.into_inner());
                    st.slow.iter_mut().find(|f| f.1 > 0).map(|f| {
                        f.1 -= 1;
                        f.0
                    })
                };
                if let Some(d) = delay {
                    tokio::time::sleep(d).await;
                }
                handle(&s, req)
            }
        });
        OpenAiSim { addr, state }
    }

    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    pub fn with<R>(&self, f: impl FnOnce(&mut AiState) -> R) -> R {
        f(&mut self.state.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// Chat requests answered 200.
    pub fn completions(&self) -> usize {
        self.with(|s| s.log.iter().filter(|l| l.status == 200).count())
    }

    pub fn requests(&self) -> usize {
        self.with(|s| s.log.len())
    }
}

/// The simulated embedding of `text`: deterministic, unit length.
pub fn sim_vector(text: &str, dim: usize) -> Vec<f32> {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in text.bytes() {
        h = (h ^ b as u64).wrapping_mul(0x100000001b3);
    }
    let v: Vec<f32> = (0..dim)
        .map(|i| {
            let x = (h ^ (i as u64).wrapping_mul(0x9e3779b97f4a7c15)).wrapping_mul(0xbf58476d1ce4e5b9);
            ((x >> 40) as f32 / (1u64 << 24) as f32) - 0.5
        })
        .collect();
    let n = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-9);
    v.into_iter().map(|x| x / n).collect()
}

fn handle(state: &Mutex<AiState>, req: Req) -> Response {
    let mut s = state.lock().unwrap_or_else(|p| p.into_inner());
    let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
    let key = req.header("authorization").and_then(|v| v.strip_prefix("Bearer ")).unwrap_or_default().to_string();
    let authorized = s.keys.iter().any(|x| *x == key);
    if req.method == "POST" && req.path.ends_with("/embeddings") {
        return embeddings(&mut s, &body, key, authorized);
    }
    if req.method == "GET" && req.path.ends_with("/models") {
        return match authorized {
            true => json_response(
                200,
                json!({"object": "list", "data": [{"id": "gpt-4o-mini", "object": "model", "created": 1_700_000_000u32, "owned_by": "sim"}]})
                    .to_string(),
            ),
            false => api_error(401, "invalid_request_error", "invalid_api_key", "Incorrect API key provided."),
        };
    }
    if req.method != "POST" || !req.path.ends_with("/chat/completions") {
        return api_error(404, "invalid_request_error", "unknown_url", "Unknown request URL");
    }
    let model = body["model"].as_str().unwrap_or_default().to_string();
    let structured = body["response_format"]["type"] == "json_schema"
        && body["response_format"]["json_schema"]["schema"].is_object();
    let mut status = 200;
    let response = if !authorized {
        status = 401;
        // echoing the key, as a careless OpenAI-compatible provider might
        api_error(401, "invalid_request_error", "invalid_api_key", &format!("Incorrect API key provided: {key}."))
    } else if String::from_utf8_lossy(&req.body).contains(REFUSE) {
        status = 400;
        api_error(400, "invalid_request_error", "content_filter", "The request was rejected by the content filter.")
    } else if let Some(f) = s.faults.iter_mut().find(|f| f.1 > 0) {
        f.1 -= 1;
        status = f.0;
        api_error(f.0, "server_error", "injected", "The server had an error while processing your request.")
    } else {
        let user = body["messages"]
            .as_array()
            .and_then(|m| m.iter().find(|m| m["role"] == "user"))
            .map(|m| m["content"].as_str().unwrap_or_default().to_string())
            .unwrap_or_default();
        let content = if user.contains(BREAK_SCHEMA) {
            "{\"entities\": [{\"name\": ".to_string()
        } else if user.contains(NUL_NAMES) {
            json!({"entities": [{"name": "Null\u{0}Byte Corp", "type": "organization\u{0}", "description": "x\u{0}", "email": null}],
                   "relationships": [{"source": "Null\u{0}Byte Corp", "target": "Null\u{0}Byte Corp", "type": "is\u{0}", "description": ""}]})
            .to_string()
        } else {
            read(&user).to_string()
        };
        let prompt_tokens = (user.len() / 4) as u64;
        json_response(
            200,
            json!({
                "id": "chatcmpl-sim", "object": "chat.completion", "created": 1_764_000_000u32, "model": model,
                "choices": [{"index": 0, "message": {"role": "assistant", "content": content, "refusal": null}, "finish_reason": "stop", "logprobs": null}],
                "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": 40, "total_tokens": prompt_tokens + 40}
            })
            .to_string(),
        )
    };
    s.log.push(ChatLogged { authorized, key, model, status, structured, at: std::time::Instant::now() });
    response
}

fn embeddings(s: &mut AiState, body: &Value, key: String, authorized: bool) -> Response {
    let model = body["model"].as_str().unwrap_or_default().to_string();
    let dimensions = body["dimensions"].as_u64();
    let inputs: Vec<String> = match &body["input"] {
        Value::String(t) => vec![t.clone()],
        Value::Array(a) => a.iter().map(|t| t.as_str().unwrap_or_default().to_string()).collect(),
        _ => Vec::new(),
    };
    let (status, response) = if !authorized {
        (
            401,
            api_error(401, "invalid_request_error", "invalid_api_key", &format!("Incorrect API key provided: {key}.")),
        )
    } else if let Some(code) = s.refuse_embeddings.as_mut().and_then(|(code, after)| match after {
        0 => Some(*code),
        n => {
            *n -= 1;
            None
        }
    }) {
        (
            code,
            api_error(
                code,
                "invalid_request_error",
                "model_not_found",
                "The model does not exist or you do not have access to it.",
            ),
        )
    } else if inputs.is_empty() || inputs.len() > 2048 || inputs.iter().any(|t| t.is_empty()) {
        (400, api_error(400, "invalid_request_error", "invalid_input", "'input' must be 1 to 2048 non-empty strings"))
    } else if let Some(f) = s.faults.iter_mut().find(|f| f.1 > 0) {
        f.1 -= 1;
        (f.0, api_error(f.0, "server_error", "injected", "The server had an error while processing your request."))
    } else {
        let dim = dimensions.unwrap_or(1536) as usize;
        let data: Vec<Value> = inputs
            .iter()
            .enumerate()
            .rev() // out of order on purpose: clients must place vectors by index
            .map(|(i, t)| json!({"object": "embedding", "index": i, "embedding": sim_vector(t, dim)}))
            .collect();
        let tokens: usize = inputs.iter().map(|t| t.len() / 4).sum();
        let doc = json!({"object": "list", "data": data, "model": model,
                         "usage": {"prompt_tokens": tokens, "total_tokens": tokens}});
        (200, json_response(200, doc.to_string()))
    };
    s.embeds.push(EmbedLogged { key, model, dimensions, inputs, status });
    response
}

/// The simulated model: what a careful reader would list, deterministically.
fn read(user: &str) -> Value {
    let (head, body) = user.split_once("\n\n").unwrap_or((user, ""));
    let mut entities = Vec::new();
    let mut relationships = Vec::new();
    let sender = head.lines().find_map(|l| l.strip_prefix("From: ")).filter(|f| !f.is_empty()).map(|f| {
        match f.split_once(" <") {
            Some((name, addr)) => (name.trim().to_string(), Some(addr.trim_end_matches('>').to_string())),
            None => (f.to_string(), Some(f.to_string())),
        }
    });
    if let Some((name, email)) = &sender {
        entities.push(json!({"name": name, "type": "person", "description": "the sender", "email": email}));
    }
    let words: Vec<&str> = body.split_whitespace().collect();
    let clean = |w: &str| w.trim_matches(|c: char| !c.is_alphanumeric() && c != '&').to_string();
    let mut people = Vec::new();
    for pair in words.windows(2) {
        let (a, b) = (clean(pair[0]), clean(pair[1]));
        let cap = |w: &str| {
            w.len() > 2
                && w.chars().next().is_some_and(|c| c.is_uppercase())
                && w.chars().skip(1).all(|c| c.is_lowercase())
        };
        if cap(&a) && cap(&b) && !pair[0].ends_with(['.', ',', ':']) {
            let n = format!("{a} {b}");
            if !people.contains(&n) && people.len() < 3 {
                people.push(n);
            }
        }
    }
    let mut orgs = Vec::new();
    for w in &words {
        let w = clean(w);
        if w.len() >= 3
            && w.len() <= 8
            && w.chars().all(|c| c.is_ascii_uppercase() || c == '&')
            && !orgs.contains(&w)
            && orgs.len() < 3
        {
            orgs.push(w);
        }
    }
    for p in &people {
        entities.push(json!({"name": p, "type": "person", "description": "named in the email", "email": null}));
    }
    for o in &orgs {
        entities.push(json!({"name": o, "type": "organization", "description": "named in the email", "email": null}));
    }
    if let Some((name, _)) = &sender {
        for p in &people {
            relationships.push(json!({"source": name, "target": p, "type": "works with", "description": ""}));
        }
        for o in &orgs {
            relationships.push(json!({"source": name, "target": o, "type": "mentions", "description": ""}));
        }
    }
    json!({"entities": entities, "relationships": relationships})
}

fn api_error(status: u16, kind: &str, code: &str, message: &str) -> Response {
    json_response(status, json!({"error": {"message": message, "type": kind, "param": null, "code": code}}).to_string())
}
