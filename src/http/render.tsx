// Presenting responses: HTML pages through the layout (with a fresh CSRF token and the flash message),
// redirects with flash, and errors as HTML or JSON depending on the route.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SafeHtml } from '../web/jsx.js';
import { Page, renderPage, type FlashKind, type PageContext } from '../web/layout.js';
import type { AppContext } from '../context.js';

export const FLASH_COOKIE = 'cordon_flash';

export function csrfUserInfo(req: FastifyRequest): string {
  return req.sessionHash ?? 'anonymous';
}

export async function pageContext(app: AppContext, req: FastifyRequest, reply: FastifyReply): Promise<PageContext> {
  const csrfToken = reply.generateCsrf({ userInfo: csrfUserInfo(req) });
  let flash: PageContext['flash'];
  const rawFlash = req.cookies[FLASH_COOKIE];
  if (rawFlash) {
    const unsigned = req.unsignCookie(rawFlash);
    if (unsigned.valid && unsigned.value) {
      try {
        flash = JSON.parse(unsigned.value) as PageContext['flash'];
      } catch {
        flash = undefined;
      }
    }
    void reply.clearCookie(FLASH_COOKIE, { path: '/' });
  }
  return { actor: req.actor, csrfToken, instanceName: app.config.instanceName, path: req.url.split('?')[0] ?? '/', flash };
}

export async function sendPage(
  app: AppContext,
  req: FastifyRequest,
  reply: FastifyReply,
  title: string,
  body: (ctx: PageContext) => SafeHtml,
  options: { status?: number; wide?: boolean } = {},
): Promise<FastifyReply> {
  const ctx = await pageContext(app, req, reply);
  const html = renderPage(
    <Page ctx={ctx} title={title} wide={options.wide}>
      {body(ctx)}
    </Page>,
  );
  return reply
    .code(options.status ?? 200)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(html);
}

export function redirectWithFlash(reply: FastifyReply, location: string, kind: FlashKind, message: string): FastifyReply {
  void reply.setCookie(FLASH_COOKIE, JSON.stringify({ kind, message }), { path: '/', httpOnly: true, sameSite: 'lax', signed: true, maxAge: 60 });
  return reply.redirect(location, 303);
}

/** Only same-site relative paths are followed after sign-in (no open redirects). */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?!\/)[^\s\\]*$/.test(next) ? next : '/';
}
