// The public security site served by the app: advisory pages and the index by year (live pages in the
// app's layout), the stored files of the static site under their fixed paths (`/advisories/<id>.txt`,
// `/osv/…`, `/cve/…`, `/.well-known/csaf/…` (old `/csaf/…` links redirect there), `/feeds/advisories.atom`,
// each with `.asc` and `.sha256`), per-project advisory lists, and search. Everything here reads published
// records or built files only.
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { can } from '../access/policy.js';
import type { AppContext } from '../context.js';
import { errors } from '../errors/catalogue.js';
import { securityTxt } from './security-txt.js';
import { route, type RouteDef } from '../http/route.js';
import { sendPage } from '../http/render.js';
import { getProjectBySlug } from '../projects/projects.js';
import type { Db } from '../storage/database.js';
import { AdvisoriesPage, AdvisoryPage, ProjectAdvisoriesPage } from './public-pages.js';
import { publishedRecord, publishedSummaries, searchSummaries } from './published.js';
import { concernsProject } from './summary.js';
import { currentSignature, hasSha512, readSiteFile, sha256File, sha512File } from './site-files.js';
import { FEED_PATH } from './atom.js';
import { CSAF_DIR } from './outputs.js';
import { publishesCveRecordsOf } from './settings.js';
import { Params, Query } from '../http/schemas.js';


/** The rest of a path after a folder (checked against CSAF_PATH by the handler). */
const Wildcard = Type.Object({ '*': Type.String({ maxLength: 1_000 }) });

/** Where issue 6 put the CSAF files; redirected to CSAF_DIR. */
const LEGACY_CSAF_DIR = 'csaf';

// A file name inside one of the site's folders: no slashes, no dot-dot, a known extension.
const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]*\.(html|txt|yaml|json|atom|csv|asc|sha256|sha512)$/;
// A path inside the CSAF folder: segments of safe characters, never `..`; '' or a trailing `/` is a folder.
const CSAF_PATH = /^([A-Za-z0-9][A-Za-z0-9._+-]*\/)*([A-Za-z0-9][A-Za-z0-9._+-]*)?$/;

/** Serves a stored site file, or its `.sha256` / `.sha512` (CSAF files) / `.asc` companion; 404 when there is none. */
export async function sendSiteFile(app: AppContext, reply: FastifyReply, filePath: string): Promise<FastifyReply> {
  if (filePath.split('/').some((part) => part === '..' || part === '')) throw errors.notFound('file');
  const db = app.storage.db;
  const exact = await readSiteFile(db, filePath);
  const send = (type: string, body: string) => reply.header('content-type', type).header('cache-control', 'public, max-age=300').header('x-content-type-options', 'nosniff').send(body);
  if (exact) return send(exact.content_type, exact.content);
  const companion = /^(.*)\.(asc|sha256|sha512)$/.exec(filePath);
  const base = companion ? await readSiteFile(db, companion[1] ?? '') : undefined;
  if (!base || !companion) throw errors.notFound('file');
  if (companion[2] === 'sha256') return send('text/plain; charset=utf-8', sha256File(base));
  if (companion[2] === 'sha512') {
    if (!hasSha512(base.path)) throw errors.notFound('file');
    return send('text/plain; charset=utf-8', sha512File(base));
  }
  const signature = currentSignature(base);
  if (!signature) throw errors.notFound('file');
  return send('application/pgp-signature', signature);
}

/** What the public pages ask the advisory workflow (a domain above this one; its routes pass it in). */
export interface AdvisoryWorkflow {
  /** Whether an advisory `id` exists at all, published or not (the VMT is sent to its draft). */
  exists(db: Db, id: string): Promise<boolean>;
}

