//! LLM extraction for tenants that bring their own OpenAI-compatible key: one chat
//! completion per message (subject, people, date and the full capped body) with a
//! JSON-schema structured output, bounded concurrency, a timeout and retries on 429 /
//! 5xx. A malformed answer is that message's problem only; a refused key stops the
//! path for the tenant.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use async_openai::Client;
use async_openai::config::OpenAIConfig;
use async_openai::error::OpenAIError;
use async_openai::types::chat::{
    ChatCompletionRequestSystemMessage, ChatCompletionRequestUserMessage, CreateChatCompletionRequest, FinishReason,
    ResponseFormat, ResponseFormatJsonSchema,
};
use serde::{Deserialize, Serialize};

use crate::email::Email;
use crate::provider::{RateLimiter, Settings, failure_of, scrub};
use crate::secret::Secret;

/// Bumped whenever the prompt or schema changes: memoised answers of another version
/// are not reused.
pub const PROMPT_VERSION: &str = "extract-v1";
/// What the model states about one message.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extraction {
    pub entities: Vec<LlmEntity>,
    pub relationships: Vec<LlmRelation>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LlmEntity {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub email: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LlmRelation {
    pub source: String,
    pub target: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub description: String,
}

/// One message's answer.
#[derive(Debug, Clone)]
pub enum Answer {
    Extracted {
        extraction: Extraction,
        tokens: i64,
    },
    /// The model answered, but not with the schema: recorded for that message.
    Malformed {
        reason: String,
        tokens: i64,
    },
}

/// Why the LLM path stopped for the tenant.
#[derive(Debug, Clone, thiserror::Error)]
pub enum LlmStop {
    #[error("the provider refused the tenant's key ({0})")]
    Unauthorized(String),
    #[error("{0}")]
    Failed(String),
}

/// A message the model could not be asked about, or whose answer cannot be kept.
#[derive(Debug, Clone)]
pub enum Missed {
    /// This message only (a request the provider refuses for its content or size, an
    /// answer cut at its ceiling), with the tokens it cost; not memoised, so a re-run
    /// asks again.
    Message { why: String, tokens: i64 },
    /// The path stopped (this call's own stop, or an earlier one) before an answer.
    Stopped(LlmStop),
    /// Not asked: the job's token budget has no room for it.
    OverBudget,
}

/// The answers of one batch: per message, in order, and why the path stopped, if it did.
#[derive(Debug, Default)]
pub struct Batch {
    pub answers: Vec<Result<Answer, Missed>>,
    pub stop: Option<LlmStop>,
    /// Some messages were not asked: the budget ran out.
    pub over_budget: bool,
}

pub struct LlmExtractor {
    client: Client<OpenAIConfig>,
    /// Only to cut it out of provider text.
    key: Secret,
    settings: Settings,
    limiter: Option<Arc<RateLimiter>>,
}

impl std::fmt::Debug for LlmExtractor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LlmExtractor").field("settings", &self.settings).finish_non_exhaustive()
    }
}

impl LlmExtractor {
    /// `limiter`: this process's request and token rate for the key and model.
    pub fn new(settings: Settings, key: &Secret, limiter: Option<Arc<RateLimiter>>) -> Result<Self, LlmStop> {
        let client = crate::provider::client(&settings.base_url, settings.timeout, key).map_err(LlmStop::Failed)?;
        Ok(LlmExtractor { client, key: key.clone(), settings, limiter })
    }

    pub fn model(&self) -> &str {
        &self.settings.model
    }

    /// Answers for `emails`, in order, `concurrency` requests at a time. Answers that
    /// arrived are kept even when the path stops; calls still queued then are not made.
    /// With a `budget` (tokens left to the job), each call first reserves what it is
    /// expected to cost and settles the real cost after, so the job's spend stays
    /// within its cap, give or take the estimate's error.
    pub async fn extract(&self, emails: &[&Email], budget: Option<i64>) -> Batch {
        let gate = tokio::sync::Semaphore::new(self.settings.concurrency.max(1));
        let stopped: std::sync::Mutex<Option<LlmStop>> = std::sync::Mutex::new(None);
        let budget = budget.map(AtomicI64::new);
        // plain futures of an async fn, no stream combinators: their types stay Send
        // for the spawned job that awaits them
        let calls: Vec<_> = emails.iter().map(|e| self.one_gated(&gate, &stopped, budget.as_ref(), e)).collect();
        let answers = futures::future::join_all(calls).await;
        let stop = stopped.into_inner().unwrap_or_else(|p| p.into_inner());
        let over_budget = answers.iter().any(|a| matches!(a, Err(Missed::OverBudget)));
        Batch { answers, stop, over_budget }
    }

