// newswire dashboard: the article view and the entity page, opened from the URL's hash
// (`#article/<id>`, `#entity/<id>`) over the live list, so a view can be shared and the back key closes it.
// Uses el(), api(), renderCard(), applyFilter() and friends from app.js (loaded first).
"use strict";

const ENTITY_PAGE_SIZE = 100;
const TYPE_NAMES = { PERSON: "person", ORG: "organisation", COUNTRY: "country", CITY: "city", REGION: "region", EVENT: "event" };
const views = { token: 0, opener: null, lastFocus: null, entity: null };

function route() {
  const match = /^#(article|entity)\/(.+)$/.exec(location.hash);
  if (!match) return closeView({ fromRoute: true });
  let id;
  try {
    id = decodeURIComponent(match[2]);
  } catch {
    return closeView({ fromRoute: true });
  }
  openView();
  const token = ++views.token;
  const body = $("view-body");
  body.replaceChildren(el("p", { class: "hint" }, "Loading…"));
  const show = match[1] === "article" ? showArticle : showEntity;
  show(id, token).catch((error) => {
    if (token === views.token) body.replaceChildren(el("h2", { id: "view-title" }, "Not available"), el("p", { class: "error" }, error.message));
  });
}

function openView() {
  const view = $("view");
  // The link that opened the view (following a link to a hash may already have moved the focus to <body>).
  if (view.hidden) views.opener = views.lastFocus || document.activeElement;
  views.lastFocus = null;
  view.hidden = false;
  document.body.classList.add("viewing");
  view.querySelector(".view-panel").focus();
}

function closeView({ fromRoute = false } = {}) {
  views.token += 1;
  const view = $("view");
  if (view.hidden) return;
  view.hidden = true;
  document.body.classList.remove("viewing");
  if (!fromRoute) history.pushState(null, "", `${location.pathname}${location.search}`);
  if (views.opener && document.contains(views.opener)) views.opener.focus();
}

// -- the article view: its text with every entity mention marked by type, topics with evidence ------

// Mention offsets count Unicode code points (Python strings); JavaScript strings count UTF-16 units.
function utf16Offsets(text) {
  if (!/[\uD800-\uDFFF]/.test(text)) return (n) => n;
  const units = [0];
  for (const ch of text) units.push(units[units.length - 1] + ch.length);
  return (n) => units[Math.min(n, units.length - 1)];
}

function markedText(text, entities) {
  const at = utf16Offsets(text);
  const spans = [];
  for (const entity of entities) {
    for (const m of entity.mentions || []) spans.push({ start: at(m.start), end: at(m.end), entity });
  }
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  const nodes = [];
  let cursor = 0;
  for (const span of spans) {
    if (span.start < cursor || span.end <= span.start || span.end > text.length) continue; // overlapping or bad
    if (span.start > cursor) nodes.push(text.slice(cursor, span.start));
    nodes.push(
      el(
        "a",
        {
          class: "mention",
          href: `#entity/${encodeURIComponent(span.entity.id)}`,
          dataset: { type: span.entity.type, entity: span.entity.id },
          title: `${span.entity.name} (${TYPE_NAMES[span.entity.type] || span.entity.type}) · ${span.entity.id}`,
        },
        text.slice(span.start, span.end),
      ),
    );
    cursor = span.end;
  }
  if (cursor < text.length) nodes.push(text.slice(cursor));
  return nodes;
}

