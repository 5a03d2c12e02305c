/**
 * The true-up page's live progress (progressive enhancement: the page is complete without it). Polls
 * /trueup/status.json and writes the phase, the counts and the progress bar into the page as text.
 */
export const LIVE_SCRIPT = `(() => {
  const live = document.getElementById('live');
  if (!live || !window.fetch) return;
  const connection = live.getAttribute('data-connection');
  if (!connection) return;
  const set = (name, text) => { const el = live.querySelector('[data-live="' + name + '"]'); if (el) el.textContent = String(text); };
  async function poll() {
    try {
      const res = await fetch('/trueup/status.json?connection=' + encodeURIComponent(connection), { credentials: 'same-origin', headers: { accept: 'application/json' } });
      if (res.ok) {
        const s = await res.json();
        set('phase', s.phase);
        set('paused', s.paused ? 'paused' : '');
        set('progress-text', s.progress.done + ' of ' + s.progress.of);
        const pct = s.progress.of === 0 ? 0 : Math.round(100 * s.progress.done / s.progress.of);
        const bar = live.querySelector('[data-live="progress"]');
        if (bar) { bar.setAttribute('aria-valuenow', String(pct)); bar.firstElementChild.style.width = pct + '%'; }
        for (const [action, byState] of Object.entries(s.counts)) for (const [state, n] of Object.entries(byState)) set('count-' + action + '-' + state, n);
        if (s.phase === 'done' || s.phase === 'cancelled') return;
      }
    } catch (e) { /* the next poll tries again */ }
    setTimeout(poll, 2000);
  }
  setTimeout(poll, 2000);
})();
`;
