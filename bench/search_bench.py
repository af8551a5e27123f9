"""Search benchmark: reader search over 100,000 generated articles (never part of the test run).

    .venv/bin/python -m bench.search_bench [--articles 100000] [--queries 200] [--rounds 3]
                                           [--regenerate | --fresh]

Uses its own PostgreSQL database (SEARCH_BENCH_DATABASE_URL, default newsroom_bench_search),
migrates it, and fills it once with synthetic articles streamed in with COPY: headlines from
invented companies, products and verbs; body text drawn from three word pools whose sizes set
how many articles a word appears in (about 25 % for the common pool, 2.5 % for the middle one,
0.1 % for the rare one). Then it times ~200 representative queries through
articles.search.search (the view, so counting, ranking, snippets, bylines, suggestions and the
template are all in the figure), prints the median and p95 per kind of query, shows EXPLAIN
ANALYZE for one query, and writes the "Search" section of bench/RESULTS.md.
"""

import argparse
import os
import random
import re
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta

import psycopg

from bench import support

DATABASE_URL = os.environ.get(
    "SEARCH_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/newsroom_bench_search"
)
SEED = 20261126
TARGET_MEDIAN_MS = 50.0


def _wordlist(text):
    return text.split()


COMMON = _wordlist(
    """
model models training inference chip chips data cloud startup funding regulators policy
benchmark benchmarks agents agent robotics safety evaluation open weights license pricing
customers enterprise developers latency accuracy hardware software research researchers paper
lab labs release launch assistant coding speech vision translation search medical hospitals
schools energy datacenter cooling memory context window tokens parameters fine-tuning dataset
datasets privacy copyright lawsuit court ruling lawmakers senate europe rules compliance audit
transparency watermark deepfake election misinformation jobs workers unions productivity
revenue valuation investors acquisition partnership contract government military defense
supply shortage export controls semiconductor fabrication foundry gpu accelerator sparse
quantization distillation reasoning multimodal video image audio music artists creators
publishers newsroom journalism platform api subscription consumer app phone laptop device
on-device edge battery emissions climate weather forecasting biology protein drug discovery
chemistry materials mathematics proof theorem education tutoring students teachers exam
cheating plagiarism detection bias fairness hiring insurance banking fraud payments retail
logistics warehouse delivery autonomous driving vehicles trucks drones satellites space
"""
)

SYLLABLES = _wordlist(
    "ka lo mi ter vox zan ri pel dor quin sha bre tu nim gal fen rho sku vel mar tis ob ul ex "
    "pra jor wen cas lid mu nor pes rav sol tam ure vin wyl xan yor zeb"
)

COMPANY_SUFFIXES = ["Labs", "AI", "Systems", "Robotics", "Compute", "Health", "Cloud", "Data"]
VERBS = [
    "releases", "delays", "open-sources", "prices", "audits", "benchmarks", "shrinks",
    "retrains", "licenses", "ships", "tests", "pauses", "acquires", "sues", "expands",
]  # fmt: skip
OBJECTS = [
    "a coding assistant", "its multilingual model", "an on-device speech model",
    "a robotics control stack", "a medical imaging classifier", "a search copilot",
    "a chip for inference", "an agent framework", "its safety evaluations",
    "a translation service", "a cooling system for datacenters", "a small reasoning model",
]  # fmt: skip
ANGLES = [
    "after customer pilots", "ahead of new rules", "to cut serving costs", "amid a talent race",
    "for schools and hospitals", "under an open license", "following a benchmark dispute",
    "for European customers", "as investors press for revenue", "with a watermark on outputs",
]  # fmt: skip
LEAD_INS = ["What changed", "Why it matters", "The numbers", "What to watch", "The fine print"]


def pseudo_words(count, rng, syllables=3):
    words = set()
    while len(words) < count:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, syllables))))
    return sorted(words)


class Vocabulary:
    """Three pools: a word from pool p appears in roughly the share of articles shown above."""

    def __init__(self, rng):
        self.common = COMMON
        self.middle = pseudo_words(3000, rng)
        self.rare = [w for w in pseudo_words(23000, rng, syllables=4) if w not in self.middle][
            :20000
        ]
        self.companies = [
            f"{w.capitalize()} {rng.choice(COMPANY_SUFFIXES)}" for w in pseudo_words(400, rng)
        ]
        self.rng = rng

    def words(self, n):
        pick = self.rng.random
        out = []
        for _ in range(n):
            roll = pick()
            if roll < 0.5:
                pool = self.common
            elif roll < 0.9:
                pool = self.middle
            else:
                pool = self.rare
            out.append(pool[int(pick() * len(pool))])
        return out

    def sentence(self, n):
        words = self.words(n)
        return " ".join(words).capitalize() + "."

    def headline(self):
        rng = self.rng
        return (
            f"{rng.choice(self.companies)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} "
            f"{rng.choice(ANGLES)}"
        )


