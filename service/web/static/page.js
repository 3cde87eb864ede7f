// The page for people (service/web). Vanilla JavaScript, no build step, nothing fetched from
// elsewhere. Every piece of text that comes from a request, an article or a briefing is written
// with textContent or as a text node, never as HTML: titles and bodies are data, not markup.
// One file for every view; <body data-view> says which one this is (front, story, sources,
// write, jobs), and the parts below that a view lacks are never started.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);

  // An element with attributes (set as attributes, never as HTML) and children (nodes or text).
  function el(tag, attributes = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "class") node.className = value;
      else if (name === "text") node.textContent = value;
      else node.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of children) {
      if (child === null || child === undefined) continue;
      node.append(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return node;
  }

  const plural = (count, one, many = `${one}s`) => `${count.toLocaleString("en")} ${count === 1 ? one : many}`;

  // Only web links become links: a javascript: or data: URL in an article is shown as text.
  function safeHref(value) {
    if (!value) return null;
    try {
      const url = new URL(value);
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch {
      return null;
    }
  }

  // "Wire, Radio and 3 more": names beyond `shown` are counted, not listed.
  function listNames(names, shown = 4) {
    if (names.length <= 1) return names.join("");
    if (names.length <= shown) return `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
    return `${names.slice(0, shown).join(", ")} and ${names.length - shown} more`;
  }

  // ---- Time: "2 hours ago", the exact time on hover and in <time datetime> ----

  const RELATIVE = new Intl.RelativeTimeFormat("en", { numeric: "auto" });
  const UNITS = [
    ["year", 365 * 86400],
    ["month", 30 * 86400],
    ["week", 7 * 86400],
    ["day", 86400],
    ["hour", 3600],
    ["minute", 60],
  ];

  function ago(date) {
    const seconds = (date.getTime() - Date.now()) / 1000;
    if (Math.abs(seconds) < 60) return "just now";
    for (const [unit, size] of UNITS) {
      if (Math.abs(seconds) >= size) return RELATIVE.format(Math.round(seconds / size), unit);
    }
    return "just now";
  }

  // <time datetime="...Z" title="the exact time">prefix 2 hours ago</time>; the text alone when
  // `iso` is no time.
  function timeElement(iso, prefix = "") {
    const date = new Date(iso);
    if (!iso || Number.isNaN(date.getTime())) return document.createTextNode(`${prefix}${iso || ""}`.trim());
    const exact = date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
    // HTML's datetime takes at most three digits of a second, as toISOString writes it.
    return el("time", { datetime: date.toISOString(), title: exact, text: `${prefix}${ago(date)}` });
  }

  // ---- The API, with the key when the service needs one ----

  const KEY_STORE = "newsbrief.api-key";

  function storedKey() {
    try {
      return sessionStorage.getItem(KEY_STORE) || "";
    } catch {
      return "";
    }
  }

  function apiHeaders(withBody) {
    const headers = { Accept: "application/json, application/problem+json" };
    if (withBody) headers["Content-Type"] = "application/json";
    const key = $("api-key");
    const value = key ? key.value.trim() : "";
    if (value) headers.Authorization = `Bearer ${value}`;
    return headers;
  }

  // {ok, status, data, retryAfter}; status 0 when the service could not be reached.
  async function callApi(method, path, body) {
    let response;
    try {
      response = await fetch(path, {
        method,
        headers: apiHeaders(body !== undefined),
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: "same-origin",
      });
    } catch (error) {
      return { ok: false, status: 0, data: { detail: `the service could not be reached (${error.message})` } };
    }
    let data = null;
    try {
      data = await response.json();
    } catch {
      data = { detail: `${response.status} ${response.statusText}` };
    }
    return { ok: response.ok, status: response.status, data, retryAfter: response.headers.get("Retry-After") };
  }

  function problemText(result) {
    const data = result.data || {};
    if (result.status === 401) return "This service needs an API key: enter it at the top of the page.";
    return plainMessage(data.detail || data.title || `the request failed (${result.status})`);
  }

  // Waits `delay` ms, then `step` again while it answers true, each wait 1.5 times the last (at
  // most `maxDelay`), at most `times` times: a page left open does not poll for ever.
  function poll(step, { delay = 500, maxDelay = 5000, times = 400 } = {}) {
    let count = 0;
    const next = async (wait) => {
      count += 1;
      if (count > times) return;
      if (await step()) setTimeout(() => next(Math.min(maxDelay, wait * 1.5)), wait);
    };
    setTimeout(() => next(delay), 0);
  }

  // ---- Plain words for the API's field names and messages ----

  // What the service says in a validator's or a setting's words, said to a person.
  function plainMessage(message) {
    let text = String(message || "");
    text = text.replace(/\s*\(NEWSBRIEF_[A-Z_]+(=[^)]*)?\)/g, "");
    text = text.replace(/\b(?:articles|clusters)\[\d+\](?:\.\w+)*:\s*/g, "");
    const rules = [
      [/^String should have at least 1 character$/i, "is empty"],
      [/^String should match pattern/i, "is empty: it holds only spaces"],
      [/^the article has no "text" \(or "html"\)$/i, "is empty"],
      [/^String should have at most ([\d,]+) characters?$/i, (_, n) => `is too long: at most ${Number(n.replace(/,/g, "")).toLocaleString("en")} characters`],
      [/^at most ([\d,]+) (\w+)$/i, (_, n, unit) => `is too long: at most ${Number(n.replace(/,/g, "")).toLocaleString("en")} ${unit}`],
      [/^Input should be a valid integer.*$/i, "must be a whole number"],
      [/^Input should be greater than or equal to (\S+)$/i, (_, n) => `must be at least ${n}`],
      [/^Input should be less than or equal to (\S+)$/i, (_, n) => `must be at most ${n}`],
      [/^Input should be (?:'[^']*'(?:, | or )?)+$/i, "is not one of the choices"],
      [/^must not contain control characters.*\(U\+\w+ at character (\d+)\)$/i, (_, n) => `holds an invisible control character (character ${n}): remove it`],
      [/^unknown field$/i, "is not something this service takes"],
      [/^Field required$/i, "is missing"],
      [/^missing: send 'Bearer <key>'.*$/i, "is missing: enter this service's API key"],
      [/^not a valid API key$/i, "is not valid: check it and enter it again"],
    ];
    for (const [pattern, replacement] of rules) {
      if (pattern.test(text)) return text.replace(pattern, replacement);
    }
    return text;
  }

  // ---- Briefings: sentences with their markers and marks, evidence, disagreements ----

  // What is on screen: {resource (what Download saves), briefing, articles: Map source id -> article}.
  let shown = null;

  function briefingOf(value) {
    if (value && Array.isArray(value.sentences)) return value;
    if (value && value.briefing && Array.isArray(value.briefing.sentences)) return value.briefing;
    return null;
  }

  function verdictOf(sentence) {
    if (sentence.verdict) return sentence.verdict;
    return sentence.supported === false ? "unsupported" : "supported";
  }

  function sourceByIndex(index) {
    return (shown.briefing.sources || []).find((source) => source.index === index) || null;
  }

  function articleOf(source) {
    if (!shown.articles || !source) return null;
    return shown.articles.get(String(source.id)) || null;
  }

  function sourceLabel(source, index) {
    return source ? `${source.source ? `${source.source}: ` : ""}${source.title || source.id}` : `source ${index}`;
  }

  function outletOf(index) {
    const source = sourceByIndex(index);
    return source ? source.source || source.title || source.id : `source ${index}`;
  }

  // The disagreement a sentence states one side of, and the sources that say otherwise, as the
  // service marks it in the briefing's text (summarizer/briefing.py: render_text).
  function disputeOf(briefing, sentence) {
    if (verdictOf(sentence) !== "supported") return null;
    for (const disagreement of briefing.disagreements || []) {
      const texts = [disagreement.claim, ...(disagreement.versions || []).map((version) => version.text)];
      if (!texts.includes(sentence.text)) continue;
      const cited = new Set(sentence.citations || []);
      const others = new Set();
      for (const version of disagreement.versions || []) {
        if (!(version.sources || []).some((n) => cited.has(n))) for (const n of version.sources || []) others.add(n);
      }
      return { disagreement, others: Array.from(others).sort((a, b) => a - b) };
    }
    return null;
  }

  function marker(index, onSelect, describe) {
    const source = sourceByIndex(index);
    const button = el("button", {
      type: "button",
      class: "marker",
      "aria-controls": "evidence",
      "aria-label": `${describe}: source ${index}, ${sourceLabel(source, index)}`,
      "data-source": index,
      text: `[${index}]`,
    });
    button.addEventListener("click", () => onSelect(button));
    button.addEventListener("focus", () => onSelect(button));
    return button;
  }

  function selectMarker(button, show) {
    for (const active of document.querySelectorAll(".marker.active, .badge.active")) {
      active.classList.remove("active");
      active.removeAttribute("aria-current");
    }
    button.classList.add("active");
    button.setAttribute("aria-current", "true");
    show();
  }

  function badge(kind, text, label, show) {
    const button = el("button", { type: "button", class: `badge badge-${kind}`, "aria-controls": "evidence", "aria-label": label }, el("span", { class: "badge-face", text }));
    const select = () => selectMarker(button, show);
    button.addEventListener("click", select);
    button.addEventListener("focus", select);
    return button;
  }

  // `resource`: what the API answered (a briefing resource, a story's version, or a briefing);
  // `articles`: Map source id -> article with the text the page shows the evidence in.
  function renderBriefing(resource, articles, { meta = true } = {}) {
    const briefing = briefingOf(resource);
    if (!briefing) throw new Error("the answer holds no briefing");
    shown = { resource, briefing, articles };
    if ($("briefing-empty")) $("briefing-empty").hidden = true;
    $("briefing-result").hidden = false;
    hideEvidence();

    const sentences = briefing.sentences;
    const parts = [`Engine: ${briefing.engine}`];
    if (briefing.model) parts.push(`model ${briefing.model}`);
    parts.push(plural(sentences.length, "sentence"));
    parts.push(plural((briefing.sources || []).length, "source"));
    if (resource.id) parts.push(`id ${resource.id}`);
    $("briefing-meta").textContent = meta ? parts.join(" · ") : "";
    $("briefing-meta").hidden = !meta;

    const warnings = briefing.warnings || [];
    $("warnings").hidden = !warnings.length;
    $("warning-list").replaceChildren(...warnings.map((warning) => el("li", { text: warning })));

    const paragraph = el("p");
    sentences.forEach((sentence, i) => {
      const verdict = verdictOf(sentence);
      const dispute = disputeOf(briefing, sentence);
      const classes = [`sentence verdict-${verdict}`];
      if (dispute) classes.push("disputed");
      const span = el("span", { class: classes.join(" "), id: `sentence-${i + 1}` }, sentence.text);
      if (verdict !== "supported") {
        span.append(" ", badge(verdict, verdict, `Sentence ${i + 1} is ${verdict}: why`, () => showSentence(i, null)));
      }
      for (const index of sentence.citations || []) {
        const describe = `Evidence for sentence ${i + 1}`;
        span.append(" ", marker(index, (button) => selectMarker(button, () => showSentence(i, index)), describe));
      }
      if (dispute) {
        const others = dispute.others.length ? `disputed by ${dispute.others.map((n) => `[${n}]`).join("")}` : "sources disagree";
        const whom = dispute.others.length ? `, ${listNames(dispute.others.map(outletOf))} ${dispute.others.length === 1 ? "says" : "say"} otherwise` : "";
        // The name starts with the words shown, as speech input users say them.
        span.append(" ", badge("disputed", others, `${others}: sentence ${i + 1} is disputed${whom}`, () => showDisagreement(dispute.disagreement)));
      }
      paragraph.append(span, " ");
    });
    $("briefing-text").replaceChildren(paragraph);

    renderDisagreements(briefing.disagreements || []);
    if ($("source-list")) $("source-list").replaceChildren(...(briefing.sources || []).map(sourceItem));
    $("markdown").value = toMarkdown(briefing);
    $("copy-status").textContent = "";
  }

  function sourceItem(source) {
    const href = safeHref(source.url);
    const title = source.title || source.id;
    const item = el("li", { id: `source-${source.index}`, value: source.index });
    item.append(href ? el("a", { href, rel: "noopener noreferrer", target: "_blank", text: title }) : el("span", { text: title }));
    const details = [source.source, source.published].filter(Boolean).join(", ");
    if (details) item.append(el("span", { class: "meta", text: ` (${details})` }));
    return item;
  }

  // Each version of a disputed fact, and the outlets that state it.
  function renderDisagreements(disagreements) {
    $("disagreements").hidden = !disagreements.length;
    $("disagreement-list").replaceChildren(
      ...disagreements.map((disagreement, i) => {
        const versions = el("ul", { class: "versions" });
        for (const version of disagreement.versions || []) {
          const sources = version.sources || [];
          const item = el("li", {}, el("q", { text: version.text }), el("span", { class: "meta", text: ` (${listNames(sources.map(outletOf), 6)})` }));
          for (const index of sources) {
            const describe = `Disagreement ${i + 1}, this version`;
            const show = (button) => selectMarker(button, () => showVersion(disagreement, version, index));
            item.append(" ", marker(index, show, describe));
          }
          versions.append(item);
        }
        // The claim is said once: often it is one of the versions itself.
        const restated = (disagreement.versions || []).some((version) => version.text === disagreement.claim);
        return el("li", {}, restated ? null : el("p", { class: "claim", text: disagreement.claim }), versions);
      }),
    );
  }

  // ---- Evidence: the source sentences, inside their article ----

  function hideEvidence() {
    $("evidence").hidden = true;
    $("evidence-body").replaceChildren();
  }

  // Text compared without the differences cleaning makes (runs of white space, curly quotes,
  // dashes, case), with each compared character's place in the original.
  const FOLD = { "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u201c": '"', "\u201d": '"',
    "\u201e": '"', "\u201f": '"', "\u2033": '"', "\u2013": "-", "\u2014": "-", "\u2012": "-", "\u2015": "-", "\u2212": "-" };

  function folded(text) {
    let out = "";
    const at = [];
    let space = false;
    for (let i = 0; i < text.length; i++) {
      const char = text[i];
      if (/\s/.test(char)) {
        if (!space && out) {
          out += " ";
          at.push(i);
        }
        space = true;
        continue;
      }
      space = false;
      let mapped = FOLD[char] || char.toLowerCase();
      if (mapped.length !== 1) mapped = char;
      out += mapped;
      at.push(i);
    }
    return { text: out, at };
  }

  // [start, end) of `needle` in `haystack` (original offsets), and whether it was found whole.
  function locate(haystack, needle) {
    const exact = haystack.indexOf(needle);
    if (exact >= 0) return { start: exact, end: exact + needle.length, whole: true };
    const hay = folded(haystack);
    const want = folded(needle.trim());
    if (!want.text) return null;
    const at = hay.text.indexOf(want.text);
    if (at >= 0) return { start: hay.at[at], end: hay.at[at + want.text.length - 1] + 1, whole: true };
    // Cleaning may have cut a dateline or a quote off one end: find either end instead.
    const piece = Math.min(40, want.text.length);
    const head = hay.text.indexOf(want.text.slice(0, piece));
    if (head >= 0) {
      const last = Math.min(hay.at.length - 1, head + want.text.length - 1);
      return { start: hay.at[head], end: hay.at[last] + 1, whole: false };
    }
    const tail = hay.text.indexOf(want.text.slice(-piece));
    if (tail >= 0) {
      const first = Math.max(0, tail + piece - want.text.length);
      return { start: hay.at[first], end: hay.at[tail + piece - 1] + 1, whole: false };
    }
    return null;
  }

  // `text` with [spanStart, spanEnd) in a <strong class="span"> (the words that carry the claim).
  function withSpan(text, span) {
    const nodes = [];
    if (Array.isArray(span) && span.length === 2 && span[0] < span[1] && span[1] <= text.length) {
      if (span[0] > 0) nodes.push(text.slice(0, span[0]));
      nodes.push(el("strong", { class: "span", text: text.slice(span[0], span[1]) }));
      if (span[1] < text.length) nodes.push(text.slice(span[1]));
    } else {
      nodes.push(text);
    }
    return nodes;
  }

  // The evidence's span, moved from offsets in the evidence text to offsets in the article text.
  function spanInArticle(articleText, found, evidenceText, span) {
    if (!Array.isArray(span) || span.length !== 2 || !found.whole) return null;
    const piece = evidenceText.slice(span[0], span[1]);
    const inside = locate(articleText.slice(found.start, found.end), piece);
    return inside ? [inside.start, inside.end] : null;
  }

  // A quotation's sentence given in its speaker's voice (Putin said: "...") is found in the
  // article as written (`as_written`: its quoted words only); its span is located within it.
  function articleView(article, index, citation) {
    const text = article.shown || article.text || "";
    const region = el("div", {
      class: "article-text",
      role: "region",
      tabindex: "0",
      "aria-label": `Article ${index}: ${article.title || "untitled"}`,
    });
    const written = citation.as_written || citation.text;
    const found = written ? locate(text, written) : null;
    if (!found) {
      region.append(text);
      return { region, found: null };
    }
    const mark = el("mark", { class: "evidence-mark" });
    const markText = text.slice(found.start, found.end);
    mark.append(...withSpan(markText, spanInArticle(text, found, citation.text, citation.span)));
    region.append(text.slice(0, found.start), mark, text.slice(found.end));
    return { region, found, mark };
  }

  function sourceHeading(index) {
    const source = sourceByIndex(index);
    const heading = el("h4", {}, `[${index}] `);
    const href = source ? safeHref(source.url) : null;
    const title = source ? source.title || source.id : `source ${index}`;
    heading.append(href ? el("a", { href, rel: "noopener noreferrer", target: "_blank", text: title }) : title);
    const details = source ? [source.source, source.published].filter(Boolean) : [];
    return [heading, el("p", { class: "meta", text: details.length ? details.join(" · ") : "Outlet and date not given" })];
  }

  function showEvidencePanel(title, nodes) {
    $("evidence-title").textContent = title;
    $("evidence-body").replaceChildren(...nodes);
    const panel = $("evidence");
    panel.hidden = false;
    // Scrolls the page only when some of the panel is out of sight.
    panel.scrollIntoView({ block: "nearest" });
    // Bring each highlighted sentence into view inside its article box, not by scrolling the page.
    for (const mark of panel.querySelectorAll("mark.evidence-mark")) {
      const box = mark.closest(".article-text");
      box.scrollTop = Math.max(0, mark.offsetTop - box.offsetTop - box.clientHeight / 3);
    }
  }

  function evidenceItem(index, citation) {
    const nodes = sourceHeading(index);
    const facts = [];
    if (typeof citation.score === "number") facts.push(`similarity ${citation.score.toFixed(2)}`);
    if (citation.speaker) facts.push(`said by ${citation.speaker}`);
    nodes.push(
      el("p", { class: "label", text: `Source sentence${facts.length ? ` (${facts.join(", ")})` : ""}` }),
      el("blockquote", { class: "evidence-sentence" }, ...withSpan(citation.text, citation.span)),
    );
    const article = articleOf(sourceByIndex(index));
    if (!article) {
      nodes.push(el("p", { class: "help", text: "This page does not have the article's text, so only the sentence is shown." }));
      return el("div", { class: "evidence-item" }, ...nodes);
    }
    const view = articleView(article, index, citation);
    nodes.push(el("p", { class: "label", text: "In the article" }), view.region);
    if (!view.found) {
      nodes.push(el("p", { class: "help", text: "The sentence was not found word for word in the article as sent (the service cleans the text first)." }));
    } else if (!view.found.whole) {
      nodes.push(el("p", { class: "help", text: "Highlighted approximately: the service cleaned this sentence before citing it." }));
    }
    return el("div", { class: "evidence-item" }, ...nodes);
  }

  function showSentence(i, index) {
    const sentence = shown.briefing.sentences[i];
    const verdict = verdictOf(sentence);
    const nodes = [el("p", { class: "label", text: `Briefing sentence ${i + 1}` }), el("blockquote", { class: `claim verdict-${verdict}`, text: sentence.text })];
    const facts = [`Verdict: ${verdict}`];
    if (typeof sentence.score === "number") facts.push(`score ${sentence.score.toFixed(2)}`);
    nodes.push(el("p", { class: `verdict verdict-${verdict}`, text: facts.join(", ") + (sentence.reason ? `: ${sentence.reason}` : "") }));
    const evidence = (sentence.evidence || []).filter((citation) => index === null || citation.source === index);
    if (index !== null && !evidence.length) {
      nodes.push(...sourceHeading(index), el("p", { class: "help", text: "No source sentence was given for this citation." }));
    }
    if (index === null && !evidence.length) {
      nodes.push(el("p", { class: "help", text: "No source sentence supports this sentence." }));
    }
    nodes.push(...evidence.map((citation) => evidenceItem(citation.source, citation)));
    showEvidencePanel(index === null ? `Sentence ${i + 1}` : `Evidence for [${index}] in sentence ${i + 1}`, nodes);
  }

  function showVersion(disagreement, version, index) {
    const nodes = [el("p", { class: "label", text: "Sources disagree" }), el("p", { class: "claim", text: disagreement.claim })];
    nodes.push(evidenceItem(index, { text: version.text, span: null }));
    showEvidencePanel(`Source [${index}]'s version`, nodes);
  }

  function showDisagreement(disagreement) {
    const nodes = [el("p", { class: "label", text: "Sources disagree about" }), el("p", { class: "claim", text: disagreement.claim })];
    for (const version of disagreement.versions || []) {
      const sources = version.sources || [];
      nodes.push(
        el("p", { class: "label", text: `${listNames(sources.map(outletOf), 6)} (${sources.map((n) => `[${n}]`).join("")})` }),
        el("blockquote", { class: "evidence-sentence", text: version.text }),
      );
    }
    showEvidencePanel("Sources disagree", nodes);
  }

  // ---- Markdown and JSON ----

  // Markdown's special characters in a title or an outlet, escaped; angle brackets too, so that
  // a renderer that passes HTML through shows them as text.
  function mdEscape(text) {
    return String(text).replace(/[\\`*_[\]<>#|]/g, (char) => `\\${char}`);
  }

  function toMarkdown(briefing) {
    const lines = ["# Briefing", ""];
    for (const warning of briefing.warnings || []) lines.push(`> Note: ${mdEscape(warning)}`, "");
    lines.push(String(briefing.text).replace(/[<>]/g, (char) => `\\${char}`), "");
    const disagreements = briefing.disagreements || [];
    if (disagreements.length) {
      lines.push("## Where sources disagree", "");
      for (const disagreement of disagreements) {
        lines.push(`- ${mdEscape(disagreement.claim)}`);
        for (const version of disagreement.versions || []) {
          const cited = (version.sources || []).map((n) => `[${n}]`).join("");
          lines.push(`  - "${mdEscape(version.text)}" ${cited}`);
        }
      }
      lines.push("");
    }
    lines.push("## Sources", "");
    for (const source of briefing.sources || []) {
      let line = `${source.index}. ${mdEscape(source.title || source.id)}`;
      const details = [source.source, source.published].filter(Boolean).map(mdEscape);
      if (details.length) line += ` (${details.join(", ")})`;
      const href = safeHref(source.url);
      if (href) line += ` <${href}>`;
      lines.push(line);
    }
    return `${lines.join("\n")}\n`;
  }

  async function copyMarkdown() {
    const text = $("markdown").value;
    const status = $("copy-status");
    try {
      await navigator.clipboard.writeText(text);
      status.textContent = "Copied the briefing as Markdown.";
    } catch {
      // No clipboard access (an insecure origin, or refused): the text is selected for Ctrl+C.
      $("markdown-details").open = true;
      $("markdown").select();
      status.textContent = "The clipboard is not available: the Markdown is selected below, copy it with Ctrl+C.";
    }
  }

  function downloadJson() {
    if (!shown) return;
    const blob = new Blob([`${JSON.stringify(shown.resource, null, 2)}\n`], { type: "application/json" });
    const link = el("a", { href: URL.createObjectURL(blob), download: `briefing-${shown.resource.id || shown.resource.briefing_id || "story"}.json` });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10000);
  }

  function wireBriefing() {
    $("copy-markdown").addEventListener("click", copyMarkdown);
    $("download-json").addEventListener("click", downloadJson);
  }

  // ---- The front page: stories, the most recently changed first ----

  function storyHref(id) {
    return `/stories/${encodeURIComponent(id)}`;
  }

  // "4 articles from 3 outlets: Wire, Radio and local.example"
  function outletsText(story) {
    const outlets = story.outlets || [];
    const articles = plural(story.article_count ?? 0, "article");
    if (!outlets.length) return articles;
    return `${articles} from ${plural(outlets.length, "outlet")}: ${listNames(outlets)}`;
  }

  async function loadFront() {
    const status = $("stories-status");
    // The page's own address names the page of stories (?cursor=, and ?limit= stories a page).
    const asked = new URLSearchParams(location.search);
    const cursor = asked.get("cursor");
    const query = new URLSearchParams();
    for (const name of ["limit", "cursor"]) if (asked.get(name)) query.set(name, asked.get(name));
    status.textContent = "Loading the stories…";
    const result = await callApi("GET", `/v1/stories${query.size ? `?${query}` : ""}`);
    if (!result.ok) {
      status.textContent = result.status === 404 ? "This service keeps no stories: write a briefing of your own articles instead." : problemText(result);
      status.classList.add("problem");
      return;
    }
    const stories = result.data.stories || [];
    status.textContent = stories.length ? `${plural(stories.length, "story", "stories")}${cursor ? ", older ones" : ""}, the most recently changed first.` : "";
    $("stories-empty").hidden = stories.length > 0 || Boolean(cursor);
    $("story-list").replaceChildren(...stories.map(storyCard));
    const older = $("older-stories");
    older.hidden = !result.data.next_cursor;
    if (result.data.next_cursor) {
      query.set("cursor", result.data.next_cursor);
      older.href = `/?${query}`;
    }
    $("newest-stories").hidden = !cursor;
    if (asked.get("limit")) $("newest-stories").href = `/?limit=${encodeURIComponent(asked.get("limit"))}`;
    $("story-pages").hidden = older.hidden && !cursor;
    if (cursor && !stories.length) status.textContent = "No older stories.";
  }

  function storyCard(story) {
    const titleId = `story-${story.id}-title`;
    const card = el(
      "article",
      { class: "story-card", "aria-labelledby": titleId },
      el("h2", { id: titleId }, el("a", { href: storyHref(story.id), text: story.headline })),
      el("p", { class: "meta" }, outletsText(story), " · ", timeElement(story.last_seen, "updated ")),
    );
    if (story.disputed) card.append(el("p", { class: "tags" }, el("span", { class: "tag tag-disputed", text: "Sources disagree" })));
    card.append(story.gist ? el("p", { class: "gist", text: story.gist }) : el("p", { class: "gist help", text: noGist(story) }));
    return el("li", {}, card);
  }

  // Why a listed story shows no first sentence: the list says how far its briefing is.
  function noGist(story) {
    if (!story.briefing_versions) {
      return story.outlets && story.outlets.length < 2 ? "No briefing yet: it is written once a second outlet reports this." : "No briefing yet.";
    }
    return story.briefing_status === "queued" || story.briefing_status === "running" ? "The briefing is being written." : "No briefing yet.";
  }

  // ---- A story's page ----

  const SEEN_PREFIX = "newsbrief.seen.story.";

  function seenVersion(id) {
    try {
      const value = Number(localStorage.getItem(SEEN_PREFIX + id));
      return Number.isInteger(value) && value > 0 ? value : null;
    } catch {
      return null;
    }
  }

  function rememberSeen(id, version) {
    try {
      localStorage.setItem(SEEN_PREFIX + id, String(version));
    } catch {
      // Storage refused (private mode, full): the next visit shows no "new since".
    }
  }

  async function loadStory() {
    const id = $("story").dataset.storyId;
    const status = $("story-status");
    status.textContent = "Loading the story…";
    const result = await callApi("GET", `/v1/stories/${encodeURIComponent(id)}`);
    if (!result.ok) {
      showStoryProblem(id, result);
      return;
    }
    const story = result.data;
    document.title = `${story.headline} · newsbrief`;
    $("story-title").textContent = story.headline;
    $("story-meta").replaceChildren(
      outletsText(story),
      " · ",
      timeElement(story.last_seen, "updated "),
      " · ",
      timeElement(story.first_seen, "first seen "),
    );
    renderArticles(story.articles || []);
    status.textContent = "";
    const done = renderStoryBriefing(story);
    if (done) {
      loadTimeline(id);
      loadNewSince(id, done.version);
    } else if (story.briefing && ["queued", "running"].includes(story.briefing.status)) {
      followStoryBriefing(id);
    }
  }

  function showStoryProblem(id, result) {
    const status = $("story-status");
    $("story-title").textContent = result.status === 404 ? "No such story" : "The story could not be loaded";
    document.title = `${$("story-title").textContent} · newsbrief`;
    status.classList.add("problem");
    status.replaceChildren(
      result.status === 404 ? `There is no story ${id}: it may have been mistyped, or it is no longer kept. ` : `${problemText(result)} `,
      el("a", { href: "/", text: "See the stories" }),
    );
  }

  // The version shown ({version, ...}) when the story has a briefing, else null (its state said).
  function renderStoryBriefing(story) {
    const version = story.briefing;
    const briefing = briefingOf(version);
    const status = $("story-status");
    if (!briefing) {
      let state = "No briefing yet: a story gets one once two outlets report it.";
      if (version && ["queued", "running"].includes(version.status)) state = "The briefing is being written…";
      if (version && version.status === "failed") state = `The briefing could not be written${version.error ? `: ${plainMessage(version.error.message)}` : "."}`;
      status.textContent = state;
      return null;
    }
    $("briefing-section").hidden = false;
    // Stories list their articles without their text: the evidence shows the source sentence.
    renderBriefing(version, new Map(), { meta: false });
    $("briefing-meta").hidden = false;
    $("briefing-meta").textContent = `Version ${version.version}, of ${plural(version.article_count ?? briefing.sources.length, "article")}`;
    markCitedArticles(briefing);
    return version;
  }

  function followStoryBriefing(id) {
    poll(async () => {
      const result = await callApi("GET", `/v1/stories/${encodeURIComponent(id)}`);
      if (!result.ok || !result.data.briefing) return false;
      if (["queued", "running"].includes(result.data.briefing.status)) return true;
      const done = renderStoryBriefing(result.data);
      renderArticles(result.data.articles || []);
      if (done) {
        $("story-status").textContent = "The briefing is ready.";
        loadTimeline(id);
        loadNewSince(id, done.version);
      }
      return false;
    }, { delay: 1000, times: 200 });
  }

  function renderArticles(articles) {
    $("articles-section").hidden = !articles.length;
    $("articles-title").textContent = `Articles (${articles.length})`;
    $("article-list").replaceChildren(
      ...articles.map((article) => {
        const href = safeHref(article.url);
        const title = article.title || article.url || `Article ${article.id}`;
        const details = [article.source || "outlet not given"];
        const item = el(
          "li",
          { "data-article-id": article.id },
          href ? el("a", { href, rel: "noopener noreferrer", target: "_blank", text: title }) : el("span", { class: "title", text: title }),
          el("span", { class: "meta" }, details.join(""), " · ", article.published ? timeElement(article.published, "published ") : timeElement(article.seen_at, "added ")),
        );
        return item;
      }),
    );
  }

  // Each article the briefing cites shows its source number, as the markers name it.
  function markCitedArticles(briefing) {
    for (const source of briefing.sources || []) {
      const item = $("article-list").querySelector(`li[data-article-id="${CSS.escape(String(source.id))}"]`);
      if (item && !item.querySelector(".source-number")) {
        item.id = `source-${source.index}`;
        item.prepend(el("span", { class: "source-number", text: `[${source.index}] ` }));
      }
    }
  }

  function noteUpdates(text) {
    const note = $("updates-note");
    if (!note.textContent.includes(text)) note.textContent = `${note.textContent} ${text}`.trim();
    note.hidden = false;
  }

  async function loadTimeline(id) {
    const result = await callApi("GET", `/v1/stories/${encodeURIComponent(id)}/timeline`);
    if (!result.ok) {
      $("timeline").hidden = true;
      noteUpdates(result.status === 404 ? "This service does not give a story's timeline yet." : `The timeline could not be loaded: ${problemText(result)}`);
      return;
    }
    const versions = result.data.versions || [];
    $("timeline").hidden = !versions.length;
    // Newest first, as a reader follows a story; the API gives them oldest first.
    $("timeline-list").replaceChildren(
      ...versions
        .slice()
        .reverse()
        .map((version) => {
          const added = version.added || [];
          const item = el(
            "li",
            { class: "timeline-version", "data-version": version.version },
            el("h3", {}, `Version ${version.version}`),
            el("p", { class: "meta" }, timeElement(version.created_at), ` · ${plural(version.articles ?? 0, "article")}`),
          );
          if (added.length) {
            item.append(
              el("p", { class: "label", text: version.version === versions[0].version ? "The first briefing:" : "Added:" }),
              el("ul", { class: "added" }, ...added.map((sentence) => el("li", {}, sentence.text, citesText(sentence.citations)))),
            );
          } else {
            item.append(el("p", { class: "help", text: "Nothing new in the briefing's text." }));
          }
          return item;
        }),
    );
  }

  // Citation numbers as text: a version's numbers name that version's sources, not the markers above.
  function citesText(citations) {
    const numbers = (citations || []).map((n) => `[${n}]`).join("");
    return numbers ? el("span", { class: "cites meta", text: ` ${numbers}` }) : null;
  }

  // What changed since the version this browser last showed; the version shown now is then the
  // one seen.
  async function loadNewSince(id, version) {
    const seen = seenVersion(id);
    rememberSeen(id, version);
    if (seen === null || seen >= version) return;
    const result = await callApi("GET", `/v1/stories/${encodeURIComponent(id)}/briefings/${version}?since=${seen}`);
    if (!result.ok) {
      noteUpdates(result.status === 404 ? "This service does not say what is new since your last visit yet." : `What is new since your last visit could not be loaded: ${problemText(result)}`);
      return;
    }
    const briefing = briefingOf(result.data);
    const changed = briefing ? briefing.sentences.filter((sentence) => sentence.novelty === "new" || sentence.novelty === "update") : [];
    $("new-since").hidden = false;
    $("new-since-meta").textContent = `You last read version ${seen}; this is version ${version}.`;
    $("new-since-list").replaceChildren(
      ...(changed.length
        ? changed.map((sentence) =>
            el(
              "li",
              { class: `novelty-${sentence.novelty}` },
              el("span", { class: "tag", text: sentence.novelty === "new" ? "New" : "Updated" }),
              " ",
              sentence.text,
              citesText(sentence.citations),
            ),
          )
        : [el("li", { class: "help", text: "Nothing new in the briefing since then: more articles say the same." })]),
    );
  }

  // ---- Adding sources: a URL to fetch, a feed to subscribe to ----

  function clearFieldError(control) {
    control.removeAttribute("aria-invalid");
    const error = $(`${control.id}-error`);
    if (error) error.remove();
    const described = (control.getAttribute("aria-describedby") || "").split(" ").filter((id) => id && id !== `${control.id}-error`);
    if (described.length) control.setAttribute("aria-describedby", described.join(" "));
    else control.removeAttribute("aria-describedby");
  }

  // The message right above the field (after its label), named by the field's description.
  function setFieldError(control, message) {
    clearFieldError(control);
    control.setAttribute("aria-invalid", "true");
    const error = el("p", { class: "field-error", id: `${control.id}-error` }, el("span", { class: "visually-hidden", text: "Error: " }), message);
    const label = document.querySelector(`label[for="${CSS.escape(control.id)}"]`);
    if (label && label.parentElement === control.parentElement && !control.closest(".checkbox")) label.after(error);
    else control.before(error);
    control.setAttribute("aria-describedby", [`${control.id}-error`, control.getAttribute("aria-describedby")].filter(Boolean).join(" "));
  }

  function isWebUrl(value) {
    return Boolean(safeHref(value));
  }

  // The problem's message for `field` (url, articles[0].url) in plain words; its detail otherwise.
  function messageFor(result, fields) {
    const errors = (result.data && result.data.errors) || [];
    const found = errors.find((error) => fields.includes(error.field)) || errors[0];
    return found ? plainMessage(found.message) : problemText(result);
  }

  // The web address typed into `control`, else null with the reason beside it.
  function typedUrl(control, what) {
    clearFieldError(control);
    const url = control.value.trim();
    if (isWebUrl(url)) return url;
    setFieldError(control, url ? "Enter a web address that starts with http:// or https://." : `Enter ${what}'s address.`);
    control.focus();
    return null;
  }

  async function addUrl(event) {
    event.preventDefault();
    const control = $("article-url");
    const url = typedUrl(control, "the article");
    if (!url) return;
    const item = el("li", { class: "progress" }, el("span", { class: "progress-url", text: url }), el("span", { class: "progress-state", text: ": sending…" }));
    $("fetch-list").prepend(item);
    const result = await callApi("POST", "/v1/articles", { articles: [{ url }] });
    if (!result.ok) {
      item.remove();
      setFieldError(control, `The service did not take it: ${messageFor(result, ["articles[0].url", "articles[0]"])}`);
      control.focus();
      return;
    }
    control.value = "";
    const answer = result.data.articles[0];
    if (answer.status === "queued") followFetch(item, answer.fetch_url);
    else showFetched(item, { status: "done", story_id: answer.story_id, duplicate: answer.status === "duplicate" });
  }

  const FETCH_STATES = { queued: "waiting to be fetched…", running: "fetching…" };

  function followFetch(item, fetchUrl) {
    const state = item.querySelector(".progress-state");
    state.textContent = `: ${FETCH_STATES.queued}`;
    poll(async () => {
      const result = await callApi("GET", fetchUrl);
      if (!result.ok) {
        showFetched(item, { status: "failed", error: { message: problemText(result) } });
        return false;
      }
      if (result.data.status in FETCH_STATES) {
        state.textContent = `: ${FETCH_STATES[result.data.status]}${result.data.attempts > 1 ? ` (attempt ${result.data.attempts})` : ""}`;
        return true;
      }
      showFetched(item, result.data);
      return false;
    });
  }

  function showFetched(item, fetched) {
    const state = item.querySelector(".progress-state");
    item.classList.add(`progress-${fetched.status}`);
    if (fetched.status === "failed") {
      state.replaceChildren(`: could not be added: ${plainMessage((fetched.error && fetched.error.message) || "the fetch failed")}`);
      return;
    }
    const parts = [fetched.duplicate ? ": added before, it is in " : ": added to "];
    parts.push(fetched.story_id != null ? el("a", { href: storyHref(fetched.story_id), text: `story ${fetched.story_id}` }) : "a story");
    state.replaceChildren(...parts, ".");
  }

  async function addFeed(event) {
    event.preventDefault();
    const control = $("feed-url");
    const url = typedUrl(control, "the feed");
    if (!url) return;
    const result = await callApi("POST", "/v1/feeds", { url });
    if (!result.ok) {
      setFieldError(control, `The service did not take it: ${messageFor(result, ["url"])}`);
      control.focus();
      return;
    }
    control.value = "";
    $("feeds-status").textContent = result.status === 201 ? "Subscribed: reading the feed…" : "You were subscribed to this feed already.";
    await loadFeeds();
    followFeed(result.data.id);
  }

  function feedItem(feed) {
    const facts = [plural(feed.articles_added, "article") + " added"];
    const item = el(
      "li",
      { class: "progress", id: `feed-${feed.id}` },
      el("span", { class: "progress-url", text: feed.title || feed.url }),
      el("span", { class: "meta" }, feed.title ? ` (${feed.url})` : "", ": ", facts.join(""), " · ", feed.last_polled_at ? timeElement(feed.last_polled_at, "read ") : "not read yet"),
    );
    if (feed.last_error) item.append(el("span", { class: "problem", text: ` ${plainMessage(feed.last_error)}` }));
    return item;
  }

  async function loadFeeds() {
    const result = await callApi("GET", "/v1/feeds");
    if (!result.ok) {
      $("feeds-status").textContent = problemText(result);
      return;
    }
    const feeds = result.data.feeds || [];
    $("feed-list").replaceChildren(...feeds.map(feedItem));
    if (!feeds.length) $("feeds-status").textContent = "No feeds yet.";
  }

  // Until the feed's first read is done.
  function followFeed(id) {
    poll(async () => {
      const result = await callApi("GET", `/v1/feeds/${encodeURIComponent(id)}`);
      if (!result.ok) return false;
      const item = $(`feed-${id}`);
      const fresh = feedItem(result.data);
      if (item) item.replaceWith(fresh);
      if (!result.data.last_polled_at) return true;
      const error = result.data.last_error ? `, with a problem: ${plainMessage(result.data.last_error)}` : "";
      $("feeds-status").replaceChildren(`Read the feed: ${plural(result.data.articles_added, "article")} added${error}. `, el("a", { href: "/", text: "See the stories" }));
      return false;
    });
  }

  // ---- Write a briefing: articles to paste into, files to drop ----

  const form = $("briefing-form");
  const articlesBox = $("articles");
  const template = $("article-template");
  const maxArticles = form ? Number(form.dataset.maxArticles) || 50 : 0;
  const maxArticleChars = form ? Number(form.dataset.maxArticleChars) || 100000 : 0;
  // What only the page knows of an article: the HTML of a dropped page and its text as shown.
  const fromFile = new WeakMap();
  let fieldsetCounter = 0;
  const ARTICLE_FIELDS = ["title", "text", "source", "url", "published"];
  const FIELD_NAMES = { title: "title", text: "text", source: "outlet", url: "link", published: "date" };

  function articleFieldsets() {
    return Array.from(articlesBox.querySelectorAll("fieldset.article"));
  }

  function input(fieldset, name) {
    return fieldset.querySelector(`[data-name="${name}"]`);
  }

  function renumber() {
    const fieldsets = articleFieldsets();
    fieldsets.forEach((fieldset, i) => {
      fieldset.querySelector("legend").textContent = `Article ${i + 1}`;
      const remove = fieldset.querySelector(".remove-article");
      remove.textContent = `Remove article ${i + 1}`;
      remove.disabled = fieldsets.length === 1;
    });
    $("add-article").disabled = fieldsets.length >= maxArticles;
  }

  function addArticle(values = {}) {
    const fieldset = template.content.firstElementChild.cloneNode(true);
    const n = ++fieldsetCounter;
    for (const label of fieldset.querySelectorAll("label[data-for]")) {
      const control = input(fieldset, label.dataset.for);
      control.id = `article-${n}-${label.dataset.for}`;
      label.htmlFor = control.id;
    }
    for (const [name, value] of Object.entries(values)) {
      const control = input(fieldset, name);
      if (control && value) control.value = value;
    }
    fieldset.querySelector(".remove-article").addEventListener("click", () => {
      const next = fieldset.nextElementSibling || fieldset.previousElementSibling;
      fieldset.remove();
      renumber();
      if (next) input(next, "title").focus();
    });
    articlesBox.append(fieldset);
    renumber();
    return fieldset;
  }

  function isBlank(fieldset) {
    return ARTICLE_FIELDS.every((name) => !input(fieldset, name).value.trim());
  }

  // The title rule of `newsbrief summarize` for .txt files (summarizer/inputs/articles.py): the
  // first non-empty line, unless it is a short section label and a real headline follows.
  function splitTitle(text) {
    const lines = text.split(/\r\n|\r|\n/);
    const nonEmpty = lines.map((line, i) => (line.trim() ? i : -1)).filter((i) => i >= 0);
    if (!nonEmpty.length) return ["", ""];
    let titleAt = nonEmpty[0];
    for (const i of nonEmpty.slice(0, 3)) {
      if (lines[i].trim().split(/\s+/).length >= 3) {
        titleAt = i;
        break;
      }
    }
    const body = lines.slice(0, titleAt).concat(lines.slice(titleAt + 1));
    return [lines[titleAt].trim(), body.join("\n").trim()];
  }

  // Elements whose content starts and ends a block of text: their text is never run into the next.
  const BLOCKS = new Set(("address article aside blockquote dd div dl dt figcaption figure footer form h1 h2 h3 h4 h5 h6 " +
    "header hr li main nav ol p pre section table tbody td th thead tr ul").split(" "));
  // Parts of a page that are not its article: menus, site headers and footers, forms, asides.
  const NOT_ARTICLE = "script, style, noscript, template, head, nav, header, footer, aside, form, iframe, svg, [hidden], [aria-hidden='true'], [role='navigation'], [role='banner'], [role='contentinfo']";

  // The readable text of an HTML page, for showing evidence inside it: the <article> (else <main>,
  // else the body) without menus, blocks separated by blank lines. DOMParser's documents are
  // inert: their scripts never run and their images never load.
  function htmlText(doc) {
    const root = doc.querySelector("article") || doc.querySelector("main") || doc.body;
    if (!root) return "";
    for (const node of root.querySelectorAll(NOT_ARTICLE)) node.remove();
    const parts = [];
    const walk = (node) => {
      for (const child of node.childNodes) {
        if (child.nodeType === Node.TEXT_NODE) parts.push(child.textContent.replace(/\s+/g, " "));
        else if (child.nodeType === Node.ELEMENT_NODE) {
          const tag = child.tagName.toLowerCase();
          if (tag === "br") parts.push("\n");
          else if (BLOCKS.has(tag)) {
            parts.push("\n\n");
            walk(child);
            parts.push("\n\n");
          } else walk(child);
        }
      }
    };
    walk(root);
    return parts
      .join("")
      .replace(/[ \t]*\n[ \t]*/g, "\n")
      .replace(/\n{3,}/g, "\n\n")
      .replace(/[ \t]{2,}/g, " ")
      .trim();
  }

  const TITLE_SEPARATOR = /\s+[|\u2013\u2014\u00b7:-]\s+/;

  // The page's title, outlet and date as its metadata gives them: og:title (a <title> keeps
  // " | Outlet" after the headline), og:site_name, article:published_time.
  function htmlMetadata(doc) {
    const meta = (...selectors) => {
      for (const selector of selectors) {
        const value = (doc.querySelector(selector)?.getAttribute("content") || "").trim();
        if (value) return value;
      }
      return "";
    };
    let outlet = meta('meta[property="og:site_name"]', 'meta[name="application-name"]');
    let title = meta('meta[property="og:title"]', 'meta[name="twitter:title"]') || (doc.title || "").trim();
    const parts = title.split(TITLE_SEPARATOR);
    if (parts.length > 1) {
      const last = parts[parts.length - 1];
      const suffixIsOutlet = outlet ? last.toLowerCase() === outlet.toLowerCase() : last.split(/\s+/).length <= 4;
      if (suffixIsOutlet) {
        outlet = outlet || last;
        title = title.slice(0, title.lastIndexOf(last)).replace(new RegExp(`${TITLE_SEPARATOR.source}$`), "").trim();
      }
    }
    if (!title) title = (doc.querySelector("h1")?.textContent || "").trim();
    const published = meta('meta[property="article:published_time"]', 'meta[name="date"]', 'meta[itemprop="datePublished"]');
    return { title, source: outlet, published: /^\d{4}-\d{2}-\d{2}/.test(published) ? published.slice(0, 10) : published };
  }

  async function addFiles(files) {
    const added = [];
    const skipped = [];
    let overLimit = null;
    for (const file of files) {
      const name = file.name.toLowerCase();
      const isHtml = name.endsWith(".html") || name.endsWith(".htm");
      if (!isHtml && !name.endsWith(".txt")) {
        skipped.push(file.name);
        continue;
      }
      const content = await file.text();
      let values;
      let extra = null;
      if (isHtml) {
        const doc = new DOMParser().parseFromString(content, "text/html");
        const metadata = htmlMetadata(doc);
        const text = htmlText(doc);
        values = { ...metadata, title: metadata.title || file.name, text };
        extra = { html: content, shown: text, name: file.name };
      } else {
        const [title, body] = splitTitle(content);
        values = { title, text: body };
      }
      const empty = articleFieldsets().find(isBlank);
      let fieldset = empty;
      if (!fieldset) {
        if (articleFieldsets().length >= maxArticles) {
          overLimit = `at most ${maxArticles} articles: ${file.name} and later files were left out`;
          break;
        }
        fieldset = addArticle();
      }
      for (const [field, value] of Object.entries(values)) if (value) input(fieldset, field).value = value;
      const text = input(fieldset, "text");
      const note = fieldset.querySelector(".file-note");
      if (extra) {
        fromFile.set(fieldset, extra);
        text.readOnly = true;
        note.hidden = false;
        note.textContent = `From ${extra.name}: the service extracts the page's main text from its HTML.`;
      }
      added.push(file.name);
    }
    const said = [];
    if (added.length) said.push(`Added ${added.length} file${added.length > 1 ? "s" : ""}: ${added.join(", ")}`);
    if (skipped.length) said.push(`left out ${skipped.join(", ")}: only .txt and .html files are read`);
    if (overLimit) said.push(overLimit);
    $("form-status").textContent = said.join("; ");
  }

  // The articles to send, each with an id the briefing's sources name, and what the page shows of
  // each (its text) for the evidence panel.
  function collectArticles() {
    const articles = [];
    const sent = [];
    const known = new Map();
    for (const fieldset of articleFieldsets()) {
      if (isBlank(fieldset)) continue;
      const id = `article-${articles.length + 1}`;
      const item = { id };
      for (const name of ["title", "source", "url", "published"]) {
        const value = input(fieldset, name).value.trim();
        if (value) item[name] = value;
      }
      const file = fromFile.get(fieldset);
      if (file) item.html = file.html;
      else item.text = input(fieldset, "text").value;
      articles.push(item);
      sent.push(fieldset);
      known.set(id, { ...item, shown: file ? file.shown : item.text });
    }
    return { articles, sent, known };
  }

  function collectOptions() {
    const options = {};
    const words = $("max-words").value.trim();
    // Sent as typed when it is not a whole number, for the service to name the field.
    if (words) options.max_words = /^\d+$/.test(words) ? Number(words) : words;
    options.engine = $("engine").value;
    if ($("model").value) options.model = $("model").value;
    options.keep_unsupported = $("keep-unsupported").checked;
    return options;
  }

  // ---- Errors: a summary at the top of the form that takes focus, and each beside its field ----

  function clearProblems() {
    for (const control of form.querySelectorAll("[aria-invalid]")) clearFieldError(control);
    const key = $("api-key");
    if (key) clearFieldError(key);
    $("form-errors").hidden = true;
    $("form-errors-detail").textContent = "";
    $("form-errors-list").replaceChildren();
  }

  // The form control a problem's field names (articles[1].text, options.max_words, Authorization).
  function controlFor(field, sent) {
    const article = /^articles\[(\d+)\](?:\.(\w+))?/.exec(field || "");
    if (article) {
      const fieldset = sent[Number(article[1])];
      if (!fieldset) return null;
      const name = article[2] === "html" ? "text" : article[2];
      return input(fieldset, ARTICLE_FIELDS.includes(name) ? name : "text");
    }
    const option = /^options\.(\w+)/.exec(field || "");
    if (option) return { max_words: $("max-words"), engine: $("engine"), model: $("model"), keep_unsupported: $("keep-unsupported") }[option[1]] || null;
    if (field === "Authorization" || field === "X-API-Key") return $("api-key");
    return null;
  }

  // "Article 2's text", "Length", from the control's own label.
  function fieldName(control) {
    const fieldset = control.closest("fieldset.article");
    if (fieldset) return `${fieldset.querySelector("legend").textContent}'s ${FIELD_NAMES[control.dataset.name]}`;
    const label = document.querySelector(`label[for="${CSS.escape(control.id)}"]`);
    return label ? label.firstChild.textContent.trim() : control.name;
  }

  // problems: [{control, message}] (a message for a control reads after its name); detail: what
  // the summary says above them.
  function showProblems(problems, detail = "") {
    const list = $("form-errors-list");
    for (const { control, message } of problems) {
      if (control) {
        // The same words beside the field as in the summary: each is read on its own.
        const said = `${fieldName(control)} ${message}`;
        setFieldError(control, said);
        const link = el("a", { href: `#${control.id}`, text: said });
        link.addEventListener("click", (event) => {
          event.preventDefault();
          control.focus();
          control.scrollIntoView({ block: "center" });
        });
        list.append(el("li", {}, link));
      } else {
        list.append(el("li", { text: message }));
      }
    }
    $("form-errors-detail").textContent = detail;
    $("form-errors-detail").hidden = !detail;
    const summary = $("form-errors");
    summary.hidden = false;
    summary.focus();
    summary.scrollIntoView({ block: "start" });
  }

  function showApiProblem(result, sent) {
    const errors = (result.data && result.data.errors) || [];
    const problems = [];
    for (const error of errors) {
      const control = controlFor(error.field, sent);
      problems.push({ control, message: control ? plainMessage(error.message) : `${plainMessage(error.message)}` });
    }
    // The detail repeats the field errors in the API's words: said once, in the page's.
    showProblems(problems, problems.some((problem) => problem.control) ? "" : problemText(result));
  }

  // The checks the page can make itself, with the service's own limits: nothing is sent until
  // they pass.
  function checkForm(articles, sent) {
    const problems = [];
    if (!articles.length) {
      const first = input(articleFieldsets()[0], "text");
      problems.push({ control: first.readOnly ? null : first, message: first.readOnly ? "Paste or add at least one article first." : "is empty: paste an article, or add a file" });
    }
    articles.forEach((article, i) => {
      const fieldset = sent[i];
      const body = article.html ?? article.text ?? "";
      if (!body.trim()) problems.push({ control: input(fieldset, "text"), message: "is empty: paste the article's text" });
      // The service counts characters (code points), as Array.from does; String.length counts UTF-16 units.
      const length = Array.from(body).length;
      if (length > maxArticleChars) {
        problems.push({
          control: input(fieldset, "text"),
          message: `is too long: ${length.toLocaleString("en")} characters, and this service takes at most ${maxArticleChars.toLocaleString("en")}`,
        });
      }
    });
    if (articles.length > maxArticles) problems.push({ control: null, message: `At most ${maxArticles} articles can be sent at once.` });
    const words = $("max-words");
    const [low, high] = [Number(form.dataset.minWords), Number(form.dataset.maxWords)];
    const value = words.value.trim();
    if (!/^\d+$/.test(value) || Number(value) < low || Number(value) > high) {
      problems.push({ control: words, message: `must be a whole number from ${low} to ${high}` });
    }
    return problems;
  }

  function busy(flag) {
    for (const id of ["submit", "submit-job"]) $(id).disabled = flag;
    form.setAttribute("aria-busy", flag ? "true" : "false");
  }

  function checkedArticles() {
    clearProblems();
    const collected = collectArticles();
    const problems = checkForm(collected.articles, collected.sent);
    if (problems.length) {
      $("form-status").textContent = "";
      showProblems(problems);
      return null;
    }
    return collected;
  }

  async function submitBriefing(event) {
    event.preventDefault();
    const collected = checkedArticles();
    if (!collected) return;
    const { articles, sent, known } = collected;
    const status = $("form-status");
    busy(true);
    status.textContent = `Writing the briefing of ${plural(articles.length, "article")}…`;
    const result = await callApi("POST", "/v1/briefings", { articles, options: collectOptions() });
    busy(false);
    if (!result.ok) {
      status.textContent = "";
      showApiProblem(result, sent);
      return;
    }
    status.textContent = result.status === 201 ? "The briefing is ready." : "The briefing is ready (written earlier for the same articles).";
    renderBriefing(result.data, known);
    $("briefing-section").focus();
  }

  // ---- Jobs ----

  const jobs = new Map();
  const POLL_FIRST_MS = 1000;
  const POLL_MAX_MS = 5000;
  // About two hours at the longest interval; a job still running then is followed by reloading it.
  const POLL_MAX_TIMES = 1500;

  async function submitJob() {
    const collected = checkedArticles();
    if (!collected) return;
    const { articles, sent, known } = collected;
    const status = $("form-status");
    busy(true);
    const body = { clusters: [{ id: articles.map((a) => a.title).filter(Boolean)[0] || "page", articles }], options: collectOptions() };
    const result = await callApi("POST", "/v1/jobs", body);
    busy(false);
    if (!result.ok) {
      status.textContent = "";
      const errors = ((result.data && result.data.errors) || []).map((e) => ({ ...e, field: (e.field || "").replace(/^clusters\[0\]\./, "") }));
      showApiProblem({ ...result, data: { ...result.data, errors } }, sent);
      return;
    }
    status.replaceChildren(`Job ${result.data.id} started: it is followed below, and on `, el("a", { href: `/jobs?id=${encodeURIComponent(result.data.id)}`, text: "its own page" }), ".");
    followJob(result.data.id, [known], result.data);
  }

  function followJob(id, articlesByCluster = null, first = null) {
    let job = jobs.get(id);
    if (!job) {
      const card = el("article", { class: "job", "aria-labelledby": `job-${id}-title` });
      job = { id, card, articlesByCluster, timer: null, polls: 0 };
      jobs.set(id, job);
      $("job-list").prepend(card);
      $("jobs").hidden = false;
    }
    clearTimeout(job.timer);
    job.polls = 0;
    if (first) renderJob(job, first);
    pollJob(job, POLL_FIRST_MS, first === null);
  }

  async function pollJob(job, delay, now) {
    if (!now) {
      job.timer = setTimeout(() => pollJob(job, Math.min(POLL_MAX_MS, delay * 1.5), true), delay);
      return;
    }
    job.polls += 1;
    const result = await callApi("GET", `/v1/jobs/${encodeURIComponent(job.id)}`);
    if (!result.ok) {
      renderJobProblem(job, result);
      if (result.status === 404 || result.status === 401 || result.status === 422) return;
      const wait = result.retryAfter ? Number(result.retryAfter) * 1000 : delay;
      if (job.polls < POLL_MAX_TIMES) job.timer = setTimeout(() => pollJob(job, delay, true), wait || delay);
      return;
    }
    renderJob(job, result.data);
    if (result.data.status !== "done" && job.polls < POLL_MAX_TIMES) {
      job.timer = setTimeout(() => pollJob(job, Math.min(POLL_MAX_MS, delay * 1.5), true), delay);
    }
  }

  function renderJobProblem(job, result) {
    job.card.replaceChildren(
      el("h3", { id: `job-${job.id}-title`, text: `Job ${job.id}` }),
      el("p", { class: "problem", text: problemText(result) }),
    );
  }

  function renderJob(job, data) {
    const counts = data.counts || {};
    const finished = (counts.done || 0) + (counts.failed || 0);
    const progress = el("progress", { max: counts.total || 1, value: finished, "aria-labelledby": `job-${job.id}-title` });
    const summary = `${data.status}: ${counts.done || 0} of ${counts.total || 0} clusters done, ${counts.failed || 0} failed, ${counts.running || 0} running, ${counts.queued || 0} queued`;
    const clusters = el("ul", { class: "clusters" });
    for (const cluster of data.clusters || []) {
      const item = el("li", {}, el("span", { class: "cluster-id", text: cluster.id }), `: ${cluster.status}`);
      if (cluster.attempts > 1) item.append(` (attempt ${cluster.attempts})`);
      if (cluster.error) item.append(el("span", { class: "problem", text: ` ${plainMessage(cluster.error.message)}` }));
      if (cluster.briefing_id) {
        const open = el("button", { type: "button", text: "Open the briefing", "aria-label": `Open the briefing of ${cluster.id}` });
        open.addEventListener("click", () => openStoredBriefing(cluster.briefing_id, job.articlesByCluster ? job.articlesByCluster[cluster.index] : null));
        item.append(" ", open);
      }
      clusters.append(item);
    }
    job.card.replaceChildren(
      el("h3", { id: `job-${job.id}-title`, text: `Job ${data.id}` }),
      progress,
      el("p", { class: "job-summary", text: summary }),
      clusters,
    );
  }

  async function openStoredBriefing(id, articles) {
    const result = await callApi("GET", `/v1/briefings/${encodeURIComponent(id)}`);
    const section = $("briefing-section");
    section.hidden = false;
    if (!result.ok) {
      $("briefing-meta").textContent = `Briefing ${id}: ${problemText(result)}`;
      return;
    }
    renderBriefing(result.data, articles || null);
    section.focus();
  }

  // ---- Models, for the model menu ----

  async function loadModels() {
    const result = await callApi("GET", "/v1/models");
    if (!result.ok) return;
    const select = $("model");
    const chosen = select.value;
    const options = [el("option", { value: "", text: "the service's default" })];
    for (const model of result.data.models || []) {
      if (model.default) {
        options[0].textContent = `the service's default (${model.name}, ${model.state})`;
      } else {
        options.push(el("option", { value: model.name, text: `${model.name} (${model.state})` }));
      }
    }
    select.replaceChildren(...options);
    select.value = chosen;
    if (select.value !== chosen) select.value = "";
  }

  // ---- Each view's start ----

  const VIEWS = {
    front: loadFront,
    story: () => {
      wireBriefing();
      loadStory();
    },
    sources: () => {
      $("url-form").addEventListener("submit", addUrl);
      $("feed-form").addEventListener("submit", addFeed);
      loadFeeds();
    },
    write: () => {
      wireBriefing();
      $("add-article").addEventListener("click", () => input(addArticle(), "title").focus());
      $("files").addEventListener("change", (event) => {
        addFiles(Array.from(event.target.files));
        event.target.value = "";
      });
      const zone = $("drop-zone");
      zone.addEventListener("dragover", (event) => {
        event.preventDefault();
        zone.classList.add("dragging");
      });
      zone.addEventListener("dragleave", () => zone.classList.remove("dragging"));
      zone.addEventListener("drop", (event) => {
        event.preventDefault();
        zone.classList.remove("dragging");
        addFiles(Array.from(event.dataTransfer.files));
      });
      form.addEventListener("submit", submitBriefing);
      $("submit-job").addEventListener("click", submitJob);
      addArticle();
      addArticle();
      loadModels();
    },
    jobs: () => {
      wireBriefing();
      const id = new URLSearchParams(location.search).get("id");
      if (id) {
        $("job-id").value = id;
        followJob(id);
      }
    },
  };

  // What a view asks the API for again once a key is entered (what it has on screen stays).
  const REFRESH = { front: loadFront, story: loadStory, sources: loadFeeds, write: loadModels };

  // The key lives in this tab (sessionStorage), so each view of the tab sends it.
  const key = $("api-key");
  if (key) {
    key.value = storedKey();
    key.addEventListener("change", () => {
      try {
        sessionStorage.setItem(KEY_STORE, key.value.trim());
      } catch {
        // Not kept: each view asks again.
      }
      const refresh = REFRESH[document.body.dataset.view];
      if (refresh) refresh();
    });
  }
  const start = VIEWS[document.body.dataset.view];
  if (start) start();
})();
