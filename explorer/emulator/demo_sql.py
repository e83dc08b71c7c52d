"""Question, schema and reference SQL for the ``sql-generation`` demo dataset.

Five schemas, each with question templates whose reference query is written for the item's
dialect (date functions and intervals differ between PostgreSQL, MySQL, SQLite, ClickHouse and
BigQuery). Slots (numbers, statuses, countries, event names...) vary the questions.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

_SCHEMAS: dict[str, str] = {
    "ecommerce": """CREATE TABLE customers (
  id BIGINT PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  country CHAR(2) NOT NULL,
  created_at TIMESTAMP NOT NULL
);
CREATE TABLE products (
  id BIGINT PRIMARY KEY,
  name TEXT NOT NULL,
  category TEXT NOT NULL,
  price_cents INTEGER NOT NULL
);
CREATE TABLE orders (
  id BIGINT PRIMARY KEY,
  customer_id BIGINT NOT NULL REFERENCES customers(id),
  status TEXT NOT NULL, -- 'pending' | 'paid' | 'shipped' | 'delivered' | 'refunded'
  total_cents INTEGER NOT NULL,
  created_at TIMESTAMP NOT NULL
);
CREATE TABLE order_items (
  order_id BIGINT NOT NULL REFERENCES orders(id),
  product_id BIGINT NOT NULL REFERENCES products(id),
  quantity INTEGER NOT NULL,
  unit_price_cents INTEGER NOT NULL
);""",
    "hr": """CREATE TABLE departments (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  parent_id INTEGER REFERENCES departments(id)
);
CREATE TABLE employees (
  id INTEGER PRIMARY KEY,
  full_name TEXT NOT NULL,
  department_id INTEGER NOT NULL REFERENCES departments(id),
  manager_id INTEGER REFERENCES employees(id),
  title TEXT NOT NULL,
  hired_on DATE NOT NULL,
  terminated_on DATE
);
CREATE TABLE salaries (
  employee_id INTEGER NOT NULL REFERENCES employees(id),
  amount NUMERIC(12, 2) NOT NULL,
  currency CHAR(3) NOT NULL,
  effective_from DATE NOT NULL
);
CREATE TABLE time_off (
  employee_id INTEGER NOT NULL REFERENCES employees(id),
  kind TEXT NOT NULL, -- 'vacation' | 'sick' | 'parental'
  starts_on DATE NOT NULL,
  days NUMERIC(4, 1) NOT NULL
);""",
    "events": """CREATE TABLE events (
  uuid UUID,
  event String,
  distinct_id String,
  timestamp DateTime64(6, 'UTC'),
  properties String -- JSON
);
CREATE TABLE persons (
  id UUID,
  distinct_id String,
  created_at DateTime,
  plan String -- 'free' | 'pro' | 'enterprise'
);
CREATE TABLE sessions (
  session_id String,
  distinct_id String,
  started_at DateTime,
  duration_seconds UInt32,
  entry_url String
);""",
    "billing": """CREATE TABLE accounts (
  id BIGINT PRIMARY KEY,
  name TEXT NOT NULL,
  industry TEXT,
  created_at TIMESTAMP NOT NULL
);
CREATE TABLE subscriptions (
  id BIGINT PRIMARY KEY,
  account_id BIGINT NOT NULL REFERENCES accounts(id),
  plan TEXT NOT NULL, -- 'starter' | 'growth' | 'scale'
  mrr_cents INTEGER NOT NULL,
  started_at TIMESTAMP NOT NULL,
  canceled_at TIMESTAMP
);
CREATE TABLE invoices (
  id BIGINT PRIMARY KEY,
  account_id BIGINT NOT NULL REFERENCES accounts(id),
  amount_cents INTEGER NOT NULL,
  status TEXT NOT NULL, -- 'open' | 'paid' | 'void' | 'uncollectible'
  due_at TIMESTAMP NOT NULL,
  paid_at TIMESTAMP
);""",
    "support": """CREATE TABLE tickets (
  id BIGINT PRIMARY KEY,
  requester_email TEXT NOT NULL,
  channel TEXT NOT NULL, -- 'email' | 'chat' | 'phone'
  priority TEXT NOT NULL, -- 'low' | 'normal' | 'high' | 'urgent'
  status TEXT NOT NULL, -- 'open' | 'pending' | 'solved'
  assignee_id INTEGER REFERENCES agents(id),
  created_at TIMESTAMP NOT NULL,
  solved_at TIMESTAMP
);
CREATE TABLE agents (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  team TEXT NOT NULL
);
CREATE TABLE csat_responses (
  ticket_id BIGINT NOT NULL REFERENCES tickets(id),
  score SMALLINT NOT NULL, -- 1..5
  comment TEXT,
  submitted_at TIMESTAMP NOT NULL
);""",
}

_DIALECTS: dict[str, tuple[str, ...]] = {
    "ecommerce": ("postgresql", "postgresql", "mysql", "sqlite"),
    "hr": ("postgresql", "mysql", "sqlite"),
    "events": ("clickhouse", "clickhouse", "bigquery"),
    "billing": ("postgresql", "bigquery", "mysql"),
    "support": ("postgresql", "sqlite", "mysql"),
}


def _ago(dialect: str, col: str, n: int, unit: str = "day") -> str:
    """``col`` is within the last ``n`` units, in the dialect's spelling."""
    if dialect == "postgresql":
        return f"{col} >= now() - interval '{n} {unit}s'"
    if dialect == "mysql":
        return f"{col} >= NOW() - INTERVAL {n} {unit.upper()}"
    if dialect == "sqlite":
        return f"{col} >= datetime('now', '-{n} {unit}s')"
    if dialect == "clickhouse":
        return f"{col} >= now() - INTERVAL {n} {unit.upper()}"
    return f"{col} >= TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL {n} {unit.upper()})"


