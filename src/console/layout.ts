import { href, html, trusted, type Markup } from './html';

export type PageName = 'connections' | 'records' | 'trueup' | 'timesheets';

const NAV: ReadonlyArray<[PageName, string, string]> = [
  ['connections', '/', 'Connections'],
  ['records', '/records', 'Records'],
  ['trueup', '/trueup', 'True-up'],
  ['timesheets', '/timesheets', 'Timesheets'],
];

// Contrast: body text #1a1a1a on white, links #0b4f9c, status colours with text labels (never colour alone).
const STYLE = trusted(`
:root { color-scheme: light; --fg: #1a1a1a; --muted: #4a4a4a; --line: #c8c8c8; --accent: #0b4f9c; --bad: #a11212; --warn: #7a4b00; --ok: #1d6b2a; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: #fff; }
a { color: var(--accent); }
:focus-visible { outline: 3px solid #f0a500; outline-offset: 2px; }
.skip { position: absolute; left: -9999px; } .skip:focus { left: 8px; top: 8px; background: #fff; padding: 6px; z-index: 10; }
header { display: flex; flex-wrap: wrap; gap: 12px 24px; align-items: center; padding: 10px 20px; background: #102a43; color: #fff; }
header a { color: #fff; text-decoration: none; padding: 4px 8px; border-radius: 4px; }
header a[aria-current="page"] { background: #fff; color: #102a43; font-weight: 600; }
header .brand { font-weight: 700; margin-right: 8px; }
header nav ul { list-style: none; display: flex; gap: 4px; margin: 0; padding: 0; }
header .who { margin-left: auto; font-size: 14px; }
header form { display: inline; }
header button { background: transparent; color: #fff; border: 1px solid #fff; }
main { padding: 16px 20px 40px; max-width: 1500px; }
h1 { font-size: 22px; margin: 4px 0 12px; } h2 { font-size: 18px; margin: 24px 0 8px; } h3 { font-size: 16px; margin: 16px 0 6px; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 14px; }
th, td { border-bottom: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }
th { background: #eef2f6; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.muted { color: var(--muted); }
.badge { display: inline-block; padding: 0 6px; border-radius: 3px; border: 1px solid currentColor; font-size: 13px; }
.bad { color: var(--bad); } .warn { color: var(--warn); } .ok { color: var(--ok); }
.notice { border: 2px solid var(--accent); padding: 8px 12px; margin: 8px 0 16px; background: #f2f7fd; }
.notice.error { border-color: var(--bad); background: #fdf2f2; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(330px, 1fr)); gap: 14px; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 10px 14px; }
.card h3 { margin-top: 4px; }
button, input, select, textarea { font: inherit; }
button { cursor: pointer; padding: 4px 10px; border: 1px solid #355c85; border-radius: 4px; background: #fff; color: #102a43; }
button.primary { background: #0b4f9c; color: #fff; border-color: #0b4f9c; }
button.danger { color: var(--bad); border-color: var(--bad); }
.filters { display: flex; flex-wrap: wrap; gap: 10px 16px; align-items: end; margin-bottom: 10px; }
.filters label, .inline label { display: flex; flex-direction: column; font-size: 13px; }
.inline { display: flex; flex-wrap: wrap; gap: 8px; align-items: end; margin: 6px 0; }
.side { display: grid; grid-template-columns: minmax(90px, auto) 1fr 1fr; gap: 0; font-size: 14px; }
.side > div { padding: 2px 6px; border-bottom: 1px solid #e4e4e4; overflow-wrap: anywhere; }
.side .h { font-weight: 600; background: #f4f6f8; }
.side .diff { background: #fff4d6; }
details summary { cursor: pointer; }
#decide { position: sticky; top: 0; z-index: 5; background: #fff; box-shadow: 0 2px 6px rgba(0,0,0,.15); }
pre { white-space: pre-wrap; overflow-wrap: anywhere; font-size: 13px; background: #f6f6f6; padding: 6px; margin: 4px 0; }
.progress { height: 14px; border: 1px solid #355c85; border-radius: 3px; background: #eef2f6; max-width: 420px; }
.progress > span { display: block; height: 100%; background: #0b4f9c; }
`);

export interface LayoutOptions {
  page: PageName | 'login';
  title: string;
  /** The operator acting: a token's name, or `local`. */
  operator?: string;
  /** Whether a logout button makes sense (a cookie session). */
  session?: boolean;
  connection?: string;
  connections?: readonly string[];
  notice?: { text: string; error?: boolean };
  script?: Markup;
}

/** The page shell: skip link, navigation (with the connection carried along), the notice, the content. */
export function layout(opts: LayoutOptions, content: Markup): Markup {
  const conn = opts.connections && opts.connections.length > 1 ? opts.connection : undefined;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>${opts.title} · Intacct–Assignar console</title>
<style>${STYLE}</style>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header>
  <span class="brand">Intacct ⇄ Assignar</span>
  ${opts.page === 'login'
    ? ''
    : html`<nav aria-label="Console pages"><ul>${NAV.map(
        ([name, path, label]) => html`<li><a href="${href(path, { connection: conn })}"${name === opts.page ? html` aria-current="page"` : ''}>${label}</a></li>`,
      )}</ul></nav>`}
  ${opts.operator
    ? html`<span class="who">Signed in as <strong data-testid="operator">${opts.operator}</strong>
      ${opts.session ? html`<form method="post" action="/logout"><button type="submit">Sign out</button></form>` : ''}</span>`
    : ''}
</header>
<main id="main" tabindex="-1">
<h1>${opts.title}</h1>
${opts.notice ? html`<div class="notice${opts.notice.error ? ' error' : ''}" role="${opts.notice.error ? 'alert' : 'status'}" data-testid="notice">${opts.notice.text}</div>` : ''}
${content}
</main>
${opts.script ?? ''}
</body>
</html>`;
}

/** The connection picker (a plain GET form), shown when more than one connection is configured. */
export function connectionPicker(path: string, connections: readonly string[], current: string, extra: Markup = html``): Markup {
  if (connections.length <= 1) return html``;
  return html`<form method="get" action="${path}" class="filters">
  <label>Connection<select name="connection">${connections.map((c) => html`<option${c === current ? html` selected` : ''}>${c}</option>`)}</select></label>
  ${extra}<button type="submit">Show</button></form>`;
}
