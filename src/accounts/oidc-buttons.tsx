// The "Sign in with …" buttons of the sign-in page (issue 19). Links, not forms: the start redirects to the
// provider's origin, which the CSP's form-action 'self' (http/app.ts) rightly forbids after a form post.
// A start only records a flow bound to this browser, so a forged one signs nobody in (oidc.ts).
import type { AppContext } from '../context.js';

/** `invite`: on an invitation's page, the token goes along so the invitation creates the account. */
export function ProviderButtons({ app, next, invite }: { app: AppContext; next: string; invite?: string }) {
  if (!app.config.oidcProviders.length) return null;
  return (
    <div class="stack card oidc-providers">
      {app.config.oidcProviders.map((p) => (
        <a class="btn secondary" href={`/auth/oidc/${p.id}/start?next=${encodeURIComponent(next)}${invite ? `&invite=${encodeURIComponent(invite)}` : ''}`}>
          Sign in with {p.name}
        </a>
      ))}
    </div>
  );
}