async function showArticle(id, token) {
  const article = await api(`/v1/articles/${encodeURIComponent(id)}`);
  if (token !== views.token) return;
  const href = safeUrl(article.url);
  const published = article.published_at || article.fetched_at;
  const entities = [...(article.entities || [])].sort((a, b) => (b.salience || 0) - (a.salience || 0));
  const topics = [...(article.topics || [])].sort((a, b) => b.score - a.score);
  $("view-body").replaceChildren(
    el(
      "header",
      { class: "view-head" },
      el(
        "div",
        { class: "card-meta" },
        el("span", { class: "source" }, article.source),
        el("time", { datetime: published || "", title: published || "" }, published ? new Date(published).toLocaleString() : ""),
        (article.authors || []).length ? el("span", {}, `by ${article.authors.join(", ")}`) : null,
      ),
      el("h2", { id: "view-title", class: "view-title" }, article.title),
      href ? el("a", { class: "external", href, target: "_blank", rel: "noopener" }, "Read it at the source ↗") : null,
    ),
    article.summary ? el("p", { class: "summary" }, article.summary) : null,
    el(
      "section",
      { class: "view-section", "aria-label": "topics" },
      el("h3", {}, "Topics"),
      topics.length
        ? el(
            "ul",
            { class: "evidence" },
            topics.map((t) =>
              el(
                "li",
                { dataset: { topic: t.id } },
                el("button", { type: "button", class: "topic-pill", title: `only ${t.label || t.id}`, onclick: () => { closeView(); applyFilter("topic", t.id); } }, t.label || t.id, el("b", {}, t.score.toFixed(2))),
                (t.evidence || []).length ? el("span", { class: "because" }, "evidence: ", (t.evidence || []).map((e) => el("q", {}, e))) : null,
              ),
            ),
          )
        : el("p", { class: "hint" }, "no topic"),
    ),
    el(
      "section",
      { class: "view-section", "aria-label": "entities" },
      el("h3", {}, `Entities (${entities.length})`),
      el(
        "div",
        { class: "row" },
        entities.map((e) =>
          el(
            "a",
            { class: "chip", href: `#entity/${encodeURIComponent(e.id)}`, dataset: { type: e.type, entity: e.id }, title: [e.id, ...(e.aliases || [])].join(" · ") },
            e.name,
            el("span", { class: "n" }, String((e.mentions || []).length)),
          ),
        ),
      ),
    ),
    el("section", { class: "view-section", "aria-label": "text" }, el("h3", {}, "Text"), el("div", { class: "article-text" }, markedText(article.text || "", entities))),
  );
}

// -- the entity page: its articles, the entities named with it, its mentions over time ------------

async function showEntity(id, token) {
  views.entity = { id, articles: [], cursor: null, token };
  await loadEntityArticles(token);
}

async function loadEntityArticles(token) {
  const page = views.entity;
  const params = new URLSearchParams({ entity: page.id, limit: String(ENTITY_PAGE_SIZE), fields: FIELDS });
  if (page.cursor) params.set("cursor", page.cursor);
  const body = await api("/v1/articles", params);
  if (token !== views.token) return;
  page.articles.push(...body.items);
  page.cursor = body.next_cursor || null;
  renderEntity(page);
}

function renderEntity(page) {
  const self = page.articles.flatMap((a) => a.entities || []).find((e) => e.id === page.id);
  const name = self ? self.name : page.id;
  const together = new Map();
  for (const article of page.articles) {
    for (const e of article.entities || []) {
      if (e.id === page.id) continue;
      const row = together.get(e.id) || { entity: e, articles: 0 };
      row.articles += 1;
      together.set(e.id, row);
    }
  }
  const co = [...together.values()].sort((a, b) => b.articles - a.articles).slice(0, 20);
  const counted = page.cursor ? `in its newest ${page.articles.length} articles` : `in its ${page.articles.length} articles`;
  $("view-body").replaceChildren(
    el(
      "header",
      { class: "view-head" },
      el("div", { class: "card-meta" }, self ? el("span", { class: "chip", dataset: { type: self.type } }, TYPE_NAMES[self.type] || self.type) : null, el("code", {}, page.id)),
      el("h2", { id: "view-title", class: "view-title" }, name),
      self && (self.aliases || []).length ? el("p", { class: "hint" }, `also: ${self.aliases.join(", ")}`) : null,
      el("button", { type: "button", class: "ghost", onclick: () => { closeView(); applyFilter("entity", page.id); } }, "Filter the live list by this entity"),
    ),
    el("section", { class: "view-section", "aria-label": "mentions over time" }, el("h3", {}, `Mentions over time `, el("span", { class: "hint" }, counted)), mentionChart(page)),
    el(
      "section",
      { class: "view-section", "aria-label": "named together" },
      el("h3", {}, "Named together with it ", el("span", { class: "hint" }, counted)),
      co.length
        ? el(
            "ol",
            { class: "co-mentions" },
            co.map(({ entity, articles }) =>
              el("li", {}, el("a", { class: "chip", href: `#entity/${encodeURIComponent(entity.id)}`, dataset: { type: entity.type, entity: entity.id }, title: entity.id }, entity.name), el("span", { class: "n" }, `${articles} art.`)),
            ),
          )
        : el("p", { class: "hint" }, "no other entity yet"),
    ),
    el(
      "section",
      { class: "view-section", "aria-label": "articles" },
      el("h3", {}, `Articles `, el("span", { class: "hint" }, page.cursor ? `newest ${page.articles.length}` : `${page.articles.length}`)),
      page.articles.length ? el("ol", { class: "cards entity-articles" }, page.articles.map((a) => renderCard(a))) : el("p", { class: "hint" }, "no article names it"),
      page.cursor ? el("button", { type: "button", class: "ghost", onclick: () => loadEntityArticles(page.token).catch((e) => console.warn(e.message)) }, "Load older articles") : null,
    ),
  );
}

