// The home page.
import type { AppContext } from '../context.js';
import type { RouteDef } from '../http/route.js';
import { sendPage } from '../http/render.js';
import { listProjects } from '../projects/projects.js';
import { latestAdvisories, LatestAdvisories } from '../publication/home-section.js';
import { latestNotes, LatestNotes } from '../notes/home-section.js';


export function homeRoutes(app: AppContext): RouteDef[] {
  return [
    {
      method: 'GET',
      url: '/',
      audience: 'public',
      handler: async (req, reply, { actor }) => {
        const projects = await listProjects(app.storage.db);
        const overseen = projects.filter((p) => p.vmt_oversees);
        const latest = await latestAdvisories(app.storage.db);
        const notes = await latestNotes(app.storage.db);
        return sendPage(app, req, reply, 'Home', () => (
          <>
            <h1>{app.config.instanceName}</h1>
            <p class="lead">
              Coordinated vulnerability disclosure for {overseen.length ? `${overseen.length} project${overseen.length === 1 ? '' : 's'}` : 'our projects'}: private reports, enforced embargoes,
              reviewed fixes for every supported branch, and signed advisories.
            </p>
            <div class="grid">
              <div class="card">
                <h2>Found a vulnerability?</h2>
                <p>Report it privately. It stays under embargo — at most 90 days — while a fix is prepared for every supported branch.</p>
                <p class="actions">
                  <a class="btn primary" href="/report">Report a vulnerability</a>
                  <a href="/how-to-report">Other ways to report</a>
                </p>
              </div>
              <div class="card">
                <h2>Projects</h2>
                <p>
                  See <a href="/projects">which projects</a> the vulnerability management team oversees and where to report issues for the others.
                </p>
              </div>
              {actor.kind === 'user' ? (
                <div class="card">
                  <h2>Welcome back, {actor.displayName}</h2>
                  <p>
                    <a href="/account">Your account</a>
                    {actor.roles.has('admin') ? <> · <a href="/admin">Administration</a></> : null}
                  </p>
                </div>
              ) : (
                <div class="card">
                  <h2>Team members</h2>
                  <p>
                    <a href="/login">Sign in</a> to work on reports, reviews and advisories.
                  </p>
                </div>
              )}
            </div>
            <LatestAdvisories summaries={latest} />
            <LatestNotes notes={notes} />
          </>
        ));
      },
    },
  ];
}
