//! Break-glass: an audited, alerted, short-lived read of one ticket outside one's scope.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};

use super::Nav;
use crate::desk::DeskError;
use crate::domain::Reference;
use crate::web::WebState;
use crate::web::error::WebResult;
use crate::web::session::{CsrfForm, CurrentAgent};

#[derive(askama::Template, askama_web::WebTemplate)]
#[template(path = "agent/break_glass.html")]
pub struct BreakGlassPage {
    pub t: crate::web::lang::Tr,
    pub nav: Nav,
    pub minutes: u64,
    pub reference: String,
    pub error: Option<&'static str>,
}

pub async fn show(State(state): State<WebState>, agent: CurrentAgent) -> WebResult<BreakGlassPage> {
    Ok(BreakGlassPage {
        nav: Nav::load(&agent).await?,
        t: agent.tr.clone(),
        minutes: state.config.agents.break_glass_minutes,
        reference: String::new(),
        error: None,
    })
}

pub async fn open(State(state): State<WebState>, form: CsrfForm) -> WebResult<Response> {
    let typed = form.fields.get("reference").unwrap_or_default().trim();
    let nav = Nav::load(&form.agent).await?;
    let refuse = |error: &'static str| {
        BreakGlassPage {
            nav: nav.clone(),
            t: form.agent.tr.clone(),
            minutes: state.config.agents.break_glass_minutes,
            reference: typed.chars().take(16).collect(),
            error: Some(error),
        }
        .into_response()
    };
    let Ok(reference) = typed.to_ascii_uppercase().parse::<Reference>() else {
        record_failed_break_glass(&form.agent.desk, typed).await?;
        return Ok(refuse("break-glass-not-a-reference"));
    };
    match form
        .agent
        .desk
        .break_glass(
            &reference,
            form.fields.get("justification").unwrap_or_default(),
        )
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/agent/tickets/{reference}")).into_response()),
        Err(DeskError::Invalid(_)) => Ok(refuse("break-glass-justify")),
        Err(DeskError::NotFound) => {
            record_failed_break_glass(&form.agent.desk, typed).await?;
            Ok(refuse("break-glass-not-found"))
        }
        Err(other) => Err(other.into()),
    }
}

/// A reference break-glass could not open is a failed lookup like any other: probing
/// through this form must leave the same trace as probing ticket pages.
async fn record_failed_break_glass(agent: &crate::desk::AgentDesk, typed: &str) -> WebResult<()> {
    agent
        .record_failed_lookup(crate::desk::TicketOp::BreakGlass, typed)
        .await?;
    Ok(())
}
