"""Reader search: `/search/?q=`.

On PostgreSQL, full-text search over a stored, GIN-indexed `search_vector` column that a trigger
keeps in step with the article (headline weight A; dek and summary B; sections and bullets C,
read from `Article.search_text`). Queries use the websearch syntax readers already know
("quoted phrase", -exclusion, or); results are ranked and carry a highlighted snippet. When
nothing matches, close headlines are suggested by trigram similarity (pg_trgm). The embedded
SQLite quick start has neither, so the same functions fall back to a substring search there.

Sections live in their own table, so their plain text is copied onto the article by
`refresh_search_text()`: whatever saves sections (the admin, the demo content) calls it.
"""

import html
import re
from urllib.parse import urlencode

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVectorExact,
    SearchVectorField,
    TrigramWordSimilarity,
)
from django.db import connection, transaction
from django.db.models import BooleanField, Case, F, Func, Q, TextField, Value, When
from django.db.models.expressions import Expression
from django.db.models.functions import Concat
from django.shortcuts import render
from django.utils.html import escape, strip_tags
from django.utils.safestring import mark_safe

from articles import seo
from articles.lists import listing, page_param, paginate
from articles.markup import render_inline
from articles.models import Article
from articles.page_cache import public_page

MAX_QUERY_LENGTH = 200
RESULTS_PER_PAGE = 10
SUGGESTION_COUNT = 5
SUGGESTION_THRESHOLD = 0.45
SEARCH_CONFIG = "english"

# A reader sees at most this many results: the newest matches, best first.
MAX_RANKED = 500


class StoredDocument(Expression):
    """The article's stored `search_vector` column: a database column, not a model field, so
    lists never load it. Qualified with the query's own alias (it works inside subqueries)."""

    output_field = SearchVectorField()

    def as_sql(self, compiler, connection):
        table = compiler.quote_name(compiler.query.base_table)
        return f"{table}.search_vector", []


# ts_headline marks matches with these private-use characters; the snippet is then escaped
# whole and only balanced pairs become <mark>, so no markup from the content survives.
_MARK_START = "\ue000"
_MARK_STOP = "\ue001"
_MARKED = re.compile(f"{_MARK_START}([^{_MARK_START}{_MARK_STOP}]*){_MARK_STOP}")
_MARKERS = re.compile(f"[{_MARK_START}{_MARK_STOP}]")
# Angle brackets travel through ts_headline as these, and are put back before escaping.
_ANGLES = "\ue002\ue003"
_ANGLES_BACK = str.maketrans(_ANGLES, "<>")
# Control characters (NUL among them) cannot reach PostgreSQL, and the markers are ours.
_UNWANTED = re.compile(f"[\x00-\x1f\x7f{_MARK_START}{_MARK_STOP}]")
# websearch_to_tsquery reads each "-" that starts a term as NOT, skipping spaces and the
# characters !&|()< between them, and stacks the NOTs: past 32 PostgreSQL gives up ("tsquery
# stack too small", a 500). However many a reader typed, they mean one exclusion.
_STACKED_EXCLUSIONS = re.compile(r"-[\s!&|()<-]*-")
# Markdown in the summary: link targets, brackets and emphasis marks are not words.
_MARKDOWN_MARKS = r"\]\([^)]*\)|[][*]"
_WORD = re.compile(r"\w{4,}")
_WORD_CHARACTER = re.compile(r"\w")


def clean_query(raw):
    """What a reader typed, made safe to search: no control characters, single spaces, one "-"
    where several were stacked, and at most MAX_QUERY_LENGTH characters."""
    text = " ".join(_UNWANTED.sub(" ", raw or "").split())
    text = _STACKED_EXCLUSIONS.sub("-", text)
    return text[:MAX_QUERY_LENGTH].strip()


# Stored document -------------------------------------------------------------------------


def _plain(markup):
    """Editor Markdown as the words a reader sees (link targets and emphasis marks dropped)."""
    return html.unescape(strip_tags(render_inline(markup)))