    async fn one_gated(
        &self,
        gate: &tokio::sync::Semaphore,
        stopped: &std::sync::Mutex<Option<LlmStop>>,
        budget: Option<&AtomicI64>,
        e: &Email,
    ) -> Result<Answer, Missed> {
        let _permit =
            gate.acquire().await.map_err(|_| Missed::Stopped(LlmStop::Failed("request gate closed".into())))?;
        let earlier = stopped.lock().unwrap_or_else(|p| p.into_inner()).clone();
        if let Some(s) = earlier {
            return Err(Missed::Stopped(s));
        }
        let estimate = expected_tokens(e) as i64;
        if let Some(b) = budget
            && b.fetch_sub(estimate, Ordering::SeqCst) < estimate
        {
            b.fetch_add(estimate, Ordering::SeqCst);
            return Err(Missed::OverBudget);
        }
        let r = self.one(e).await;
        if let Some(b) = budget {
            let spent = match &r {
                Ok(Answer::Extracted { tokens, .. } | Answer::Malformed { tokens, .. }) => *tokens,
                Err(Missed::Message { tokens, .. }) => *tokens,
                Err(_) => 0,
            };
            b.fetch_add(estimate - spent, Ordering::SeqCst);
        }
        if let Err(Missed::Stopped(s)) = &r {
            stopped.lock().unwrap_or_else(|p| p.into_inner()).get_or_insert_with(|| s.clone());
        }
        r
    }

    async fn one(&self, e: &Email) -> Result<Answer, Missed> {
        let request = self.request(e);
        let expected = expected_tokens(e);
        let mut retries = 0u32;
        loop {
            if let Some(l) = &self.limiter {
                l.acquire(expected).await;
            }
            let answer = self.client.chat().create(request.clone()).await;
            if let Some(l) = &self.limiter {
                let spent = answer.as_ref().ok().and_then(|r| r.usage.as_ref()).map(|u| u.total_tokens as u64);
                l.settle(expected, spent.unwrap_or(0));
            }
            let failure = match answer {
                Ok(resp) => {
                    let tokens = resp.usage.as_ref().map(|u| u.total_tokens as i64).unwrap_or(0);
                    let choice = resp.choices.first();
                    if choice.is_some_and(|c| matches!(c.finish_reason, Some(FinishReason::Length))) {
                        return Err(Missed::Message {
                            why: format!("the answer was cut at {MAX_ANSWER_TOKENS} tokens ({tokens} tokens spent)"),
                            tokens,
                        });
                    }
                    let content = choice.and_then(|c| c.message.content.clone()).unwrap_or_default();
                    return Ok(match serde_json::from_str::<Extraction>(&content) {
                        Ok(extraction) => Answer::Extracted { extraction, tokens },
                        Err(err) => Answer::Malformed {
                            reason: format!("the model's answer does not match the schema: {err}"),
                            tokens,
                        },
                    });
                }
                Err(OpenAIError::ApiError(api)) if api.status_code.as_u16() == 401 => {
                    let why = format!("HTTP 401: {}", scrub(&api.api_error.message, &self.key));
                    return Err(Missed::Stopped(LlmStop::Unauthorized(why)));
                }
                // refused for this message's content or size: the next message may pass
                Err(OpenAIError::ApiError(api)) if matches!(api.status_code.as_u16(), 400 | 413 | 422) => {
                    let why =
                        format!("HTTP {}: {}", api.status_code.as_u16(), scrub(&api.api_error.message, &self.key));
                    return Err(Missed::Message { why, tokens: 0 });
                }
                Err(e) => failure_of(e, "a chat completion", &self.key),
            };
            let Some(wait) = self.settings.retry.next_wait(retries, &failure) else {
                return Err(Missed::Stopped(LlmStop::Failed(scrub(
                    &format!(
                        "model {} at {}: {failure} (after {} attempts)",
                        self.settings.model,
                        crate::provider::shown_url(&self.settings.base_url),
                        retries + 1
                    ),
                    &self.key,
                ))));
            };
            retries += 1;
            tracing::warn!(retry = retries, wait_ms = wait.as_millis() as u64, "LLM call failed ({failure}); retrying");
            tokio::time::sleep(wait).await;
        }
    }

