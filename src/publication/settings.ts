// The publication settings of this instance, from its configuration (DESIGN.md §2: prefixes, vendor
// name and public address are instance settings; the defaults are OpenStack's).
import type { Config } from '../config/config.js';
import { resolvePublicationSettings, type PublicationSettings } from './formats/settings.js';

/** Advisory pages are served at `/advisories/<id>` by the app (and `advisories/<id>.html` statically). */
export const ADVISORY_PATH_TEMPLATE = '/advisories/{id}';

export function publicationSettingsFor(config: Config): PublicationSettings {
  const vendor = config.vendorName.trim() || 'OpenStack';
  return resolvePublicationSettings({
    vendorName: vendor,
    advisoryIdPrefix: config.advisoryPrefix,
    baseUrl: config.publicUrl.replace(/\/+$/, ''),
    advisoryPathTemplate: ADVISORY_PATH_TEMPLATE,
    publisher: {
      name: `${vendor} Vulnerability Management Team`,
      namespace: config.publicUrl.replace(/\/+$/, ''),
      contactDetails: config.teamEmail ? `Email: ${config.teamEmail}` : '',
    },
  });
}
