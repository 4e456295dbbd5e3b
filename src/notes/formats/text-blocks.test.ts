import { describe, expect, it } from 'vitest';
import { hardBreak, layoutSectionText, normaliseWhitespace, splitBlocks, wrapWords } from './text-blocks.js';

const prose =
  'Any OpenStack service with a CephX keyring (Nova, Cinder, Glance, Manila) is at risk. Data-at-rest encryption is not affected by CVE-2025-30156 but is affected by CVE-2026-50152. Both are fixed by the update.';

function maxWidth(text: string): number {
  return Math.max(...text.split('\n').map((l) => l.length));
}

describe('wrapping prose at 72 columns', () => {
  it('fills lines up to 72 columns and keeps every word in order', () => {
    const out = layoutSectionText(prose, false);
    expect(maxWidth(out)).toBeLessThanOrEqual(72);
    expect(out.split('\n')).toHaveLength(4);
    expect(normaliseWhitespace(out)).toBe(prose);
    // Greedy: the next word would not have fitted on the line before.
    const lines = out.split('\n');
    for (let n = 0; n + 1 < lines.length; n++) {
      const nextWord = lines[n + 1]?.split(' ')[0] ?? '';
      expect((lines[n] ?? '').length + 1 + nextWord.length).toBeGreaterThan(72);
    }
  });

  it('joins soft-wrapped lines of a paragraph before re-wrapping', () => {
    const narrow = 'This line was\nwrapped very\nnarrowly by its author and should be\nfilled again.';
    expect(layoutSectionText(narrow, false)).toBe('This line was wrapped very narrowly by its author and should be filled\nagain.');
  });

  it('never breaks a URL, even one longer than the line', () => {
    const url = 'https://docs.openstack.org/cinder/latest/configuration/block-storage/policy-config-HOWTO.html';
    const out = layoutSectionText(`Configure the cinder policies as described at ${url} and restart the service.`, false);
    expect(out.split('\n')).toContain(url);
    expect(out).toBe(`Configure the cinder policies as described at\n${url}\nand restart the service.`);
  });

  it('keeps indented blocks, fences and config snippets exactly as written', () => {
    const text = [
      'Run this:',
      '',
      '    openssl s_server -cert <filename> -key <filename> -state \\',
      '                     -ssl3 -no_ssl2 -no_tls1 -no_tls1_1 -no_tls1_2 -tlsextdebug -something-longer',
      '',
      '~~~',
      '<endpoint id="keystone" protocol="http" hostname="http://identity-server.acme.com" root-path="/"/>',
      '',
      '    indented inside the fence',
      '~~~',
      '---- begin example keystone.conf snippet ----',
      '[token]',
      'provider = uuid',
      '',
      'driver = sql',
      '---- end example keystone.conf snippet ----',
    ].join('\n');
    expect(layoutSectionText(text, false)).toBe(text);
  });

  it('keeps sub-headings on their own line', () => {
    const text = 'Intro text here.\n#### Patches ####\nPatch text.\n=== Resolution ===\nMore text.';
    expect(layoutSectionText(text, false)).toBe(text);
  });

  it('wraps list items with a hanging indent and keeps each item separate', () => {
    const text = [
      '- Upgrade Ceph to a patched release and update Ceph clients on OpenStack compute and controller nodes.',
      '- Re-create every CephX credential.',
      '#. Audit cephx access keys provisioned via manila. You may use',
      '   "ceph auth ls" and ensure that no clients have been compromised.',
      '12) A numbered item',
    ].join('\n');
    expect(layoutSectionText(text, false)).toBe(
      [
        '- Upgrade Ceph to a patched release and update Ceph clients on OpenStack',
        '  compute and controller nodes.',
        '- Re-create every CephX credential.',
        '#. Audit cephx access keys provisioned via manila. You may use "ceph',
        '   auth ls" and ensure that no clients have been compromised.',
        '12) A numbered item',
      ].join('\n'),
    );
  });

  it('keeps meant line breaks inside a paragraph', () => {
    expect(hardBreak('Steps for Mitigation:', 'A. Ensure the users')).toBe(true);
    expect(hardBreak('Upstream patch', 'https://github.com/kanaka/noVNC/commit/ad941fa')).toBe(true);
    expect(hardBreak('Stein: cinder 14.2.0, requires os-brick 2.8.6', 'Train: cinder 15.3.0, requires os-brick 2.10.4')).toBe(true);
    expect(hardBreak('Requires code change, see [4].', 'After code change use --tls option.')).toBe(true);
    expect(hardBreak('the client and the server to support SSLv3. Due to the way the protocol', 'negotiations work')).toBe(false);
    const text = 'Apache:\nSSLProtocol All -SSLv2 -SSLv3\n\nFixes:\n2025.1/epoxy: https://review.opendev.org/990127\n2024.2/dalmatian: https://review.opendev.org/990128';
    expect(layoutSectionText(text, false)).toBe(text);
  });

  it('never starts a wrapped line with something that reads as a list marker', () => {
    expect(wrapWords(['aaaa', 'bbbb', 'cccc', 'dddd', '-', 'eeee'], '', '', 20)).toEqual(['aaaa bbbb cccc', 'dddd - eeee']);
    expect(wrapWords(['aaaa', 'bbbb', 'cccc', 'dddd', '2.', 'eeee'], '', '', 20)).toEqual(['aaaa bbbb cccc', 'dddd 2. eeee']);
    expect(wrapWords(['aaaa', 'bbbb', 'cccc', 'dddd', 'eeee'], '', '', 20)).toEqual(['aaaa bbbb cccc dddd', 'eeee']);
    const tricky = 'The options are many and the list of them is long, so pick one of them - or see the docs.';
    const out = layoutSectionText(tricky, false, 66);
    expect(out.split('\n').some((l) => l.startsWith('- '))).toBe(false);
    expect(splitBlocks(out, false).blocks.map((b) => b.kind)).toEqual(['paragraph']);
  });

  it('keeps every line in line-oriented sections and continues long ones indented', () => {
    const contacts = [
      'Author: Robert Clark, HP',
      'This OSSN : https://wiki.openstack.org/wiki/OSSN/OSSN-0007',
      'LXC LibVirt Discussion : https://www.berrange.com/posts/2011/09/27/getting-started-with-lxc-using-libvirt/',
      'Mailing List : [security-sig] tag on openstack-discuss@lists.openstack.org',
    ].join('\n');
    expect(layoutSectionText(contacts, true)).toBe(
      [
        'Author: Robert Clark, HP',
        'This OSSN : https://wiki.openstack.org/wiki/OSSN/OSSN-0007',
        'LXC LibVirt Discussion :',
        '    https://www.berrange.com/posts/2011/09/27/getting-started-with-lxc-using-libvirt/',
        'Mailing List : [security-sig] tag on',
        '    openstack-discuss@lists.openstack.org',
      ].join('\n'),
    );
  });

  it('is stable: laying out its own output changes nothing', () => {
    const samples = [prose, 'Short.\n\n- a list item that is long enough to need wrapping onto a second line for sure', 'Label:\nvalue'];
    for (const text of samples) {
      const once = layoutSectionText(text, false);
      expect(layoutSectionText(once, false)).toBe(once);
    }
  });

  it('collapses runs of blank lines outside preformatted text and trims the ends', () => {
    expect(layoutSectionText('\n\nOne.\n\n\n\nTwo.\n\n', false)).toBe('One.\n\nTwo.');
    expect(splitBlocks('a\n~~~\nopen', false).unterminated).toEqual(['~~~']);
  });
});
