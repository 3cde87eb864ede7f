"""Prompt templates, one TOML file per model family (data only; see summarizer/prompts.py)."""
