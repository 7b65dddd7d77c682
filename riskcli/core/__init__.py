"""The domain: profile, rules, conditions, engines, assessment, report (no terminal)."""
