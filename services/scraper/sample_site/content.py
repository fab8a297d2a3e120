"""The sample site's content: article files rendered through publisher-style templates, plus feeds.

Each `articles/*.txt` file is a header block (`key: value` lines), a `---` line and the body:
paragraphs separated by blank lines, `## ` subheadings, `> ` quotes, `[caption: text]` photos and
`Read More: [Headline](/path.html)` link lines. The text is original, written for newswire.
"""

import html
import re
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from importlib import resources
from string import Template
from xml.sax.saxutils import escape as xml_escape

import orjson

__all__ = [
    "SITE_NAME",
    "ArticleFile",
    "load_articles",
    "render_article",
    "render_atom",
    "render_index",
    "render_news_sitemap",
    "render_rss",
    "render_url_sitemap",
]

SITE_NAME = "The Sample Gazette"
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")


@dataclass(slots=True)
class ArticleFile:
    path: str
    template: str
    title: str
    author: str
    published: datetime
    section: str
    description: str
    language: str
    body: str
    #: "latin1": served as Latin-1 bytes while the page declares UTF-8.
    hostile: str | None = None
    #: HTML crediting the text's source and licence, shown in the page footer (outside the article).
    credit: str = ""
    extra_paragraphs: list[str] = field(default_factory=list)

    @property
    def paragraphs(self) -> list[str]:
        blocks = [b.strip() for b in self.body.split("\n\n") if b.strip()]
        return blocks + self.extra_paragraphs

    @property
    def plain_text(self) -> str:
        """The body as a reader sees it, without markup (and with "Read More" lines)."""
        lines = []
        for block in self.paragraphs:
            block = _LINK.sub(r"\1", block)
            if block.startswith("[caption:"):
                continue
            lines.append(block.removeprefix("## ").removeprefix("> "))
        return "\n".join(lines)


def _parse_article(name: str, text: str) -> ArticleFile:
    header, sep, body = text.partition("\n---\n")
    if not sep:
        raise ValueError(f"{name}: missing the '---' line between header and body")
    fields = dict(line.split(": ", 1) for line in header.strip().splitlines())
    return ArticleFile(
        path=fields["path"],
        template=fields.get("template", "newsroom"),
        title=fields["title"],
        author=fields["author"],
        published=datetime.fromisoformat(fields["published"]),
        section=fields.get("section", "World"),
        description=fields.get("description", ""),
        language=fields.get("language", "en"),
        body=body,
        hostile=fields.get("hostile"),
    )


def load_articles() -> list[ArticleFile]:
    folder = resources.files(__package__).joinpath("articles")
    files = sorted((p for p in folder.iterdir() if p.name.endswith(".txt")), key=lambda p: p.name)
    return [_parse_article(p.name, p.read_text(encoding="utf-8")) for p in files]


def _template(name: str) -> Template:
    return Template(resources.files(__package__).joinpath("templates", f"{name}.html").read_text(encoding="utf-8"))


def _inline(text: str) -> str:
    escaped = html.escape(text, quote=False)
    return _LINK.sub(lambda m: f'<a href="{html.escape(m.group(2))}">{m.group(1)}</a>', escaped)


def _body_html(article: ArticleFile, *, style: str) -> str:
    parts = []
    for block in article.paragraphs:
        if block.startswith("## "):
            parts.append(f"<h2>{_inline(block[3:])}</h2>")
        elif block.startswith("> "):
            parts.append(f"<blockquote><p>{_inline(block[2:])}</p></blockquote>")
        elif block.startswith("[caption:"):
            caption = html.escape(block.removeprefix("[caption:").rstrip("]").strip())
            parts.append(
                f'<figure class="wp-caption"><img src="/static/photo.svg" alt="{caption}" width="800" height="450">'
                f"<figcaption>{caption}</figcaption></figure>"
            )
        elif re.match(r"^(Read More|Also Read):", block):
            label, _, rest = block.partition(":")
            parts.append(f'<p class="read-more"><strong>{label}:</strong> {_inline(rest.strip())}</p>')
        elif style == "legacy":
            parts.append(f"{_inline(block)}<br><br>")
        else:
            parts.append(f"<p>{_inline(block)}</p>")
    return "\n".join(parts)


