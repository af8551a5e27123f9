"""Admin login limits: django-axes' database handler with two limits instead of one.

AXES_FAILURE_LIMIT (5) failures for one username from one address lock that pair for
AXES_COOLOFF_TIME (30 minutes): the same username elsewhere still logs in, so a stranger cannot
lock an editor out. ADDRESS_FAILURE_LIMIT failures from one address, whatever the usernames
(password spraying), lock the address. Every attempt is kept in axes' tables (the admin).
"""

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import Sum

ADDRESS_FAILURE_LIMIT = 20


class LoginFailures(AxesDatabaseHandler):
    """axes compares one count with AXES_FAILURE_LIMIT, so the address's count is scaled to it.
    AXES_LOCKOUT_PARAMETERS lists the pair, then the address."""

    def get_failures(self, request, credentials=None):
        pair, address = (
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        scaled = address * settings.AXES_FAILURE_LIMIT // ADDRESS_FAILURE_LIMIT
        return max(pair, scaled)
