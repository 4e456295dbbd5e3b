// CSAF 2.0 requirement 14 (directory listings): the TLP:WHITE folder and each year folder answer a plain
// HTML index of their files, stored as `index.html` so a static file server that maps `/dir/` to
// `dir/index.html` serves the same listing as the app. Built from the published entries only.
import { h, type SafeHtml } from '../web/jsx.js';
import { CSAF_WHITE_DIR, csafEntryPath, ROLIE_FEED_FILE, type CsafEntry } from './formats/csaf-provider.js';
import { staticDocument } from './static-page.js';


export interface ListingOptions {
  instanceName: string;
  /** Whether the files have `.asc` signatures (a team key exists), so the listing names them. */
  signed: boolean;
}

/** Companions every file under the CSAF folder has (requirements 18 and 19). */
export function csafCompanions(signed: boolean): string[] {
  return ['.sha256', '.sha512', ...(signed ? ['.asc'] : [])];
}

function Listing({ title, entries, signed, parent }: { title: string; entries: { name: string; dir?: boolean }[]; signed: boolean; parent: boolean }): SafeHtml {
  const names = entries.flatMap((e) => (e.dir ? [e.name] : [e.name, ...csafCompanions(signed).map((c) => `${e.name}${c}`)]));
  return (
    <>
      <h1>{title}</h1>
      <ul class="listing">
        {parent ? (
          <li>
            <a href="../">../</a>
          </li>
        ) : null}
        {names.map((name) => (
          <li>
            <a href={name}>{name}</a>
          </li>
        ))}
      </ul>
    </>
  );
}

/** `.well-known/csaf/white/index.html` and one `index.html` per year folder. */
export function csafListingFiles(entries: readonly CsafEntry[], options: ListingOptions): { path: string; content: string }[] {
  const byYear = new Map<string, string[]>();
  for (const e of entries) {
    const [year, file] = csafEntryPath(e.id, e.initialReleaseDate).split('/') as [string, string];
    byYear.set(year, [...(byYear.get(year) ?? []), file]);
  }
  const years = [...byYear.keys()].sort();
  const page = (title: string, depth: number, children: SafeHtml): string => staticDocument({ title, instanceName: options.instanceName, depth, signed: options.signed, children });
  const top = `/${CSAF_WHITE_DIR}/`;
  const root = {
    path: `${CSAF_WHITE_DIR}/index.html`,
    content: page(`Index of ${top}`, 3, h(Listing, {
      title: `Index of ${top}`,
      signed: options.signed,
      parent: false,
      entries: [...years.map((y) => ({ name: `${y}/`, dir: true })), { name: 'changes.csv' }, { name: ROLIE_FEED_FILE }, { name: 'index.txt' }],
    })),
  };
  return [
    root,
    ...years.map((year) => ({
      path: `${CSAF_WHITE_DIR}/${year}/index.html`,
      content: page(`Index of ${top}${year}/`, 4, h(Listing, { title: `Index of ${top}${year}/`, signed: options.signed, parent: true, entries: (byYear.get(year) ?? []).sort().map((name) => ({ name })) })),
    })),
  ];
}
