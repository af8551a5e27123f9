"""A small newsroom for the browser tests, written for them.

Used until (and unless) the demo content command exists; tests read what they need from the
database instead of assuming these exact words.
"""

from datetime import timedelta

from django.utils import timezone

from articles.models import Article, Author, Byline, RelatedPick, Section, Topic

TOPICS = [
    ("Models", "models", "New models, what they can do and what they cost to run."),
    ("Policy", "policy", "Rules, regulators and the courts."),
    ("Research", "research", "Papers and results, explained."),
]
AUTHORS = [
    ("Mara Okafor", "mara-okafor", "Covers model releases and the chips they run on."),
    ("Tomás Lindqvist", "tomas-lindqvist", "Writes about AI policy from Brussels."),
]
# headline, topic, dek, summary, sections [(lead-in, text, bullets)], take
STORIES = [
    (
        "Lighthouse Labs ships a compact model that runs on a laptop",
        "models",
        "A seven-billion-parameter release aims at offline work on ordinary hardware.",
        "Lighthouse Labs released **Beacon 7B**, a model small enough to run without a data "
        "centre, and published its weights under a permissive licence.",
        [
            (
                "What is new",
                "The company says Beacon matches last year's mid-size models on reading tasks.",
                "It answers in under a second on a recent laptop\n"
                "Quantised versions fit in eight gigabytes of memory\n"
                "The [release notes](https://lighthouse.example/beacon) list every benchmark",
            ),
            (
                "Why it matters",
                "Local models keep documents on the device, which *regulated* firms ask for.",
                "Hospitals and law firms have asked for offline tools\n"
                "No usage fees once the hardware is paid for",
            ),
        ],
        "💡 Small and local is the quiet trend of the year.",
    ),
    (
        "Regulators publish a draft code for chatbot disclosures",
        "policy",
        "Companies would have to say plainly when a reader is talking to a machine.",
        "A draft code from the digital regulator asks chat services to label machine answers "
        "and keep records of how they were tested.",
        [
            (
                "The proposal",
                "The code covers any service that answers people in natural language.",
                "Labels must appear before the first answer\n"
                "Test records are kept for three years\n"
                "Small firms get a year longer to comply",
            ),
            (
                "Reactions",
                "Consumer groups welcomed the draft; industry bodies asked for clearer terms.",
                "A consultation runs until the end of next month\n"
                "The final text is expected in spring",
            ),
        ],
        "⚖️ Plain labels are a low bar worth clearing.",
    ),
    (
        "Researchers show a cheaper way to teach models arithmetic",
        "research",
        "A training trick cuts the compute needed for reliable sums by two thirds.",
        "A university team found that ordering practice problems from easy to hard teaches "
        "small models arithmetic with a third of the usual compute.",
        [
            (
                "How it works",
                "The curriculum starts with single digits and adds a digit only after mastery.",
                "Errors on long sums fell sharply\nThe method needs no new architecture",
            ),
            (
                "The caveats",
                "The results hold for arithmetic; other skills were not tested.",
                "The team plans a follow-up on logic puzzles\nCode and data are public",
            ),
        ],
        "",
    ),
    (
        "Chipmakers race to cut the energy cost of inference",
        "models",
        "New accelerators promise more answers per watt as data centres hit power limits.",
        "Three chipmakers announced accelerators built for running models rather than "
        "training them, each claiming large savings in energy.",
        [
            (
                "The numbers",
                "Vendors quote two to four times more answers per watt than current parts.",
                "Independent tests are not yet available\n"
                "Shipments start in the second half of the year",
            ),
            (
                "The bottleneck",
                "Power, not chips, now limits how fast data centres can grow.",
                "Several regions have paused new grid connections\n"
                "Operators are signing long-term energy deals",
            ),
        ],
        "🔌 Watts are the new currency of AI.",
    ),
    (
        "Court asks whether training on news archives is fair use",
        "policy",
        "A publishers' lawsuit reaches the question that every model maker is watching.",
        "A federal judge heard arguments on whether copying news archives to train a model "
        "counts as fair use, in a case brought by a group of regional publishers.",
        [
            (
                "The arguments",
                "Publishers say the copies replace subscriptions; the defendant says they teach.",
                "Both sides filed expert reports on market harm\n"
                "A ruling on summary judgment is expected within months",
            ),
            (
                "What comes next",
                "Whatever the ruling, an appeal is likely.",
                "Licensing deals may settle the question first\n"
                "Other courts are watching the reasoning",
            ),
        ],
        "🤔 Licences will arrive before the law is settled.",
    ),
]


def build_newsroom():
    """Create topics, authors and published articles; return the articles, newest first."""
    topics = {
        slug: Topic.objects.create(name=name, slug=slug, description=description, position=i)
        for i, (name, slug, description) in enumerate(TOPICS)
    }
    authors = [Author.objects.create(name=name, slug=slug, bio=bio) for name, slug, bio in AUTHORS]
    now = timezone.now()
    articles = []
    for i, (headline, topic, dek, summary, sections, take) in enumerate(STORIES):
        article = Article.objects.create(
            headline=headline,
            slug=headline.lower().replace(" ", "-")[:60].strip("-"),
            dek=dek,
            summary_lead="The short version",
            summary=summary,
            take=take,
            status=Article.Status.PUBLISHED,
            published_at=now - timedelta(hours=3 * i + 1),
        )
        article.topics.add(topics[topic])
        Byline.objects.create(article=article, author=authors[i % 2], position=0)
        if i == 0:
            Byline.objects.create(article=article, author=authors[1], position=1)
        for position, (lead_in, text, bullets) in enumerate(sections):
            Section.objects.create(
                article=article, position=position, lead_in=lead_in, text=text, bullets=bullets
            )
        articles.append(article)
    RelatedPick.objects.create(article=articles[0], related=articles[3], position=0)
    return articles
