// The "Sign in with …" buttons of the sign-in page (issue 19): each a form that POSTs to the provider's start.
import type { AppContext } from '../context.js';
import { Button, CsrfField } from '../web/components.js';

/** The "Sign in with …" buttons, shown on the sign-in page (routes-auth.tsx). */
export function ProviderButtons({ app, csrfToken, next }: { app: AppContext; csrfToken: string; next: string }) {
  if (!app.config.oidcProviders.length) return null;
  return (
    <div class="stack card oidc-providers">
      {app.config.oidcProviders.map((p) => (
        <form method="post" action={`/auth/oidc/${p.id}/start?next=${encodeURIComponent(next)}`}>
          <CsrfField token={csrfToken} />
          <Button kind="secondary">Sign in with {p.name}</Button>
        </form>
      ))}
    </div>
  );
}
