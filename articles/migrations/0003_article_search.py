"""Reader search: the stored plain text of sections on every database; on PostgreSQL also the
weighted tsvector column kept by a trigger, its GIN index, and a trigram index on headlines.

The PostgreSQL pieces are skipped elsewhere so the SQLite quick start migrates cleanly. A
trigger rather than a generated column: a generated column would forbid later changes to the
type of the columns it reads (e.g. a longer headline).
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

FUNCTION = "articles_article_search_vector"

# {row} is "NEW." inside the trigger, "" in the one-off backfill.
VECTOR = """
    setweight(to_tsvector('english'::regconfig, coalesce({row}headline, '')), 'A')
    || setweight(to_tsvector('english'::regconfig,
        coalesce({row}dek, '') || ' ' || coalesce({row}summary_lead, '') || ' '
        || regexp_replace(coalesce({row}summary, ''), '\\]\\([^)]*\\)', ']', 'g')), 'B')
    || setweight(to_tsvector('english'::regconfig, coalesce({row}search_text, '')), 'C')
"""

FORWARDS = [
    "ALTER TABLE articles_article ADD COLUMN search_vector tsvector",
    f"""
    CREATE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.search_vector := {VECTOR.format(row="NEW.")};
        RETURN NEW;
    END
    $$
    """,
    f"""
    CREATE TRIGGER {FUNCTION}
    BEFORE INSERT OR UPDATE OF headline, dek, summary_lead, summary, search_text
    ON articles_article FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()
    """,
    f"UPDATE articles_article SET search_vector = {VECTOR.format(row='')}",
    "CREATE INDEX article_search_idx ON articles_article USING gin (search_vector)",
    "CREATE INDEX article_headline_trgm_idx ON articles_article USING gin (headline gin_trgm_ops)",
]

BACKWARDS = [
    "DROP INDEX IF EXISTS article_headline_trgm_idx",
    "DROP INDEX IF EXISTS article_search_idx",
    f"DROP TRIGGER IF EXISTS {FUNCTION} ON articles_article",
    f"DROP FUNCTION IF EXISTS {FUNCTION}()",
    "ALTER TABLE articles_article DROP COLUMN IF EXISTS search_vector",
]


def on_postgresql(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


def fill_search_text(apps, schema_editor):
    from articles.search import search_document

    Article = apps.get_model("articles", "Article")
    Section = apps.get_model("articles", "Section")
    for article in Article.objects.all().only("pk"):
        sections = Section.objects.filter(article=article).order_by("position", "pk")
        text = search_document(sections)
        if text:
            Article.objects.filter(pk=article.pk).update(search_text=text)


class Migration(migrations.Migration):

    dependencies = [
        ("articles", "0002_constraint_messages"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="search_text",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        TrigramExtension(),
        migrations.RunPython(on_postgresql(FORWARDS), on_postgresql(BACKWARDS)),
        migrations.RunPython(fill_search_text, migrations.RunPython.noop),
    ]
