"""Workers wake through django.tasks, on a queue that runs tasks elsewhere.

Django's ImmediateBackend (the quick start's and the tests' default) runs a task inside
`enqueue()`, that is inside the admin's request: a story's deliveries would make the editor
wait on every follower's server. So the outbox wakes a worker only on a backend that can run
a task later (one with workers of its own, such as django-tasks-db's); with the immediate
backend the rows wait for `manage.py federation_worker`.
"""

from datetime import timedelta

from django.db.models import Q
from django.tasks import task
from django.utils import timezone

from federation import delivery
from federation.models import Switch

# A deferred wake-up this late is presumed lost (its worker died): another may be queued.
LOST_AFTER = timedelta(minutes=5)


@task
def drain_outbox():
    """Send what is due; then wake again when the next row or scheduled story is due."""
    Switch.objects.filter(wake_at__lte=timezone.now()).update(wake_at=None)
    report = delivery.drain()
    if report.more:
        wake()
    elif report.next_due is not None:
        wake(report.next_due)
    return report.as_dict()


def runs_elsewhere():
    return drain_outbox.get_backend().supports_defer


def wake(at=None):
    """Have a worker drain the outbox at `at` (now if None or past). Deferred wake-ups are
    kept to one: a later one is not queued while an earlier one waits."""
    if not runs_elsewhere():
        return False
    now = timezone.now()
    if at is None or at <= now:
        drain_outbox.enqueue()
        return True
    Switch.load()
    free = Q(wake_at__isnull=True) | Q(wake_at__gt=at) | Q(wake_at__lt=now - LOST_AFTER)
    if not Switch.objects.filter(free, pk=1).update(wake_at=at):
        return False
    drain_outbox.using(run_after=at).enqueue()
    return True
