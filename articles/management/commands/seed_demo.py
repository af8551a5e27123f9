"""Demo content for the quick start: twelve short AI-news articles in the house format.

Every company, product, person and number below is invented for this project. Running the
command again updates the same rows (matched by slug) instead of adding new ones, and moves the
publish times so the demo always looks like the last ten days.
"""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from articles import services
from articles.models import Article, Author, Byline, RelatedPick, Section, Topic
from articles.search import refresh_search_text

TOPICS = [
    ("models", "Models", "New models, what they can do and what they cost."),
    ("policy", "Policy", "Rules, courts and regulators shaping how AI is built and used."),
    ("research", "Research", "Studies, benchmarks and what the results actually show."),
    ("business", "Business", "Funding, pricing, chips and the companies behind the products."),
]

AUTHORS = [
    (
        "mara-lindqvist",
        "Mara Lindqvist",
        "Mara covers model releases and the labs that build them. She spent six years as a "
        "software engineer before moving into reporting.",
    ),
    (
        "theo-okafor",
        "Theo Okafor",
        "Theo writes about AI policy, regulation and the courts. He previously covered "
        "competition law for a trade publication.",
    ),
    (
        "priya-raman",
        "Priya Raman",
        "Priya follows the business of AI: funding, chips, cloud capacity and pricing. She "
        "reads earnings reports so you do not have to.",
    ),
]

