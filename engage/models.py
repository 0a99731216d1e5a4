"""Imports every model so ``db.metadata`` (and so Alembic) knows all tables."""
from .accounts.models import AccountLink, Membership, Organisation, RecoveryCode, User, UserSession  # noqa: F401
from .audit.models import AuditEntry  # noqa: F401
from .jobruns import JobRun  # noqa: F401
from .public.models import SiteFeedback  # noqa: F401
from .events.models import Audience, AudienceHeadcount, Event, MonthlyReport, PulseResponse, Theme  # noqa: F401
from .checkin.models import CheckinContact, EventCheckin, Scan, Ticket  # noqa: F401
from .feedback.models import FeedbackEntry, FeedbackSubscription, FeedbackUpdate  # noqa: F401
from .mail import OutboxMessage  # noqa: F401
from .ballots.models import BoxBallot, PaperEntry, Pot, Project, RollEntry, VoterCode  # noqa: F401
from .images.models import StoredImage  # noqa: F401