def _month(dialect: str, col: str) -> str:
    return {
        "postgresql": f"date_trunc('month', {col})",
        "mysql": f"DATE_FORMAT({col}, '%Y-%m-01')",
        "sqlite": f"strftime('%Y-%m-01', {col})",
        "clickhouse": f"toStartOfMonth({col})",
        "bigquery": f"DATE_TRUNC(DATE({col}), MONTH)",
    }[dialect]


def _json_prop(dialect: str, key: str) -> str:
    if dialect == "clickhouse":
        return f"JSONExtractString(properties, '{key}')"
    return f"JSON_VALUE(properties, '$.{key}')"


_COUNTRIES = ("US", "GB", "DE", "FR", "CA", "BR", "IN", "JP", "AU", "NL")
_CATEGORIES = ("kitchen", "audio", "smart home", "computing", "outdoor", "toys")
_STATUSES = ("paid", "shipped", "delivered", "refunded", "pending")
_DEPTS = ("Engineering", "Sales", "Support", "Finance", "Marketing", "People")
_EVENTS = ("$pageview", "signed_up", "checkout_started", "invite_sent", "file_uploaded")
_PLANS = ("starter", "growth", "scale")
_PRIORITIES = ("urgent", "high", "normal")

# (difficulty, tags, tables, builder(rng, dialect) -> (question, sql))
_Template = tuple[
    str, tuple[str, ...], tuple[str, ...], Callable[[random.Random, str], tuple[str, str]]
]