def search_document(sections):
    """The plain text of `sections` (in the order given): lead-in and text, then bullets."""
    lines = []
    for section in sections:
        lines.append(f"{section.lead_in}: {_plain(section.text)}")
        lines.extend(_plain(bullet) for bullet in section.bullets.splitlines() if bullet.strip())
    return "\n".join(line for line in lines if line.strip())


def refresh_search_text(article):
    """Rewrite the article's stored search text from its saved sections.

    Call after the sections are saved (the admin's save_related, the demo content). An UPDATE of
    one column: no save(), so no modification time moves and no signal fires.
    """
    text = search_document(article.sections.order_by("position", "pk"))
    Article.objects.filter(pk=article.pk).update(search_text=text)
    article.search_text = text
    return text


# Queries ---------------------------------------------------------------------------------


def _on_postgresql():
    return connection.vendor == "postgresql"


def search_articles(query):
    """Published articles matching a cleaned query, best first, each with a `snippet` (raw:
    pass it through `highlight()`); a countable, sliceable sequence for a Paginator. An empty
    query matches nothing."""
    if not query:
        return Article.objects.none()
    if not _on_postgresql():
        return _substring_search(query)
    search_query = SearchQuery(query, search_type="websearch", config=SEARCH_CONFIG)
    # Ranking reads each candidate's stored vector, so it is bounded: the newest MAX_RANKED
    # matches (through the GIN index) are ranked, and pages show the best of those.
    ids = list(newest_matches(search_query)[: MAX_RANKED + 1])
    capped = len(ids) > MAX_RANKED
    ids = ids[:MAX_RANKED]
    ranked = (
        listing()
        .filter(AnyId(ids))
        .annotate(
            rank=SearchRank(StoredDocument(), search_query),
            snippet=_snippet(search_query),
        )
        .order_by("-rank", "-published_at", "-pk")
    )
    return RankedMatches(ids, ranked, capped=capped)