    fn request(&self, e: &Email) -> CreateChatCompletionRequest {
        let user = user_prompt(e);
        CreateChatCompletionRequest {
            model: self.settings.model.clone(),
            messages: vec![
                ChatCompletionRequestSystemMessage::from(SYSTEM).into(),
                ChatCompletionRequestUserMessage::from(user).into(),
            ],
            response_format: Some(ResponseFormat::JsonSchema {
                json_schema: ResponseFormatJsonSchema {
                    description: Some("Entities and relationships stated in one email".into()),
                    name: "email_graph".into(),
                    schema: schema(),
                    strict: Some(true),
                },
            }),
            temperature: Some(0.0),
            max_completion_tokens: Some(MAX_ANSWER_TOKENS),
            ..Default::default()
        }
    }
}

/// What the model reads of a message: its people, date, subject and full capped body.
fn user_prompt(e: &Email) -> String {
    let people = |ms: &[crate::email::Mailbox]| {
        ms.iter()
            .map(|m| match &m.name {
                Some(n) => format!("{n} <{}>", m.address),
                None => m.address.clone(),
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let from = e.from.as_ref().map(|m| people(std::slice::from_ref(m))).unwrap_or_default();
    let date = e.date_ms.map(crate::time::rfc3339).unwrap_or_default();
    format!(
        "From: {from}\nTo: {}\nCc: {}\nDate: {date}\nSubject: {}\n\n{}",
        people(&e.to),
        people(&e.cc),
        e.subject,
        e.body
    )
}

/// A ceiling on one answer: a model that loops costs this much, not its context.
pub const MAX_ANSWER_TOKENS: u32 = 2048;

/// What `backfill --dry-run` assumes a model answers per message, in tokens.
pub const OUTPUT_TOKENS_PER_MESSAGE: u64 = 150;

/// Input tokens one message costs, estimated as characters / 4 over everything sent.
pub fn input_tokens(e: &Email) -> u64 {
    ((SYSTEM.len() + schema().to_string().len() + user_prompt(e).len()) / 4) as u64
}

/// What one call is expected to cost in all, before it is made.
pub fn expected_tokens(e: &Email) -> u64 {
    input_tokens(e) + OUTPUT_TOKENS_PER_MESSAGE
}

const SYSTEM: &str = "You extract a knowledge graph from one email. List the people, organisations, \
projects, places and other named things the email states, with a one-line description, and the \
email address of a person when the email gives it. List the relationships the email states between \
them (source and target are entity names from your list; type is a short verb phrase such as \
works_for, reports_to, negotiates_with). State only what the email says.";

/// The structured-output schema (strict: every property required, no extras).
fn schema() -> serde_json::Value {
    serde_json::json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["entities", "relationships"],
        "properties": {
            "entities": {"type": "array", "items": {
                "type": "object", "additionalProperties": false,
                "required": ["name", "type", "description", "email"],
                "properties": {
                    "name": {"type": "string"},
                    "type": {"type": "string", "enum": ["person", "organization", "project", "place", "product", "event", "other"]},
                    "description": {"type": "string"},
                    "email": {"type": ["string", "null"]}
                }
            }},
            "relationships": {"type": "array", "items": {
                "type": "object", "additionalProperties": false,
                "required": ["source", "target", "type", "description"],
                "properties": {
                    "source": {"type": "string"},
                    "target": {"type": "string"},
                    "type": {"type": "string"},
                    "description": {"type": "string"}
                }
            }}
        }
    })
}
