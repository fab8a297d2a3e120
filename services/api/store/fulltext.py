"""The full-text index, the one part of the store written per database: FTS5 on SQLite, a tsvector
table with a GIN index on PostgreSQL. Everything else is in `tables` and `store`, written once.

Both translate the same parsed query (`newswire.api.search`): clauses AND-ed, the terms of a clause
OR-ed, phrases as phrases, excluded terms subtracted. Both stem English words (FTS5's porter
tokenizer, the `english` text-search configuration).
"""

from typing import Any

from sqlalchemy import Column, ColumnElement, Connection, MetaData, Table, Text, func, select, text
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.sql.expression import UnaryExpression
from sqlalchemy.sql.operators import custom_op

from ..search import SearchQuery, Term
from .tables import articles

__all__ = ["create_index_ddl", "index_text", "matches"]

# PostgreSQL's index as a table (SQLite's is a virtual table that SQLAlchemy need not know about).
_pg = MetaData()
pg_article_search = Table(
    "article_search",
    _pg,
    Column("article_id", Text, primary_key=True),
    Column("document", TSVECTOR, nullable=False),
)

_CONFIG = "english"


def create_index_ddl(dialect: str) -> list[str]:
    """DDL of the index (run by the first migration)."""
    if dialect == "sqlite":
        return [
            "CREATE VIRTUAL TABLE IF NOT EXISTS article_search "
            "USING fts5(title, summary, text, tokenize = 'porter unicode61')"
        ]
    return [
        "CREATE TABLE IF NOT EXISTS article_search ("
        " article_id TEXT PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,"
        " document TSVECTOR NOT NULL)",
        "CREATE INDEX IF NOT EXISTS article_search_document ON article_search USING GIN (document)",
    ]


def index_text(conn: Connection, *, article_id: str, title: str, summary: str, body: str) -> None:
    """(Re)index one stored article's text, in the caller's transaction."""
    if conn.dialect.name == "sqlite":
        # The FTS row shares the article's rowid, which an upsert keeps.
        params = {"id": article_id, "title": title, "summary": summary, "text": body}
        conn.execute(
            text("DELETE FROM article_search WHERE rowid = (SELECT rowid FROM articles WHERE id = :id)"), params
        )
        conn.execute(
            text(
                "INSERT INTO article_search (rowid, title, summary, text)"
                " SELECT rowid, :title, :summary, :text FROM articles WHERE id = :id"
            ),
            params,
        )
        return
    document = func.to_tsvector(_CONFIG, f"{title}\n{summary}\n{body}")
    stmt = pg_insert(pg_article_search).values(article_id=article_id, document=document)
    conn.execute(stmt.on_conflict_do_update(index_elements=["article_id"], set_={"document": stmt.excluded.document}))


def matches(dialect: str, query: SearchQuery) -> ColumnElement[bool]:
    """A WHERE clause on `articles` selecting the articles that match `query`."""
    if dialect == "sqlite":
        return text(
            "articles.rowid IN (SELECT rowid FROM article_search WHERE article_search MATCH :fts_query)"
        ).bindparams(fts_query=_fts5(query))  # type: ignore[return-value]
    return articles.c.id.in_(
        select(pg_article_search.c.article_id).where(pg_article_search.c.document.op("@@")(_tsquery(query)))
    )


def _fts5_term(term: Term) -> str:
    # Quoted: FTS5 operators and punctuation in user input are taken literally; a quoted string of
    # several words is an FTS5 phrase.
    return '"' + term.text.replace('"', '""') + '"'


def _fts5(query: SearchQuery) -> str:
    clauses = ["(" + " OR ".join(_fts5_term(t) for t in clause) + ")" for clause in query.clauses]
    expression = " AND ".join(clauses)
    if query.excluded:
        # FTS5's NOT is binary (`a NOT b`): the excluded terms are subtracted from the whole.
        expression = f"({expression}) NOT (" + " OR ".join(_fts5_term(t) for t in query.excluded) + ")"
    return expression


def _pg_term(term: Term) -> ColumnElement[Any]:
    # SQLAlchemy casts the configuration name to regconfig for these functions.
    if len(term.words) == 1:
        return func.plainto_tsquery(_CONFIG, term.text)
    return func.phraseto_tsquery(_CONFIG, term.text)


def _tsquery(query: SearchQuery) -> ColumnElement[Any]:
    """`(a || b) && c && !!d`: tsquery operators compose per-term queries, each stemmed by PostgreSQL."""
    clauses = []
    for clause in query.clauses:
        either = _pg_term(clause[0])
        for term in clause[1:]:
            either = either.op("||")(_pg_term(term))
        clauses.append(either.self_group())
    expression = clauses[0]
    for other in clauses[1:]:
        expression = expression.op("&&")(other)
    for term in query.excluded:
        # `!!` is a prefix operator; `op()` builds infix ones.
        expression = expression.op("&&")(UnaryExpression(_pg_term(term), operator=custom_op("!!")))
    return expression
