// Progressive enhancement only: every page works without this file.
// Shows the viewer's local time beside each UTC timestamp.
document.addEventListener('DOMContentLoaded', () => {
  for (const el of document.querySelectorAll('time[datetime]')) {
    const d = new Date(el.getAttribute('datetime'));
    if (Number.isNaN(d.getTime())) continue;
    const local = document.createElement('span');
    local.className = 'local';
    local.textContent = `${d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })} your time`;
    el.after(local);
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
