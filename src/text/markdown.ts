// Markdown for user-written text (reports, comments, notes): markdown-it with raw HTML off, then
// sanitize-html with an explicit allow-list as the last word (DESIGN.md §5: everything rendered
// goes through a sanitiser). Two layers on purpose: a markdown-it bug or plugin cannot emit
// anything the allow-list does not name.
import MarkdownIt from 'markdown-it';
import sanitizeHtml from 'sanitize-html';

const markdown = new MarkdownIt('default', {
  html: false, // raw HTML in the source is shown as text, never interpreted
  linkify: true,
  typographer: false,
});
// Only what the author wrote as an address becomes a link: "http(s)://…" and "mailto:…". Fuzzy
// matching turned file names ("poc.py") into http://poc.py and "git@host" into a mail link.
markdown.linkify.set({ fuzzyLink: false, fuzzyEmail: false, fuzzyIP: false });

// Only absolute web and mail links: relative links could point at this instance's own actions.
const SAFE_HREF = /^(?:https?:\/\/|mailto:)/i;
const LINK_REL = 'nofollow noopener noreferrer';

const sanitizeOptions: sanitizeHtml.IOptions = {
  allowedTags: [
    'p', 'br', 'hr',
    'em', 'strong', 's', 'del',
    'code', 'pre', 'blockquote',
    'ul', 'ol', 'li',
    'h3', 'h4', 'h5', 'h6',
    'a',
    'table', 'thead', 'tbody', 'tr', 'th', 'td',
  ],
  allowedAttributes: {
    a: ['href', 'rel'],
    ol: ['start'],
    code: ['class'],
  },
  // Fenced code keeps its language class (for highlighting), nothing else.
  allowedClasses: { code: ['language-*'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: {},
  allowedSchemesAppliedToAttributes: ['href'],
  allowProtocolRelative: false,
  allowedStyles: {},
  disallowedTagsMode: 'discard',
  transformTags: {
    // The page owns h1/h2; author headings start at h3 so the outline stays valid.
    h1: 'h3',
    h2: 'h3',
    a: sanitizeHtml.simpleTransform('a', { rel: LINK_REL }),
  },
  // A link without an allowed absolute href loses its tag but keeps its text. (Renaming the tag in
  // transformTags instead confuses sanitize-html 2.17's close-tag bookkeeping for the next link.)
  exclusiveFilter: (frame) => {
    if (frame.tag !== 'a') return false;
    // Browsers ignore control characters and spaces inside a scheme ("java\tscript:"), so strip them before testing.
    // eslint-disable-next-line no-control-regex -- matching control characters is the point
    const href = (frame.attribs.href ?? '').replace(/[\u0000-\u0020\u007f-\u009f]/g, '');
    return SAFE_HREF.test(href) ? false : 'excludeTag';
  },
};

/** Renders untrusted Markdown to HTML that is safe to place inside a page element. */
export function renderMarkdown(text: string): string {
  return sanitizeHtml(markdown.render(text), sanitizeOptions);
}

/**
 * The HTML of a text whose rendering is stored next to it (migration 0022): the stored one, rendered once
 * when written; NULL (not rendered yet, or the source changed since) renders the source now.
 */
export function storedMarkdown(html: string | null | undefined, source: string): string {
  return html ?? renderMarkdown(source);
}

/** Only the sanitiser: for HTML from elsewhere (imports) that must meet the same allow-list. */
export function sanitizeRenderedHtml(html: string): string {
  return sanitizeHtml(html, sanitizeOptions);
}