# hours: how long ago it went live; "scheduled" goes live tomorrow; None is a draft.
ARTICLES = [
    {
        "slug": "halcyon-3-million-token-context",
        "hours": 10,
        "topics": ["models"],
        "authors": ["mara-lindqvist"],
        "headline": "Halcyon Labs ships Halcyon 3 with a one-million-token context window",
        "dek": "The lab's third-generation model reads entire codebases and contract archives "
        "in one pass, at a higher price per token than its predecessor.",
        "summary_lead": "Longer memory, higher bill",
        "summary": "Halcyon Labs released **Halcyon 3** on Tuesday, a model that accepts up to "
        "one million tokens of input, roughly eight times more than Halcyon 2. Paying API "
        "customers get access first; an update to the consumer app is promised for next month.",
        "sections": [
            (
                "What changed",
                "The headline feature is the context window, but Halcyon says most of the "
                "engineering went into keeping answers accurate deep inside long inputs.",
                [
                    "On the company's internal retrieval test, the model found a planted fact "
                    "in a 900,000-token document 97 percent of the time, up from 81 percent for "
                    "Halcyon 2 at its own limit.",
                    "Output stays capped at 32,000 tokens per response.",
                    "A new *cached prompt* option lets developers pay once to load a large "
                    "document, then ask repeated questions at a tenth of the normal input price.",
                ],
            ),
            (
                "Pricing",
                "Input costs $6 per million tokens and output $24 per million, about 50 percent "
                "more than Halcyon 2.",
                [
                    "Halcyon 2 stays available at its current price until at least the end of "
                    "next year, according to the "
                    "[release notes](https://example.com/halcyon-3-release-notes).",
                    "Enterprise contracts signed before the launch keep their rates for the new "
                    "model until renewal.",
                    "Free users of the chat app will get a smaller version with a "
                    "128,000-token window.",
                ],
            ),
            (
                "Who it is for",
                "Halcyon is pitching the release at legal, finance and software teams that now "
                "split large documents into pieces before sending them to a model.",
                [
                    "Two preview customers, a logistics software vendor and a mid-sized law "
                    "firm, said they removed their document-splitting code entirely.",
                    "Developers in the preview reported response times of 40 to 90 seconds for "
                    "inputs near the maximum length.",
                    "The company did not publish scores on public benchmarks, saying it will "
                    "submit the model to outside evaluators instead.",
                ],
            ),
            (
                "What to watch",
                "Other labs have announced long-context models before, but few kept their "
                "accuracy at the far end of the window in independent tests.",
                [
                    "The Open Eval Collective, an independent testing group, expects to publish "
                    "its own long-context results within two weeks.",
                    "Halcyon says its safety testing covered instructions hidden inside long "
                    "documents, a known weakness of systems that read untrusted files.",
                ],
            ),
        ],
        "take": "🧐 Big windows are easy to announce; outside tests will show whether the far "
        "end is usable.",
        "picks": ["tessellate-tess-14b-open-weights", "fennec-on-device-assistant"],
    },
    {
        "slug": "tessellate-tess-14b-open-weights",
        "hours": 26,
        "topics": ["models", "research"],
        "authors": ["mara-lindqvist", "theo-okafor"],
        "headline": "Tessellate releases open-weights Tess-14B under a permissive license",
        "dek": "The 14-billion-parameter model can be downloaded, modified and used "
        "commercially, and Tessellate published its training data recipe alongside it.",
        "summary_lead": "Open, and documented",
        "summary": "Tessellate AI made **Tess-14B** available for download under an "
        "Apache-style license, with a detailed account of the data it was trained on. The "
        "company says the model runs on a single high-end workstation GPU.",
        "sections": [
            (
                "The release",
                "Tess-14B comes as a base model and an instruction-tuned chat model, both free "
                "to use in commercial products.",
                [
                    "Weights are published in 16-bit and 4-bit formats; the 4-bit file is about "
                    "8 GB.",
                    "The license asks for attribution but sets no cap on the number of users, "
                    "unlike several recent open releases.",
                    "A model card lists known weak spots, including arithmetic on numbers with "
                    "more than eight digits.",
                ],
            ),
            (
                "The data recipe",
                "Tessellate's technical report gives the share of each data source, which most "
                "model developers keep confidential.",
                [
                    "About 62 percent of training tokens came from filtered web text, 18 percent "
                    "from code, 11 percent from public-domain books and 9 percent from synthetic "
                    "data.",
                    "The company says it dropped pages from sites that opt out of AI training "
                    "before training began.",
                    "The filtering scripts sit in the same repository as the weights.",
                ],
            ),
            (
                "How it compares",
                "On Tessellate's own tests, Tess-14B lands close to last year's leading "
                "30-billion-parameter open models on coding and reading comprehension.",
                [
                    "The gap is widest on multi-step math, where the chat model trails larger "
                    "ones by roughly ten points.",
                    "Researchers behind a recent "
                    "[distillation study](/news/orrery-distillation-small-models/) said the data "
                    "documentation makes it easier to check for benchmark contamination.",
                ],
            ),
        ],
        "take": "👏 Publishing the data mix is the real news here; more labs should do it.",
        "picks": ["orrery-distillation-small-models"],
    },
    {
        "slug": "standards-office-incident-reporting",
        "hours": 40,
        "updated_hours": 33,
        "topics": ["policy"],
        "authors": ["theo-okafor"],
        "headline": "Digital Standards Office proposes incident reporting for large AI models",
        "dek": "Developers of the most capable models would have 72 hours to report serious "
        "failures, under a draft rule now open for public comment.",
        "summary_lead": "A reporting clock",
        "summary": "The Digital Standards Office published a draft rule that would require "
        "developers of large AI models to report serious incidents within 72 hours. Comments "
        "are open for 60 days before a final version is written.",
        "sections": [
            (
                "Who is covered",
                "The draft applies to models trained with more than a set amount of computing "
                "power, a bar the office says fewer than a dozen companies now clear.",
                [
                    "Companies that only fine-tune or deploy someone else's model are covered "
                    "only if they change it substantially.",
                    "The office would review the threshold every year as training gets cheaper.",
                    "Open-weights developers are covered on the same terms as companies that "
                    "sell access through an API.",
                ],
            ),
            (
                "What counts as an incident",
                "A serious incident is a failure that causes, or nearly causes, physical harm, "
                "a major financial loss or a large-scale data exposure.",
                [
                    "Routine wrong answers and refusals are explicitly excluded.",
                    "A *near miss* caught in testing before release need not be reported, but "
                    "must be documented.",
                    "Reports would reach the office confidentially, with a public summary "
                    "every quarter.",
                ],
            ),
            (
                "Industry reaction",
                "Trade groups welcomed the narrow definition but asked for more time.",
                [
                    "Two industry associations called 72 hours too short for a proper "
                    "investigation and proposed 15 days for a full report.",
                    "Consumer advocates want the quarterly summaries to name the companies "
                    "involved.",
                ],
            ),
        ],
        "take": "",
        "picks": ["court-labels-ai-product-photos", "public-sector-ai-procurement-vote"],
    },
    {
        "slug": "meridian-compute-raises-funding",
        "hours": 52,
        "topics": ["business"],
        "authors": ["priya-raman"],
        "headline": "Meridian Compute raises $1.2 billion to build GPU data centers in three "
        "regions",
        "dek": "The cloud provider will spend the money on sites in northern Europe, Texas and "
        "Singapore, betting that demand for rented AI compute keeps growing.",
        "summary_lead": "More racks, more regions",
        "summary": "Meridian Compute closed a $1.2 billion round of equity and debt. The "
        "company plans to triple its GPU capacity by the end of next year.",
        "sections": [
            (
                "The money",
                "The round combines $400 million of new equity with an $800 million credit "
                "line secured against the GPUs themselves.",
                [
                    "The equity values the company at $5.5 billion, more than double its value "
                    "14 months ago.",
                    "Lenders increasingly accept data-center GPUs as collateral, though their "
                    "resale value after three or four years is uncertain.",
                    "Meridian says it has been profitable on an operating basis for two quarters.",
                ],
            ),
            (
                "Where it goes",
                "Three new sites are planned, each sized for roughly 20,000 accelerators.",
                [
                    "The northern European site will run mostly on hydroelectric power, which "
                    "Meridian says lowers both cost and emissions.",
                    "The Texas site should open first, in about nine months.",
                    "The Singapore site targets customers whose data must stay in Southeast Asia.",
                ],
            ),
            (
                "The bet",
                "Meridian's customers are mostly mid-sized AI companies that cannot get "
                "capacity from the largest cloud providers.",
                [
                    "The company says 70 percent of next year's planned capacity is already "
                    "under multi-year contracts.",
                    "Analysts note that more efficient chips, such as "
                    "[Corvid's new design](/news/corvid-inference-chip-power/), could shorten the "
                    "useful life of today's hardware.",
                ],
            ),
        ],
        "take": "💸 Debt backed by GPUs is the financing trend to watch this year.",
        "picks": ["corvid-inference-chip-power"],
    },
    {
        "slug": "orrery-distillation-small-models",
        "hours": 75,
        "topics": ["research", "models"],
        "authors": ["priya-raman", "mara-lindqvist"],
        "headline": "Study finds distilled small models match larger ones on narrow tasks",
        "dek": "Researchers at the Orrery Institute trained 1-billion-parameter models from a "
        "larger teacher and matched it on four of six specialized tasks.",
        "summary_lead": "Smaller can be enough",
        "summary": "A study from the Orrery Institute reports that small models trained to "
        "imitate a larger one can match it on narrow, well-defined tasks at a fraction of the "
        "running cost. The advantage disappears on open-ended questions.",
        "sections": [
            (
                "The experiment",
                "The team used a 70-billion-parameter teacher to generate training examples "
                "for six tasks, then trained a 1-billion-parameter student for each.",
                [
                    "Tasks included sorting support tickets, pulling dates out of invoices and "
                    "translating product descriptions between two languages.",
                    "Each student learned from about 200,000 examples written by the teacher.",
                    "The researchers published their code and the generated datasets.",
                ],
            ),
            (
                "The results",
                "Students came within one percentage point of the teacher on four tasks and "
                "fell short on two.",
                [
                    "The gaps were in summarizing long reports and in questions that needed "
                    "several facts combined.",
                    "A student cost roughly one fortieth as much per request as the teacher on "
                    "the same hardware.",
                    "Students trained on fewer than 50,000 examples were noticeably less accurate.",
                ],
            ),
            (
                "Caveats",
                "The authors stress that the results hold for tasks with clear right answers, "
                "not for general-purpose assistants.",
                [
                    "All six tasks were in English or one European language pair.",
                    "Students copied the teacher's mistakes, so errors in generated data matter "
                    "more than usual.",
                ],
            ),
        ],
        "take": "🔬 A useful reminder that not every job needs the biggest model.",
        "picks": ["tessellate-tess-14b-open-weights"],
    },
    {
        "slug": "quillmark-enterprise-price-cut",
        "hours": 99,
        "topics": ["business"],
        "authors": ["priya-raman"],
        "headline": "Quillmark cuts enterprise writing assistant prices by 40 percent",
        "dek": "The company says cheaper models let it lower per-seat prices as competition "
        "in workplace AI tools heats up.",
        "summary_lead": "Price war",
        "summary": "Quillmark cut its enterprise plan from $30 to $18 per user per month. "
        "Existing customers get the new price at their next billing date.",
        "sections": [
            (
                "What's new",
                "Alongside the cut, administrators get a dashboard showing which teams "
                "actually use the assistant.",
                [
                    "The plan still includes unlimited drafting and rewriting, with a fair-use "
                    "cap on document uploads.",
                    "A new *brand voice* setting follows a company's uploaded style guide.",
                ],
            ),
            (
                "Why now",
                "Quillmark says moving part of its workload to smaller models more than halved "
                "its own serving costs.",
                [
                    "Short rewrites now go to a small in-house model; only long drafting "
                    "requests reach a larger licensed one.",
                    "Several office-software makers bundled AI writing features in the past "
                    "quarter, squeezing stand-alone tools.",
                ],
            ),
            (
                "The risk",
                "A lower price pays off only if customers use the tool more widely.",
                [
                    "Quillmark says about 35 percent of purchased seats are in regular use.",
                    "The company hopes the dashboard leads customers to move idle seats to "
                    "teams that want them rather than cancel.",
                ],
            ),
        ],
        "take": "",
        "picks": [],
    },
    {
        "slug": "court-labels-ai-product-photos",
        "hours": 122,
        "topics": ["policy", "business"],
        "authors": ["theo-okafor"],
        "headline": "Court rules AI-generated product photos must be labeled in online listings",
        "dek": "A regional commercial court found that an online retailer misled buyers with "
        "generated images that did not show the real product.",
        "summary_lead": "Show the real thing",
        "summary": "A regional commercial court ruled that sellers must clearly label "
        "AI-generated product photos that could pass for pictures of the actual item. The "
        "retailer has 30 days to appeal.",
        "sections": [
            (
                "The case",
                "A consumer association sued a home-goods retailer whose listings showed "
                "generated furniture in colors and finishes it did not sell.",
                [
                    "The court found that buyers could not reasonably tell the images from "
                    "photographs.",
                    "The retailer argued the images illustrated a style, not a product; the "
                    "court disagreed.",
                ],
            ),
            (
                "What sellers must do",
                "Listings with generated images must say so next to the image, not only in "
                "the terms of sale.",
                [
                    "A generated background around a real product photo needs no label, "
                    "according to the ruling.",
                    "The court set no exact wording but said the label must be visible without "
                    "a click.",
                ],
            ),
            (
                "Wider effect",
                "The ruling binds only the court's region, but consumer groups plan to cite it "
                "elsewhere.",
                [
                    "Two large marketplaces said they are reviewing their seller guidelines.",
                    "It lands while the Digital Standards Office "
                    "[consults on incident reporting](/news/standards-office-incident-reporting/) "
                    "for AI developers, a separate effort.",
                ],
            ),
        ],
        "take": "🏷️ A label next to the picture, not in the fine print: a sensible line.",
        "picks": ["standards-office-incident-reporting"],
    },
    {
        "slug": "logicladder-benchmark-retired",
        "hours": 146,
        "topics": ["research"],
        "authors": ["mara-lindqvist"],
        "headline": "Maintainers retire a popular reasoning benchmark after finding leaked answers",
        "dek": "The test's answer key had been circulating on public websites swept up in "
        "training crawls, making high scores hard to trust.",
        "summary_lead": "A test that stopped testing",
        "summary": "The maintainers of the LogicLadder benchmark will stop accepting new "
        "results after finding its answers published on several websites. A successor with "
        "private questions is planned for next quarter.",
        "sections": [
            (
                "What happened",
                "A volunteer noticed that some models reproduced LogicLadder's answer "
                "explanations word for word.",
                [
                    "The full answer key turned up on at least four public websites, some of "
                    "them 18 months old.",
                    "Those pages appear in web crawls commonly used for training.",
                ],
            ),
            (
                "Past scores",
                "The maintainers cannot tell which results were affected, so every score from "
                "the last 18 months is now marked *unverified*.",
                [
                    "Older scores stay on the leaderboard with a note.",
                    "Several labs said they had filtered the benchmark out of their training "
                    "data but could not rule out paraphrased copies.",
                ],
            ),
            (
                "The replacement",
                "LogicLadder 2 will keep most questions private and rotate a share of them "
                "every three months.",
                [
                    "Developers will submit models for testing instead of running the test "
                    "themselves.",
                    "The maintainers are looking for funding to pay for running submitted models.",
                ],
            ),
        ],
        "take": "😬 Every public benchmark has a shelf life; plan for it.",
        "picks": ["orrery-distillation-small-models", "tessellate-tess-14b-open-weights"],
    },
    {
        "slug": "fennec-on-device-assistant",
        "hours": 170,
        "topics": ["models", "business"],
        "authors": ["mara-lindqvist", "priya-raman"],
        "headline": "Fennec brings a 3-billion-parameter assistant fully on-device to mid-range "
        "phones",
        "dek": "The assistant works without a network connection on phones with 8 GB of memory, "
        "keeping messages and notes on the device.",
        "summary_lead": "No cloud required",
        "summary": "Fennec released an assistant app whose model runs entirely on the phone, "
        "including mid-range models from the past two years. The company says nothing a user "
        "types leaves the device unless they choose to share it.",
        "sections": [
            (
                "How it fits",
                "The model is compressed to about 1.8 GB and loads in under three seconds on "
                "supported phones.",
                [
                    "Fennec measured about 15 words per second on a typical mid-range phone.",
                    "A five-minute conversation used about 2 percent of the battery in the "
                    "company's tests.",
                ],
            ),
            (
                "What it can do",
                "The assistant drafts messages, summarizes notes and answers questions about "
                "files stored on the phone.",
                [
                    "It cannot browse the web or answer questions about recent events.",
                    "An optional cloud mode sends harder requests to a larger model and shows "
                    "an indicator while it does.",
                    "Twelve languages are supported at launch.",
                ],
            ),
            (
                "The business model",
                "The app is free, with a one-time purchase that unlocks longer documents.",
                [
                    "Fennec says it shows no ads and has no plans to.",
                    "Because the model runs on the phone, Fennec's serving costs stay low as "
                    "its user base grows.",
                ],
            ),
        ],
        "take": "📱 On-device is finally good enough for everyday chores.",
        "picks": ["halcyon-3-million-token-context"],
    },
    {
        "slug": "corvid-inference-chip-power",
        "hours": 206,
        "topics": ["business", "models"],
        "authors": ["priya-raman", "theo-okafor"],
        "headline": "Corvid Systems unveils an inference chip aimed at cutting power per query",
        "dek": "The startup says its new accelerator serves language models at about half the "
        "energy per request of current data-center GPUs.",
        "summary_lead": "Efficiency first",
        "summary": "Corvid Systems announced the **Corvid R2**, a chip built only for running "
        "trained models, not training them. Samples ship to cloud partners this quarter, with "
        "volume production planned for next year.",
        "sections": [
            (
                "The chip",
                "The R2 pairs a large on-chip memory with a simple compute design tuned for "
                "the matrix math used when generating text.",
                [
                    "Corvid says one card holds models of up to 70 billion parameters in 8-bit "
                    "precision.",
                    "Each card draws up to 350 watts, against 700 watts for the GPUs it is "
                    "compared with.",
                ],
            ),
            (
                "The claims",
                "Corvid's benchmark shows about half the energy per generated token on two "
                "popular open models.",
                [
                    "The comparison used Corvid's own software; independent results are not "
                    "yet available.",
                    "Throughput per card is lower than the top GPUs, so the same traffic needs "
                    "more cards.",
                ],
            ),
            (
                "Who is buying",
                "Meridian Compute said it will test R2 cards in one of its new data centers.",
                [
                    "Corvid has not disclosed prices.",
                    "Its compiler accepts models exported in common open formats without code "
                    "changes, the company says.",
                ],
            ),
        ],
        "take": "",
        "picks": ["meridian-compute-raises-funding"],
    },
    {
        "slug": "public-sector-ai-procurement-vote",
        "hours": "scheduled",
        "topics": ["policy"],
        "authors": ["theo-okafor"],
        "headline": "Lawmakers set to vote on rules for buying AI in the public sector",
        "dek": "The bill would make agencies test AI systems for accuracy and bias before "
        "signing contracts, and publish a register of what they use.",
        "summary_lead": "Buying with conditions",
        "summary": "A parliamentary committee votes on a bill setting conditions for how "
        "public agencies buy AI systems. If it passes, the rules apply to contracts signed "
        "from the start of next year.",
        "sections": [
            (
                "What the bill requires",
                "Agencies would test systems on their own data before buying, and publish the "
                "results.",
                [
                    "A public register would list every AI system an agency uses, what it is "
                    "for and who supplies it.",
                    "Contracts would have to allow audits and let agencies move their data to "
                    "another supplier.",
                ],
            ),
            (
                "What is left out",
                "Systems used only for internal drafting and translation are exempt from testing.",
                [
                    "The bill sets no penalty for agencies that miss its deadlines, a gap "
                    "critics have pointed out.",
                    "Systems already under contract get two years to comply.",
                ],
            ),
        ],
        "take": "",
        "picks": [],
    },
    {
        "slug": "lantern-health-triage-pilot",
        "hours": None,
        "topics": ["research"],
        "authors": ["priya-raman"],
        "headline": "Lantern Health's triage model: what the pilot data shows, and what it "
        "does not",
        "dek": "A six-month hospital pilot reported faster triage, but the published data "
        "leaves open questions about accuracy for some patient groups.",
        "summary_lead": "Promising, with gaps",
        "summary": "Lantern Health published results from a six-month pilot of its emergency "
        "triage model at two hospitals. Waiting times for a first assessment fell, but the "
        "report says little about errors.",
        "sections": [
            (
                "The results",
                "Median time to first assessment fell from 22 to 14 minutes across both sites.",
                [
                    "Nurses accepted the model's suggested urgency level in 84 percent of cases.",
                    "The report does not break accuracy down by age group.",
                ],
            ),
            (
                "Open questions",
                "Independent clinicians noted that the pilot had no comparison group.",
                [
                    "Both hospitals changed staffing during the pilot, which could explain "
                    "part of the improvement.",
                    "Lantern says a controlled study starts next spring.",
                ],
            ),
        ],
        "take": "",
        "picks": [],
    },
]


