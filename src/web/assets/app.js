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
