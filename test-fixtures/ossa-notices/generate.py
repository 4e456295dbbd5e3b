#!/usr/bin/env python3
"""Regenerate the notice-text golden files: test-fixtures/ossa/OSSA-*.yaml -> test-fixtures/ossa-notices/OSSA-*.txt.

The goldens are what the OpenStack tooling prints for each advisory (openstack/ossa renders its YAML to
reStructuredText with PyYAML and a Jinja2 template, in doc/source/_exts/vmt.py and rst.jinja). This script
and notice.rst.jinja beside it do the same thing the same way: yaml.safe_load, top-level keys snake-cased,
the filters ossa_date, csv_list and cve_list, jinja2 with trim_blocks. They were written for Cordon from
the upstream tooling's behaviour (no upstream file is copied); regenerating reproduces every golden byte for
byte. See README.md here.

Usage (from the repository root):  python3 test-fixtures/ossa-notices/generate.py [--check]
Needs Python 3 with PyYAML and Jinja2 (Debian: apt-get install python3-yaml python3-jinja2;
elsewhere: pip install PyYAML Jinja2). Made with Python 3.11.7, PyYAML 6.0.3, Jinja2 3.1.6.
--check writes nothing and exits 1 if any golden differs from what it would write.
"""
import os
import sys

import jinja2
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, '..', 'ossa')


def ossa_date(value):
    # strftime under the C locale (Python never calls setlocale by itself): "December 13, 2011".
    return '{:%B %d, %Y}'.format(value)


def csv_list(value):
    # Iterates whatever it is given, so a `reported` string comes out character by character.
    return ', '.join(value)


def cve_entry(vuln):
    return vuln['cve-id'] + (' (%s)' % vuln['note'] if 'note' in vuln else '')


def cve_list(value):
    return ',\n      '.join(cve_entry(v) for v in value)


def environment():
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE), trim_blocks=True)
    env.filters.update(ossa_date=ossa_date, csv_list=csv_list, cve_list=cve_list)
    return env


def render(template, path):
    with open(path, encoding='utf-8') as f:
        data = yaml.safe_load(f)
    return template.render({key.replace('-', '_'): value for key, value in data.items()})


def main(argv):
    check = '--check' in argv[1:]
    template = environment().get_template('notice.rst.jinja')
    differ = []
    names = sorted(n for n in os.listdir(CORPUS) if n.endswith('.yaml'))
    for name in names:
        text = render(template, os.path.join(CORPUS, name))
        target = os.path.join(HERE, name[:-len('.yaml')] + '.txt')
        data = text.encode('utf-8')
        old = open(target, 'rb').read() if os.path.exists(target) else None
        if old != data:
            differ.append(os.path.basename(target))
            if not check:
                with open(target, 'wb') as f:
                    f.write(data)
    verb = 'differ' if check else 'rewritten'
    print('%d advisories rendered, %d goldens %s%s' % (len(names), len(differ), verb, (': ' + ', '.join(differ)) if differ else ''))
    return 1 if check and differ else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
