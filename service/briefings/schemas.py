"""The bodies of POST /v1/briefings and GET /v1/briefings/<id> (pydantic)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from summarizer import BUDGET_TOKENS_RANGE, MAX_WORDS_RANGE, PROFILES, Briefing, Engine

from ..schemas import WHOLE_NUMBER, Articles, OneOf, Strict, omitted

EXAMPLE_REQUEST: dict[str, Any] = {
    "articles": [
        {
            "id": "wire",
            "title": "Floods kill 12 in the north",
            "text": "Floods killed 12 people in the northern province on Monday, officials said. "
            "Rescue teams reached the cut-off villages on Tuesday morning. "
            "The regional governor declared a state of emergency.",
        },
        {
            "id": "local",
            "title": "State of emergency after deadly floods",
            "text": "Officials said the floods killed 12 people in the northern province on Monday. "
            "The governor declared a state of emergency on Monday night. "
            "Schools in the province will stay closed until Friday.",
        },
    ],
    "options": {"max_words": 60},
}


class BriefingOptions(Strict):
    """Unset options take the server's defaults (NEWSBRIEF_ENGINE, NEWSBRIEF_MODEL, ...)."""

    engine: Engine | None = Field(default=None, description="auto: the model if it loads, else extractive")
    model: Annotated[str, OneOf("MODELS")] | None = Field(default=None, description="One of GET /v1/models")
    max_words: Annotated[int, Field(ge=MAX_WORDS_RANGE[0], le=MAX_WORDS_RANGE[1]), WHOLE_NUMBER] | None = None
    profile: Literal[tuple(PROFILES)] | None = Field(default=None, description="Speed/fidelity profile of the model")  # type: ignore[valid-type]
    budget_tokens: Annotated[int, Field(ge=BUDGET_TOKENS_RANGE[0], le=BUDGET_TOKENS_RANGE[1]), WHOLE_NUMBER] | None = (
        None
    )
    keep_unsupported: bool | None = Field(default=None, description="Keep unsupported sentences, flagged")
    refuse_separate_events: bool | None = Field(
        default=None,
        description="Refuse (422) articles that tell separate events, instead of warning and briefing them together",
    )


class BriefingRequest(Strict):
    """The POST /v1/briefings body."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_REQUEST]})
    articles: Articles
    since: Articles = omitted(
        "Articles the reader has read already: the briefing is then an update, only what `articles` add "
        '(new facts, changed figures citing both sides); each sentence says `novelty` "new" or "update", and '
        "these articles are listed first among the sources, marked `earlier`"
    )
    options: BriefingOptions = Field(default_factory=lambda: BriefingOptions())


class EffectiveOptions(BaseModel):
    """The options the briefing was made with, server defaults filled in."""

    engine: Engine
    model: str
    max_words: int
    profile: str
    budget_tokens: int | None
    tokenizer: str | None
    keep_unsupported: bool
    no_repeat_ngram_size: int
    # Stored without it before the option existed, and while it is false (service/fingerprint.py).
    refuse_separate_events: bool = False


class BriefingResource(BaseModel):
    model_config = ConfigDict(json_schema_serialization_defaults_required=True)
    id: str
    content_hash: str = Field(description="sha256 of the articles, the options and the summariser version")
    created_at: datetime
    options: EffectiveOptions
    briefing: Briefing
