"""Question, retrieved chunks and grounded answer for the ``rag-answers-golden`` demo dataset.

The corpus is a small set of passages from three fictional knowledge bases (an employee
handbook, the docs of a data-pipeline product called Flowline, and on-call runbooks). Each item
retrieves the passage that answers its question among distractors, so the answer's citations
point at real document positions. :func:`big_rag_item` builds the oversized retrieval contexts
by repeating the passages with section numbers, which is fast and stays deterministic.
"""

from __future__ import annotations

import json
import random
from typing import Any

BIG_RAG_ITEM_MB = (1, 2, 3, 4, 5)

# kb, doc id, title, source, passage, questions, answer (``{c}`` marks the citation)
_FACTS: tuple[tuple[str, str, str, str, str, tuple[str, ...], str], ...] = (
    (
        "handbook",
        "hb-pto-01",
        "Paid time off",
        "handbook/time-off.md#annual-leave",
        "Full-time employees accrue 25 days of paid time off per calendar year, prorated from "
        "the start date. Up to 5 unused days carry over to the next year and expire on March "
        "31. PTO requests of more than 5 consecutive days need two weeks' notice.",
        (
            "How many PTO days do I get per year?",
            "how much vacation do full-time staff get",
            "Can I carry over unused PTO?",
        ),
        "Full-time employees get 25 days of PTO per year, prorated from the start date; up to "
        "5 unused days carry over and expire on March 31 {c}.",
    ),
    (
        "handbook",
        "hb-parental-02",
        "Parental leave",
        "handbook/time-off.md#parental-leave",
        "All parents, regardless of gender or how they became parents, receive 20 weeks of fully "
        "paid parental leave, which can be taken in up to three blocks within 18 months of the "
        "birth or adoption. Tell your manager at least 8 weeks before the first block.",
        (
            "What's the parental leave policy?",
            "Do adoptive parents get parental leave?",
            "can parental leave be split up",
        ),
        "Every parent gets 20 weeks of fully paid leave, including adoptive parents, and it can "
        "be split into up to three blocks within 18 months {c}.",
    ),
    (
        "handbook",
        "hb-expense-03",
        "Expenses and reimbursement",
        "handbook/money.md#expenses",
        "Submit expenses in Ramp within 30 days with an itemized receipt. Meals while "
        "travelling are covered up to 75 USD per day; alcohol is not reimbursed. Expenses over "
        "1,000 USD need your manager's approval before you spend.",
        (
            "What's the daily meal allowance when travelling?",
            "is alcohol reimbursable",
            "How long do I have to submit an expense?",
        ),
        "Travel meals are covered up to 75 USD a day (no alcohol), and expenses must be "
        "submitted in Ramp within 30 days with an itemized receipt {c}.",
    ),
    (
        "handbook",
        "hb-remote-04",
        "Working remotely",
        "handbook/remote.md",
        "You can work from any country where we have an entity (US, UK, Germany, Canada) "
        "without approval. Working from another country for more than 30 days a year needs a "
        "tax review by People Ops first. The home office stipend is 1,500 USD once, plus 50 USD "
        "a month for internet.",
        (
            "Can I work from Spain for two months?",
            "What is the home office stipend?",
            "do I need approval to work abroad",
        ),
        "Working outside the US, UK, Germany or Canada for more than 30 days a year needs a tax "
        "review by People Ops first {c}.",
    ),
    (
        "handbook",
        "hb-equip-05",
        "Laptops and equipment",
        "handbook/it.md#equipment",
        "New hires choose a 14-inch or 16-inch MacBook Pro or a ThinkPad X1 Carbon. Laptops are "
        "refreshed every 3 years. Lost or stolen devices must be reported to #it-help within 24 "
        "hours so IT can wipe them remotely.",
        (
            "How often are laptops replaced?",
            "I lost my laptop, what do I do?",
            "what laptops can new hires pick",
        ),
        "Laptops are refreshed every 3 years, and a lost or stolen device must be reported in "
        "#it-help within 24 hours {c}.",
    ),
    (
        "handbook",
        "hb-review-06",
        "Performance reviews",
        "handbook/growth.md#reviews",
        "Performance reviews run twice a year, in April and October. Each review has a self "
        "review, two peer reviews and a manager review. Compensation changes take effect on "
        "the first payroll after the October cycle.",
        (
            "When are performance reviews?",
            "when do raises take effect",
            "How many peer reviews do I need?",
        ),
        "Reviews run in April and October, with a self review, two peer reviews and a manager "
        "review; pay changes land on the first payroll after October {c}.",
    ),
    (
        "flowline",
        "fl-retries-01",
        "Task retries",
        "docs.flowline.dev/concepts/retries",
        "Every Flowline task retries up to 3 times by default with exponential backoff starting "
        "at 30 seconds. Set retries: 0 in the task decorator to disable retries. A task that "
        "exhausts its retries marks the run as failed and triggers the on_failure hooks.",
        (
            "How many times does Flowline retry a failed task?",
            "how do I turn off retries",
            "What happens when a task runs out of retries?",
        ),
        "Tasks retry 3 times by default with exponential backoff from 30 seconds; set "
        "retries: 0 to disable it {c}.",
    ),
    (
        "flowline",
        "fl-schedule-02",
        "Schedules and time zones",
        "docs.flowline.dev/schedules",
        "Cron schedules are evaluated in UTC unless the pipeline sets timezone. Daylight saving "
        "transitions can skip or repeat a run at 01:00-02:59 local time; Flowline never runs the "
        "same scheduled slot twice. Use catchup: false to skip missed runs after a pause.",
        (
            "What time zone do Flowline cron schedules use?",
            "does DST cause duplicate runs",
            "How do I stop Flowline from backfilling missed runs?",
        ),
        "Cron schedules are in UTC unless the pipeline sets a timezone, and catchup: false "
        "skips runs missed during a pause {c}.",
    ),
    (
        "flowline",
        "fl-secrets-03",
        "Secrets",
        "docs.flowline.dev/security/secrets",
        "Store credentials with flowline secrets set NAME. Secrets are encrypted with AES-256 "
        "at rest, injected as environment variables at run time, and redacted from logs. A "
        "workspace can hold up to 500 secrets of at most 64 KB each.",
        (
            "How should I store API keys in Flowline?",
            "are secrets shown in logs",
            "What's the size limit for a Flowline secret?",
        ),
        "Use flowline secrets set NAME: secrets are encrypted at rest, injected as environment "
        "variables and redacted from logs {c}.",
    ),
    (
        "flowline",
        "fl-concurrency-04",
        "Concurrency limits",
        "docs.flowline.dev/concepts/concurrency",
        "The Team plan runs up to 20 tasks at once per workspace; Enterprise raises this to 200. "
        "Use concurrency_key to cap parallel runs that share a resource, for example one "
        "backfill per table. Queued tasks wait up to 24 hours before they are cancelled.",
        (
            "How many tasks can run in parallel on the Team plan?",
            "how do I limit concurrent runs against one database",
            "How long can a task stay queued?",
        ),
        "The Team plan runs 20 tasks at once per workspace (200 on Enterprise); concurrency_key "
        "caps runs that share a resource {c}.",
    ),
    (
        "flowline",
        "fl-pricing-05",
        "Pricing and billing",
        "flowline.dev/pricing",
        "Flowline bills per successful task run: the first 10,000 runs each month are free, "
        "then 0.0008 USD per run. Failed runs and retries are not billed. Invoices are issued "
        "on the first of the month in USD or EUR.",
        (
            "Are failed task runs billed?",
            "how much does flowline cost per run",
            "How many free runs are included each month?",
        ),
        "Only successful runs are billed: 10,000 free per month, then 0.0008 USD per run; "
        "failures and retries are free {c}.",
    ),
    (
        "flowline",
        "fl-python-06",
        "Supported Python versions",
        "docs.flowline.dev/runtime",
        "Workers run Python 3.10, 3.11 and 3.12. Python 3.9 support ended on 2025-10-31. "
        "Pin your version with runtime: python3.12 in flowline.yaml; the default is the newest "
        "supported version.",
        (
            "Does Flowline support Python 3.9?",
            "which python versions can workers run",
            "How do I pin the Python version?",
        ),
        "Workers run Python 3.10-3.12 (3.9 ended on 2025-10-31); pin one with runtime: "
        "python3.12 in flowline.yaml {c}.",
    ),
    (
        "runbooks",
        "rb-db-01",
        "Postgres primary failover",
        "runbooks/postgres-failover.md",
        "If the primary is unreachable for more than 60 seconds, Patroni promotes the replica "
        "with the least lag automatically. After a failover, check replication with "
        "SELECT * FROM pg_stat_replication and page the database on-call if lag exceeds 30 s.",
        (
            "What happens when the Postgres primary goes down?",
            "how long before patroni fails over",
            "How do I check replication after a failover?",
        ),
        "Patroni promotes the least-lagged replica after 60 seconds; then check "
        "pg_stat_replication and page the DB on-call if lag is over 30 s {c}.",
    ),
    (
        "runbooks",
        "rb-disk-02",
        "Disk almost full on ingestion nodes",
        "runbooks/ingestion-disk.md",
        "The DiskSpaceLow alert fires at 85% usage. First run kafka-log-dirs to find the "
        "largest partitions, then lower retention on the offending topic to 12 hours. Never "
        "delete segment files by hand: the broker will crash and need a full resync.",
        (
            "DiskSpaceLow alert on an ingestion node, what do I do?",
            "can I delete kafka segment files to free space",
            "At what usage does the disk alert fire?",
        ),
        "The alert fires at 85%: find the largest partitions with kafka-log-dirs and lower that "
        "topic's retention to 12 hours; never delete segment files by hand {c}.",
    ),
    (
        "runbooks",
        "rb-cert-03",
        "TLS certificate renewal",
        "runbooks/tls.md",
        "Certificates are issued by cert-manager and renew 30 days before expiry. If the "
        "CertificateExpiringSoon alert fires, describe the Certificate resource and look for "
        "failed ACME challenges, usually a DNS record that was changed by hand.",
        (
            "When do TLS certificates renew?",
            "CertificateExpiringSoon fired, where do I start",
            "why would cert-manager fail to renew",
        ),
        "cert-manager renews 30 days before expiry; if the alert fires, describe the Certificate "
        "and look for failed ACME challenges, often a hand-edited DNS record {c}.",
    ),
    (
        "runbooks",
        "rb-incident-04",
        "Declaring an incident",
        "runbooks/incidents.md",
        "Declare an incident with /incident in Slack when customers are affected or data may "
        "be lost. SEV1 means a full outage or data loss and pages the executive on-call; SEV2 "
        "is a degraded core feature. Post updates at least every 30 minutes.",
        (
            "How do I declare an incident?",
            "what counts as a SEV1",
            "How often should incident updates be posted?",
        ),
        "Run /incident in Slack when customers are affected; SEV1 is a full outage or data "
        "loss, and updates go out at least every 30 minutes {c}.",
    ),
    (
        "runbooks",
        "rb-deploy-05",
        "Rolling back a deploy",
        "runbooks/deploys.md#rollback",
        "To roll back, run deployctl rollback SERVICE --to PREVIOUS; it takes about 4 minutes "
        "per region. Database migrations are not rolled back automatically: check the "
        "migration's down step before rolling back a release that included one.",
        (
            "How do I roll back a bad deploy?",
            "are migrations rolled back with deployctl",
            "how long does a rollback take",
        ),
        "Run deployctl rollback SERVICE --to PREVIOUS (about 4 minutes per region); migrations "
        "are not rolled back automatically {c}.",
    ),
)

