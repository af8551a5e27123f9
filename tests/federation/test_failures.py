"""Servers that hang or fail: they hold up only their own deliveries, are tried again after
growing delays, then paused; and with production's task queue the request that announces a
story only writes rows, a worker sends them (django-tasks-db's db_worker)."""

import io
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from articles.models import Article
from federation import tasks
from federation.delivery import drain
from federation.models import Activity, Delivery, Server
from tests.factories import editor_user, make_article
from tests.federation.fediverse import FakeInstance
from tests.federation.test_delivery import followed_by

pytestmark = pytest.mark.django_db


@pytest.fixture
def three(federating):
    """Three servers with a follower each: one answers, one hangs, one answers 500."""
    with (
        FakeInstance() as fine,
        FakeInstance() as hanging,
        FakeInstance() as failing,
    ):
        hanging.mode, failing.mode = "hang", "fail"
        for instance in (fine, hanging, failing):
            followed_by(instance, "reader")
        yield fine, hanging, failing


def rows_to(instance):
    return Delivery.objects.filter(server__domain=instance.domain)


def test_a_hanging_server_holds_up_only_its_own_deliveries(three, federating, committed):
    fine, hanging, failing = three
    with committed():
        make_article("Breaking")
    started = time.monotonic()
    report = drain()
    took = time.monotonic() - started
    assert fine.wait_for_posts(1, timeout=0)  # delivered while the other one hung
    assert took < federating.FEDERATION_OPTIONS["DELIVERY_TIMEOUT"] + 1.5, took
    assert (report.sent, report.retried) == (1, 2)
    [late] = rows_to(hanging)
    assert late.status == "queued" and late.attempts == 1
    assert "no answer within 1 s" in late.last_error
    assert "answered 500" in rows_to(failing).get().last_error


def make_due():
    Delivery.objects.filter(status="queued").update(next_attempt_at=timezone.now())


def test_a_failing_server_is_retried_with_growing_delays_then_paused(federating, committed):
    federating.FEDERATION_OPTIONS["RETRY_DELAY"] = 10
    federating.FEDERATION_OPTIONS["PAUSE_AFTER"] = 3
    federating.FEDERATION_OPTIONS["PAUSE_SECONDS"] = 600
    with FakeInstance() as failing:
        failing.mode = "fail"
        followed_by(failing, "reader")
        with committed():
            make_article("First")
        delays = []
        for _ in range(3):
            drain()
            row = Delivery.objects.get()
            delays.append(round((row.next_attempt_at - timezone.now()).total_seconds()))
            make_due()
        assert delays[:2] == [10, 20]  # doubling
        server = Server.objects.get(domain=failing.domain)
        assert server.failures == 3 and server.is_paused
        assert 590 < (server.paused_until - timezone.now()).total_seconds() <= 600
        assert len(failing.posts()) == 3

        # Paused: due rows wait without using up their tries, and no one is posted to.
        with committed():
            make_article("Second")
        report = drain()
        assert len(failing.posts()) == 3
        assert report.next_due >= server.paused_until - timedelta(seconds=1)
        assert list(Delivery.objects.values_list("attempts", flat=True).order_by("pk")) == [3, 0]

        # Back after the pause, still failing: paused again, for twice as long.
        Server.objects.update(paused_until=timezone.now())
        drain()
        server.refresh_from_db()
        assert len(failing.posts()) == 4 and server.failures == 4
        assert 1190 < (server.paused_until - timezone.now()).total_seconds() <= 1200


def test_a_delivery_fails_for_good_after_its_last_try(federating, committed):
    federating.FEDERATION_OPTIONS["MAX_ATTEMPTS"] = 2
    federating.FEDERATION_OPTIONS["PAUSE_AFTER"] = 10
    with FakeInstance() as failing:
        failing.mode = "fail"
        followed_by(failing, "reader")
        with committed():
            make_article("Unlucky")
        drain()
        make_due()
        drain()
        make_due()
        drain()
        row = Delivery.objects.get()
        assert (row.status, row.attempts, len(failing.posts())) == ("failed", 2, 2)