def _ecommerce() -> list[_Template]:
    def revenue_by_month(rng: random.Random, d: str) -> tuple[str, str]:
        n = rng.choice((3, 6, 12, 24))
        return (
            f"Total revenue per month for the last {n} months, excluding refunded orders.",
            f"SELECT {_month(d, 'created_at')} AS month, SUM(total_cents) / 100.0 AS revenue\n"
            f"FROM orders\nWHERE status <> 'refunded' AND {_ago(d, 'created_at', n, 'month')}\n"
            "GROUP BY 1\nORDER BY 1;",
        )

    def top_products(rng: random.Random, d: str) -> tuple[str, str]:
        n, cat = rng.choice((5, 10, 20)), rng.choice(_CATEGORIES)
        return (
            f"What are the top {n} best-selling {cat} products by units sold?",
            "SELECT p.name, SUM(oi.quantity) AS units\nFROM order_items oi\n"
            "JOIN products p ON p.id = oi.product_id\n"
            f"WHERE p.category = '{cat}'\nGROUP BY p.name\nORDER BY units DESC\nLIMIT {n};",
        )

    def customers_by_country(rng: random.Random, d: str) -> tuple[str, str]:
        c = rng.choice(_COUNTRIES)
        days = rng.choice((7, 30, 90))
        return (
            rng.choice(
                (
                    f"How many customers from {c} signed up in the last {days} days?",
                    f"new customers in {c}, past {days} days?",
                )
            ),
            "SELECT COUNT(*) AS new_customers\nFROM customers\n"
            f"WHERE country = '{c}' AND {_ago(d, 'created_at', days)};",
        )

    def status_count(rng: random.Random, d: str) -> tuple[str, str]:
        s = rng.choice(_STATUSES)
        return (
            f"How many orders are currently {s}?",
            f"SELECT COUNT(*) FROM orders WHERE status = '{s}';",
        )

    def repeat_customers(rng: random.Random, d: str) -> tuple[str, str]:
        n = rng.choice((2, 3, 5))
        return (
            f"List the emails of customers who placed at least {n} orders, with their order "
            "count, most orders first.",
            "SELECT c.email, COUNT(o.id) AS orders\nFROM customers c\n"
            "JOIN orders o ON o.customer_id = c.id\nGROUP BY c.email\n"
            f"HAVING COUNT(o.id) >= {n}\nORDER BY orders DESC;",
        )

    def aov_by_country(rng: random.Random, d: str) -> tuple[str, str]:
        n = rng.choice((50, 100, 500))
        return (
            "Average order value in dollars by customer country, only countries with more than "
            f"{n} orders.",
            "SELECT c.country, AVG(o.total_cents) / 100.0 AS avg_order_value\n"
            "FROM orders o\nJOIN customers c ON c.id = o.customer_id\nGROUP BY c.country\n"
            f"HAVING COUNT(*) > {n}\nORDER BY avg_order_value DESC;",
        )

    def never_ordered(rng: random.Random, d: str) -> tuple[str, str]:
        return (
            "Which products have never been ordered?",
            "SELECT p.id, p.name\nFROM products p\n"
            "LEFT JOIN order_items oi ON oi.product_id = p.id\nWHERE oi.product_id IS NULL;",
        )

    def running_total(rng: random.Random, d: str) -> tuple[str, str]:
        c = rng.choice(_COUNTRIES)
        return (
            f"For customers in {c}, show each order with a running total of that customer's "
            "spend over time.",
            "SELECT o.customer_id, o.id, o.created_at,\n"
            "       SUM(o.total_cents) OVER (PARTITION BY o.customer_id ORDER BY o.created_at) "
            "AS running_total_cents\nFROM orders o\nJOIN customers c ON c.id = o.customer_id\n"
            f"WHERE c.country = '{c}'\nORDER BY o.customer_id, o.created_at;",
        )

    return [
        ("medium", ("aggregation", "date"), ("orders",), revenue_by_month),
        ("medium", ("join", "aggregation"), ("order_items", "products"), top_products),
        ("easy", ("filter", "date"), ("customers",), customers_by_country),
        ("easy", ("filter",), ("orders",), status_count),
        ("medium", ("join", "having"), ("customers", "orders"), repeat_customers),
        ("medium", ("join", "having"), ("orders", "customers"), aov_by_country),
        ("medium", ("anti-join",), ("products", "order_items"), never_ordered),
        ("hard", ("window", "join"), ("orders", "customers"), running_total),
    ]


