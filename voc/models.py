"""Imports every ORM module so that ``Base.metadata`` knows all tables."""

from voc.customer.models import Account, Customer
from voc.feedback.models import EmbeddingCache, Feedback
from voc.jobs.models import Job
from voc.request.models import (
    FeedbackRequestLink,
    ProductRequest,
    RequestStats,
    RequestStatusChange,
    ThemeRequestLink,
)
from voc.theme.curation_models import CurationEvent
from voc.theme.models import (
    AnalysisRun,
    Theme,
    ThemeAssignment,
    ThemeLineage,
    ThemeParent,
    ThemeParentLineage,
    ThemeStats,
)
from voc.user.models import ApiToken, User

__all__ = [
    "Account",
    "AnalysisRun",
    "ApiToken",
    "CurationEvent",
    "Customer",
    "EmbeddingCache",
    "Feedback",
    "FeedbackRequestLink",
    "Job",
    "ProductRequest",
    "RequestStats",
    "RequestStatusChange",
    "Theme",
    "ThemeAssignment",
    "ThemeLineage",
    "ThemeParent",
    "ThemeParentLineage",
    "ThemeRequestLink",
    "ThemeStats",
    "User",
]
