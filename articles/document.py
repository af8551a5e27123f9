"""An article's text in the house's plain grammar, as editors write or paste it in one box:

    Lead-in: The summary, one or two sentences.

    The first lead-in: The sentence that opens the section.
    • A bullet (lines opening with •, -, * or – and a space)
    • Another bullet; an indented line goes on with the bullet above

    Another lead-in: Another section.

    - Its bullets, after a blank line or not

    🤔 The take: one last line opening with an emoji.

The first paragraph is the summary (its lead-in is optional). Every later paragraph opens with a
short lead-in ending in a colon and starts a section. Emphasis and links are the inline Markdown
every field takes (articles/markup.py). `parse()` turns the text into its parts or says, line by
line, what does not fit; `compose()` writes an article's parts back as text, so the two never
drift apart: the sections are stored, the text is made from them.
"""

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

# As long as the model lets a lead-in be; a colon further in is part of a sentence.
LONGEST_LEAD_IN = 120
LONGEST_TAKE = 200  # the model's take field
BULLET = re.compile(r"^\s*[•\-*–]\s+(?P<text>.*)$")
LEAD_IN = re.compile(r"^(?P<lead_in>[^:]+):\s+(?P<text>\S.*)$")
# What a take may open with: a pictograph or symbol from the emoji blocks (with its variation
# selectors and joiners, which follow it).
EMOJI = re.compile(
    "^[\u2190-\u21ff\u2300-\u23ff\u2460-\u27bf\u2900-\u297f\u2b00-\u2bff\u3030\u303d"
    "\U0001f000-\U0001faff]"
)
BULLET_MARK = "•"


@dataclass
class Section:
    lead_in: str
    text: str
    bullets: list = field(default_factory=list)


@dataclass
class Document:
    summary_lead: str = ""
    summary: str = ""
    sections: list = field(default_factory=list)
    take: str = ""

    def section_triples(self):
        """The sections as (lead-in, sentence, bullets) triples, as the write path takes them."""
        return [(s.lead_in, s.text, s.bullets) for s in self.sections]


def _paragraphs(text):
    """Runs of non-blank lines as lists of (line number, line), numbered from 1."""
    paragraph = []
    for number, line in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1):
        if line.strip():
            paragraph.append((number, line.rstrip()))
        elif paragraph:
            yield paragraph
            paragraph = []
    if paragraph:
        yield paragraph


def _split_take(paragraphs):
    """The take is the last line when it opens with an emoji and stands alone: as its own
    paragraph, or right under the last section's bullets (pasted pages often run them on)."""
    if not paragraphs:
        return paragraphs, ""
    *rest, last = paragraphs
    number, line = last[-1]
    if not EMOJI.match(line.strip()) or (len(last) > 1 and not BULLET.match(last[-2][1])):
        return paragraphs, ""
    if len(last) == 1:
        return rest, line.strip()
    return [*rest, last[:-1]], line.strip()


def _last_line(text):
    """The number of the last non-blank line of `text` (where the take stands)."""
    lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return max((n for n, line in enumerate(lines, 1) if line.strip()), default=1)


def _lead_in(line):
    """(lead-in, rest) when `line` opens with one, else None."""
    found = LEAD_IN.match(line.strip())
    if found is None or len(found["lead_in"]) > LONGEST_LEAD_IN:
        return None
    return found["lead_in"].strip(), found["text"].strip()


def parse(text):
    """The Document in `text`, or ValidationError listing each problem at its line."""
    problems = []
    paragraphs, take = _split_take(list(_paragraphs(text or "")))
    document = Document(take=take)
    if len(take) > LONGEST_TAKE:
        problems.append(
            (
                _last_line(text),
                f"the take is {len(take)} characters long; at most {LONGEST_TAKE}: keep it "
                "to one short line.",
            )
        )
    for index, paragraph in enumerate(paragraphs):
        first_number, first_line = paragraph[0]
        sentence, bullets = _sentence_and_bullets(paragraph, problems)
        if not sentence:  # bullets alone, after a blank line: the section above carries them
            if document.sections:
                document.sections[-1].bullets += bullets
            else:
                problems.append((first_number, _bullet_without_section(index)))
            continue
        found = _lead_in(sentence)
        if index == 0:
            document.summary_lead, document.summary = found or ("", sentence)
            if bullets:
                problems.append((paragraph[1][0], _bullet_without_section(index)))
            continue
        if found is None:
            problems.append((first_number, _not_a_section(sentence)))
            continue
        document.sections.append(Section(found[0], found[1], bullets))
    if problems:
        raise ValidationError(
            [
                ValidationError(f"Line {number}: {message}", code="document")
                for number, message in sorted(problems)
            ]
        )
    return document


def _sentence_and_bullets(paragraph, problems):
    """A paragraph's opening text (its lines joined) and its bullets (indented lines go on
    with the bullet above them)."""
    sentence, bullets = [], []
    for number, line in paragraph:
        bullet = BULLET.match(line)
        if bullet:
            bullets.append(bullet["text"].strip())
        elif bullets and line[:1].isspace():
            bullets[-1] += " " + line.strip()
        elif bullets:
            problems.append(
                (
                    number,
                    "a line after the bullets: start it with a bullet mark "
                    "(•, -, * or –), indent it to go on with the bullet above, or "
                    "leave a blank line before it to start a new section.",
                )
            )
        else:
            sentence.append(line.strip())
    return " ".join(sentence), bullets


def _bullet_without_section(index):
    if index == 0:
        return (
            "a bullet in the summary: the first paragraph is the summary, one or two "
            "sentences; bullets belong to the sections after it."
        )
    return (
        "a bullet before any section: open the paragraph with a short lead-in and a colon "
        "(“Why it matters: …”) and put the bullets under it."
    )


def _not_a_section(sentence):
    head, colon, _ = sentence.partition(":")
    if colon and len(head) > LONGEST_LEAD_IN:
        return (
            f"the lead-in is too long to be one ({len(head)} characters before the colon; at "
            f"most {LONGEST_LEAD_IN}): shorten it, or break the paragraph."
        )
    if colon:
        return "a section needs a sentence after its lead-in and colon."
    return (
        "every paragraph after the summary starts a section: open it with a short lead-in "
        "and a colon (“Why it matters: …”)."
    )


def compose(summary_lead, summary, sections, take):
    """The text of an article's parts, in the grammar `parse()` reads: `sections` are
    (lead-in, sentence, bullets) triples."""
    # Each sentence on one line: pages show a line break as a space (markup.render_inline), and
    # a stored line opening with "- " would come back as a bullet.
    summary = " ".join(summary.split())
    blocks = [f"{summary_lead}: {summary}" if summary_lead else summary]
    for lead_in, text, bullets in sections:
        opening = f"{lead_in}: {' '.join(text.split())}"
        blocks.append("\n".join([opening, *(f"{BULLET_MARK} {b}" for b in bullets)]))
    if take:
        blocks.append(take)
    return "\n\n".join(block for block in blocks if block.strip()) + "\n"
