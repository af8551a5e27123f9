"""Newsletter › Figures: the charts' numbers match the rows (subscribers, consent records,
deliveries, mail events), the charts are SVG drawn on the server with no script, every chart has
its table, and the page is for those who may see editions."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from newsletter import figures
from newsletter.mail_events import MailEvent
from newsletter.models import ConsentRecord, Delivery, Edition, Subscriber
from tests.factories import make_article

pytestmark = pytest.mark.django_db
PAGE = "/admin/newsletter/figures/"


def subscriber(address, *, confirmed=None, unsubscribed=None, suppressed=None):
    status = "suppressed" if suppressed else "unsubscribed" if unsubscribed else "confirmed"
    return Subscriber.objects.create(
        email=address,
        status=status if confirmed else "pending",
        confirmed_at=confirmed,
        unsubscribed_at=unsubscribed,
        suppressed_at=suppressed,
    )


def test_confirmed_per_day_counts_who_was_confirmed_at_each_days_end():
    today = timezone.localdate()
    now = timezone.now()
    days = lambda n: now - timedelta(days=n)  # noqa: E731
    subscriber("a@example.com", confirmed=days(5))
    subscriber("b@example.com", confirmed=days(3), unsubscribed=days(1))
    subscriber("c@example.com", confirmed=days(2), suppressed=days(2) + timedelta(minutes=1))
    subscriber("d@example.com")  # pending: never counted
    back = subscriber("e@example.com", confirmed=days(1))  # left long ago, came back
    Subscriber.objects.filter(pk=back.pk).update(unsubscribed_at=days(20))

    counted = dict(figures.confirmed_per_day(days=7, today=today))

    assert counted[today - timedelta(days=6)] == 0
    assert counted[today - timedelta(days=5)] == 1
    assert counted[today - timedelta(days=3)] == 2
    assert counted[today - timedelta(days=2)] == 2  # c confirmed and suppressed that day
    assert counted[today - timedelta(days=1)] == 2  # b left, e came back
    assert counted[today] == 2
    assert len(counted) == 7


def test_signups_by_source_name_the_story_and_count_confirmations():
    article = make_article("Chips get cheaper", hours_ago=2)
    path = article.get_absolute_url()
    people = [subscriber(f"s{n}@example.com") for n in range(5)]
    for n, person in enumerate(people[:3]):
        ConsentRecord.objects.create(
            subscriber=person,
            source=path,
            pitch="p",
            confirmed_at=timezone.now() if n < 2 else None,
        )
    for person in people[3:]:
        ConsentRecord.objects.create(subscriber=person, source="/", pitch="p")

    sources = figures.signups_by_source()

    assert [(s.path, s.headline, s.signups, s.confirmed) for s in sources] == [
        (path, "Chips get cheaper", 3, 2),
        ("/", "", 2, 0),
    ]


@pytest.fixture
def two_editions():
    """Two sent editions: the first to 400 readers with one bounce and one complaint, the
    second to 200 with two complaints (1%, over the limit); one reader left after each."""
    now = timezone.now()
    readers = Subscriber.objects.bulk_create(
        Subscriber(email=f"r{n}@example.com", status="confirmed", confirmed_at=now)
        for n in range(400)
    )
    made = []
    for days_ago, count, failed in ((2, 400, 3), (1, 200, 0)):
        started = now - timedelta(days=days_ago)
        edition = Edition.objects.create(
            date=timezone.localdate() - timedelta(days=days_ago),
            subject=f"Edition {days_ago}",
            cut_off=started,
            status="sent",
            started_at=started,
            finished_at=started,
        )
        Delivery.objects.bulk_create(
            Delivery(
                edition=edition,
                subscriber=reader,
                status="failed" if n < failed else "sent",
                sent_at=None if n < failed else started,
            )
            for n, reader in enumerate(readers[:count])
        )
        made.append((edition, started))
    first, second = made[0][0], made[1][0]

    def event(edition, n, kind):
        delivery = Delivery.objects.get(edition=edition, subscriber=readers[n])
        MailEvent.objects.create(
            delivery=delivery,
            subscriber=readers[n],
            address=readers[n].email,
            kind=kind,
            provider="test",
            event_id=f"{edition.pk}:{n}:{kind}",
        )

    event(first, 10, "bounce")
    event(first, 11, "complaint")
    event(second, 12, "complaint")
    event(second, 13, "complaint")
    Subscriber.objects.filter(pk=readers[20].pk).update(
        unsubscribed_at=made[0][1] + timedelta(hours=1)
    )
    Subscriber.objects.filter(pk=readers[21].pk).update(
        unsubscribed_at=made[1][1] + timedelta(hours=1)
    )
    Edition.objects.create(date=timezone.localdate(), subject="Draft", cut_off=now)  # not sent
    return first, second


def test_per_edition_numbers_match_the_rows(two_editions, django_assert_num_queries):
    with django_assert_num_queries(4):
        rows = figures.per_edition()
    assert [
        (r.subject, r.sent, r.failed, r.bounced, r.complained, r.unsubscribed) for r in rows
    ] == [
        ("Edition 2", 397, 3, 1, 1, 1),
        ("Edition 1", 200, 0, 0, 2, 1),
    ]
    assert rows[0].complaint_rate == pytest.approx(1 / 397) and not rows[0].over_limit
    assert rows[1].complaint_rate == pytest.approx(0.01) and rows[1].over_limit


def table_rows(html, caption_start):
    table = html.split(f"<caption>{caption_start}", 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table.split("<tbody>", 1)[1], flags=re.S)
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, flags=re.S)
        ]
        for row in rows
    ]


def test_the_page_shows_svg_charts_with_tables_of_the_same_numbers(
    client, django_user_model, two_editions
):
    client.force_login(django_user_model.objects.create_superuser("root", "r@example.com", "pw"))
    html = client.get(PAGE).content.decode()

    main = html.split('<div id="content-main"', 1)[1]
    assert "<script" not in main
    charts = re.findall(r'<svg [^>]*class="figure-chart"[^>]*>', main)
    assert len(charts) == 3 and all('role="img"' in chart for chart in charts)  # no signups
    assert main.count("<table>") == 2 and "No signups yet." in main
    assert 'stroke-dasharray="6 4"' in main and "0.3% limit" in main  # the complaint line
    editions = table_rows(main, "Per edition")
    assert [row[:6] for row in editions] == [
        [row[0], "397", "3", "1", "1", "1"] for row in editions[:1]
    ] + [[editions[1][0], "200", "0", "0", "2", "1"]]
    assert "over the limit" in editions[1][6] and "over the limit" not in editions[0][6]
    first, second = two_editions
    assert f"<title>{second.date:%d %b}: 200</title>" in main  # the bar's own title
    assert f"<title>{second.date:%d %b}: 1.00%</title>" in main
    days = table_rows(main, "Confirmed subscribers")
    assert len(days) == 30 and days[-1][1] == "400"


def test_the_page_is_for_those_who_may_see_editions(client, django_user_model):
    staff = django_user_model.objects.create_user("staff", "s@example.com", "pw", is_staff=True)
    client.force_login(staff)
    assert client.get(PAGE).status_code == 403
    staff.user_permissions.add(Permission.objects.get(codename="view_edition"))
    assert client.get(PAGE).status_code == 200
    assert "Figures" in client.get("/admin/").content.decode()