function mentionChart(page) {
  const points = page.articles
    .map((a) => [sortTime(a), ((a.entities || []).find((e) => e.id === page.id)?.mentions || []).length || 1])
    .filter(([t]) => t > 0);
  if (!points.length) return el("p", { class: "hint" }, "no dated mention");
  const first = Math.min(...points.map(([t]) => t));
  const last = Date.now();
  const span = Math.max(last - first, 3_600_000);
  // Hourly bars up to two days, daily bars beyond.
  const step = span <= 2 * 86_400_000 ? 3_600_000 : 86_400_000;
  const start = Math.floor(first / step) * step;
  const count = Math.min(120, Math.floor((last - start) / step) + 1);
  const bars = new Array(count).fill(0);
  for (const [t, n] of points) bars[Math.max(0, count - 1 - Math.floor((last - t) / step))] += n;
  const max = Math.max(1, ...bars);
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  const width = 600, height = 120, bottom = 16;
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("preserveAspectRatio", "xMinYMid meet");
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", `mentions per ${step === 3_600_000 ? "hour" : "day"}`);
  const w = width / count;
  bars.forEach((v, i) => {
    const rect = document.createElementNS(ns, "rect");
    const h = ((height - bottom - 4) * v) / max;
    Object.entries({ x: (i * w + 1).toFixed(1), y: (height - bottom - h).toFixed(1), width: Math.max(1, w - 2).toFixed(1), height: h.toFixed(1), class: "bar" }).forEach(([k, val]) => rect.setAttribute(k, val));
    const title = document.createElementNS(ns, "title");
    title.textContent = `${new Date(start + i * step).toLocaleString()}: ${v}`;
    rect.append(title);
    svg.append(rect);
  });
  const label = (x, text, anchor) => {
    const node = document.createElementNS(ns, "text");
    Object.entries({ x, y: height - 3, "text-anchor": anchor }).forEach(([k, val]) => node.setAttribute(k, val));
    node.textContent = text;
    svg.append(node);
  };
  label(2, new Date(start).toLocaleString(undefined, { month: "short", day: "numeric", hour: step === 3_600_000 ? "2-digit" : undefined }), "start");
  label(width - 2, `now · max ${max} per ${step === 3_600_000 ? "hour" : "day"}`, "end");
  return el("div", { class: "chart mentions-chart" }, svg);
}

// -- wiring ------------------------------------------------------------------------------------------

document.addEventListener("DOMContentLoaded", () => {
  window.addEventListener("hashchange", route);
  // Remember which link opens a view (a click, or Enter on the focused link), to return to it on close.
  document.addEventListener(
    "click",
    (event) => {
      const link = event.target.closest && event.target.closest('a[href^="#"]');
      if (link && $("view").hidden) views.lastFocus = link;
    },
    true,
  );
  for (const node of document.querySelectorAll("[data-close]")) node.addEventListener("click", () => closeView());
  document.addEventListener("keydown", (event) => {
    if ($("view").hidden) return;
    if (event.key === "Escape") {
      event.preventDefault();
      closeView();
    } else if (event.key === "Tab") {
      // Keep the keyboard inside the open view (it is modal).
      const panel = $("view").querySelector(".view-panel");
      const stops = [...panel.querySelectorAll("a[href], button")].filter((n) => n.offsetParent !== null);
      if (!stops.length) return;
      const [first, last] = [stops[0], stops[stops.length - 1]];
      if (event.shiftKey && (document.activeElement === first || document.activeElement === panel)) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && document.activeElement === last) {
        event.preventDefault();
        first.focus();
      }
    }
  });
  route();
});
