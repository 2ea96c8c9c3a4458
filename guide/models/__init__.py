"""Models, one module per aggregate. Importing this package registers every table."""

from guide.models.analytics import (
    AnalyticsAccountWeek,
    AnalyticsDaily,
    AnalyticsDuration,
    AnalyticsDurationBucket,
    AnalyticsEscalation,
    AnalyticsFiring,
    AnalyticsMoment,
    AnalyticsReach,
    AnalyticsReactiveWeek,
    AnalyticsRun,
    AnalyticsScenarioDay,
    AnalyticsSearch,
    AnalyticsSignup,
    AnalyticsStage,
    AnalyticsTimeToValue,
    AnalyticsUserDay,
    AnalyticsUserWeek,
    AnalyticsWatermark,
)
from guide.models.analytics_accounts import AnalyticsAccount, AnalyticsMember
from guide.models.analytics_onboarding import AnalyticsOnboarding, AnalyticsOnboardingAccount
from guide.models.audit import AuditEntry
from guide.models.author import Author, AuthoringSettings, AuthorRole, LoginThrottle
from guide.models.escalation import Escalation, Nudge
from guide.models.event import Event
from guide.models.guide import Guide, GuideVersion
from guide.models.help import HelpArticle
from guide.models.integrations import IntegrationSettings
from guide.models.invitation import AuthorInvitation
from guide.models.outbox import OutboxMessage, SupportSettings, WebhookEndpoint
from guide.models.proactive import AccountMilestone, Scenario, ScenarioFiring
from guide.models.progress import AccountStepCompletion, Progress, UserMilestone
from guide.models.survey import HelpfulVote, SurveyResponse
from guide.models.user import Account, EndUser
from guide.models.workspace import Workspace

__all__ = [
    "Account",
    "AccountMilestone",
    "AccountStepCompletion",
    "AnalyticsAccount",
    "AnalyticsDaily",
    "AnalyticsDuration",
    "AnalyticsDurationBucket",
    "AnalyticsMember",
    "AnalyticsMoment",
    "AnalyticsOnboarding",
    "AnalyticsOnboardingAccount",
    "AnalyticsReach",
    "AnalyticsRun",
    "AnalyticsScenarioDay",
    "AnalyticsSearch",
    "AnalyticsEscalation",
    "AnalyticsFiring",
    "AnalyticsSignup",
    "AnalyticsStage",
    "AnalyticsTimeToValue",
    "AnalyticsUserDay",
    "AnalyticsUserWeek",
    "AnalyticsAccountWeek",
    "AnalyticsReactiveWeek",
    "AnalyticsWatermark",
    "AuditEntry",
    "Author",
    "AuthorInvitation",
    "AuthorRole",
    "AuthoringSettings",
    "EndUser",
    "Escalation",
    "Event",
    "Guide",
    "GuideVersion",
    "HelpArticle",
    "HelpfulVote",
    "IntegrationSettings",
    "LoginThrottle",
    "Nudge",
    "OutboxMessage",
    "Progress",
    "Scenario",
    "ScenarioFiring",
    "SupportSettings",
    "SurveyResponse",
    "UserMilestone",
    "WebhookEndpoint",
    "Workspace",
]
