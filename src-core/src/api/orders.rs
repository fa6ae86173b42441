//! Orders as administrators look them up for their units: by unit, state
//! and period, a page at a time, and exported for statistics.

use serde::{Deserialize, Serialize};

use super::SubstituteAccessSummary;

/// Where an order is in its life.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OrderState {
    /// Not over yet: the substitute can work.
    #[default]
    Active,
    /// Over (at its end, or ended early); its declaration is kept.
    Ended,
    /// Over, and its CPR number, signature and PDF erased by retention:
    /// only who ordered which user ID for whom and when is left.
    Archived,
}

impl OrderState {
    pub fn as_str(self) -> &'static str {
        match self {
            OrderState::Active => "active",
            OrderState::Ended => "ended",
            OrderState::Archived => "archived",
        }
    }
}

/// `POST /api/v1/admin/orders/search` and `…/export`. Blank fields are
/// no filter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct OrderQuery {
    /// One of the administrator's units (blank: all of them).
    pub unit_id: String,
    pub state: Option<OrderState>,
    /// Accesses whose period reaches into [from, to] (YYYY-MM-DD, Danish
    /// days, inclusive).
    pub from: String,
    pub to: String,
    /// The page, from 0 (50 orders each).
    pub page: u32,
}

/// A page of orders, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderPage {
    pub orders: Vec<SubstituteAccessSummary>,
    /// There is a next page.
    pub more: bool,
}