def _related(article: ArticleFile, others: list[ArticleFile]) -> str:
    picks = [o for o in others if o.path != article.path][:5]
    return "\n".join(f'<li><a href="{o.path}">{html.escape(o.title)}</a></li>' for o in picks)


def render_article(article: ArticleFile, *, base_url: str, published: datetime, others: list[ArticleFile]) -> str:
    url = base_url + article.path
    body = _body_html(article, style=article.template)
    jsonld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "description": article.description,
        "datePublished": published.isoformat(),
        "dateModified": published.isoformat(),
        "author": [{"@type": "Person", "name": article.author}],
        "publisher": {"@type": "Organization", "name": SITE_NAME},
        "mainEntityOfPage": url,
        "inLanguage": article.language,
        "articleSection": article.section,
    }
    if article.template == "newsroom":
        jsonld["articleBody"] = article.plain_text
    values = {
        "title": html.escape(article.title),
        "title_json": html.escape(article.title),
        "author": html.escape(article.author),
        "description": html.escape(article.description),
        "section": html.escape(article.section),
        "published_iso": published.isoformat(),
        "published_human": published.strftime("%d %B %Y, %H:%M"),
        "url": url,
        "language": article.language,
        "body": body,
        "related": _related(article, others),
        "site_name": SITE_NAME,
        "credit": article.credit,
        "jsonld": orjson.dumps(jsonld).decode().replace("</", "<\\/"),
    }
    return _template(article.template).substitute(values)


def render_index(title: str, articles: list[ArticleFile], *, credit: str = "") -> str:
    items = "\n".join(
        f'<li><a href="{a.path}">{html.escape(a.title)}</a> <span class="section">{html.escape(a.section)}</span></li>'
        for a in articles
    )
    return _template("index").substitute(title=html.escape(title), items=items, site_name=SITE_NAME, credit=credit)


def render_rss(base_url: str, items: list[tuple[ArticleFile, datetime]]) -> str:
    entries = "\n".join(
        f"<item><title>{xml_escape(a.title)}</title><link>{base_url}{a.path}</link>"
        f'<guid isPermaLink="true">{base_url}{a.path}</guid><pubDate>{format_datetime(p)}</pubDate>'
        f"<description>{xml_escape(a.description)}</description><category>{xml_escape(a.section)}</category></item>"
        for a, p in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
        f"<title>{SITE_NAME}</title><link>{base_url}/</link><description>Latest news</description>\n"
        f"{entries}\n</channel></rss>\n"
    )


def render_atom(base_url: str, items: list[tuple[ArticleFile, datetime]], *, links: dict[str, str]) -> str:
    entries = "\n".join(
        f'<entry><title>{xml_escape(a.title)}</title><link href="{base_url}{links.get(a.path, a.path)}"/>'
        f"<id>{base_url}{a.path}</id><updated>{p.isoformat()}</updated><published>{p.isoformat()}</published>"
        f"<author><name>{xml_escape(a.author)}</name></author><summary>{xml_escape(a.description)}</summary></entry>"
        for a, p in items
    )
    updated = max((p for _, p in items), default=None)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{SITE_NAME}: analysis</title><id>{base_url}/feeds/atom.xml</id>"
        f"<updated>{updated.isoformat() if updated else ''}</updated>\n{entries}\n</feed>\n"
    )


def render_news_sitemap(base_url: str, items: list[tuple[ArticleFile, datetime]]) -> str:
    entries = "\n".join(
        f"<url><loc>{base_url}{a.path}</loc><news:news><news:publication><news:name>{SITE_NAME}</news:name>"
        f"<news:language>{a.language}</news:language></news:publication>"
        f"<news:publication_date>{p.isoformat()}</news:publication_date>"
        f"<news:title>{xml_escape(a.title)}</news:title></news:news></url>"
        for a, p in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n'
        f"{entries}\n</urlset>\n"
    )


def render_url_sitemap(base_url: str, paths: list[str]) -> str:
    entries = "\n".join(f"<url><loc>{base_url}{p}</loc></url>" for p in paths)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{entries}\n</urlset>\n"
    )
