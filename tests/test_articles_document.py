"""The house grammar of an article's text (articles/document.py): what editors paste becomes
the summary, sections, bullets and take, and whatever does not fit is named at its line."""

import io
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from articles.document import compose, parse
from articles.forms import article_text as text_box_of
from articles.models import Article

# A page of the house format as a browser's "select all, copy" gives it (our own words, laid
# out like the reference capture the format comes from).
PASTED_PAGE = Path(__file__).resolve().parent / "fixtures" / "pasted_page.txt"


def article_text(page):
    """A copied page's text from its summary to its take (the page around it is the desk's
    business)."""
    start = page.index("\n\n", page.index("Join Now")) + 2
    return page[start : page.index("Recent News")]


def test_a_copied_page_gives_its_summary_four_sections_twelve_bullets_and_take():
    document = parse(article_text(PASTED_PAGE.read_text(encoding="utf-8")))
    assert document.summary_lead == "Efficiency becomes the selling point"
    assert document.summary.startswith("Three large chip suppliers")
    assert len(document.sections) == 4
    assert [len(section.bullets) for section in document.sections] == [3, 3, 3, 3]
    assert document.sections[0].lead_in == "Why the pitch changed"
    assert document.sections[0].text.startswith("Training giant models")
    assert document.sections[3].bullets[2].startswith("Operators say better chips")
    assert document.take == "⚡ Watts, not parameters, are the new benchmark"


def test_writing_the_parts_back_gives_the_same_parts():
    text = (
        "The short version: A **lab** shipped a model.\n\n"
        "What changed: It reads [long](https://example.com/x) inputs.\n"
        "• One\n"
        "- Two\n"
        "* Three\n"
        "– Four\n\n"
        "Why it matters: Cost.\n\n"
        "🧭 Watch the price."
    )
    document = parse(text)
    assert [s.bullets for s in document.sections] == [["One", "Two", "Three", "Four"], []]
    again = parse(compose(document.summary_lead, document.summary, document.section_triples(), ""))
    assert again.sections == document.sections and again.take == ""
    written = compose("Lead", "Summary.", document.section_triples(), "🧭 Watch the price.")
    assert parse(written) == parse(written.replace("\n", "\r\n"))


def test_wrapped_bullets_and_a_run_on_take_are_read_as_an_editor_means_them():
    document = parse(
        "Summary without a lead-in, long enough to wrap\nonto a second line.\n\n"
        "Numbers: The figures.\n"
        "- A bullet that wraps\n"
        "  onto an indented line\n"
        "- Another\n"
        "😬 The take, right under the bullets"
    )
    assert document.summary_lead == ""
    assert document.summary == "Summary without a lead-in, long enough to wrap onto a second line."
    assert document.sections[0].bullets == [
        "A bullet that wraps onto an indented line",
        "Another",
    ]
    assert document.take == "😬 The take, right under the bullets"


def test_italic_at_the_start_of_a_line_is_not_a_bullet():
    document = parse("Lead: Summary.\n\nNote: A sentence.\n*Really* not a bullet.")
    assert document.sections[0].text == "A sentence. *Really* not a bullet."


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("Lead: Summary.\n\n- A bullet with nowhere to go", 3, "before any section"),
        ("Lead: Summary.\n- In the summary", 2, "bullet in the summary"),
        ("Lead: Summary.\n\nNo lead-in in this paragraph.", 3, "open it with a short lead-in"),
        ("Lead: Summary.\n\n" + "x" * 130 + ": too long", 3, "too long to be one"),
        ("Lead: Summary.\n\nEmpty:", 3, "needs a sentence"),
        ("Lead: Summary.\n\nOk: Fine.\n- a\nstray line", 5, "a line after the bullets"),
        ("Lead: Summary.\n\nOk: Fine.\n\n\n🤔 " + "t" * 200, 6, "the take is 202 characters"),
    ],
)
def test_problems_are_named_at_their_line(text, line, words):
    with pytest.raises(ValidationError) as raised:
        parse(text)
    assert any(m.startswith(f"Line {line}:") and words in m for m in raised.value.messages)


def test_a_stored_sentence_over_two_lines_is_written_on_one():
    """Sections typed in the old per-section form may hold line breaks; one opening with a
    bullet mark must not come back as a bullet."""
    text = compose("", "Two\nlines.", [("Lead", "A sentence\n- not a bullet.", ["b"])], "")
    document = parse(text)
    assert document.summary == "Two lines."
    assert document.section_triples() == [("Lead", "A sentence - not a bullet.", ["b"])]


@pytest.mark.django_db
def test_every_demo_article_reads_back_from_its_text_box_unchanged():
    """The desk shows an article's stored parts as one text and stores what it parses: an
    untouched save must give back exactly the parts it showed."""
    call_command("seed_demo", stdout=io.StringIO())
    articles = Article.objects.prefetch_related("sections")
    assert articles.count() > 10
    for article in articles:
        document = parse(text_box_of(article))
        assert (document.summary_lead, document.summary, document.take) == (
            article.summary_lead,
            article.summary,
            article.take,
        ), article.slug
        stored = [(s.lead_in, s.text, s.bullets.splitlines()) for s in article.sections.all()]
        assert document.section_triples() == stored, article.slug
