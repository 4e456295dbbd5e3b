// A note's sections as HTML, for the app's pages and the static site alike. The text is plain OSSN text,
// not Markdown: it is split into the same blocks the plain-text renderer uses (text-blocks.ts), escaped by
// the JSX runtime, and only http(s) URLs become links.
import type { SafeHtml } from '../web/jsx.js';
import { resolveSections, type NoteRecord } from './formats/note-record.js';
import { hardBreak, splitBlocks, type TextBlock } from './formats/text-blocks.js';
import type { PublishedAnswer } from './feedback.js';


const URL_IN_TEXT = /\bhttps?:\/\/[^\s<>"'`]+/g;
const LINE_ORIENTED = new Set(['affected', 'credits', 'contacts']);
/** `#### Patches ####` or wiki `=== Patches ===` inside a section: a sub-heading. */
const SUBHEADING = /^\s*(?:#{2,}|={2,})\s*(.*?)\s*(?:#{2,}|={2,})\s*$/;
const FENCE_LINE = /^\s*(?:~{3,}|`{3,})\S*\s*$/;

/** A fenced block without its fence lines (the <pre> box shows where it starts and ends). */
function withoutFences(lines: string[]): string[] {
  if (lines.length >= 2 && FENCE_LINE.test(lines[0] ?? '') && FENCE_LINE.test(lines.at(-1) ?? '')) return lines.slice(1, -1);
  return lines;
}

/** Text with its web links made clickable (trailing punctuation stays outside the link). */
export function Linkified({ text }: { text: string }): SafeHtml {
  const parts: (SafeHtml | string)[] = [];
  let last = 0;
  for (const m of text.matchAll(URL_IN_TEXT)) {
    let url = m[0];
    const trail = /[.,;:!?)\]]+$/.exec(url)?.[0] ?? '';
    if (trail && !(trail.startsWith(')') && url.includes('('))) url = url.slice(0, url.length - trail.length);
    const at = m.index ?? 0;
    parts.push(text.slice(last, at));
    parts.push(
      <a href={url} rel="nofollow noopener noreferrer">
        {url}
      </a>,
    );
    last = at + url.length;
  }
  parts.push(text.slice(last));
  return <>{parts}</>;
}

/** Lines of a paragraph: soft wraps joined, meant breaks kept as <br>. */
function Lines({ lines, lineOriented }: { lines: string[]; lineOriented: boolean }): SafeHtml {
  const out: (SafeHtml | string)[] = [];
  lines.forEach((line, n) => {
    const prev = lines[n - 1];
    if (prev !== undefined) out.push(lineOriented || hardBreak(prev, line) ? <br /> : ' ');
    out.push(<Linkified text={line.trim()} />);
  });
  return <>{out}</>;
}

function groupLists(blocks: TextBlock[]): (TextBlock | { kind: 'list'; ordered: boolean; items: Extract<TextBlock, { kind: 'list_item' }>[] })[] {
  const out: ReturnType<typeof groupLists> = [];
  for (const block of blocks) {
    if (block.kind === 'list_item') {
      const last = out.at(-1);
      if (last && last.kind === 'list') last.items.push(block);
      else out.push({ kind: 'list', ordered: /^\d/.test(block.marker), items: [block] });
      continue;
    }
    out.push(block);
  }
  return out;
}

export function SectionText({ text, kind }: { text: string; kind: string }): SafeHtml {
  const lineOriented = LINE_ORIENTED.has(kind);
  const groups = groupLists(splitBlocks(text, lineOriented).blocks);
  return (
    <>
      {groups.map((g) => {
        switch (g.kind) {
          case 'blank':
            return null;
          case 'verbatim': {
            const heading = g.lines.length === 1 ? SUBHEADING.exec(g.lines[0] ?? '') : null;
            if (heading) return <h3>{heading[1] ?? ''}</h3>;
            return <pre>{withoutFences(g.lines).join('\n')}</pre>;
          }
          case 'paragraph':
            return (
              <p>
                <Lines lines={g.lines} lineOriented={lineOriented} />
              </p>
            );
          case 'list_item':
            return null;
          case 'list': {
            const items = g.items.map((item) => (
              <li>
                <Lines lines={item.lines} lineOriented={false} />
              </li>
            ));
            const start = g.ordered ? Number.parseInt(g.items[0]?.marker ?? '1', 10) : 1;
            return g.ordered ? <ol start={start === 1 ? undefined : start}>{items}</ol> : <ul>{items}</ul>;
          }
        }
      })}
    </>
  );
}

/** The note's sections under their headings (the page supplies the title). */
export function NoteSections({ record }: { record: NoteRecord }): SafeHtml {
  return (
    <div class="ossn">
      {resolveSections(record).map((s) => (
        <section class={`ossn-section ossn-${s.kind}`}>
          {s.heading ? <h2>{s.heading}</h2> : null}
          <SectionText text={s.text} kind={s.kind} />
        </section>
      ))}
    </div>
  );
}

export function PublishedAnswers({ answers }: { answers: PublishedAnswer[] }): SafeHtml {
  if (answers.length === 0) return <></>;
  return (
    <section class="ossn-answers">
      <h2>Questions from operators</h2>
      {answers.map((a) => (
        <div class="card qa">
          <p class="muted">An operator asked:</p>
          <blockquote>
            <SectionText text={a.question} kind="feedback" />
          </blockquote>
          <p class="muted">The authors answered:</p>
          <SectionText text={a.answer} kind="feedback" />
        </div>
      ))}
    </section>
  );
}