def _hr() -> list[_Template]:
    def headcount(rng: random.Random, d: str) -> tuple[str, str]:
        return (
            rng.choice(
                (
                    "Current headcount per department.",
                    "how many active employees in each department?",
                )
            ),
            "SELECT d.name, COUNT(*) AS headcount\nFROM employees e\n"
            "JOIN departments d ON d.id = e.department_id\nWHERE e.terminated_on IS NULL\n"
            "GROUP BY d.name\nORDER BY headcount DESC;",
        )

    def latest_salary(rng: random.Random, d: str) -> tuple[str, str]:
        dept = rng.choice(_DEPTS)
        return (
            f"Show every {dept} employee with their current salary.",
            "SELECT e.full_name, s.amount, s.currency\nFROM employees e\n"
            "JOIN departments d ON d.id = e.department_id\nJOIN salaries s ON s.employee_id = "
            "e.id\nWHERE d.name = '" + dept + "'\n  AND s.effective_from = (\n"
            "    SELECT MAX(s2.effective_from) FROM salaries s2 WHERE s2.employee_id = e.id\n"
            "  );",
        )

    def managers(rng: random.Random, d: str) -> tuple[str, str]:
        n = rng.choice((5, 8, 10))
        return (
            f"Which managers have more than {n} direct reports?",
            "SELECT m.full_name, COUNT(e.id) AS reports\nFROM employees e\n"
            "JOIN employees m ON m.id = e.manager_id\nWHERE e.terminated_on IS NULL\n"
            f"GROUP BY m.full_name\nHAVING COUNT(e.id) > {n};",
        )

    def sick_days(rng: random.Random, d: str) -> tuple[str, str]:
        kind = rng.choice(("sick", "vacation", "parental"))
        return (
            f"Total {kind} days taken per department this year.",
            "SELECT d.name, SUM(t.days) AS days\nFROM time_off t\n"
            "JOIN employees e ON e.id = t.employee_id\n"
            "JOIN departments d ON d.id = e.department_id\n"
            f"WHERE t.kind = '{kind}' AND {_ago(d, 't.starts_on', 1, 'year')}\nGROUP BY d.name;",
        )

    def attrition(rng: random.Random, d: str) -> tuple[str, str]:
        return (
            "How many people left each month over the past year?",
            f"SELECT {_month(d, 'terminated_on')} AS month, COUNT(*) AS leavers\n"
            f"FROM employees\nWHERE terminated_on IS NOT NULL AND "
            f"{_ago(d, 'terminated_on', 12, 'month')}\nGROUP BY 1\nORDER BY 1;",
        )

    def salary_rank(rng: random.Random, d: str) -> tuple[str, str]:
        n = rng.choice((1, 3, 5))
        return (
            f"Top {n} earners in each department (latest salary).",
            "WITH latest AS (\n  SELECT employee_id, amount,\n"
            "         ROW_NUMBER() OVER (PARTITION BY employee_id ORDER BY effective_from DESC)"
            " AS rn\n  FROM salaries\n), ranked AS (\n  SELECT d.name AS department, "
            "e.full_name, l.amount,\n         RANK() OVER (PARTITION BY d.id ORDER BY l.amount "
            "DESC) AS r\n  FROM latest l\n  JOIN employees e ON e.id = l.employee_id\n  JOIN "
            "departments d ON d.id = e.department_id\n  WHERE l.rn = 1\n)\nSELECT department, "
            f"full_name, amount FROM ranked WHERE r <= {n};",
        )

    return [
        ("easy", ("join", "aggregation"), ("employees", "departments"), headcount),
        (
            "hard",
            ("correlated-subquery",),
            ("employees", "departments", "salaries"),
            latest_salary,
        ),
        ("medium", ("self-join", "having"), ("employees",), managers),
        ("medium", ("join", "date"), ("time_off", "employees", "departments"), sick_days),
        ("medium", ("date", "aggregation"), ("employees",), attrition),
        ("hard", ("window", "cte"), ("salaries", "employees", "departments"), salary_rank),
    ]


