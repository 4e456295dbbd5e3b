// The one select field (issue 16: the report filter had its own copy, and only the copy marked errors):
// a field issue is shown, tied to the select and marks it invalid.
import { describe, expect, it } from 'vitest';
import { Select } from './components.js';

const options: [string, string][] = [['', 'Any'], ['a', 'A <one>']];

describe('Select', () => {
  it('marks the select invalid and describes it by its error when the field has an issue', () => {
    const html = Select({ name: 'state', label: 'State', options, selected: 'a', state: { issues: [{ field: 'state', message: 'Unknown state.' }] } }).html;
    expect(html).toContain('<p class="field-error" id="f-state-error">Unknown state.</p>');
    expect(html).toMatch(/<select id="f-state" name="state" aria-invalid="true" aria-describedby="f-state-error">/);
    expect(html).toContain('A &lt;one&gt;');
  });

  it('is not marked when the issue is about another field', () => {
    const html = Select({ name: 'state', label: 'State', options, state: { issues: [{ field: 'project', message: 'Unknown project.' }] } }).html;
    expect(html).not.toContain('aria-invalid');
    expect(html).not.toContain('field-error');
  });
});