def generate(count, vocabulary):
    """Stream `count` published articles into articles_article with COPY, then bylines/topics.

    Columns this benchmark does not care about get their model default, so the generator keeps
    working as the Article model grows.
    """
    from django.db import connection

    from articles.models import Article, Author, Topic

    now = datetime.now(UTC)
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE articles_article, articles_author, articles_topic RESTART IDENTITY CASCADE"
        )
    Author.objects.bulk_create(Author(name=f"Writer {n}", slug=f"writer-{n}") for n in range(20))
    Topic.objects.bulk_create(
        Topic(name=name, slug=name.lower(), position=n)
        for n, name in enumerate(["Models", "Policy", "Research", "Business", "Chips", "Health"])
    )
    fields = [f for f in Article._meta.concrete_fields if not f.primary_key]
    defaults = {f.column: f.get_db_prep_save(f.get_default(), connection) for f in fields}
    columns = [f.column for f in fields]

    def article(n):
        published = now - timedelta(minutes=37 * n + 5)
        sections = []
        for lead_in in vocabulary.rng.sample(LEAD_INS, 3):
            sections.append(f"{lead_in}: {vocabulary.sentence(14)}")
            sections.extend(vocabulary.sentence(12) for _ in range(3))
        summary = " ".join(vocabulary.sentence(15) for _ in range(2))
        row = dict(defaults)
        row.update(
            headline=vocabulary.headline(),
            slug=f"story-{n}",
            dek=vocabulary.sentence(20),
            summary_lead="The short version",
            summary=summary,
            summary_html=f"<p>{summary}</p>",
            status="published",
            published_at=published,
            created_at=published,
            modified_at=published,
            search_text="\n".join(sections),
        )
        return [row[column] for column in columns]

    started = time.perf_counter()
    with psycopg.connect(DATABASE_URL) as db:
        copy_sql = f"COPY articles_article ({', '.join(columns)}) FROM STDIN"
        with db.cursor().copy(copy_sql) as copy:
            for n in range(count):
                copy.write_row(article(n))
                if n and n % 20000 == 0:
                    print(f"  {n} articles ({time.perf_counter() - started:.0f} s)", flush=True)
        db.execute(
            "INSERT INTO articles_byline (article_id, author_id, position)"
            " SELECT id, 1 + id % 20, 0 FROM articles_article"
        )
        db.execute(
            "INSERT INTO articles_article_topics (article_id, topic_id)"
            " SELECT id, 1 + id % 6 FROM articles_article"
        )
        print(f"  {count} articles in {time.perf_counter() - started:.0f} s", flush=True)
    with psycopg.connect(DATABASE_URL, autocommit=True) as db:
        db.execute("VACUUM ANALYZE")


def queries(vocabulary, total):
    """~200 searches of the kinds readers type, labelled by kind."""
    rng = random.Random(SEED + 1)
    common, middle, rare = vocabulary.common, vocabulary.middle, vocabulary.rare
    share = total / 200
    kinds = [
        ("one common word", 50, lambda: rng.choice(common)),
        ("one middle word", 30, lambda: rng.choice(middle)),
        ("one rare word", 20, lambda: rng.choice(rare)),
        ("company name", 20, lambda: rng.choice(vocabulary.companies)),
        ("two common words", 25, lambda: f"{rng.choice(common)} {rng.choice(common)}"),
        ("common + middle", 15, lambda: f"{rng.choice(common)} {rng.choice(middle)}"),
        ("quoted phrase", 10, lambda: f'"{rng.choice(OBJECTS).split(" ", 1)[1]}"'),
        ("exclusion", 10, lambda: f"{rng.choice(common)} -{rng.choice(common)}"),
        ("or", 10, lambda: f"{rng.choice(middle)} or {rng.choice(middle)}"),
        ("typo, no match", 10, lambda: _typo(rng, rng.choice(vocabulary.companies))),
    ]
    out = []
    for label, count, make in kinds:
        out.extend((label, make()) for _ in range(max(1, round(count * share))))
    return out


