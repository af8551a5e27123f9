"""The subscriber admin: counts, filters, read-only consent, streamed CSV export, unsubscribe."""

import csv
import io
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission, User
from django.http import StreamingHttpResponse
from django.utils import timezone

from newsletter.models import ConsentRecord, Subscriber

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/newsletter/subscriber/"
Status = Subscriber.Status


def add(email, status=Status.PENDING, **fields):
    now = timezone.now()
    return Subscriber.objects.create(
        email=email,
        status=status,
        confirmed_at=now if status != Status.PENDING else None,
        unsubscribed_at=now if status == Status.UNSUBSCRIBED else None,
        **fields,
    )


@pytest.fixture
def subscribers():
    return [
        add("ada@example.com"),
        add("bo@example.com"),
        add("cy@example.com", Status.CONFIRMED),
        add("di@example.com", Status.UNSUBSCRIBED),
    ]


def test_changelist_lists_counts_per_status(admin_client, subscribers):
    response = admin_client.get(CHANGELIST)
    html = response.content.decode()
    assert response.status_code == 200
    assert (
        "Subscribers: <strong>2</strong> pending confirmation · <strong>1</strong> confirmed · "
        "<strong>1</strong> unsubscribed" in html
    )
    for subscriber in subscribers:
        assert subscriber.email in html
    assert "Add subscriber" not in html


def test_changelist_filters_and_search(admin_client, subscribers):
    confirmed = admin_client.get(CHANGELIST, {"status__exact": "confirmed"}).content.decode()
    assert "cy@example.com" in confirmed and "ada@example.com" not in confirmed
    found = admin_client.get(CHANGELIST, {"q": "BO@"}).content.decode()
    assert "bo@example.com" in found and "cy@example.com" not in found
    add("old@example.com", created_at=timezone.now() - timedelta(days=400))
    now = timezone.localtime()
    this_month = admin_client.get(
        CHANGELIST, {"created_at__year": now.year, "created_at__month": now.month}
    ).content.decode()
    assert "ada@example.com" in this_month and "old@example.com" not in this_month


def test_changelist_query_count_does_not_grow_with_subscribers(
    admin_client, django_assert_num_queries
):
    add("first@example.com")
    admin_client.get(CHANGELIST)  # warm the session and content types
    with django_assert_num_queries(7) as few:
        admin_client.get(CHANGELIST)
    Subscriber.objects.bulk_create(Subscriber(email=f"reader{i}@example.com") for i in range(60))
    with django_assert_num_queries(len(few.captured_queries)):
        admin_client.get(CHANGELIST)


def test_no_one_adds_subscribers_by_hand(admin_client):
    assert admin_client.get(f"{CHANGELIST}add/").status_code == 403


def test_change_page_shows_consent_read_only(admin_client):
    subscriber = add("ev@example.com")
    ConsentRecord.objects.create(
        subscriber=subscriber,
        source="/news/a/",
        pitch="The exact pitch.",
        ip_network="192.0.2.0/24",
    )
    response = admin_client.get(f"{CHANGELIST}{subscriber.pk}/change/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "The exact pitch." in html and "192.0.2.0/24" in html
    assert 'name="consent_records-0-pitch"' not in html
    assert 'name="email"' not in html


def export(admin_client, **data):
    return admin_client.post(CHANGELIST, {"action": "export_csv", **data})


def test_csv_export_streams_every_selected_row(admin_client):
    now = timezone.now()
    Subscriber.objects.bulk_create(
        Subscriber(email=f"reader{i:04}@example.com", created_at=now - timedelta(minutes=i))
        for i in range(2500)
    )
    add("=HYPERLINK(1)@example.com", Status.CONFIRMED)
    response = export(admin_client, select_across="1", _selected_action="0")
    assert isinstance(response, StreamingHttpResponse)
    assert response.streaming
    assert response["Content-Type"] == "text/csv"
    assert response["Content-Disposition"].startswith('attachment; filename="subscribers-')
    lines = list(response.streaming_content)  # one chunk per row: never the whole file at once
    assert len(lines) == 1 + 2501
    assert lines[0] == b"email,status,created_at,confirmed_at,unsubscribed_at\r\n"
    rows = list(csv.reader(io.StringIO(b"".join(lines).decode())))[1:]
    emails = [row[0] for row in rows]
    assert emails[:2] == ["reader0000@example.com", "reader0001@example.com"]
    assert len(set(emails)) == 2501
    # A spreadsheet would run a cell starting with "=" as a formula.
    assert rows[-1][0] == "'=HYPERLINK(1)@example.com"
    assert rows[-1][1] == "confirmed" and rows[-1][3]
    first = Subscriber.objects.get(email="reader0000@example.com")
    assert rows[0][2] == first.created_at.isoformat()


def test_csv_export_of_a_selection(admin_client, subscribers):
    chosen = [subscribers[0].pk, subscribers[2].pk]
    response = export(admin_client, _selected_action=chosen)
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row[:2] for row in rows[1:]] == [
        ["ada@example.com", "pending"],
        ["cy@example.com", "confirmed"],
    ]


def test_unsubscribe_action(admin_client, subscribers):
    left_before = subscribers[3].unsubscribed_at
    response = admin_client.post(
        CHANGELIST,
        {"action": "unsubscribe", "_selected_action": [s.pk for s in subscribers[1:]]},
        follow=True,
    )
    assert "Unsubscribed 2 subscribers." in response.content.decode()
    statuses = dict(Subscriber.objects.values_list("email", "status"))
    assert statuses == {
        "ada@example.com": "pending",
        "bo@example.com": "unsubscribed",
        "cy@example.com": "unsubscribed",
        "di@example.com": "unsubscribed",
    }
    assert Subscriber.objects.get(email="di@example.com").unsubscribed_at == left_before


def test_csv_export_needs_its_own_permission(client, subscribers):
    """Issue 14.10: seeing the list is not taking every address home."""
    user = User.objects.create_user("desk", password="x", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_subscriber", "change_subscriber"])
    )
    client.force_login(user)
    page = client.get(CHANGELIST).content.decode()
    assert 'value="unsubscribe"' in page and 'value="export_csv"' not in page
    response = client.post(CHANGELIST, {"action": "export_csv", "select_across": "1"})
    assert not isinstance(response, StreamingHttpResponse)
    assert response.get("Content-Type", "").startswith("text/html")

    user.user_permissions.add(Permission.objects.get(codename="export_subscriber"))
    user = User.objects.get(pk=user.pk)  # permissions are cached on the instance
    client.force_login(user)
    assert 'value="export_csv"' in client.get(CHANGELIST).content.decode()
    response = client.post(
        CHANGELIST, {"action": "export_csv", "select_across": "1", "_selected_action": "0"}
    )
    assert isinstance(response, StreamingHttpResponse)
    assert len(b"".join(response.streaming_content).decode().splitlines()) == 5