export function publicationRoutes(app: AppContext, workflow: AdvisoryWorkflow): RouteDef[] {
  const db = app.storage.db;
  const fileRoute = (url: string, folder: string, kind: string): RouteDef =>
    route({
      method: 'GET',
      url,
      schema: { params: Params('file') },
      audience: 'public',
      leak: { params: { file: kind } },
      handler: async (req, reply) => {
        if (!FILE_NAME.test(req.params.file)) throw errors.notFound('file');
        return sendSiteFile(app, reply, `${folder}/${req.params.file}`);
      },
    });
  const fixedFile = (filePath: string): RouteDef[] =>
    ['', '.asc', '.sha256'].map((suffix) => ({ method: 'GET', url: `/${filePath}${suffix}`, audience: 'public', handler: async (_req: FastifyRequest, reply: FastifyReply) => sendSiteFile(app, reply, `${filePath}${suffix}`) }));

  return [
    {
      method: 'GET',
      url: '/.well-known/security.txt',
      audience: 'public',
      handler: async (_req, reply) => {
        const { text } = await securityTxt(app);
        return reply.header('content-type', 'text/plain; charset=utf-8').header('cache-control', 'public, max-age=3600').send(text);
      },
    },
    route({
      method: 'GET',
      url: '/advisories',
      schema: { querystring: Query('q') },
      audience: 'public',
      handler: async (req, reply, { actor }) => {
        const q = (req.query.q ?? '').slice(0, 200).trim();
        const all = await publishedSummaries(db);
        const found = searchSummaries(all, q);
        return sendPage(app, req, reply, 'Security advisories', () => <AdvisoriesPage q={q} all={all} found={found} canEdit={can(actor, 'advisories.edit')} />, { wide: true });
      },
    }),
    route({
      method: 'GET',
      url: '/advisories/:id',
      schema: { params: Params('id') },
      audience: 'public',
      leak: { params: { id: 'advisory' } },
      handler: async (req, reply, { actor }) => {
        const id = req.params.id;
        if (FILE_NAME.test(id)) return sendSiteFile(app, reply, `advisories/${id}`);
        const record = await publishedRecord(db, id);
        if (!record) {
          // The VMT's draft lives on its own page; the public page is made from published records only.
          if (can(actor, 'advisories.edit') && (await workflow.exists(db, id))) return reply.redirect(`/advisories/${encodeURIComponent(id)}/manage`, 303);
          throw errors.notFound('advisory');
        }
        const cveRecords = await publishesCveRecordsOf(app.config, db, record);
        return sendPage(app, req, reply, `${record.id}: ${record.title}`, () => <AdvisoryPage record={record} cveRecords={cveRecords} canEdit={can(actor, 'advisories.edit')} />, { wide: true });
      },
    }),
    fileRoute('/osv/:file', 'osv', 'advisory'),
    fileRoute('/cve/:file', 'cve', 'advisory_cve'),
    ...fixedFile(FEED_PATH),
    ...fixedFile('index.html'),
    route({
      // CSAF 2.0 requirements 6 and 9: the provider layout is served directly under /.well-known/csaf/,
      // a folder (`…/white/`, `…/white/2026/`) by its stored listing (requirement 14).
      method: 'GET',
      url: `/${CSAF_DIR}/*`,
      schema: { params: Wildcard },
      audience: 'public',
      handler: async (req, reply) => {
        const rest = req.params['*'];
        if (!CSAF_PATH.test(rest)) throw errors.notFound('file');
        if (rest === '' || rest.endsWith('/')) return sendSiteFile(app, reply, `${CSAF_DIR}/${rest}index.html`);
        // A folder named without its slash: where a static server would send the browser.
        if (!(await readSiteFile(db, `${CSAF_DIR}/${rest}`)) && (await readSiteFile(db, `${CSAF_DIR}/${rest}/index.html`))) return reply.redirect(`/${CSAF_DIR}/${rest}/`, 301);
        return sendSiteFile(app, reply, `${CSAF_DIR}/${rest}`);
      },
    }),
    route({
      // The layout lived under /csaf/ before (issue 6): links already out there keep working.
      method: 'GET',
      url: `/${LEGACY_CSAF_DIR}/*`,
      schema: { params: Wildcard },
      audience: 'public',
      handler: async (req, reply) => {
        const rest = req.params['*'];
        if (!CSAF_PATH.test(rest)) throw errors.notFound('file');
        const target = rest === '' || rest.endsWith('/') ? `${rest}index.html` : rest.replace(/\.(asc|sha256|sha512)$/, '');
        if (!(await readSiteFile(db, `${CSAF_DIR}/${target}`))) throw errors.notFound('file');
        return reply.redirect(`/${CSAF_DIR}/${rest}`, 301);
      },
    }),
    route({
      method: 'GET',
      url: '/projects/:slug/advisories',
      schema: { params: Params('slug') },
      audience: 'public',
      leak: { params: { slug: 'project' } },
      handler: async (req, reply) => {
        const project = await getProjectBySlug(db, req.params.slug);
        if (!project) throw errors.notFound('project');
        const mine = (await publishedSummaries(db)).filter((s) => concernsProject(s, project));
        return sendPage(app, req, reply, `${project.name} advisories`, () => <ProjectAdvisoriesPage project={project} mine={mine} />, { wide: true });
      },
    }),
  ];
}