def _events() -> list[_Template]:
    def daily_active(rng: random.Random, d: str) -> tuple[str, str]:
        n = rng.choice((7, 14, 30))
        day = "toDate(timestamp)" if d == "clickhouse" else "DATE(timestamp)"
        uniq = "uniq(distinct_id)" if d == "clickhouse" else "COUNT(DISTINCT distinct_id)"
        return (
            f"Daily active users for the last {n} days.",
            f"SELECT {day} AS day, {uniq} AS dau\nFROM events\n"
            f"WHERE {_ago(d, 'timestamp', n)}\nGROUP BY day\nORDER BY day;",
        )

    def event_count(rng: random.Random, d: str) -> tuple[str, str]:
        ev, n = rng.choice(_EVENTS), rng.choice((1, 7, 30))
        return (
            rng.choice(
                (
                    f"How many {ev} events happened in the last {n} days?",
                    f"count of '{ev}' over the past {n} days",
                )
            ),
            f"SELECT count() FROM events\nWHERE event = '{ev}' AND {_ago(d, 'timestamp', n)};"
            if d == "clickhouse"
            else f"SELECT COUNT(*) FROM events\nWHERE event = '{ev}' AND "
            f"{_ago(d, 'timestamp', n)};",
        )

    def top_pages(rng: random.Random, d: str) -> tuple[str, str]:
        n = rng.choice((10, 20))
        return (
            f"Top {n} pages by pageviews this week.",
            f"SELECT {_json_prop(d, '$current_url')} AS url, count(*) AS views\nFROM events\n"
            f"WHERE event = '$pageview' AND {_ago(d, 'timestamp', 7)}\nGROUP BY url\n"
            f"ORDER BY views DESC\nLIMIT {n};",
        )

    def funnel(rng: random.Random, d: str) -> tuple[str, str]:
        a, b = rng.sample(_EVENTS, 2)
        return (
            f"Of the users who did {a} in the last 30 days, how many later did {b}?",
            "WITH firsts AS (\n  SELECT distinct_id, MIN(timestamp) AS first_at\n  FROM events\n"
            f"  WHERE event = '{a}' AND {_ago(d, 'timestamp', 30)}\n  GROUP BY distinct_id\n)\n"
            "SELECT COUNT(DISTINCT f.distinct_id) AS converted\nFROM firsts f\n"
            "JOIN events e ON e.distinct_id = f.distinct_id\n"
            f"WHERE e.event = '{b}' AND e.timestamp > f.first_at;",
        )

    def session_length(rng: random.Random, d: str) -> tuple[str, str]:
        plan = rng.choice(("free", "pro", "enterprise"))
        median = (
            "quantile(0.5)(s.duration_seconds)"
            if d == "clickhouse"
            else "APPROX_QUANTILES(s.duration_seconds, 2)[OFFSET(1)]"
        )
        return (
            f"Median session length for {plan} users.",
            f"SELECT {median} AS median_seconds\nFROM sessions s\n"
            f"JOIN persons p ON p.distinct_id = s.distinct_id\nWHERE p.plan = '{plan}';",
        )

    return [
        ("easy", ("aggregation", "date"), ("events",), daily_active),
        ("easy", ("filter", "date"), ("events",), event_count),
        ("medium", ("json", "aggregation"), ("events",), top_pages),
        ("hard", ("cte", "funnel", "join"), ("events",), funnel),
        ("medium", ("join", "percentile"), ("sessions", "persons"), session_length),
    ]


def _billing() -> list[_Template]:
    def mrr_by_plan(rng: random.Random, d: str) -> tuple[str, str]:
        return (
            "Current MRR by plan, in dollars.",
            "SELECT plan, SUM(mrr_cents) / 100.0 AS mrr\nFROM subscriptions\n"
            "WHERE canceled_at IS NULL\nGROUP BY plan\nORDER BY mrr DESC;",
        )

    def overdue(rng: random.Random, d: str) -> tuple[str, str]:
        n = rng.choice((15, 30, 60))
        cutoff = _ago(d, "i.due_at", n).replace("i.due_at >= ", "")
        return (
            f"Accounts with open invoices more than {n} days past due, and how much they owe.",
            "SELECT a.name, SUM(i.amount_cents) / 100.0 AS owed\nFROM invoices i\n"
            "JOIN accounts a ON a.id = i.account_id\nWHERE i.status = 'open'\n"
            f"  AND i.due_at < {cutoff}\n"
            "GROUP BY a.name\nORDER BY owed DESC;",
        )

    def churn(rng: random.Random, d: str) -> tuple[str, str]:
        plan = rng.choice(_PLANS)
        return (
            f"How many {plan} subscriptions were canceled in each of the last 6 months?",
            f"SELECT {_month(d, 'canceled_at')} AS month, COUNT(*) AS canceled\n"
            f"FROM subscriptions\nWHERE plan = '{plan}' AND {_ago(d, 'canceled_at', 6, 'month')}\n"
            "GROUP BY 1\nORDER BY 1;",
        )

    def industry(rng: random.Random, d: str) -> tuple[str, str]:
        return (
            "Which industries bring in the most paid invoice revenue?",
            "SELECT COALESCE(a.industry, 'unknown') AS industry, SUM(i.amount_cents) / 100.0 AS "
            "revenue\nFROM invoices i\nJOIN accounts a ON a.id = i.account_id\n"
            "WHERE i.status = 'paid'\nGROUP BY 1\nORDER BY revenue DESC;",
        )

    return [
        ("easy", ("aggregation",), ("subscriptions",), mrr_by_plan),
        ("medium", ("join", "date"), ("invoices", "accounts"), overdue),
        ("medium", ("date", "aggregation"), ("subscriptions",), churn),
        ("medium", ("join", "null-handling"), ("invoices", "accounts"), industry),
    ]


