"""Renderers: a report, a comparison, a triage summary, as text, Markdown or JSON."""