_UNANSWERABLE = (
    "What is the company's policy on bringing dogs to the office?",
    "Does Flowline support running tasks on GPUs?",
    "Who approves budget increases for the data team?",
    "How do I rotate the Redis password?",
    "what's the dress code for client meetings",
    "Can Flowline pipelines be triggered by S3 events?",
)
_ASKED_AS = (
    ("", ""),
    ("", ""),
    ("", ""),
    ("Quick one: ", ""),
    ("According to our docs, ", ""),
    ("Hey, ", " Thanks!"),
    ("I'm new here. ", ""),
    ("", " Need this for a customer call."),
    ("", " (asking for my team)"),
    ("Sorry if this is obvious: ", ""),
)
_MODELS = ("gpt-4o-2024-08-06", "claude-3-5-sonnet-20241022", "gpt-4.1-mini-2025-04-14")
_ANNOTATORS = ("r.ibrahim", "k.walsh", "t.moreau", "l.zhang")


def _ended(question: str) -> str:
    return question if question.endswith(("?", ".", ")")) else question + "?"


def _doc(fact: tuple[str, str, str, str, str, tuple[str, ...], str], chunk: int) -> dict[str, Any]:
    _kb, doc_id, title, source, passage, _q, _a = fact
    host = "" if "." in source.split("/")[0] else "wiki.internal.example/"
    url = f"https://{host}{source}"
    return {"id": f"{doc_id}#chunk-{chunk}", "title": title, "source": url, "text": passage}


