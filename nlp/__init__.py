"""Pure ML for feedback analysis: embeddings, themes, identity across runs, sentiment.

Nothing here touches a database, the web or settings; every stage takes sequences of texts or
float32 arrays and returns frozen dataclasses. Heavy libraries load lazily.
"""

from nlp.assign import assign_to_themes
from nlp.continuity import Continuation, PriorState, continue_themes
from nlp.discovery import describe_themes, discover_themes
from nlp.embedding import (
    Embedder,
    HashingEmbedder,
    ModelNotInstalledError,
    SentenceTransformerEmbedder,
)
from nlp.joint import JointEncoder, JointResult
from nlp.matching import CurrentCluster, LineageEvent, Matching, PriorTheme, match_themes
from nlp.normalize import normalize_for_model
from nlp.sentiment import (
    MiniLMSentimentScorer,
    PipelineSentimentScorer,
    SentimentLabel,
    SentimentResult,
    SentimentScorer,
    load_sentiment_scorer,
)
from nlp.types import Assignment, DiscoveredTheme, DiscoveryParams, DiscoveryResult

__all__ = [
    "Assignment",
    "Continuation",
    "CurrentCluster",
    "DiscoveredTheme",
    "DiscoveryParams",
    "DiscoveryResult",
    "Embedder",
    "HashingEmbedder",
    "JointEncoder",
    "JointResult",
    "LineageEvent",
    "Matching",
    "MiniLMSentimentScorer",
    "ModelNotInstalledError",
    "PipelineSentimentScorer",
    "PriorState",
    "PriorTheme",
    "SentenceTransformerEmbedder",
    "SentimentLabel",
    "SentimentResult",
    "SentimentScorer",
    "assign_to_themes",
    "continue_themes",
    "describe_themes",
    "discover_themes",
    "load_sentiment_scorer",
    "match_themes",
    "normalize_for_model",
]
