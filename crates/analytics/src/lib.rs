//! Scorecards, pilot evaluation and forecasts. Empty until the scorecard issue; must not write to the store.
