// Progressive enhancement only: every page works without this file.
// Puts the viewer's local time in the title of each UTC timestamp (hover), in the pages' one format
// ("2026-12-05 16:00 Europe/Berlin"); calendar days (no time part) are left alone.
document.addEventListener('DOMContentLoaded', () => {
  let format;
  try {
    format = new Intl.DateTimeFormat('en-US', { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  } catch {
    return;
  }
  const zone = format.resolvedOptions().timeZone;
  for (const el of document.querySelectorAll('time[datetime*="T"]')) {
    const d = new Date(el.getAttribute('datetime'));
    if (Number.isNaN(d.getTime())) continue;
    const p = Object.fromEntries(format.formatToParts(d).map((x) => [x.type, x.value]));
    const local = `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute} ${zone} (your time)`;
    el.title = el.title ? `${el.title} · ${local}` : local;
  }
});

// Keeps countdowns running: remaining = (target - server time at render) - time since the page loaded.
// Same wording as remainingText() in components.tsx.
(() => {
  const pad = (n) => String(n).padStart(2, '0');
  const text = (ms) => {
    if (ms <= 0) return 'now';
    const total = Math.floor(ms / 1000);
    const days = Math.floor(total / 86400);
    const hours = Math.floor((total % 86400) / 3600);
    const minutes = Math.floor((total % 3600) / 60);
    if (days > 0) return `${days} day${days === 1 ? '' : 's'} ${pad(hours)} h ${pad(minutes)} min`;
    if (hours > 0) return `${hours} h ${pad(minutes)} min`;
    return `${minutes} min ${pad(total % 60)} s`;
  };
  document.addEventListener('DOMContentLoaded', () => {
    const loaded = Date.now();
    const counters = [...document.querySelectorAll('[data-countdown-to]')].map((el) => ({
      el,
      left: new Date(el.getAttribute('data-countdown-to')).getTime() - new Date(el.getAttribute('data-countdown-now')).getTime(),
    })).filter((c) => !Number.isNaN(c.left));
    if (!counters.length) return;
    const tick = () => {
      for (const c of counters) c.el.textContent = text(c.left - (Date.now() - loaded));
    };
    setInterval(tick, 1000);
  });
})();
