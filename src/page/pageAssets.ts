/**
 * The page itself: one HTML file, one stylesheet, one script, all served by
 * serve (and written by export) from this file, so it runs air-gapped: no
 * font, script or image from anywhere else. The script fetches the
 * catalogue once (`-/catalog.json`), searches it in memory (10,000 module
 * versions are a few hundred kilobytes), and fetches one module's detail
 * when it is opened. Every view is reachable without a mouse: `/` focuses
 * the search, arrow keys walk the results, Enter opens one, vulnerability
 * entries are <details> elements, the copy buttons are buttons. Text from
 * bundles goes into the page through textContent only.
 */

export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Go modules served here</title>
<link rel="stylesheet" href="-/page.css">
</head>
<body>
<header>
  <h1><a href="#/">Go modules served here</a></h1>
  <nav aria-label="Sections">
    <a href="#/" id="nav-modules">Modules</a>
    <a href="#/bundles" id="nav-bundles">Bundles</a>
    <a href="#/misses" id="nav-misses">Misses</a>
    <a href="#/settings" id="nav-settings">Settings</a>
  </nav>
</header>
<main id="main" tabindex="-1">
  <p id="status" role="status">Loading the catalogue…</p>
</main>
<footer><p>gobundle serve · read-only Go module proxy · press <kbd>/</kbd> to search</p></footer>
<script src="-/page.js" defer></script>
</body>
</html>
`;

export const PAGE_CSS = `:root { color-scheme: light dark; --fg: #1b1f24; --bg: #fff; --muted: #57606a; --line: #d0d7de; --accent: #0550ae; --bad: #a40e26; --soft: #f6f8fa; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --bg: #0d1117; --muted: #9da7b3; --line: #30363d; --accent: #6cb6ff; --bad: #ff7b72; --soft: #161b22; } }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
header { display: flex; flex-wrap: wrap; align-items: baseline; gap: .5rem 1.5rem; padding: .75rem 1rem; border-bottom: 1px solid var(--line); }
header h1 { margin: 0; font-size: 1.15rem; }
header h1 a { color: inherit; text-decoration: none; }
nav { display: flex; flex-wrap: wrap; gap: .25rem 1rem; }
a { color: var(--accent); }
a:focus-visible, button:focus-visible, input:focus-visible, summary:focus-visible, main:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
nav a[aria-current="page"] { font-weight: 700; text-decoration: none; }
main { padding: 1rem; max-width: 72rem; }
footer { padding: 1rem; color: var(--muted); font-size: .85rem; }
input[type="search"] { width: 100%; max-width: 40rem; font: inherit; padding: .5rem .65rem; border: 1px solid var(--line); border-radius: 6px; background: var(--bg); color: var(--fg); }
.count, .muted { color: var(--muted); }
ul.results { list-style: none; padding: 0; margin: .75rem 0; }
ul.results li { border-bottom: 1px solid var(--line); }
ul.results a { display: flex; flex-wrap: wrap; justify-content: space-between; gap: .25rem 1rem; padding: .45rem .25rem; text-decoration: none; }
ul.results a .path { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; overflow-wrap: anywhere; }
.badge { display: inline-block; font-size: .75rem; padding: 0 .45rem; border-radius: 1rem; border: 1px solid var(--line); color: var(--muted); white-space: nowrap; }
.badge.bad { color: var(--bad); border-color: var(--bad); }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1.25rem; }
th, td { text-align: left; vertical-align: top; padding: .35rem .5rem; border-bottom: 1px solid var(--line); overflow-wrap: anywhere; }
th { font-weight: 600; background: var(--soft); }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .9em; }
pre { background: var(--soft); border: 1px solid var(--line); border-radius: 6px; padding: .75rem; overflow-x: auto; }
details { border: 1px solid var(--line); border-radius: 6px; padding: .4rem .75rem; margin: .5rem 0; }
summary { cursor: pointer; }
button { font: inherit; padding: .35rem .8rem; border-radius: 6px; border: 1px solid var(--line); background: var(--soft); color: var(--fg); cursor: pointer; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
dt { color: var(--muted); }
dd { margin: 0; overflow-wrap: anywhere; }
@media (max-width: 40rem) {
  .wide { display: none; }
  table, tbody, tr, td { display: block; width: 100%; }
  thead { display: none; }
  tr { border-bottom: 1px solid var(--line); padding: .35rem 0; }
  td { border: 0; padding: .1rem 0; }
  td[data-label]::before { content: attr(data-label) ": "; color: var(--muted); }
  dl { grid-template-columns: 1fr; }
}
`;

export const PAGE_JS = `(function () {
'use strict';
var base = location.pathname.replace(/index\\.html$/, '');
if (base.charAt(base.length - 1) !== '/') base += '/';
var proxy = location.origin + base.replace(/\\/$/, '');
var main = document.getElementById('main');
var catalog = null;
var query = '';
var MAX_RESULTS = 200;

function el(tag, attrs, children) {
  var e = document.createElement(tag);
  if (attrs) for (var k in attrs) { if (k === 'text') e.textContent = attrs[k]; else e.setAttribute(k, attrs[k]); }
  (children || []).forEach(function (c) { if (c !== null && c !== undefined) e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
  return e;
}
function get(name) {
  return fetch(base + '-/' + name, { credentials: 'same-origin', cache: 'no-cache' }).then(function (r) {
    if (!r.ok) throw new Error(name + ': ' + r.status + ' ' + r.statusText);
    return r.json();
  });
}
function escapePath(p) { return p.replace(/[A-Z]/g, function (c) { return '!' + c.toLowerCase(); }); }
function show(nodes, focus) {
  main.textContent = '';
  nodes.forEach(function (n) { main.appendChild(n); });
  if (focus) focus.focus(); else main.focus();
}
function current(id) {
  ['nav-modules', 'nav-bundles', 'nav-misses', 'nav-settings'].forEach(function (n) {
    var a = document.getElementById(n);
    if (n === id) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  });
}
function fail(err) { show([el('p', { role: 'alert', text: 'Could not load: ' + err.message })]); }
function bytes(n) { return n >= 1048576 ? (n / 1048576).toFixed(1) + ' MB' : n >= 1024 ? (n / 1024).toFixed(1) + ' kB' : n + ' B'; }

function matches(words) {
  var out = [];
  var rows = catalog.modules;
  for (var i = 0; i < rows.length; i++) {
    var p = rows[i][0].toLowerCase();
    var ok = true;
    for (var w = 0; w < words.length; w++) if (p.indexOf(words[w]) < 0) { ok = false; break; }
    if (ok) out.push(rows[i]);
  }
  return out;
}
function renderResults(list, countEl) {
  var words = query.toLowerCase().split(/\\s+/).filter(Boolean);
  var found = matches(words);
  countEl.textContent = found.length + ' of ' + catalog.modules.length + ' modules (' + catalog.versions + ' versions)' +
    (found.length > MAX_RESULTS ? '; showing the first ' + MAX_RESULTS + ', type more to narrow' : '');
  list.textContent = '';
  var frag = document.createDocumentFragment();
  found.slice(0, MAX_RESULTS).forEach(function (r) {
    var info = el('span', { class: 'muted' }, [r[1] + (r[1] === 1 ? ' version' : ' versions') + ', ' + r[2]]);
    var badges = el('span', null, [info]);
    if (r[3] > 0) badges.appendChild(el('span', { class: 'badge bad', text: r[3] + (r[3] === 1 ? ' vulnerability' : ' vulnerabilities') }));
    if (r[4] === 1) badges.appendChild(el('span', { class: 'badge', text: 'private' }));
    frag.appendChild(el('li', null, [el('a', { href: '#/module/' + r[0] }, [el('span', { class: 'path', text: r[0] }), badges])]));
  });
  list.appendChild(frag);
}
function viewModules() {
  current('nav-modules');
  var input = el('input', { type: 'search', id: 'q', 'aria-label': 'Search modules by path', placeholder: 'Search modules by path, e.g. golang.org/x/text', autocomplete: 'off' });
  input.value = query;
  var count = el('p', { class: 'count', id: 'count', 'aria-live': 'polite' });
  var list = el('ul', { class: 'results', id: 'results' });
  var timer = 0;
  input.addEventListener('input', function () {
    clearTimeout(timer);
    timer = setTimeout(function () { query = input.value; renderResults(list, count); }, 40);
  });
  input.addEventListener('keydown', function (e) {
    if (e.key === 'ArrowDown' || (e.key === 'Enter' && list.firstChild)) {
      var a = list.querySelector('a');
      if (a) { e.preventDefault(); if (e.key === 'Enter') a.click(); else a.focus(); }
    }
  });
  list.addEventListener('keydown', function (e) {
    var li = e.target.parentNode;
    if (e.key === 'ArrowDown' && li.nextSibling) { e.preventDefault(); li.nextSibling.firstChild.focus(); }
    if (e.key === 'ArrowUp') { e.preventDefault(); if (li.previousSibling) li.previousSibling.firstChild.focus(); else input.focus(); }
  });
  renderResults(list, count);
  show([el('label', { for: 'q', class: 'muted', text: 'Modules in the served bundles' }), input, count, list], input);
}

function licenceText(v) {
  if (v.modOnly) return 'no zip (go.mod only)';
  if (v.licenses === null) return 'not yet known (being read; reload)';
  if (v.licenses.length === 0) return 'no licence file';
  return v.licenses.join(', ');
}
function viewModule(path) {
  current('nav-modules');
  show([el('p', { role: 'status', text: 'Loading ' + path + '…' })]);
  get('module/' + escapePath(path) + '/@detail.json').then(function (d) {
    var h = el('h2', { class: 'mono', tabindex: '-1', text: d.path });
    var nodes = [el('p', null, [el('a', { href: '#/', text: '← all modules' })]), h];
    if (d.private) nodes.push(el('p', null, [el('span', { class: 'badge', text: 'private' }), ' Not in the public checksum database: clients name it in GONOSUMDB (see Settings).']));
    var rows = d.versions.map(function (v) {
      var b = v.bundles[0];
      var brought = el('td', { 'data-label': 'Brought by' }, [el('span', { class: 'mono', text: b.file }), ' ', el('span', { class: 'muted', text: '(' + (b.signer || 'unsigned') + ', ' + b.created + ')' })]);
      if (v.bundles.length > 1) brought.appendChild(el('span', { class: 'muted', text: ' and ' + (v.bundles.length - 1) + ' later' }));
      var vulns = el('td', { 'data-label': 'Vulnerabilities' });
      v.vulns.forEach(function (id, i) { if (i) vulns.appendChild(document.createTextNode(', ')); vulns.appendChild(el('a', { href: '#/module/' + d.path + '?vuln=' + id, 'data-vuln': id, text: id })); });
      if (!v.vulns.length) vulns.appendChild(el('span', { class: 'muted', text: 'none known' }));
      return el('tr', null, [
        el('td', { class: 'mono', 'data-label': 'Version' }, [v.version, v.modOnly ? ' ' : null, v.modOnly ? el('span', { class: 'badge', text: '.mod only' }) : null]),
        brought, el('td', { 'data-label': 'Licence', text: licenceText(v) }), vulns]);
    });
    nodes.push(el('h3', { text: d.versions.length + (d.versions.length === 1 ? ' version' : ' versions') }));
    nodes.push(el('table', null, [el('thead', null, [el('tr', null, ['Version', 'Brought by', 'Licence', 'Known vulnerabilities'].map(function (t) { return el('th', { text: t }); }))]), el('tbody', null, rows)]));
    nodes.push(el('h3', { text: d.vulns.length ? 'Known vulnerabilities (' + d.vulns.length + ')' : 'No known vulnerabilities in the carried database' }));
    d.vulns.forEach(function (x) {
      var det = el('details', { id: 'vuln-' + x.id }, [
        el('summary', null, [el('strong', { class: 'mono', text: x.id }), ' ' + x.summary]),
        el('dl', null, [
          el('dt', { text: 'Aliases' }), el('dd', { text: x.aliases.join(', ') || 'none' }),
          el('dt', { text: 'Affected' }), el('dd', { class: 'mono', text: x.affected.join('; ') }),
          el('dt', { text: 'Fixed in' }), el('dd', { class: 'mono', text: x.fixed || 'no fix known' }),
          el('dt', { text: 'Served versions affected' }), el('dd', { class: 'mono', text: x.affects.join(', ') || 'none' }),
          el('dt', { text: 'Modified' }), el('dd', { text: x.modified })])]);
      nodes.push(det);
    });
    show(nodes, h);
    main.querySelectorAll('a[data-vuln]').forEach(function (a) {
      a.addEventListener('click', function (e) {
        e.preventDefault();
        var det = document.getElementById('vuln-' + a.getAttribute('data-vuln'));
        det.open = true;
        det.querySelector('summary').focus();
        det.scrollIntoView();
      });
    });
  }).catch(fail);
}

function table(head, rows) {
  return el('table', null, [el('thead', null, [el('tr', null, head.map(function (t) { return el('th', { text: t }); }))]),
    el('tbody', null, rows.map(function (r) { return el('tr', null, r.map(function (c, i) { return el('td', { 'data-label': head[i] }, [c]); })); }))]);
}
function viewBundles() {
  current('nav-bundles');
  var h = el('h2', { tabindex: '-1', text: catalog.bundles.length + (catalog.bundles.length === 1 ? ' bundle served' : ' bundles served') });
  var nodes = [h];
  catalog.bundles.forEach(function (b) {
    nodes.push(el('h3', { class: 'mono', text: b.file }));
    nodes.push(el('dl', null, [
      el('dt', { text: 'Signed by' }), el('dd', { text: b.signer || 'UNSIGNED' }),
      el('dt', { text: 'Created' }), el('dd', { text: b.created }),
      el('dt', { text: 'Packed by' }), el('dd', { text: b.tool }),
      el('dt', { text: 'Holds' }), el('dd', { text: b.modules + ' module versions, ' + b.files + ' files, ' + bytes(b.bytes) }),
      el('dt', { text: 'Inputs' }), el('dd', { text: b.inputs.map(function (i) { return i.kind + ': ' + i.name; }).join('; ') || 'none' }),
      el('dt', { text: 'Checksum database' }), el('dd', { class: 'mono', text: b.sumdb ? b.sumdb.name + ' tree#' + b.sumdb.tree + ' ' + b.sumdb.hash + (b.sumdb.consistentWith.length ? ' (proven consistent with tree#' + b.sumdb.consistentWith.join(', tree#') + ')' : '') : 'none' }),
      el('dt', { text: 'Parents' }), el('dd', { text: b.parents.length ? b.parents.map(function (p) { return p.name + ' (' + p.created + ')'; }).join('; ') : 'none (a whole bundle)' }),
      el('dt', { text: 'sha256' }), el('dd', { class: 'mono', text: b.sha256 || 'an extracted directory' })]));
  });
  show(nodes, h);
}
function viewMisses() {
  current('nav-misses');
  var h = el('h2', { tabindex: '-1', text: 'What was asked for and is not here' });
  if (!catalog.misses) { show([h, el('p', { text: 'This copy of the page was exported as static files: misses are recorded only by gobundle serve.' })], h); return; }
  get('misses.json').then(function (m) {
    var nodes = [h, el('p', null, ['Every request the served bundles could not answer, as the list next week\\u2019s bundle should carry: ',
      el('a', { href: '-/wants.txt', text: 'wants.txt' }), ' (or ', el('code', { text: 'gobundle wants ' + proxy + ' -o wants.txt' }), '), then ',
      el('code', { text: 'gobundle pack --from-list wants.txt' }), ' on the connected side.'])];
    if (!m.misses.length) nodes.push(el('p', { class: 'muted', text: 'No misses recorded.' }));
    else nodes.push(table(['Module', 'Version', 'Asked for', 'Count', 'First seen', 'Last seen'], m.misses.map(function (x) {
      return [el('span', { class: 'mono', text: x.path }), el('span', { class: 'mono', text: x.version || '—' }), x.kind, String(x.count), x.first, x.last];
    })));
    show(nodes, h);
  }).catch(fail);
}
function settingsText() {
  var lines = ['# Go module settings for ' + proxy, 'export GOPROXY=' + proxy];
  if (catalog.sumdb.length === 0) lines.push('export GOSUMDB=off   # the served bundles carry no checksum database');
  catalog.sumdb.forEach(function (s) {
    lines.push('export GOSUMDB=' + (s.key || s.name) + (s.key ? '' : '   # the database\\u2019s verifier key name+hash+key, if it is not sum.golang.org'));
  });
  if (catalog.private.length) lines.push('export GONOSUMDB=' + catalog.private.join(',') + '   # private modules: not in the checksum database (or GOPRIVATE=... with GONOPROXY=none)');
  lines.push('export GOFLAGS=-mod=mod   # lets go build and go test fill go.sum from the served checksum database');
  if (catalog.toolchains.length) lines.push('# GOTOOLCHAIN=auto (the default) switches to a carried toolchain: ' + catalog.toolchains.join(', '));
  if (location.protocol === 'https:') lines.push('# if this server\\u2019s certificate is from a company CA: export SSL_CERT_FILE=/path/to/company-ca.pem');
  if (catalog.vulndb) lines.push('# vulnerability scans: govulncheck -db ' + proxy + '/vulndb ./...');
  return lines.join('\\n') + '\\n';
}
function copyBlock(id, text) {
  var pre = el('pre', { id: id, tabindex: '0' }, [el('code', { text: text })]);
  var msg = el('span', { class: 'muted', role: 'status', 'aria-live': 'polite' });
  var btn = el('button', { type: 'button', id: id + '-copy', text: 'Copy' });
  btn.addEventListener('click', function () {
    var done = function () { msg.textContent = ' Copied.'; };
    if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(text).then(done, fallback);
    else fallback();
    function fallback() {
      var t = el('textarea', { 'aria-hidden': 'true' }); t.value = text; t.style.position = 'fixed'; t.style.opacity = '0';
      document.body.appendChild(t); t.select();
      try { document.execCommand('copy'); done(); } catch (e) { msg.textContent = ' Select the text and copy it.'; }
      document.body.removeChild(t); btn.focus();
    }
  });
  return [pre, el('p', null, [btn, msg])];
}
function viewSettings() {
  current('nav-settings');
  var h = el('h2', { tabindex: '-1', text: 'Use this server' });
  var nodes = [h, el('p', { text: 'Set these in your shell (or with go env -w), then go build, go mod download and go get work as usual, offline.' })]
    .concat(copyBlock('settings', settingsText()));
  if (catalog.auth) {
    // host:port as the URL names it: Go 1.24 and later match a .netrc machine against the URL's host including an explicit port.
    var host = location.host;
    nodes.push(el('h3', { text: 'Credentials' }));
    nodes.push(el('p', { text: 'This server asks for credentials. The go command (1.24 and later: GOAUTH=netrc, the default) sends those in ~/.netrc over https; the machine line names the host with its port, as GOPROXY does:' }));
    nodes = nodes.concat(copyBlock('netrc', 'machine ' + host + ' login YOUR-USER password YOUR-PASSWORD\\n'));
  }
  show(nodes, h);
}

function route() {
  if (!catalog) return;
  var hash = decodeURIComponent(location.hash.replace(/^#/, ''));
  if (hash.indexOf('/module/') === 0) viewModule(hash.slice(8).replace(/\\?.*$/, ''));
  else if (hash === '/bundles') viewBundles();
  else if (hash === '/misses') viewMisses();
  else if (hash === '/settings') viewSettings();
  else viewModules();
}
document.addEventListener('keydown', function (e) {
  var t = e.target;
  if (e.key === '/' && !(t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA'))) {
    e.preventDefault();
    if (location.hash.replace(/^#/, '') !== '/' && location.hash !== '') location.hash = '#/';
    else { var q = document.getElementById('q'); if (q) q.focus(); }
  }
});
window.addEventListener('hashchange', route);
get('catalog.json').then(function (c) { catalog = c; route(); }).catch(fail);
})();
`;