def test_a_server_back_before_the_pause_ends_resets_its_count(federating, committed):
    federating.FEDERATION_OPTIONS["PAUSE_AFTER"] = 3
    with FakeInstance() as flaky:
        flaky.mode = "fail"
        followed_by(flaky, "reader")
        with committed():
            make_article("Flaky")
        drain()
        make_due()
        flaky.mode = "ok"
        drain()
        server = Server.objects.get()
        assert server.failures == 0 and server.last_delivered_at is not None
        assert Delivery.objects.get().status == "sent"


def test_with_the_inline_backend_announcing_sends_nothing(remote, committed):
    """Django's ImmediateBackend would run a task inside enqueue(), in the editor's request:
    the outbox does not wake it, a federation_worker process sends."""
    followed_by(remote, "reader")
    assert not tasks.runs_elsewhere()
    with committed():
        make_article("Quiet")
    assert remote.posts() == [] and not Delivery.objects.exists()
    assert Activity.objects.get().kind == "Create"  # the write path's announcement was heard
    call_command("federation_worker", "--once", stdout=io.StringIO())
    assert len(remote.wait_for_posts(1)) == 1


@pytest.mark.django_db(transaction=True)
def test_with_the_database_queue_a_worker_sends(remote, settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    followed_by(remote, "reader")
    make_article("Queued")
    assert remote.posts() == []
    assert DBTaskResult.objects.filter(task_path="federation.tasks.drain_outbox").count() == 1
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=io.StringIO())
    [create] = remote.wait_for_posts(1)
    assert create.json["type"] == "Create"


@pytest.mark.django_db(transaction=True)
def test_retries_and_scheduled_stories_wake_one_deferred_worker(remote, settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    followed_by(remote, "reader")
    for n in range(3):
        make_article(f"Later {n}", hours_ago=-1 - n)
    waiting = DBTaskResult.objects.filter(task_path="federation.tasks.drain_outbox")
    deferred = waiting.exclude(run_after=None)
    # Three stories at three times: one wake-up queued, at the first of them.
    assert deferred.count() == 1
    first = deferred.get().run_after
    assert abs((first - (timezone.now() + timedelta(hours=1))).total_seconds()) < 60


@pytest.mark.django_db(transaction=True)  # the admin's request commits: its after-commit work runs
@pytest.mark.parametrize("queue", ["immediate", "database"])
def test_publishing_in_the_admin_does_not_wait_on_a_hanging_or_failing_server(
    client, django_user_model, three, federating, queue
):
    fine, hanging, failing = three
    federating.FEDERATION_OPTIONS["DELIVERY_TIMEOUT"] = 5  # a request that waited would take 5 s
    if queue == "database":
        federating.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    client.force_login(editor_user(django_user_model))
    article = make_article("Breaking, from the desk", draft=True)
    started = time.monotonic()
    response = client.post(
        "/admin/articles/article/", {"action": "publish_now", "_selected_action": [article.pk]}
    )
    took = time.monotonic() - started
    assert response.status_code == 302
    assert Article.objects.published().filter(pk=article.pk).exists()
    assert took < 2, f"the admin's request took {took:.2f} s"
    assert (fine.posts(), hanging.posts(), failing.posts()) == ([], [], [])
    assert Activity.objects.get().kind == "Create"

    # A worker sends: the answering server at once; the others are tried again later.
    if queue == "database":
        call_command("db_worker", "--batch", "--no-startup-delay", stdout=io.StringIO())
    else:
        call_command("federation_worker", "--once", stdout=io.StringIO())
    assert len(fine.wait_for_posts(1)) == 1
    assert sorted(Delivery.objects.values_list("status", flat=True)) == [
        "queued",
        "queued",
        "sent",
    ]
