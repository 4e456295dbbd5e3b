// The diff of a patch as HTML, unified or side by side (issue 5: readable, syntax-neutral, safely
// escaped). Every text goes through the JSX runtime's escaping; line comments are shown under their line.
import type { SafeHtml } from '../web/jsx.js';
import { Time } from '../web/components.js';
import type { DiffView, DiffViewFile, DiffViewLine } from './diff-view.js';
import type { PatchComment } from './store.js';


export type DiffLayout = 'unified' | 'split';

export interface DiffHtmlOptions {
  layout: DiffLayout;
  comments: readonly PatchComment[];
  /** Link for a line number: where to comment on that line (null: no links, e.g. for readers who may not comment). */
  lineLink: ((file: string, side: 'old' | 'new', line: number) => string) | null;
}

const marks: Record<DiffViewLine['kind'], string> = { add: '+', del: '-', context: ' ' };

function filePathOf(file: DiffViewFile): string {
  return file.newPath ?? file.oldPath ?? '';
}

function commentsAt(o: DiffHtmlOptions, file: DiffViewFile, side: 'old' | 'new', line: number | null): PatchComment[] {
  if (line === null) return [];
  return o.comments.filter((c) => c.line === line && c.side === side && (c.filePath === file.newPath || c.filePath === file.oldPath));
}

function LineComments({ comments, colspan }: { comments: PatchComment[]; colspan: number }): SafeHtml {
  if (!comments.length) return <></>;
  return (
    <tr class="diff-comments">
      <td colspan={colspan}>
        {comments.map((c) => (
          <div class="line-comment" id={`comment-${c.id}`}>
            <p class="muted">
              {c.author} · <Time iso={c.createdAt} />
            </p>
            <p class="pre">{c.body}</p>
          </div>
        ))}
      </td>
    </tr>
  );
}

function Num({ o, file, side, n }: { o: DiffHtmlOptions; file: DiffViewFile; side: 'old' | 'new'; n: number | null }): SafeHtml {
  if (n === null) return <td class="num"></td>;
  const id = `${file.anchor}-${side === 'old' ? 'o' : 'n'}${n}`;
  return (
    <td class="num" id={id}>
      {o.lineLink ? <a href={o.lineLink(filePathOf(file), side, n)} aria-label={`Comment on ${side} line ${n}`}>{n}</a> : n}
    </td>
  );
}

function Code({ line }: { line: DiffViewLine | null }): SafeHtml {
  if (!line) return <td class="code empty-side"></td>;
  return (
    <td class={`code ${line.kind}`}>
      <span class="mark" aria-hidden="true">{marks[line.kind]}</span>
      {line.text}
      {line.truncated ? <span class="badge warn">line cut at {line.text.length} of {line.length} characters</span> : null}
      {line.noNewlineAtEnd ? <span class="muted"> ⏎ no newline at end of file</span> : null}
    </td>
  );
}

function UnifiedRows({ o, file }: { o: DiffHtmlOptions; file: DiffViewFile }): SafeHtml {
  return (
    <>
      {file.hunks.map((hunk) => (
        <>
          <tr class="hunk">
            <td colspan={3}>
              {hunk.header}
            </td>
          </tr>
          {hunk.lines.map((line) => (
            <>
              <tr>
                <Num o={o} file={file} side="old" n={line.oldNumber} />
                <Num o={o} file={file} side="new" n={line.newNumber} />
                <Code line={line} />
              </tr>
              <LineComments comments={[...commentsAt(o, file, 'new', line.newNumber), ...(line.kind === 'del' ? commentsAt(o, file, 'old', line.oldNumber) : [])]} colspan={3} />
            </>
          ))}
        </>
      ))}
    </>
  );
}

function SplitRows({ o, file }: { o: DiffHtmlOptions; file: DiffViewFile }): SafeHtml {
  return (
    <>
      {file.hunks.map((hunk) => (
        <>
          <tr class="hunk">
            <td colspan={4}>{hunk.header}</td>
          </tr>
          {hunk.rows.map((row) => {
            const right = row.right?.newNumber ?? null;
            const left = row.left && row.left.kind === 'del' ? row.left.oldNumber : null;
            return (
              <>
                <tr>
                  <Num o={o} file={file} side="old" n={row.left?.oldNumber ?? null} />
                  <Code line={row.left} />
                  <Num o={o} file={file} side="new" n={row.right?.newNumber ?? null} />
                  <Code line={row.right} />
                </tr>
                <LineComments comments={[...commentsAt(o, file, 'old', left), ...commentsAt(o, file, 'new', right)]} colspan={4} />
              </>
            );
          })}
        </>
      ))}
    </>
  );
}

function FileFacts({ file }: { file: DiffViewFile }): SafeHtml {
  const facts: string[] = [];
  if (file.status !== 'modified') facts.push(file.similarity !== null ? `${file.status} (${file.similarity}% similar)` : file.status);
  if (file.modeChanged) facts.push(`mode ${file.oldMode ?? ''} → ${file.newMode ?? ''}`);
  else if (file.status === 'added' && file.newMode && file.newMode !== '100644') facts.push(`mode ${file.newMode}`);
  if (file.symlinkTarget !== null) facts.push(`symlink to ${file.symlinkTarget}`);
  return facts.length ? <span class="muted"> · {facts.join(' · ')}</span> : <></>;
}

export function DiffHtml({ view, o }: { view: DiffView; o: DiffHtmlOptions }): SafeHtml {
  if (!view.files.length) return <p class="empty">This patch changes no file.</p>;
  return (
    <div class="diff">
      {view.truncated ? <p class="flash info">Parts of this diff are too long to show; download the patch to read all of it.</p> : null}
      {view.files.map((file) => {
        const fileComments = o.comments.filter((c) => c.line === null && c.filePath !== null && (c.filePath === file.newPath || c.filePath === file.oldPath));
        return (
          <section class="diff-file" id={file.anchor} aria-label={`Changes to ${file.displayPath}`}>
            <h3>
              <code>{file.displayPath}</code> <span class="added">+{file.added}</span> <span class="removed">−{file.removed}</span>
              <FileFacts file={file} />
            </h3>
            {fileComments.length ? (
              <table class="diff-table">
                <tbody>
                  <LineComments comments={fileComments} colspan={1} />
                </tbody>
              </table>
            ) : null}
            {file.binary ? (
              <p class="empty">Binary file{file.binaryDataIncluded ? ' (data included in the patch)' : ' (no data in the patch)'}: not shown.</p>
            ) : file.hunks.length === 0 ? (
              <p class="empty">No content changes.</p>
            ) : (
              <div class="diff-scroll">
                <table class={`diff-table ${o.layout === 'split' ? 'side-by-side' : 'unified'}`}>
                  <tbody>{o.layout === 'split' ? <SplitRows o={o} file={file} /> : <UnifiedRows o={o} file={file} />}</tbody>
                </table>
              </div>
            )}
            {file.truncated ? <p class="muted">Some lines of this file are not shown (too long a diff).</p> : null}
          </section>
        );
      })}
    </div>
  );
}
