// The page shell: header with navigation, flash messages, main landmark, footer. Every page uses it.
import type { Child, SafeHtml } from './jsx.js';
import type { Actor } from '../access/actor.js';
import { can } from '../access/policy.js';


export type FlashKind = 'success' | 'error' | 'info';

export interface PageContext {
  actor: Actor;
  csrfToken: string;
  instanceName: string;
  path: string;
  flash?: { kind: FlashKind; message: string } | undefined;
}

export interface PageProps {
  ctx: PageContext;
  title: string;
  children?: Child;
  /** Wider main column for tables. */
  wide?: boolean;
}

function NavLink(props: { href: string; current: string; children?: Child }): SafeHtml {
  const active = props.current === props.href || (props.href !== '/' && props.current.startsWith(props.href + '/'));
  return (
    <a href={props.href} aria-current={active ? 'page' : undefined}>
      {props.children}
    </a>
  );
}

function MainLinks({ actor, current }: { actor: Actor; current: string }): SafeHtml {
  const user = actor.kind === 'user' ? actor : null;
  return (
    <>
      <NavLink href="/" current={current}>Home</NavLink>
      <NavLink href="/projects" current={current}>Projects</NavLink>
      <NavLink href="/advisories" current={current}>Advisories</NavLink>
      <NavLink href="/notes" current={current}>Notes</NavLink>
      <NavLink href="/reports" current={current}>Reports</NavLink>
      <NavLink href="/contact" current={current}>Contact</NavLink>
      {can(actor, 'reports.triage') ? <NavLink href="/vmt" current={current}>Queue</NavLink> : null}
      {can(actor, 'reports.triage') ? <NavLink href="/disclosures" current={current}>Disclosures</NavLink> : null}
      {user?.roles.has('admin') ? <NavLink href="/admin" current={current}>Admin</NavLink> : null}
      <a href="/report" class="nav-report" aria-current={current === '/report' ? 'page' : undefined}>
        Report a vulnerability
      </a>
    </>
  );
}

function AccountLinks({ ctx }: { ctx: PageContext }): SafeHtml {
  const user = ctx.actor.kind === 'user' ? ctx.actor : null;
  return user ? (
    <>
      <a href="/account" class="who">{user.displayName}</a>
      <form method="post" action="/logout" class="inline">
        <input type="hidden" name="_csrf" value={ctx.csrfToken} />
        <button type="submit" class="link-button">Sign out</button>
      </form>
    </>
  ) : (
    <a href="/login">Sign in</a>
  );
}

export function Page({ ctx, title, children, wide }: PageProps): SafeHtml {
  const { actor } = ctx;
  const user = actor.kind === 'user' ? actor : null;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="csrf-token" content={ctx.csrfToken} />
        <title>{`${title} · ${ctx.instanceName}`}</title>
        <link rel="stylesheet" href="/assets/app.css" />
        <script src="/assets/app.js" defer></script>
      </head>
      <body>
        <a class="skip-link" href="#main">Skip to content</a>
        <header class="site-header">
          <div class="bar">
            <a class="brand" href="/">
              <span class="brand-mark" aria-hidden="true">◆</span> {ctx.instanceName}
            </a>
            <nav class="nav-wide" aria-label="Main">
              <MainLinks actor={actor} current={ctx.path} />
            </nav>
            <div class="account-nav nav-wide">
              <AccountLinks ctx={ctx} />
            </div>
            {/* Phones: the same links behind a disclosure widget that opens without JavaScript (issue 15). */}
            <details class="nav-menu">
              <summary>Menu</summary>
              <nav aria-label="Main">
                <MainLinks actor={actor} current={ctx.path} />
              </nav>
              <div class="account-nav">
                <AccountLinks ctx={ctx} />
              </div>
            </details>
          </div>
        </header>
        {user && user.mfaPendingRoles.size > 0 ? (
          <div class="banner warn" role="status">
            Your {[...user.mfaPendingRoles].map(roleLabel).join(' and ')} role{user.mfaPendingRoles.size > 1 ? 's are' : ' is'} inactive until you{' '}
            {user.mfaEnrolled ? 'sign in with your authentication code' : <a href="/account/security">turn on two-factor authentication</a>}.
          </div>
        ) : null}
        <main id="main" class={wide ? 'wide' : undefined}>
          {ctx.flash ? (
            <div class={`flash ${ctx.flash.kind}`} role={ctx.flash.kind === 'error' ? 'alert' : 'status'}>
              {ctx.flash.message}
            </div>
          ) : null}
          {children}
        </main>
        <footer class="site-footer">
          <p>
            {ctx.instanceName} — coordinated vulnerability disclosure. <a href="/how-to-report">How to report</a> ·{' '}
            <a href="/.well-known/security.txt">security.txt</a>
          </p>
        </footer>
      </body>
    </html>
  );
}

export function roleLabel(role: string): string {
  return ({ admin: 'admin', vmt: 'VMT member', security_core: 'security core', lead: 'project lead', coresec: 'coresec', core_reviewer: 'core reviewer' } as Record<string, string>)[role] ?? role;
}

/** Render a full document. */
export function renderPage(page: SafeHtml): string {
  return `<!doctype html>\n${page.html}`;
}
