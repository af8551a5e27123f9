"""The newsroom's account as other servers see it: discovery (WebFinger, NodeInfo), the actor,
its outbox and followers, each story as an object, and the inbox. All JSON; none of these
reads the session. With federation switched off every one answers 404."""

import json
import logging
import re
from functools import wraps

from django.conf import settings
from django.core.paginator import InvalidPage, Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.utils.cache import patch_vary_headers
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from articles import views as article_views
from articles.models import Article
from articles.page_cache import public_page
from federation import documents, fetch, remote
from federation import inbox as inbox_handling
from federation.conf import option
from federation.keys import current_key
from federation.models import Follower, Switch
from federation.objects import current_generations, story
from federation.signatures import Refused, read_signature

logger = logging.getLogger(__name__)
JRD = "application/jrd+json"
NODEINFO = 'application/json; profile="http://nodeinfo.diaspora.software/ns/schema/2.1#"'
NODEINFO_SCHEMA = "http://nodeinfo.diaspora.software/ns/schema/2.1"
# Servers of the social web ask for a page's ActivityStreams form by naming one of these.
ACTIVITY_ACCEPT = re.compile(r"application/(activity|ld)\+json", re.IGNORECASE)


def activity_json(data, content_type=documents.ACTIVITY_JSON, status=200):
    return JsonResponse(
        data, content_type=content_type, status=status, json_dumps_params={"ensure_ascii": False}
    )


def when_federating(view):
    @wraps(view)
    def federating(request, *args, **kwargs):
        if not Switch.load().enabled:
            raise Http404("Federation is switched off.")
        return view(request, *args, **kwargs)

    return federating


@require_GET
@when_federating
def webfinger(request):
    """The account's address for `?resource=acct:name@host` (or the actor's id). JSON (JRD)."""
    resource = request.GET.get("resource", "").strip()
    if not resource:
        return HttpResponse("Ask for ?resource=acct:name@host.", status=400)
    names = {f"acct:{documents.handle()}".lower(), documents.actor_id().lower()}
    if resource.lower() not in names:
        raise Http404("No such account here.")
    response = activity_json(documents.webfinger(), JRD)
    response["Access-Control-Allow-Origin"] = "*"  # web clients look accounts up too
    return response


@require_GET
@when_federating
def nodeinfo_links(request):
    """Where this server's NodeInfo document is. JSON."""
    links = [{"rel": NODEINFO_SCHEMA, "href": documents.url("nodeinfo")}]
    return activity_json({"links": links}, "application/json")


@require_GET
@when_federating
def nodeinfo(request):
    """What software this server runs and how much it holds (NodeInfo 2.1). JSON."""
    return activity_json(
        {
            "version": "2.1",
            "software": {"name": "newsroom", "version": "0.1.0"},
            "protocols": ["activitypub"],
            "services": {"inbound": [], "outbound": ["atom1.0", "rss2.0"]},
            "openRegistrations": False,
            "usage": {
                "users": {"total": 1, "activeMonth": 1, "activeHalfyear": 1},
                "localPosts": Article.objects.published().count(),
            },
            "metadata": {"nodeName": settings.SITE_NAME},
        },
        NODEINFO,
    )


@require_GET
@when_federating
def actor(request):
    """The account: name, description, icon, inbox, outbox, followers and public key. JSON."""
    return activity_json(documents.actor(current_key().public_pem))


def outbox_page(raw):
    """`?page=` as the page cache keys the outbox: absent (the collection) or a number."""
    return str(int(raw)) if raw.isdigit() else raw


@public_page(page=outbox_page)
@require_GET
@when_federating
def outbox(request):
    """Published stories, newest first, as Create activities; `?page=N` pages through them
    (PAGE_SIZE a page), without it the collection's size and first page. JSON."""
    stories = Article.objects.published()
    base = documents.url("outbox")
    if not request.GET.get("page"):
        return activity_json(
            {
                "@context": documents.AS,
                "id": base,
                "type": "OrderedCollection",
                "totalItems": stories.count(),
                "first": f"{base}?page=1",
            }
        )
    paginator = Paginator(stories.for_page(), documents.PAGE_SIZE)
    try:
        page = paginator.page(request.GET["page"])
    except InvalidPage as error:
        raise Http404("No such page.") from error
    articles = list(page.object_list)
    generations = current_generations([article.pk for article in articles])
    data = {
        "@context": documents.CONTEXT,
        "id": f"{base}?page={page.number}",
        "type": "OrderedCollectionPage",
        "partOf": base,
        "orderedItems": [
            documents.create(documents.article_object(article, generations[article.pk]))
            for article in articles
        ],
    }
    for item in data["orderedItems"]:
        del item["@context"]
    if page.has_next():
        data["next"] = f"{base}?page={page.next_page_number()}"
    if page.has_previous():
        data["prev"] = f"{base}?page={page.previous_page_number()}"
    return activity_json(data)


