// The query editor: colours, completion, the parser's errors at their place, history, share link.
//
// Written here rather than taken from an editor library: CodeMirror 6 or YASGUI would have to be
// bundled from npm and vendored (no Python package ships them), and the page must work offline.
// The text area stays the editor (typing, selection, undo and forms are the browser's own); a
// <pre> behind it shows the same text coloured. Colours come from a lexical pass that only picks
// the span classes; whether the query is well formed is the server's parser's word
// (POST /query/check), shown where it stops.
(function () {
  "use strict";
  const textarea = document.getElementById("query");
  if (!textarea) return;
  const form = textarea.form;
  const message = document.getElementById("editor-message");
  const historyList = document.getElementById("history");
  const shareLink = document.getElementById("share-link");
  const HISTORY_KEY = "urbankg.query-history";
  const HISTORY_SIZE = 30;
  const SEARCH_KINDS = ["concept", "framework", "case", "place", "work", "person", "claim"];
  const KEYWORDS = ("SELECT DISTINCT REDUCED WHERE OPTIONAL FILTER UNION MINUS GRAPH SERVICE BIND VALUES AS " +
    "PREFIX BASE ASK CONSTRUCT DESCRIBE FROM NAMED ORDER BY ASC DESC LIMIT OFFSET GROUP HAVING NOT EXISTS " +
    "IN UNDEF COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT SEPARATOR STR LANG LANGMATCHES DATATYPE BOUND IRI URI " +
    "BNODE RAND ABS CEIL FLOOR ROUND CONCAT STRLEN UCASE LCASE ENCODE_FOR_URI CONTAINS STRSTARTS STRENDS " +
    "STRBEFORE STRAFTER YEAR MONTH DAY HOURS MINUTES SECONDS TIMEZONE TZ NOW UUID STRUUID MD5 SHA1 SHA256 " +
    "SHA384 SHA512 COALESCE IF STRLANG STRDT SAMETERM ISIRI ISURI ISBLANK ISLITERAL ISNUMERIC REGEX SUBSTR " +
    "REPLACE TRUE FALSE").split(" ");
  const KEYWORD_SET = new Set(KEYWORDS);
  // One token at a time, first match wins; only the class of each span depends on it.
  const TOKENS = [
    ["comment", /#[^\n]*/y],
    ["iri", /<[^<>"{}|^`\\\s]*>/y],
    ["string", /"""[\s\S]*?"""|'''[\s\S]*?'''|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/y],
    ["variable", /[?$][\w\u00B7\u00C0-\uFFFF]+/y],
    ["pname", /(?:[A-Za-z][\w.-]*)?:(?:[\w\u00B7\u00C0-\uFFFF%-]|\\[^\s]|\.(?=[\w\\\u00C0-\uFFFF]))*/y],
    ["number", /[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+)/y],
    ["word", /[A-Za-z_][\w]*/y],
    ["space", /\s+/y],
    ["punct", /[\s\S]/y],
  ];

  let vocabulary = { prefixes: {}, id_kinds: [], terms: [] };
  let errorAt = null; // {line, column} of the parser's stop, or null
  let items = []; // the completion list's entries: {text, label, detail}
  let chosen = 0;
  let wordStart = 0;
  let checkTimer = null;
  let completeTimer = null;
  let checkSeq = 0;
  let completeSeq = 0;

  // -- the coloured copy behind the text area -----------------------------------------------
  const wrapper = document.createElement("div");
  wrapper.className = "editor";
  textarea.parentNode.insertBefore(wrapper, textarea);
  const highlight = document.createElement("pre");
  highlight.className = "editor-highlight";
  highlight.setAttribute("aria-hidden", "true");
  wrapper.appendChild(highlight);
  wrapper.appendChild(textarea);
  textarea.setAttribute("wrap", "off");
  textarea.setAttribute("autocomplete", "off");
  textarea.classList.add("editor-text");
  const list = document.createElement("ul");
  list.id = "completion";
  list.className = "editor-completion";
  list.setAttribute("role", "listbox");
  list.hidden = true;
  wrapper.appendChild(list);
  const ruler = document.createElement("span");
  ruler.className = "editor-ruler";
  ruler.textContent = "0123456789";
  wrapper.appendChild(ruler);

  function tokenize(text) {
    const out = [];
    let at = 0;
    while (at < text.length) {
      for (const [kind, pattern] of TOKENS) {
        pattern.lastIndex = at;
        const m = pattern.exec(text);
        if (m && m[0].length) {
          let k = kind;
          if (kind === "word") k = KEYWORD_SET.has(m[0].toUpperCase()) || m[0] === "a" ? "keyword" : "plain";
          out.push({ kind: k, start: at, end: at + m[0].length });
          at += m[0].length;
          break;
        }
      }
    }
    return out;
  }

  function offsetOf(text, line, column) {
    let at = 0;
    for (let l = 1; l < line; l++) {
      const next = text.indexOf("\n", at);
      if (next < 0) return text.length;
      at = next + 1;
    }
    return Math.min(at + column - 1, text.length);
  }

  function span(kind, content) {
    const node = document.createElement("span");
    node.className = "tok-" + kind;
    node.textContent = content;
    return node;
  }

  function errorMark(content) {
    const node = document.createElement("span");
    node.className = "editor-error";
    node.dataset.line = errorAt.line;
    node.dataset.column = errorAt.column;
    node.textContent = content || " ";
    return node;
  }

  function paint() {
    const text = textarea.value;
    const at = errorAt ? offsetOf(text, errorAt.line, errorAt.column) : -1;
    highlight.textContent = "";
    let marked = false;
    for (const token of tokenize(text)) {
      const content = text.slice(token.start, token.end);
      if (!marked && at >= token.start && at < token.end) {
        // The mark covers the rest of the token the parser stopped in (a line's end stays whole).
        const stop = token.kind === "space" ? at + 1 : token.end;
        if (at > token.start) highlight.appendChild(span(token.kind, text.slice(token.start, at)));
        const mark = errorMark(text.slice(at, stop));
        highlight.appendChild(mark);
        if (stop < token.end) highlight.appendChild(span(token.kind, text.slice(stop, token.end)));
        marked = true;
      } else {
        highlight.appendChild(span(token.kind, content));
      }
    }
    if (errorAt && !marked) highlight.appendChild(errorMark(" "));
    highlight.appendChild(document.createTextNode("\n ")); // a last empty line keeps its height
    syncScroll();
  }

  function syncScroll() {
    highlight.scrollTop = textarea.scrollTop;
    highlight.scrollLeft = textarea.scrollLeft;
  }

  // -- the parser's word, at its place --------------------------------------------------------
  function check() {
    const seq = ++checkSeq;
    fetch("/query/check", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json" },
      body: "query=" + encodeURIComponent(textarea.value),
    }).then(function (response) { return response.json(); }).then(function (answer) {
      if (seq !== checkSeq) return; // the text changed since
      if (answer.valid) {
        errorAt = null;
        message.textContent = "";
        message.className = "editor-message";
      } else {
        errorAt = answer.line ? { line: answer.line, column: answer.column || 1 } : null;
        // The engine lists every token it would have taken: the first line says enough.
        let said = (answer.message || "").split("\n")[0].replace(/^error at \d+:\d+: /, "");
        if (said.length > 240) said = said.slice(0, 240) + "…";
        message.textContent = (answer.line ? "Line " + answer.line + ", column " + answer.column + ": " : "") + said;
        message.className = "editor-message error";
      }
      paint();
    }).catch(function () { /* a check that did not arrive leaves the last word standing */ });
  }

  // -- completion ---------------------------------------------------------------------------
  function tokenBefore(text, caret) {
    let found = null;
    for (const token of tokenize(text.slice(0, caret))) found = token;
    return found;
  }

  function declared(name) {
    return new RegExp("^\\s*PREFIX\\s+" + name.replace(/[.-]/g, "\\$&") + ":", "im").test(textarea.value);
  }

  function escapeLocal(local) {
    // A prefixed name's local part may hold these only escaped (SPARQL's PN_LOCAL_ESC): claim:lin-2019\/x.
    return local.replace(/[\/~!$&'()*+,;=?#@]/g, "\\$&").replace(/\.$/, "\\.");
  }

  function prefixItems(word) {
    const lower = word.toLowerCase();
    const names = Object.keys(vocabulary.prefixes).filter(function (p) { return p.toLowerCase().startsWith(lower); });
    const keys = word.length >= 2
      ? KEYWORDS.filter(function (k) { return k.startsWith(word.toUpperCase()) && k !== word.toUpperCase(); })
      : [];
    return names.map(function (p) {
      return { text: p + ":", label: p + ":", detail: vocabulary.prefixes[p], prefix: p, kind: "prefix" };
    }).concat(keys.slice(0, 6).map(function (k) { return { text: k, label: k, detail: "keyword", kind: "keyword" }; }));
  }

  function termItems(local) {
    // The name's start first (ukg:Ca: Case, caseOf), then a word of the label (has category).
    const lower = local.toLowerCase();
    const byName = [];
    const byLabel = [];
    vocabulary.terms.forEach(function (t) {
      if (t.name.slice(4).toLowerCase().startsWith(lower)) byName.push(t);
      else if (lower.length >= 2 && t.label.toLowerCase().split(/\s+/).some(function (w) { return w.startsWith(lower); })) byLabel.push(t);
    });
    return byName.concat(byLabel).slice(0, 15).map(function (t) {
      return { text: t.name, label: t.name, detail: t.kind + (t.label ? " · " + t.label : ""), prefix: "ukg", kind: "term" };
    });
  }

  function idItems(kind, local, seq) {
    const url = "/search?format=json&limit=12&kind=" + encodeURIComponent(kind) + "&q=" + encodeURIComponent(local);
    return fetch(url, { headers: { "Accept": "application/json" } }).then(function (r) { return r.json(); })
      .then(function (answer) {
        if (seq !== completeSeq) return null;
        return (answer.hits || []).filter(function (hit) { return hit.id.startsWith(kind + "/"); }).map(function (hit) {
          const name = kind + ":" + escapeLocal(hit.id.slice(kind.length + 1));
          return { text: name, label: name, detail: hit.label, prefix: kind, kind: "id" };
        });
      });
  }

  function complete(forced) {
    const seq = ++completeSeq;
    const caret = textarea.selectionStart;
    const token = tokenBefore(textarea.value, caret);
    if (!token || token.end !== caret || !(token.kind === "pname" || token.kind === "keyword" || token.kind === "plain")) {
      return close();
    }
    const word = textarea.value.slice(token.start, caret);
    wordStart = token.start;
    const colon = word.indexOf(":");
    if (colon < 0) {
      return show(prefixItems(word));
    }
    const prefix = word.slice(0, colon);
    const local = word.slice(colon + 1).replace(/\\(.)/g, "$1");
    if (prefix === "ukg") return show(termItems(local));
    if (SEARCH_KINDS.indexOf(prefix) >= 0 && (local.length >= 2 || forced)) {
      clearTimeout(completeTimer);
      completeTimer = setTimeout(function () {
        idItems(prefix, local, seq).then(function (found) { if (found !== null) show(found); }).catch(close);
      }, 150);
      return;
    }
    close();
  }

  function show(found) {
    items = found;
    chosen = 0;
    list.textContent = "";
    if (!items.length) return close();
    items.forEach(function (item, i) {
      const li = document.createElement("li");
      li.setAttribute("role", "option");
      li.dataset.kind = item.kind;
      const name = document.createElement("code");
      name.textContent = item.label;
      const detail = document.createElement("span");
      detail.className = "detail";
      detail.textContent = item.detail || "";
      li.appendChild(name);
      li.appendChild(detail);
      li.addEventListener("mousedown", function (event) { event.preventDefault(); accept(i); });
      list.appendChild(li);
    });
    place();
    list.hidden = false;
    mark();
  }

  function close() {
    items = [];
    list.hidden = true;
  }

  function mark() {
    Array.prototype.forEach.call(list.children, function (li, i) {
      li.setAttribute("aria-selected", i === chosen ? "true" : "false");
    });
  }

  function place() {
    const before = textarea.value.slice(0, wordStart);
    const line = before.split("\n").length;
    const column = before.length - before.lastIndexOf("\n") - 1;
    const style = getComputedStyle(textarea);
    const charWidth = ruler.getBoundingClientRect().width / 10;
    const lineHeight = parseFloat(style.lineHeight) || ruler.getBoundingClientRect().height;
    list.style.top = (parseFloat(style.paddingTop) + line * lineHeight - textarea.scrollTop + 2) + "px";
    list.style.left = Math.max(0, parseFloat(style.paddingLeft) + column * charWidth - textarea.scrollLeft) + "px";
  }

  function accept(i) {
    const item = items[i];
    if (!item) return;
    const text = textarea.value;
    const caret = textarea.selectionStart;
    let head = text.slice(0, wordStart) + item.text;
    let tail = text.slice(caret);
    // A prefix the query does not declare yet is declared after the last PREFIX line.
    if (item.prefix && vocabulary.prefixes[item.prefix] && !declared(item.prefix)) {
      const line = "PREFIX " + item.prefix + ": <" + vocabulary.prefixes[item.prefix] + ">\n";
      const all = head + tail;
      const prologue = /^(?:\s*(?:#[^\n]*|PREFIX[^\n]*|BASE[^\n]*)\n)*/i.exec(all)[0].length;
      head = head.slice(0, prologue) + line + head.slice(prologue);
    }
    textarea.value = head + tail;
    textarea.selectionStart = textarea.selectionEnd = head.length;
    close();
    textarea.focus();
    changed();
  }

  // -- history and the share link -----------------------------------------------------------
  function history() {
    try {
      const kept = JSON.parse(localStorage.getItem(HISTORY_KEY) || "[]");
      return Array.isArray(kept) ? kept.filter(function (q) { return typeof q === "string"; }) : [];
    } catch (e) {
      return [];
    }
  }

  function remember(query) {
    const kept = [query].concat(history().filter(function (q) { return q !== query; })).slice(0, HISTORY_SIZE);
    try { localStorage.setItem(HISTORY_KEY, JSON.stringify(kept)); } catch (e) { /* storage full or off */ }
    showHistory();
  }

  function summary(query) {
    const body = query.split("\n").filter(function (l) { return l.trim() && !/^\s*(PREFIX|BASE|#)/i.test(l); });
    const text = body.join(" ").replace(/\s+/g, " ").trim();
    return text.length > 90 ? text.slice(0, 90) + "…" : text || "(prefixes only)";
  }

  function showHistory() {
    if (!historyList) return;
    historyList.textContent = "";
    const none = document.createElement("option");
    none.value = "";
    none.textContent = history().length ? "—" : "no query run yet";
    historyList.appendChild(none);
    history().forEach(function (query, i) {
      const option = document.createElement("option");
      option.value = String(i);
      option.textContent = summary(query);
      historyList.appendChild(option);
    });
  }

  function share() {
    if (shareLink) shareLink.href = "/query?query=" + encodeURIComponent(textarea.value);
  }

  function changed() {
    share();
    paint();
    clearTimeout(checkTimer);
    checkTimer = setTimeout(check, 400);
    textarea.dispatchEvent(new CustomEvent("editor-change"));
  }

  // -- wiring -------------------------------------------------------------------------------
  textarea.addEventListener("input", function () {
    changed();
    complete(false);
  });
  textarea.addEventListener("scroll", function () { syncScroll(); if (!list.hidden) place(); });
  textarea.addEventListener("blur", function () { setTimeout(close, 150); });
  textarea.addEventListener("click", close);
  textarea.addEventListener("keydown", function (event) {
    if (event.key === " " && event.ctrlKey) { event.preventDefault(); complete(true); return; }
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && form) {
      event.preventDefault();
      form.requestSubmit();
      return;
    }
    if (list.hidden) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      chosen = (chosen + (event.key === "ArrowDown" ? 1 : items.length - 1)) % items.length;
      mark();
    } else if (event.key === "Enter" || event.key === "Tab") {
      event.preventDefault();
      accept(chosen);
    } else if (event.key === "Escape") {
      event.preventDefault();
      close();
    }
  });
  if (form) form.addEventListener("submit", function () { remember(textarea.value); });
  if (historyList) {
    historyList.addEventListener("change", function () {
      const query = history()[Number(historyList.value)];
      if (historyList.value !== "" && query !== undefined) {
        textarea.value = query;
        textarea.dispatchEvent(new Event("input"));
        close();
      }
    });
  }
  fetch("/query/terms", { headers: { "Accept": "application/json" } }).then(function (r) { return r.json(); })
    .then(function (answer) { vocabulary = answer; wrapper.dataset.names = "loaded"; }).catch(function () { /* completion offers keywords only */ });
  showHistory();
  share();
  paint();
  // The default prefixes fill the first lines: show the query's own text below them.
  textarea.scrollTop = textarea.scrollHeight;
  syncScroll();
  check();
})();
