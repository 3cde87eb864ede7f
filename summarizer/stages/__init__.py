"""The pipeline's stages, in the order `summarize()` runs them.

Each is one module with one entry point over the typed values of `summarizer.types`:

    clean      Article            -> CleanDocument   markup and web boilerplate removed
    segment    CleanDocument      -> Sentence        NLTK sentences, with stems, numbers, names
    dedup      Sentence           -> Fact         near-duplicates across articles, sources kept
    select     Fact            -> Selection       ranked, fitted to the model's input budget
    extract    RankedFact      -> BriefingSentence  the extractive engine
    attribute  generated text     -> BriefingSentence  a verdict, cited with evidence spans, or dropped
    disagree   BriefingSentence   -> Disagreement    where the sources give a stated figure otherwise

No stage imports `generation`: selection counts tokens through the `TokenCounter` and
`InputFormat` protocols of `summarizer.types`.
"""

from .attribute import attribute
from .clean import clean
from .dedup import deduplicate
from .disagree import find_disagreements
from .extract import extract
from .segment import segment
from .select import fit_budget, rank

__all__ = ["attribute", "clean", "deduplicate", "extract", "find_disagreements", "fit_budget", "rank", "segment"]
