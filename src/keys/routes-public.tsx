// Public pages about reaching the team: /contact (VMT members, the team address, fingerprints and key
// downloads), /how-to-report and the key files themselves (security.txt is the publication area's).
import type { FastifyReply } from 'fastify';
import type { AppContext } from '../context.js';
import { errors } from '../errors/catalogue.js';
import { route, type RouteDef } from '../http/route.js';
import { sendPage } from '../http/render.js';
import { Badge, Time } from '../web/components.js';
import { formatFingerprint, summariseKey, type KeySummary, type VmtMembersWithKeys } from './public-keys.js';
import { currentTeamKey } from './team-keys.js';
import { Params } from '../http/schemas.js';


function sendKey(reply: FastifyReply, armored: string, filename: string): FastifyReply {
  return reply
    .header('content-type', 'application/pgp-keys; charset=utf-8')
    .header('content-disposition', `inline; filename="${filename}"`)
    .header('cache-control', 'public, max-age=300')
    .send(armored.endsWith('\n') ? armored : `${armored}\n`);
}

function KeyFacts({ summary, href }: { summary: KeySummary | { fingerprint: null; problem: string }; href: string }) {
  if (summary.fingerprint === null) return <p class="muted">The key on file cannot be read: {summary.problem}</p>;
  return (
    <dl class="facts">
      <dt>Fingerprint</dt>
      <dd>
        <code class="fingerprint">{formatFingerprint(summary.fingerprint)}</code>
      </dd>
      <dt>Algorithm</dt>
      <dd>{summary.algorithm}</dd>
      <dt>Expires</dt>
      <dd>{summary.expires ? <Time iso={summary.expires} /> : 'never'}</dd>
      <dt>Key</dt>
      <dd>
        <a href={href}>Download the public key</a> {summary.usableForEncryption ? null : <Badge tone="warn">not usable: {summary.problem ?? ''}</Badge>}
      </dd>
    </dl>
  );
}

export function publicKeyRoutes(app: AppContext, vmtMembersWithKeys: VmtMembersWithKeys): RouteDef[] {
  const db = app.storage.db;
  const { config } = app;
  return [
    {
      method: 'GET',
      url: '/contact',
      audience: 'public',
      handler: async (req, reply) => {
        const now = app.clock.now();
        const team = await currentTeamKey(db);
        const teamSummary = team ? await summariseKey(team.public_key, now) : null;
        const members = await vmtMembersWithKeys(db);
        const memberKeys = await Promise.all(members.map(async (m) => ({ ...m, summary: m.public_key ? await summariseKey(m.public_key, now) : null })));
        return sendPage(app, req, reply, 'Contact the security team', () => (
          <>
            <h1>Contact the security team</h1>
            <p class="lead">
              Found a vulnerability? Report it privately — see <a href="/how-to-report">how to report</a>. Do not file it in a public bug tracker.
            </p>
            <section class="card" aria-labelledby="team-address">
              <h2 id="team-address">Team address</h2>
              <p>
                <a href={`mailto:${config.teamEmail}`}>{config.teamEmail}</a> reaches the whole vulnerability management team.
              </p>
              {teamSummary ? (
                <>
                  <p>Encrypt your mail to the team key:</p>
                  <KeyFacts summary={teamSummary} href="/keys/team.asc" />
                </>
              ) : (
                <p class="muted">The team has no OpenPGP key yet. Use the <a href="/report">report form</a> (it travels over HTTPS) instead of plain mail.</p>
              )}
            </section>
            <section class="card" aria-labelledby="vmt-members">
              <h2 id="vmt-members">Vulnerability management team</h2>
              {memberKeys.length === 0 ? <p class="empty">No members are listed yet.</p> : null}
              <ul class="key-list">
                {memberKeys.map((m) => (
                  <li>
                    <strong>{m.display_name}</strong>
                    {m.summary ? <KeyFacts summary={m.summary} href={`/keys/${m.fingerprint ?? ''}.asc`} /> : <span class="muted"> — no public key on file</span>}
                  </li>
                ))}
              </ul>
            </section>
            <p>
              Machine-readable: <a href="/.well-known/security.txt">security.txt</a>
            </p>
          </>
        ));
      },
    },
    {
      method: 'GET',
      url: '/how-to-report',
      audience: 'public',
      handler: async (req, reply) => {
        const team = await currentTeamKey(db);
        return sendPage(app, req, reply, 'How to report a vulnerability', () => (
          <>
            <h1>How to report a vulnerability</h1>
            <p class="lead">Tell us privately. Please do not open a public bug, post to a list or share details elsewhere until the fix is out.</p>
            <section class="card">
              <h2>By the web form</h2>
              <p>
                Use the <a href="/report">report form</a>. You get a private link to follow your report, add information and see its status. You do not need an account.
              </p>
            </section>
            <section class="card">
              <h2>By encrypted mail</h2>
              <p>
                Write to <a href={`mailto:${config.teamEmail}`}>{config.teamEmail}</a>
                {team ? (
                  <>
                    , encrypted to the <a href="/keys/team.asc">team key</a> ({formatFingerprint(team.fingerprint)}) — PGP/MIME or inline PGP both work. Attach your own public key if you want our replies encrypted, and sign your mail if you can.
                  </>
                ) : (
                  '. The team has no OpenPGP key yet, so prefer the web form for details.'
                )}
              </p>
              <p>Name the affected project in the subject (for example "[nova] Token leak") or on a line "Project: nova". Attachments are welcome.</p>
              <p>Replies to our mails reach the team and are added to your report; reply from the address you reported from.</p>
            </section>
            <section class="card">
              <h2>What happens next</h2>
              <ol>
                <li>The team acknowledges your report within {config.ackBusinessDays} business days.</li>
                <li>The report stays private under embargo while a fix is prepared for every supported branch — at most {config.embargoMaxDays} days from when we receive it. Tell us if you have your own disclosure terms.</li>
                <li>Downstream distributors are warned a few days before the disclosure date, under the same embargo.</li>
                <li>At disclosure the report opens and an advisory is published, crediting you as you wish.</li>
              </ol>
            </section>
            <p>
              See also the <a href="/contact">team’s contacts and keys</a> and <a href="/.well-known/security.txt">security.txt</a>.
            </p>
          </>
        ));
      },
    },
    {
      method: 'GET',
      url: '/keys/team.asc',
      audience: 'public',
      handler: async (_req, reply) => {
        const team = await currentTeamKey(db);
        if (!team) throw errors.notFound('key');
        return sendKey(reply, team.public_key, 'team.asc');
      },
    },
    route({
      method: 'GET',
      url: '/keys/:file',
      schema: { params: Params('file') },
      audience: 'public',
      // Published key files (FINGERPRINT.asc): only VMT members' keys, as listed on /contact; anything else is a 404.
      leak: { params: { file: 'public_asset' } },
      handler: async (req, reply) => {
        const file = req.params.file;
        const fingerprint = /^([0-9A-F]{40}|[0-9A-F]{64})\.asc$/i.exec(file)?.[1]?.toUpperCase();
        const member = fingerprint ? (await vmtMembersWithKeys(db)).find((m) => m.fingerprint === fingerprint) : undefined;
        if (!member?.public_key) throw errors.notFound('key');
        return sendKey(reply, member.public_key, `${fingerprint}.asc`);
      },
    }),
  ];
}