class Command(BaseCommand):
    help = "Create or refresh the demo articles, authors and topics (safe to run again)."

    @transaction.atomic
    def handle(self, *args, **options):
        now = timezone.now().replace(second=0, microsecond=0)
        topics = {
            slug: Topic.objects.update_or_create(
                slug=slug,
                defaults={"name": name, "description": description, "position": position},
            )[0]
            for position, (slug, name, description) in enumerate(TOPICS, start=1)
        }
        authors = {
            slug: Author.objects.update_or_create(slug=slug, defaults={"name": name, "bio": bio})[0]
            for slug, name, bio in AUTHORS
        }
        articles = {
            data["slug"]: self.save_article(data, now, topics, authors) for data in ARTICLES
        }
        for data in ARTICLES:
            self.save_picks(articles[data["slug"]], [articles[slug] for slug in data["picks"]])
        for article in articles.values():
            services.article_saved(article=article, before=None)

        live = Article.objects.published().filter(slug__in=articles).count()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo content: {len(articles)} articles ({live} live, 1 scheduled, 1 draft), "
                f"{len(authors)} authors, {len(topics)} topics."
            )
        )

    def save_article(self, data, now, topics, authors):
        hours = data["hours"]
        if hours is None:
            status, published_at = Article.Status.DRAFT, None
        elif hours == "scheduled":
            tomorrow = now.replace(minute=0) + timedelta(days=1)
            status, published_at = Article.Status.PUBLISHED, tomorrow
        else:
            status, published_at = Article.Status.PUBLISHED, now - timedelta(hours=hours)
        updated_hours = data.get("updated_hours")
        article, _ = Article.objects.update_or_create(
            slug=data["slug"],
            defaults={
                "headline": data["headline"],
                "dek": data["dek"],
                "summary_lead": data["summary_lead"],
                "summary": data["summary"],
                "take": data["take"],
                "status": status,
                "published_at": published_at,
                "updated_at": now - timedelta(hours=updated_hours) if updated_hours else None,
            },
        )
        article.topics.set([topics[slug] for slug in data["topics"]])

        for position, slug in enumerate(data["authors"], start=1):
            Byline.objects.update_or_create(
                article=article, author=authors[slug], defaults={"position": position}
            )
        article.bylines.exclude(author__slug__in=data["authors"]).delete()

        for position, (lead_in, text, bullets) in enumerate(data["sections"], start=1):
            Section.objects.update_or_create(
                article=article,
                position=position,
                defaults={"lead_in": lead_in, "text": text, "bullets": "\n".join(bullets)},
            )
        article.sections.filter(position__gt=len(data["sections"])).delete()
        refresh_search_text(article)
        return article

    def save_picks(self, article, picks):
        for position, related in enumerate(picks, start=1):
            RelatedPick.objects.update_or_create(
                article=article, related=related, defaults={"position": position}
            )
        article.related_picks.exclude(related__in=picks).delete()
