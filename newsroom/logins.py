"""Admin login limits: django-axes' database handler with two limits instead of one."""

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import Sum


class LoginFailures(AxesDatabaseHandler):
    """AXES_FAILURE_LIMIT failures for one username from one address lock that pair (never the
    username everywhere: a stranger cannot lock an editor out); LOGIN_FAILURES_PER_ADDRESS
    failures from one address, whatever the usernames, lock the address (password spraying).

    axes compares one count with AXES_FAILURE_LIMIT, so the address's count is scaled to it.
    AXES_LOCKOUT_PARAMETERS lists the pair, then the address.
    """

    def get_failures(self, request, credentials=None):
        pair, address = (
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        scaled = address * settings.AXES_FAILURE_LIMIT // settings.LOGIN_FAILURES_PER_ADDRESS
        return max(pair, scaled)