def _retrieve(
    rng: random.Random, relevant: list[int], k: int
) -> tuple[list[dict[str, Any]], list[int]]:
    """``k`` documents including the relevant ones; returns them and the relevant positions."""
    kb = _FACTS[relevant[0]][0] if relevant else rng.choice(_FACTS)[0]
    same_kb = [i for i, f in enumerate(_FACTS) if f[0] == kb and i not in relevant]
    others = [i for i in range(len(_FACTS)) if i not in relevant and i not in same_kb]
    distract = rng.sample(same_kb, min(len(same_kb), k - len(relevant) - 1))
    chosen = relevant + distract + rng.sample(others, k - len(relevant) - len(distract))
    rng.shuffle(chosen)
    if relevant and rng.random() < 0.7:
        # the reranker usually, not always, puts a relevant chunk first
        first = chosen.index(relevant[0])
        chosen[0], chosen[first] = chosen[first], chosen[0]
    scores = sorted((round(rng.uniform(0.31, 0.94), 4) for _ in chosen), reverse=True)
    docs = []
    for fact_index, score in zip(chosen, scores, strict=True):
        doc = _doc(_FACTS[fact_index], rng.randint(0, 7))
        doc["score"] = score
        docs.append(doc)
    return docs, [chosen.index(r) for r in relevant]


