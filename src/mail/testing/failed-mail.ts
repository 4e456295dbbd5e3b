// Test helper (not used by the product): the patch world with a team key, a stakeholder organisation that
// follows nova (Dana, and a list the relay refuses for good), pre-approved patches, and a real SMTP relay
// on loopback whose refusals the test switches off to see a retry go through.
import { buildJobRegistry } from '../../jobs/registry.js';
import { Worker } from '../../jobs/worker.js';
import { currentTeamKey, generateAndStoreTeamKey } from '../../keys/team-keys.js';
import { createPatchWorld, type PatchWorld } from '../../patches/testing/world.js';
import { TempGnupg } from '../../pgp/testing/gnupg.js';
import { addContact, createOrg } from '../../stakeholders/stakeholders.js';
import { startSmtpSink, type SmtpSink } from './mail.js';
import type { DialectName } from '../../storage/database.js';

/** Text in the relay's refusal, with markup that the pages must show as text. */
export const RELAY_MARKER = 'marker-relay-5x7q';

export interface FailedMailWorld {
  w: PatchWorld;
  gpg: TempGnupg;
  orgId: number;
  /** Addresses the relay refuses with a 550; clear it to let a retry through. */
  refusing: SmtpSink['refuse'];
  /** What the relay accepted for one address (the world's own notifications go through it too). */
  receivedFor(address: string): string[];
  drain(): Promise<number>;
  close(): Promise<void>;
}

export async function createFailedMailWorld(dialect: DialectName): Promise<FailedMailWorld> {
  const w = await createPatchWorld(dialect);
  const sink = await startSmtpSink({ refuse: { 'gone@example.net': { code: 550, text: `5.1.1 <b>${RELAY_MARKER}</b> no such mailbox` } } });
  const smtpUrl = sink.url;
  Object.assign(w.t.ctx.config, { pgpPassphrase: 'failed mail test passphrase', teamEmail: 'security@example.org', mailFrom: 'Example VMT <security@example.org>', publicUrl: 'https://security.example.org', smtpUrl });
  const worker = new Worker({ storage: w.t.ctx.storage, config: w.t.ctx.config, clock: w.t.clock, registry: buildJobRegistry(w.t.ctx) });
  const gpg = new TempGnupg();
  await generateAndStoreTeamKey(w.t.system, { name: 'Example VMT', email: 'security@example.org' });
  gpg.importKey((await currentTeamKey(w.t.ctx.storage.db))!.public_key);
  const orgId = await createOrg(w.t.system, { name: 'Distro', followsProjects: ['nova'] });
  await addContact(w.t.system, orgId, { kind: 'person', name: 'Dana', email: 'dana@example.net' });
  await addContact(w.t.system, orgId, { kind: 'list', name: 'Gone list', email: 'gone@example.net' });
  const res = await w.clients.developer!.json('POST', `/api/v1/reports/${w.ref}/patches`, { project: 'nova', branches: ['master'], mbox: w.patches.series });
  if (res.statusCode !== 201) throw new Error(`patch upload failed: ${res.statusCode} ${res.body}`);
  for (const id of (JSON.parse(res.body) as { targets: { patches: number[] }[] }).targets[0]!.patches) {
    const vote = await w.clients.coresec!.json('POST', `/api/v1/reports/${w.ref}/patches/${id}/votes`, { score: 2 });
    if (vote.statusCode !== 201) throw new Error(`vote failed: ${vote.statusCode}`);
  }
  await worker.drain();
  return {
    w,
    gpg,
    orgId,
    refusing: sink.refuse,
    receivedFor: (address) => sink.received.map((m) => m.raw).filter((raw) => raw.split(/\r?\n/).includes(`To: ${address}`)),
    drain: () => worker.drain(),
    close: async () => {
      await sink.close();
      gpg.cleanup();
      await w.close();
    },
  };
}