def _support() -> list[_Template]:
    def open_by_priority(rng: random.Random, d: str) -> tuple[str, str]:
        return (
            "Number of open tickets by priority.",
            "SELECT priority, COUNT(*) AS open_tickets\nFROM tickets\nWHERE status = 'open'\n"
            "GROUP BY priority;",
        )

    def csat_by_agent(rng: random.Random, d: str) -> tuple[str, str]:
        n = rng.choice((10, 20, 50))
        return (
            f"Average CSAT per agent over the last 90 days, only agents with at least {n} "
            "responses.",
            "SELECT a.name, AVG(c.score) AS csat, COUNT(*) AS responses\nFROM csat_responses c\n"
            "JOIN tickets t ON t.id = c.ticket_id\nJOIN agents a ON a.id = t.assignee_id\n"
            f"WHERE {_ago(d, 'c.submitted_at', 90)}\nGROUP BY a.name\n"
            f"HAVING COUNT(*) >= {n}\nORDER BY csat DESC;",
        )

    def unassigned(rng: random.Random, d: str) -> tuple[str, str]:
        p = rng.choice(_PRIORITIES)
        return (
            f"List unassigned {p} tickets, oldest first.",
            "SELECT id, requester_email, created_at\nFROM tickets\n"
            f"WHERE assignee_id IS NULL AND priority = '{p}' AND status <> 'solved'\n"
            "ORDER BY created_at;",
        )

    return [
        ("easy", ("aggregation",), ("tickets",), open_by_priority),
        (
            "hard",
            ("join", "having", "date"),
            ("csat_responses", "tickets", "agents"),
            csat_by_agent,
        ),
        ("easy", ("filter", "null-handling"), ("tickets",), unassigned),
    ]


_TEMPLATES: dict[str, list[_Template]] = {
    "ecommerce": _ecommerce(),
    "hr": _hr(),
    "events": _events(),
    "billing": _billing(),
    "support": _support(),
}
_SCHEMA_WEIGHTS = {"ecommerce": 0.3, "hr": 0.18, "events": 0.25, "billing": 0.15, "support": 0.12}
_SCHEMA_NAMES = list(_SCHEMA_WEIGHTS)
_WEIGHTS = list(_SCHEMA_WEIGHTS.values())
_PHRASINGS = (
    "{q}",
    "{q}",
    "{q}",
    "Write a SQL query: {q}",
    "{q} Return only the query.",
    "Using the schema above, {ql}",
    "{q} ({d} syntax, please)",
    "{d}: {ql}",
)
_DIALECT_LABELS = {
    "postgresql": "PostgreSQL",
    "mysql": "MySQL",
    "sqlite": "SQLite",
    "clickhouse": "ClickHouse",
    "bigquery": "BigQuery",
}


def sql_item(rng: random.Random) -> tuple[Any, Any, Any]:
    """One text-to-SQL case: (input, output, metadata)."""
    schema = rng.choices(_SCHEMA_NAMES, weights=_WEIGHTS)[0]
    dialect = rng.choice(_DIALECTS[schema])
    difficulty, tags, tables, build = rng.choice(_TEMPLATES[schema])
    question, sql = build(rng, dialect)
    question = rng.choice(_PHRASINGS).format(
        q=question, ql=question[0].lower() + question[1:], d=_DIALECT_LABELS[dialect]
    )
    metadata = {
        "dialect": dialect,
        "difficulty": difficulty,
        "schema": schema,
        "tables": list(tables),
        "tags": list(tags),
        "execution_verified": rng.random() < 0.93,
    }
    return {"question": question, "schema": _SCHEMAS[schema]}, {"sql": sql}, metadata