class AnyId(Expression):
    """`id = ANY(array)`: one parameter for up to MAX_RANKED ids instead of an IN list of a
    thousand, which costs more to build and to parse."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, ids):
        super().__init__()
        self.ids = list(ids)

    def as_sql(self, compiler, connection):
        table = compiler.quote_name(compiler.query.base_table)
        return f"{table}.id = ANY(%s)", [self.ids]


def newest_matches(search_query):
    """The ids of the published articles matching a SearchQuery, newest first."""
    return (
        Article.objects.published()
        .filter(SearchVectorExact(StoredDocument(), search_query))
        .order_by("-published_at", "-pk")
        .values_list("pk", flat=True)
    )


class RankedMatches:
    """Search results for a Paginator: the ids of the matches, read once (so counting them
    costs no query), and the ranked queryset each page is cut from. `capped`: more articles
    matched than were ranked."""

    capped = False

    def __init__(self, ids, ranked, *, capped):
        self.ids = ids
        self.ranked = ranked
        self.capped = capped

    def count(self):
        return len(self.ids)

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, key):
        return self.ranked[key]

    def __iter__(self):
        return iter(self.ranked)


def _snippet(search_query):
    lead_in = Case(
        When(summary_lead="", then=Value("")),
        default=Concat(F("summary_lead"), Value(": ")),
        output_field=TextField(),
    )
    summary = Func(  # the summary's words without Markdown marks and link targets
        F("summary"),
        Value(_MARKDOWN_MARKS),
        Value(""),
        Value("g"),
        function="regexp_replace",
        output_field=TextField(),
    )
    body = Concat(
        F("dek"),
        Value(" "),
        lead_in,
        summary,
        Value("\n"),
        F("search_text"),
        output_field=TextField(),
    )
    # ts_headline drops anything shaped like an HTML tag; what a writer typed as text stays.
    body = Func(body, Value("<>"), Value(_ANGLES), function="translate", output_field=TextField())
    return SearchHeadline(
        body,
        search_query,
        config=SEARCH_CONFIG,
        start_sel=_MARK_START,
        stop_sel=_MARK_STOP,
        max_words=35,
        min_words=15,
        max_fragments=2,
        fragment_delimiter=" … ",
    )


def _substring_search(query):
    """The SQLite quick start: every word must appear somewhere, -words must not."""
    words = [word for word in query.replace('"', " ").split() if _WORD_CHARACTER.search(word)]
    wanted = [word for word in words if not word.startswith("-") and word.lower() != "or"]
    unwanted = [word[1:] for word in words if word.startswith("-")]
    if not wanted:
        return Article.objects.none()
    found = listing()
    fields = ("headline", "dek", "summary", "search_text")
    for word in wanted:
        found = found.filter(_any_field(fields, word))
    for word in unwanted:
        found = found.exclude(_any_field(fields, word))
    return found.annotate(snippet=F("dek")).order_by("-published_at", "-pk")


def _any_field(fields, word):
    condition = Q()
    for field in fields:
        condition |= Q(**{f"{field}__icontains": word})
    return condition


def suggest_headlines(query, *, count=SUGGESTION_COUNT):
    """Published headlines close to a query that found nothing, closest first (None on SQLite).

    Each word of four letters or more is compared with the headlines' words (pg_trgm word
    similarity; the `%>` operator walks the headline trigram index). The default threshold, 0.6,
    misses ordinary typos such as "licnse", so it is lowered first.
    """
    words = list(dict.fromkeys(word.lower() for word in _WORD.findall(query)))[:5]
    if not words or not _on_postgresql():
        return []
    close = Q()
    for word in words:
        close |= Q(headline__trigram_word_similar=word)
    similarity = sum(
        (TrigramWordSimilarity(word, "headline") for word in words[1:]),
        start=TrigramWordSimilarity(words[0], "headline"),
    )
    suggestions = (
        Article.objects.published()
        .filter(close)
        .annotate(similarity=similarity)
        .only("headline", "slug")
        .order_by("-similarity", "-published_at")[:count]
    )
    with connection.cursor() as cursor:
        # For this connection's session: only these suggestions use the trigram operators.
        cursor.execute(
            "SELECT set_config('pg_trgm.word_similarity_threshold', %s, false)",
            [str(SUGGESTION_THRESHOLD)],
        )
    return list(suggestions)


def plan_for_these_words():
    """Inside a transaction: PostgreSQL plans this search's queries for the words searched for.
    With prepared statements it would keep one plan made without them, and the best plan depends
    on them: for a common word, the newest articles until 500 match (1.4 ms on 10,000 articles),
    not every match through the GIN index, then sorted (13.8 ms); for a rare word, the index."""
    if _on_postgresql():
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('plan_cache_mode', 'force_custom_plan', true)")


def highlight(snippet):
    """The snippet as safe HTML: everything escaped, matches wrapped in <mark>."""
    escaped = escape((snippet or "").translate(_ANGLES_BACK))
    marked = _MARKED.sub(r"<mark>\1</mark>", escaped)
    return mark_safe(_MARKERS.sub("", marked))  # noqa: S308 (escaped above)


# View ------------------------------------------------------------------------------------


@public_page(q=clean_query, page=page_param)
def search(request):
    """Search results. Template: articles/search.html; context: `query`, `page` (None without
    a query), `suggestions`."""
    query = clean_query(request.GET.get("q", ""))
    page = None
    suggestions = []
    if query:
        with transaction.atomic():  # the plan mode lasts until the transaction ends
            plan_for_these_words()
            page = paginate(request, search_articles(query), RESULTS_PER_PAGE, q=query)
            for article in page.object_list:
                article.snippet_html = highlight(article.snippet)
            if not page.paginator.count:
                suggestions = suggest_headlines(query)
    meta = seo.page_meta(
        title=seo.titled(f"{query} · Search" if query else "Search", page),
        description=f"Search {seo.site_name()}: headlines, summaries and every bullet.",
        path="/search/" + (f"?{urlencode({'q': query})}" if query else ""),
        robots="noindex, follow",
    )
    return render(
        request,
        "articles/search.html",
        {
            "query": query,
            "page": page,
            "capped": page is not None and getattr(page.paginator.object_list, "capped", False),
            "suggestions": suggestions,
            "meta": meta,
        },
    )
