// The page for people (service/web). Vanilla JavaScript, no build step, nothing fetched from
// elsewhere. Every piece of text that comes from a request or a briefing is written with
// textContent or as a text node, never as HTML: article titles and bodies are data, not markup.
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

  // ---- The API, with the key when the service needs one ----

  function apiHeaders(withBody) {
    const headers = { Accept: "application/json, application/problem+json" };
    if (withBody) headers["Content-Type"] = "application/json";
    const key = $("api-key");
    if (key && key.value.trim()) headers.Authorization = `Bearer ${key.value.trim()}`;
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
    return data.detail || data.title || `request failed (${result.status})`;
  }

  // ---- Articles: fields to paste into, files to drop ----

  const articlesBox = $("articles");
  const template = $("article-template");
  const form = $("briefing-form");
  const maxArticles = Number(form.dataset.maxArticles) || 50;
  // What only the page knows of an article: the HTML of a dropped page and its text as shown.
  const fromFile = new WeakMap();
  let fieldsetCounter = 0;

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
    return ["title", "text", "source", "url", "published"].every((name) => !input(fieldset, name).value.trim());
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

  // The readable text of an HTML page, for showing evidence inside it. DOMParser's documents are
  // inert: their scripts never run and their images never load.
  function htmlText(doc) {
    for (const node of doc.querySelectorAll("script, style, noscript, template, head")) node.remove();
    return (doc.body ? doc.body.textContent : "").replace(/[ \t]+/g, " ").replace(/\n\s*\n+/g, "\n\n").trim();
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
        const title = (doc.title || "").trim() || file.name;
        const shown = htmlText(doc);
        values = { title, text: shown };
        extra = { html: content, shown, name: file.name };
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
      for (const [field, value] of Object.entries(values)) input(fieldset, field).value = value;
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

  // ---- Errors, shown beside the form and on the fields they name ----

  function clearProblems() {
    for (const node of form.querySelectorAll("[aria-invalid]")) node.removeAttribute("aria-invalid");
    const box = $("form-errors");
    box.hidden = true;
    box.replaceChildren();
  }

  function controlFor(field, sent) {
    const article = /^articles\[(\d+)\](?:\.(\w+))?/.exec(field || "");
    if (article) {
      const fieldset = sent[Number(article[1])];
      if (!fieldset) return null;
      const name = article[2] === "html" ? "text" : article[2];
      return input(fieldset, ["title", "text", "source", "url", "published"].includes(name) ? name : "text");
    }
    const option = /^options\.(\w+)/.exec(field || "");
    if (option) return { max_words: $("max-words"), engine: $("engine"), model: $("model") }[option[1]] || null;
    if (field === "Authorization" || field === "X-API-Key") return $("api-key");
    return null;
  }

  function showProblem(result, sent = []) {
    const box = $("form-errors");
    box.replaceChildren(el("p", { text: problemText(result) }));
    const errors = (result.data && result.data.errors) || [];
    if (errors.length) {
      const list = el("ul");
      for (const error of errors) {
        list.append(el("li", {}, el("code", { text: error.field }), `: ${error.message}`));
        const control = controlFor(error.field, sent);
        if (control) control.setAttribute("aria-invalid", "true");
      }
      box.append(list);
    }
    box.hidden = false;
    const first = form.querySelector("[aria-invalid]");
    if (first) first.focus();
  }

  // ---- The briefing ----

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

  function renderBriefing(resource, articles) {
    const briefing = briefingOf(resource);
    if (!briefing) throw new Error("the answer holds no briefing");
    shown = { resource, briefing, articles };
    $("briefing-empty").hidden = true;
    $("briefing-result").hidden = false;
    hideEvidence();

    const sentences = briefing.sentences;
    const parts = [`Engine: ${briefing.engine}`];
    if (briefing.model) parts.push(`model ${briefing.model}`);
    parts.push(`${sentences.length} sentence${sentences.length === 1 ? "" : "s"}`);
    parts.push(`${(briefing.sources || []).length} sources`);
    if (resource.id) parts.push(`id ${resource.id}`);
    $("briefing-meta").textContent = parts.join(" · ");

    const warnings = briefing.warnings || [];
    $("warnings").hidden = !warnings.length;
    $("warning-list").replaceChildren(...warnings.map((warning) => el("li", { text: warning })));

    const paragraph = el("p");
    sentences.forEach((sentence, i) => {
      const verdict = verdictOf(sentence);
      const span = el("span", { class: `sentence verdict-${verdict}`, id: `sentence-${i + 1}` }, sentence.text);
      if (verdict !== "supported") {
        const badge = el("button", {
          type: "button",
          class: `badge badge-${verdict}`,
          "aria-controls": "evidence",
          text: verdict,
          "aria-label": `Sentence ${i + 1} is ${verdict}: why`,
        });
        const show = () => selectMarker(badge, () => showSentence(i, null));
        badge.addEventListener("click", show);
        badge.addEventListener("focus", show);
        span.append(" ", badge);
      }
      for (const index of sentence.citations || []) {
        const describe = `Evidence for sentence ${i + 1}`;
        span.append(" ", marker(index, (button) => selectMarker(button, () => showSentence(i, index)), describe));
      }
      paragraph.append(span, " ");
    });
    $("briefing-text").replaceChildren(paragraph);

    renderDisagreements(briefing.disagreements || []);
    $("source-list").replaceChildren(...(briefing.sources || []).map(sourceItem));
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

  function renderDisagreements(disagreements) {
    $("disagreements").hidden = !disagreements.length;
    $("disagreement-list").replaceChildren(
      ...disagreements.map((disagreement, i) => {
        const versions = el("ul");
        for (const version of disagreement.versions || []) {
          const item = el("li", {}, el("q", { text: version.text }));
          for (const index of version.sources || []) {
            const describe = `Disagreement ${i + 1}, this version`;
            const show = (button) =>
              selectMarker(button, () => showVersion(disagreement, version, index));
            item.append(" ", marker(index, show, describe));
          }
          versions.append(item);
        }
        return el("li", {}, el("p", { class: "claim", text: disagreement.claim }), versions);
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
    const nodes = [el("p", { class: "label", text: "Where sources disagree" }), el("p", { class: "claim", text: disagreement.claim })];
    nodes.push(evidenceItem(index, { text: version.text, span: null }));
    showEvidencePanel(`Source [${index}]'s version`, nodes);
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

  // ---- Submitting ----

  function busy(flag) {
    for (const id of ["submit", "submit-job"]) $(id).disabled = flag;
    form.setAttribute("aria-busy", flag ? "true" : "false");
  }

  async function submitBriefing(event) {
    event.preventDefault();
    clearProblems();
    const { articles, sent, known } = collectArticles();
    const status = $("form-status");
    if (!articles.length) {
      status.textContent = "";
      showProblem({ status: 0, data: { detail: "Paste or drop at least one article first." } });
      input(articleFieldsets()[0], "title").focus();
      return;
    }
    busy(true);
    status.textContent = `Writing the briefing of ${articles.length} article${articles.length > 1 ? "s" : ""}…`;
    const result = await callApi("POST", "/v1/briefings", { articles, options: collectOptions() });
    busy(false);
    if (!result.ok) {
      status.textContent = "";
      showProblem(result, sent);
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
    clearProblems();
    const { articles, sent, known } = collectArticles();
    const status = $("form-status");
    if (!articles.length) {
      showProblem({ status: 0, data: { detail: "Paste or drop at least one article first." } });
      return;
    }
    busy(true);
    const body = { clusters: [{ id: articles.map((a) => a.title).filter(Boolean)[0] || "page", articles }], options: collectOptions() };
    const result = await callApi("POST", "/v1/jobs", body);
    busy(false);
    if (!result.ok) {
      status.textContent = "";
      const errors = ((result.data && result.data.errors) || []).map((e) => ({ ...e, field: (e.field || "").replace(/^clusters\[0\]\./, "") }));
      showProblem({ ...result, data: { ...result.data, errors } }, sent);
      return;
    }
    status.textContent = `Job ${result.data.id} started: follow it under Jobs.`;
    followJob(result.data.id, [known], result.data);
  }

  function followJob(id, articlesByCluster = null, first = null) {
    let job = jobs.get(id);
    if (!job) {
      const card = el("article", { class: "job", "aria-labelledby": `job-${id}-title` });
      job = { id, card, articlesByCluster, timer: null, polls: 0 };
      jobs.set(id, job);
      $("job-list").prepend(card);
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
      if (cluster.error) item.append(el("span", { class: "problem", text: ` ${cluster.error.message}` }));
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
    if (!result.ok) {
      $("form-status").textContent = `Briefing ${id}: ${problemText(result)}`;
      return;
    }
    renderBriefing(result.data, articles || null);
    $("briefing-section").focus();
  }

  // ---- Stories (shown when the service has them: GET /v1/stories answers) ----

  function storyItems(data) {
    if (Array.isArray(data)) return data;
    return (data && (data.stories || data.items)) || [];
  }

  async function loadStories() {
    const result = await callApi("GET", "/v1/stories");
    if (result.status === 404 || result.status === 405) {
      $("stories").hidden = true;
      $("stories-link").hidden = true;
      return;
    }
    $("stories").hidden = false;
    $("stories-link").hidden = false;
    const status = $("stories-status");
    if (!result.ok) {
      status.textContent = result.status === 401 ? "Enter the API key above, then Refresh." : problemText(result);
      $("story-list").replaceChildren();
      return;
    }
    const items = storyItems(result.data);
    status.textContent = `${items.length} stor${items.length === 1 ? "y" : "ies"}, newest first`;
    $("story-list").replaceChildren(...items.map(storyItem));
  }

  function storyItem(story) {
    const headline = story.headline || story.title || story.id;
    const outlets = Array.isArray(story.outlets) ? story.outlets.join(", ") : story.outlets;
    const count = story.article_count ?? story.articles_count ?? (Array.isArray(story.articles) ? story.articles.length : story.articles);
    const facts = [];
    if (count !== undefined && count !== null) facts.push(`${count} article${count === 1 ? "" : "s"}`);
    if (outlets) facts.push(`from ${outlets}`);
    if (story.first_seen) facts.push(`first seen ${story.first_seen}`);
    if (story.last_seen) facts.push(`last seen ${story.last_seen}`);
    const open = el("button", { type: "button", text: "Open the briefing", "aria-label": `Open the briefing of: ${headline}` });
    open.addEventListener("click", () => openStory(story.id));
    return el("li", {}, el("h3", { text: headline }), el("p", { class: "meta", text: facts.join(" · ") }), open);
  }

  async function openStory(id) {
    const status = $("stories-status");
    const result = await callApi("GET", `/v1/stories/${encodeURIComponent(id)}`);
    if (!result.ok) {
      status.textContent = problemText(result);
      return;
    }
    const story = result.data;
    // The current version: {version, status, briefing, error}, or a briefing itself.
    const version = story.briefing || null;
    if (!briefingOf(version)) {
      const state = version && version.status ? `its briefing is ${version.status}` : "it has no briefing yet";
      const why = version && version.error ? `: ${version.error.message}` : "";
      status.textContent = `${story.headline || `Story ${id}`}: ${state}${why}.`;
      return;
    }
    // Articles listed with their text, when the service sends it, show the evidence in place.
    const known = new Map();
    for (const article of story.articles || []) {
      let text = article.text || "";
      if (!text && article.html) text = htmlText(new DOMParser().parseFromString(article.html, "text/html"));
      if (text && article.id !== undefined) known.set(String(article.id), { ...article, shown: text });
    }
    status.textContent = `${story.headline || `Story ${id}`}${version.version ? `: briefing version ${version.version}` : ""}`;
    renderBriefing(version, known);
    $("briefing-section").focus();
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

  // ---- Wiring ----

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
  $("copy-markdown").addEventListener("click", copyMarkdown);
  $("download-json").addEventListener("click", downloadJson);
  $("refresh-stories").addEventListener("click", loadStories);
  $("job-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const id = $("job-id").value.trim();
    if (id) followJob(id);
  });
  const key = $("api-key");
  if (key) {
    key.addEventListener("change", () => {
      loadModels();
      loadStories();
    });
  }

  addArticle();
  addArticle();
  loadModels();
  loadStories();
})();