def _typo(rng, name):
    word = name.split()[0].lower()
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + word[i + 1 :] + "q"


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--regenerate", action="store_true", help="new articles, same database")
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the database")
    args = parser.parse_args()

    admin_url = DATABASE_URL.rsplit("/", 1)[0] + "/postgres"
    name = DATABASE_URL.rsplit("/", 1)[1]
    with psycopg.connect(admin_url, autocommit=True) as db:
        if args.fresh:
            db.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if not db.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            db.execute(f'CREATE DATABASE "{name}"')
    os.environ.update(
        support.production_env(
            DATABASE_URL=DATABASE_URL, PAGE_CACHE_SECONDS="0", SITE_URL="http://127.0.0.1"
        )
    )
    support.manage("migrate", "--noinput", "-v0", DATABASE_URL=DATABASE_URL)

    import django

    sys.path.insert(0, str(support.ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    django.setup()

    vocabulary = Vocabulary(random.Random(SEED))
    with psycopg.connect(DATABASE_URL) as db:
        have = db.execute("SELECT count(*) FROM articles_article").fetchone()[0]
    if args.regenerate or have != args.articles:
        print(f"generating {args.articles} articles in {name} …", flush=True)
        generate(args.articles, vocabulary)

    from django.contrib.postgres.search import SearchQuery
    from django.db import connection
    from django.test import RequestFactory

    from articles import search

    factory = RequestFactory()
    plan = queries(vocabulary, args.queries)

    def run(query):
        request = factory.get("/search/", {"q": query})
        started = time.perf_counter()
        response = search.search(request)
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, response.status_code
        return elapsed

    for _label, query in plan[:20]:  # warm the connection, caches and templates
        run(query)
    # The machine may be shared: several rounds over the same queries, and the load average,
    # show how much of the spread is the neighbours'.
    timings, round_medians = {}, []
    load_before = os.getloadavg()[0]
    for _round in range(args.rounds):
        this_round = []
        for label, query in plan:
            elapsed = run(query)
            timings.setdefault(label, []).append(elapsed)
            this_round.append(elapsed)
        round_medians.append(statistics.median(this_round))
    load_after = os.getloadavg()[0]
    every = [t for values in timings.values() for t in values]

    def match_share(label):
        query = next(q for kind, q in plan if kind == label)
        sq = SearchQuery(search.clean_query(query), search_type="websearch", config="english")
        return search.newest_matches(sq).count() / args.articles

    rows = []
    for label, values in timings.items():
        rows.append(
            f"| {label} | {len(values)} | {match_share(label):.2%} | "
            f"{statistics.median(values):.1f} | {percentile(values, 0.95):.1f} |"
        )
    median, p95 = statistics.median(every), percentile(every, 0.95)

    def explain(query):
        sq = SearchQuery(search.clean_query(query), search_type="websearch", config="english")
        matches = search.newest_matches(sq)[: search.MAX_RANKED + 1]
        page = search.search_articles(search.clean_query(query))[: search.RESULTS_PER_PAGE]
        plans = [qs.explain(analyze=True, buffers=True) for qs in (matches, page)]
        # The page's id array is hundreds of numbers long; the shape of the plan is what counts.
        return [re.sub(r"'\{[0-9,]{80,}\}'", "'{…ids…}'", text) for text in plans]

    sample = next(q for kind, q in plan if kind == "common + middle")
    common_sample = next(q for kind, q in plan if kind == "one common word")
    plans = explain(sample)
    common_plan = explain(common_sample)[0]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_relation_size('article_search_idx'))")
        index_size = cursor.fetchone()[0]

    info = support.machine()
    table = "\n".join(
        [
            "| kind of query | searches | articles matched (one sample) | median ms | p95 ms |",
            "|---|---|---|---|---|",
            *rows,
        ]
    )
    verdict = "met" if median < TARGET_MEDIAN_MS else "MISSED"
    report = f"""## Search

`.venv/bin/python -m bench.search_bench` — {args.articles:,} generated articles in their own
database; {len(plan)} searches of ten kinds, run {args.rounds} times over ({len(every)} timings)
one at a time through the search view after 20 warm-up searches. Each timing covers the whole
view: the newest matches through the GIN index, ranking and highlighting one page, bylines and
topics, trigram suggestions when nothing matches, and the template.

**All searches: median {median:.1f} ms, p95 {p95:.1f} ms** (target: median under
{TARGET_MEDIAN_MS:.0f} ms — {verdict}). Median of each round:
{", ".join(f"{m:.1f}" for m in round_medians)} ms. Load average {load_before:.1f} before,
{load_after:.1f} after (the machine was shared with other work). GIN index: {index_size}.

{table}

Machine: {info["machine"]}; Python {info["python"]}, Django {info["django"]},
{info["postgres"]}. Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.

Plans for `{sample}` (EXPLAIN ANALYZE, BUFFERS): the newest matches, found through the GIN
index (`article_search_idx`), then the ranked, highlighted page of ten among them, fetched by id.

```
{plans[0]}
```

```
{plans[1]}
```

For a word in about half of all articles (`{common_sample}`) the planner walks the publish-time
index from the newest article and checks each one until it has enough, rather than reading
every match through the GIN index:

```
{common_plan}
```
"""
    print(report)
    support.write_section("search", report)
    return 0 if median < TARGET_MEDIAN_MS else 1


if __name__ == "__main__":
    sys.exit(main())