@require_GET
@when_federating
def followers(request):
    """How many follow the account (who they are stays private). JSON."""
    return activity_json(
        {
            "@context": documents.AS,
            "id": documents.url("followers"),
            "type": "OrderedCollection",
            "totalItems": Follower.objects.count(),
        }
    )


@require_GET
@when_federating
def following(request):
    """The account follows no one. JSON."""
    return activity_json(
        {
            "@context": documents.AS,
            "id": documents.url("following"),
            "type": "OrderedCollection",
            "totalItems": 0,
            "orderedItems": [],
        }
    )


@public_page()
@require_GET
@when_federating
def article_object(request, pk, generation):
    """A published story as an ActivityPub Article, at the id followers' servers know it by
    (an older publication's id answers 404). JSON."""
    found = story(pk)
    if found is None or found[1] != generation:
        raise Http404("No such story.")
    return activity_json(documents.with_context(documents.article_object(*found)))


def representation(request):
    """Which form of a page the client asked for: "activity" when its Accept header names an
    ActivityStreams type, else "" (the HTML page). A plain mention decides, exactly as
    deploy/nginx.conf's micro-cache decides, so the two never file a page under the other's
    key (browsers never name these types)."""
    return "activity" if ACTIVITY_ACCEPT.search(request.headers.get("Accept", "")) else ""


@public_page(variant=representation)
def article_page(request, slug):
    """An article's own address: its page (articles.views.article, template and context
    there) for browsers, its ActivityPub Article (JSON) for servers that ask for it with
    Accept. Either answer says it varies on Accept."""
    found = None
    if representation(request) and Switch.load().enabled:
        pk = Article.objects.published().filter(slug=slug).values_list("pk", flat=True).first()
        found = story(pk) if pk else None
    if found is None:  # a browser, an old address (301) or nothing here (404)
        response = article_views.article(request, slug)
    else:
        response = activity_json(documents.with_context(documents.article_object(*found)))
    patch_vary_headers(response, ["Accept"])
    return response


def _refuse(reason, status=401):
    logger.info("federation inbox refused a request: %s", reason)
    return HttpResponse(reason, status=status, content_type="text/plain; charset=utf-8")


def _signer(request, body):
    """The account that signed this request, or a Refused."""
    signed = read_signature(
        method=request.method,
        path=request.get_full_path(),
        headers={name.lower(): value for name, value in request.headers.items()},
        body=body,
    )
    try:
        sender = remote.actor_for_key(signed.key_id)
        if not signed.verifies_with(sender.public_key_pem):
            sender = remote.actor_for_key(signed.key_id, refresh=True)  # a new key?
    except (fetch.Unreachable, remote.Unusable) as error:
        raise Refused(f"the key could not be fetched: {error}") from error
    if not signed.verifies_with(sender.public_key_pem):
        raise Refused("the signature does not verify")
    return sender


@csrf_exempt
@require_POST
@when_federating
def inbox(request):
    """Activities from other servers (the account's inbox and the shared inbox). Every POST
    must be signed by the account it names as its actor (HTTP Signatures with a Digest):
    anything else is refused with 401 and changes nothing. Answers 202, text."""
    length = request.headers.get("Content-Length", "")
    if not length.isdigit() or int(length) > option("MAX_DOCUMENT_BYTES"):
        return _refuse("The body is missing or too large.", status=413)
    body = request.body
    try:
        sender = _signer(request, body)
    except Refused as error:
        return _refuse(f"Refused: {error}.")
    try:
        activity = json.loads(body)
    except ValueError:
        return _refuse("The body is not JSON.", status=400)
    if not isinstance(activity, dict) or inbox_handling.actor_of(activity) != sender.url:
        return _refuse("Refused: the activity's actor is not the account that signed it.")
    try:
        outcome = inbox_handling.handle(activity, sender)
    except inbox_handling.Rejected as error:
        return _refuse(f"{error}.", status=400)
    return HttpResponse(outcome, status=202, content_type="text/plain; charset=utf-8")
