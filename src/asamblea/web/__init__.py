"""Pages that gather several apps (the dashboard). The top web layer: it may
read every app's selectors; no app imports it."""
