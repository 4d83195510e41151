//! Break-glass: an audited, alerted, short-lived read of one ticket outside one's scope.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};

use super::Nav;
use crate::app::AppState;
use crate::domain::Reference;
use crate::intake::IntakeError;
use crate::web::error::WebResult;
use crate::web::session::{CsrfForm, CurrentAgent};

#[derive(askama::Template, askama_web::WebTemplate)]
#[template(path = "agent/break_glass.html")]
pub struct BreakGlassPage {
    pub nav: Nav,
    pub minutes: u64,
    pub reference: String,
    pub error: Option<&'static str>,
}

pub async fn show(State(state): State<AppState>, agent: CurrentAgent) -> BreakGlassPage {
    BreakGlassPage {
        nav: Nav::of(&agent),
        minutes: state.config.agents.break_glass_minutes,
        reference: String::new(),
        error: None,
    }
}

pub async fn open(State(state): State<AppState>, form: CsrfForm) -> WebResult<Response> {
    let typed = form.fields.get("reference").unwrap_or_default().trim();
    let refuse = |error: &'static str| {
        BreakGlassPage {
            nav: Nav::of(&form.agent),
            minutes: state.config.agents.break_glass_minutes,
            reference: typed.chars().take(16).collect(),
            error: Some(error),
        }
        .into_response()
    };
    let Ok(reference) = typed.to_ascii_uppercase().parse::<Reference>() else {
        record_failed_break_glass(&state, &form.agent.scope, typed).await?;
        return Ok(refuse(
            "That is not a ticket reference (HD- and eight characters).",
        ));
    };
    let seconds = i64::try_from(state.config.agents.break_glass_minutes * 60).unwrap_or(900);
    match state
        .desk
        .break_glass(
            &form.agent.scope,
            &reference,
            form.fields.get("justification").unwrap_or_default(),
            seconds,
        )
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/agent/tickets/{reference}")).into_response()),
        Err(IntakeError::Invalid(_)) => Ok(refuse("Write a justification.")),
        Err(IntakeError::NotFound) => {
            record_failed_break_glass(&state, &form.agent.scope, typed).await?;
            Ok(refuse(
                "No ticket with that reference can be opened this way.",
            ))
        }
        Err(other) => Err(other.into()),
    }
}

/// A reference break-glass could not open is a failed lookup like any other: probing
/// through this form must leave the same trace as probing ticket pages.
async fn record_failed_break_glass(
    state: &AppState,
    scope: &crate::store::AgentScope,
    typed: &str,
) -> WebResult<()> {
    let watch = super::tickets::watch(state);
    state
        .desk
        .store
        .record_failed_lookup(scope, crate::store::TicketOp::BreakGlass, typed, watch)
        .await?;
    Ok(())
}