def rag_item(rng: random.Random, from_production: bool) -> tuple[Any, Any, Any]:
    """One golden RAG case: (input, output, metadata)."""
    k = rng.choice((3, 4, 5, 5, 6, 8))
    kind = rng.random()
    if kind < 0.1:
        question = rng.choice(_UNANSWERABLE)
        docs, _ = _retrieve(rng, [], k)
        output: dict[str, Any] = {
            "answer": "The retrieved documents don't answer this. I couldn't find a policy or "
            "doc page about it; try asking in the owning team's channel.",
            "citations": [],
            "answerable": False,
        }
        tags, difficulty = ["unanswerable"], "hard"
    elif kind < 0.25:
        a, b = rng.sample(range(len(_FACTS)), 2)
        first, second = rng.choice(_FACTS[a][5]), rng.choice(_FACTS[b][5])
        question = f"{_ended(first)} Also, {second[0].lower()}{second[1:]}"
        docs, (pa, pb) = _retrieve(rng, [a, b], max(k, 4))
        answer = _FACTS[a][6].format(c=f"[{pa + 1}]") + " " + _FACTS[b][6].format(c=f"[{pb + 1}]")
        output = {
            "answer": answer,
            "citations": [docs[pa]["id"], docs[pb]["id"]],
            "answerable": True,
        }
        tags, difficulty = ["multi-hop", _FACTS[a][0], _FACTS[b][0]], "hard"
    else:
        f = rng.randrange(len(_FACTS))
        question = rng.choice(_FACTS[f][5])
        docs, (p,) = _retrieve(rng, [f], k)
        output = {
            "answer": _FACTS[f][6].format(c=f"[{p + 1}]"),
            "citations": [docs[p]["id"]],
            "answerable": True,
        }
        tags = [_FACTS[f][0], "single-hop"]
        difficulty = "easy" if p == 0 else "medium"
    before, after = rng.choice(_ASKED_AS)
    if before:
        question = before + question[0].lower() + question[1:]
    if after:
        question = _ended(question) + after
    metadata: dict[str, Any] = {
        "tags": tags,
        "difficulty": difficulty,
        "top_k": len(docs),
        "source": "production-sample" if from_production else "curated",
        "answer_model": rng.choice(_MODELS),
        "annotator": rng.choice(_ANNOTATORS),
        "grades": {
            "faithfulness": round(rng.uniform(0.85, 1.0), 2),
            "citation_precision": 1.0 if rng.random() < 0.8 else 0.5,
        },
    }
    return {"question": question, "documents": docs}, output, metadata


def big_rag_item(megabytes: int) -> tuple[Any, Any, Any]:
    """An item whose input is just over ``megabytes`` million bytes of JSON text (ASCII)."""
    target = megabytes * 1_000_000
    documents: list[dict[str, Any]] = []
    size = len('{"question": "", "documents": []}') + 200
    n = 0
    while size < target:
        fact = _FACTS[n % len(_FACTS)]
        sections = [
            f"Section {n // len(_FACTS) + 1}.{j + 1}. "
            + _FACTS[(n + j * 7) % len(_FACTS)][4]
            + f" (Revision {(n * 31 + j) % 97}, paragraph {j + 1} of 12.)"
            for j in range(12)
        ]
        doc = _doc(fact, n)
        doc["title"] = f"{fact[2]} (full export, part {n + 1})"
        doc["text"] = "\n\n".join(sections)
        doc["score"] = round(0.99 - n * 0.0001, 4)
        documents.append(doc)
        size += len(json.dumps(doc)) + 2
        n += 1
    question = (
        "Summarize every policy, product limit and runbook step that mentions a time limit "
        "(days, hours, minutes or seconds) across all of these documents."
    )
    output = {
        "answer": "Time limits found: PTO carry-over expires March 31 [1]; expenses within 30 "
        "days [3]; Flowline retries back off from 30 seconds [7]; queued tasks cancelled after "
        "24 hours [10]; Patroni fails over after 60 seconds [13]; incident updates every 30 "
        "minutes [16]. (Truncated: the context held "
        f"{len(documents)} chunks.)",
        "citations": [documents[i]["id"] for i in (0, 2, 6, 9, 12, 15)],
        "answerable": True,
    }
    metadata = {
        "tags": ["long-context", "stress"],
        "difficulty": "hard",
        "top_k": len(documents),
        "source": "curated",
        "input_bytes_approx": target,
        "note": f"oversized retrieval context, about {megabytes} MB of JSON",
    }
    return {"question": question, "documents": documents}, output, metadata
