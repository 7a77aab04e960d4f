#!/usr/bin/env python3
"""Mutation testing of raftsim: does exploration (and the test suite) catch a broken rule?

For each mutant patch in bench/mutants/ (or the ones named), in a scratch copy of the tree:
apply the patch, build `raftsim`, run `raftsim explore SCENARIO --runs N` once per strategy, and
record whether it was caught, the runs to the first detection, the property violated and the
fault count of the shrunk repro; then undo the patch. With --tests, also build the unit-test
binaries and record which mutants the fast unit tests kill.

The scratch copy is made once from the working tree (uncommitted changes included) under --work
(default: build-mutants/ in the checkout, which git ignores) and reused: only the mutated file
and the link are rebuilt for each mutant, and ccache serves the rest.

Results: a Markdown table on stdout (and in --report), one JSON object per mutant and strategy in
WORK/results.jsonl, and each explore's output in WORK/logs/.
"""
import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

# Unit tests that run in seconds: the core's paper tests, the host loop and the KV store.
FAST_TESTS = ['raft_tests', 'node_tests']
FAST_TEST_FILTER = '-*Property*:*Properties*:*SearchFinds*'


def sh(cmd, cwd, log=None, timeout=None):
    """Runs `cmd`; returns (exit code, output). Exit code None: timed out."""
    try:
        p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, timeout=timeout)
        out, code = p.stdout, p.returncode
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or '')
        code = None
    if log:
        with open(log, 'w') as f:
            f.write('$ ' + ' '.join(cmd) + '\n' + out)
    return code, out


def copy_tree(work):
    """The tracked and untracked-but-not-ignored files of the checkout, copied to work/tree."""
    tree = os.path.join(work, 'tree')
    files = subprocess.run(['git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'],
                           cwd=REPO, stdout=subprocess.PIPE, check=True).stdout.split(b'\0')
    for f in files:
        if not f:
            continue
        rel = f.decode()
        src, dst = os.path.join(REPO, rel), os.path.join(tree, rel)
        if not os.path.isfile(src):
            continue  # deleted in the working tree
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        if not os.path.exists(dst) or open(src, 'rb').read() != open(dst, 'rb').read():
            shutil.copy(src, dst)  # a fresh mtime: make must see a restored file change
    return tree


def configure(tree, tests):
    build = os.path.join(tree, 'build')
    cmd = ['cmake', '-S', '.', '-B', 'build', '-DCMAKE_BUILD_TYPE=RelWithDebInfo',
           '-DRAFTSIM_WERROR=ON', '-DRAFTSIM_REAL=OFF', '-DRAFTSIM_BENCH=OFF',
           f'-DRAFTSIM_TESTS={"ON" if tests else "OFF"}']
    if shutil.which('ccache'):
        cmd.append('-DCMAKE_CXX_COMPILER_LAUNCHER=ccache')
    code, out = sh(cmd, tree)
    if code != 0:
        sys.exit('cmake failed:\n' + out)
    return build


def build(tree, targets, jobs, log):
    code, out = sh(['cmake', '--build', 'build', '-j', str(jobs), '--target'] + targets, tree, log)
    return code == 0


def patch(tree, path, reverse=False):
    cmd = ['patch', '-p1', '--no-backup-if-mismatch', '-s', '-i', path]
    if reverse:
        cmd.insert(1, '-R')
    code, out = sh(cmd, tree)
    return code == 0, out


# `  liveness: 3 runs, first at run 17 (seed 17); smallest of 3 seeds shrunk: seed 40, shrunk
# from 12 to 3 faults in 500 runs` / `  durability: 1 run, first at run 5 (seed 5), not shrunk (7
# faults)`. Guided runs mutants under seeds of their own, so the run, not the seed, counts.
FINDING = re.compile(r'^  (?P<label>.+?): (?P<count>\d+) runs?, first (?:at run (?P<run>\d+) '
                     r'\(seed (?P<first>\d+)\)|seed (?P<old_first>\d+))'
                     r'(?:.*?shrunk from (?P<orig>\d+) to (?P<shrunk>\d+) faults'
                     r'|, not shrunk \((?P<unshrunk>\d+) faults\))?')
RATE = re.compile(r'in (?P<wall>[\d.]+)s \((?P<rate>\d+) runs/s\)')


def parse_explore(out, first_seed):
    findings = []
    for line in out.splitlines():
        m = FINDING.match(line)
        if not m:
            continue
        shrunk = m.group('shrunk') or m.group('unshrunk')
        seed = int(m.group('first') or m.group('old_first'))
        run = int(m.group('run')) if m.group('run') else seed - first_seed + 1
        findings.append({'label': m.group('label'), 'count': int(m.group('count')),
                         'first_seed': seed, 'first_run': run,
                         'shrunk_faults': int(shrunk) if shrunk is not None else None})
    findings.sort(key=lambda f: f['first_run'])
    rate = RATE.search(out)
    return {
        'caught': bool(findings),
        'runs_to_first': findings[0]['first_run'] if findings else None,
        'property': findings[0]['label'] if findings else None,
        'shrunk_faults': findings[0]['shrunk_faults'] if findings else None,
        'failing_runs': sum(f['count'] for f in findings),
        'findings': findings,
        'explore_wall': float(rate.group('wall')) if rate else None,
        'runs_per_s': int(rate.group('rate')) if rate else None,
    }


def explore(tree, args, strategy, log, scenario):
    cmd = [os.path.join(tree, 'build', 'tools', 'raftsim'), 'explore', scenario,
           '--runs', str(args.runs), '--seed', str(args.seed), '--jobs', str(args.jobs),
           '--out', os.path.join(os.path.dirname(log), os.path.basename(log) + '.repros')]
    if strategy:
        cmd += ['--strategy', strategy]
    if args.no_shrink:
        cmd.append('--no-shrink')
    start = time.monotonic()
    code, out = sh(cmd, REPO, log, timeout=args.timeout)
    wall = time.monotonic() - start
    if code is None:
        return {'caught': None, 'error': f'timed out after {args.timeout}s', 'wall': wall}
    if code == 2:
        return {'caught': None, 'error': 'explore refused (exit 2): ' + out.strip()[-300:],
                'wall': wall}
    if code not in (0, 1):
        # The mutant crashed the simulator: the suite would notice, but no property named it.
        return {'caught': True, 'crashed': True, 'property': f'crash (exit {code})',
                'runs_to_first': None, 'shrunk_faults': None, 'failing_runs': None, 'wall': wall}
    r = parse_explore(out, args.seed)
    r['wall'] = wall
    if code == 1 and not r['caught']:
        r['error'] = 'exit 1 but no finding parsed'
    return r


def unit_tests(tree, name, args, logs):
    ok = build(tree, FAST_TESTS, args.build_jobs, os.path.join(logs, name + '.tests-build.log'))
    if not ok:
        return 'build failed'
    killed = []
    for binary in FAST_TESTS:
        code, out = sh([os.path.join(tree, 'build', 'tests', binary.split('_')[0], binary),
                        '--gtest_filter=' + FAST_TEST_FILTER, '--gtest_brief=1'],
                       tree, os.path.join(logs, f'{name}.{binary}.log'), timeout=args.timeout)
        if code != 0:
            failed = re.findall(r'^\[  FAILED  \] (\S+)', out, re.M)
            killed.append(f'{binary}: ' + (', '.join(sorted(set(failed))[:3]) if failed
                                           else 'crashed' if code else 'timed out'))
    return '; '.join(killed) if killed else 'survived'


def cell(r):
    if r.get('error'):
        return 'error', '', r['error'], ''
    if not r['caught']:
        return 'no', '', '', ''
    return ('yes', str(r['runs_to_first'] or ''), r['property'],
            '' if r.get('shrunk_faults') is None else str(r['shrunk_faults']))


def check_patches():
    """Exit 1 unless every patch applies to the checkout as it is, without fuzz."""
    stale = []
    for p in sorted(glob.glob(os.path.join(HERE, '*.patch'))):
        code, out = sh(['patch', '-p1', '--dry-run', '-s', '-F0', '-i', p], REPO)
        if code != 0:
            stale.append(f'{os.path.relpath(p, REPO)}: {out.strip() or "does not apply"}')
    for line in stale:
        print(line)
    print(f'{len(glob.glob(os.path.join(HERE, "*.patch"))) - len(stale)} mutants apply, '
          f'{len(stale)} do not')
    return 1 if stale else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('mutants', nargs='*', help='names or numbers of mutants (default: all)')
    ap.add_argument('--scenario', default=os.path.join(HERE, 'minimal.yaml'))
    ap.add_argument('--runs', type=int, default=1000, help='seeds explored per mutant')
    ap.add_argument('--seed', type=int, default=1, help='first seed')
    ap.add_argument('--strategy', action='append', default=[],
                    help='passed to explore as --strategy; repeat to compare strategies side by '
                         'side (default: none passed, explore\'s own default)')
    ap.add_argument('--jobs', type=int, default=1, help='explore threads')
    ap.add_argument('--build-jobs', type=int, default=2)
    ap.add_argument('--timeout', type=int, default=3600, help='seconds per explore')
    ap.add_argument('--no-shrink', action='store_true')
    ap.add_argument('--tests', action='store_true',
                    help='also build the fast unit tests and record which mutants they kill')
    ap.add_argument('--no-explore', action='store_true', help='with --tests: only the unit tests')
    ap.add_argument('--baseline', action='store_true',
                    help='first explore the unmutated tree (it must find nothing)')
    ap.add_argument('--work', default=os.path.join(REPO, 'build-mutants'))
    ap.add_argument('--report', help='also write the Markdown table here')
    ap.add_argument('--summarize', action='store_true',
                    help='only print the table of everything recorded in WORK/results.jsonl')
    ap.add_argument('--check', action='store_true',
                    help='only check that every mutant applies to the checkout exactly (no '
                         'fuzz, no offset in another file): a refactoring of the core must carry '
                         'its mutants along')
    args = ap.parse_args()
    if args.summarize:
        return summarize(args.work)
    if args.check:
        return check_patches()

    patches = sorted(glob.glob(os.path.join(HERE, '*.patch')))
    if args.mutants:
        def wanted(p):
            base = os.path.basename(p)[:-len('.patch')]
            return any(w == base or w == base.split('-', 1)[0] or w == base.split('-', 1)[1]
                       for w in args.mutants)
        patches = [p for p in patches if wanted(p)]
        if not patches:
            sys.exit('no mutant matches ' + ' '.join(args.mutants))
    scenario = os.path.abspath(args.scenario)
    if not os.path.isfile(scenario):
        sys.exit(f'{args.scenario}: no such scenario')

    os.makedirs(args.work, exist_ok=True)
    logs = os.path.join(args.work, 'logs')
    os.makedirs(logs, exist_ok=True)
    tree = copy_tree(args.work)
    configure(tree, args.tests)
    strategies = args.strategy or [None]
    results_path = os.path.join(args.work, 'results.jsonl')
    results = []

    if args.baseline:
        if not build(tree, ['raftsim'], args.build_jobs, os.path.join(logs, 'baseline.build.log')):
            sys.exit('the unmutated tree does not build; see ' + logs)
        for s in strategies:
            r = explore(tree, args, s, os.path.join(logs, f'baseline.{s or "default"}.log'),
                        scenario)
            print(f'baseline ({s or "default"}): {"FOUND " + r["property"] if r.get("caught") else r.get("error", "nothing found")}',
                  flush=True)

    for p in patches:
        name = os.path.basename(p)[:-len('.patch')]
        ok, out = patch(tree, p)
        if not ok:
            print(f'{name}: patch does not apply: {out.strip()}', flush=True)
            results.append({'mutant': name, 'error': 'patch does not apply'})
            continue
        try:
            row = {'mutant': name, 'runs': args.runs, 'seed': args.seed,
                   'scenario': os.path.relpath(scenario, REPO)}
            targets = FAST_TESTS if args.no_explore else ['raftsim']
            if not build(tree, targets, args.build_jobs, os.path.join(logs, name + '.build.log')):
                row['error'] = 'does not build'
                print(f'{name}: does not build (see {logs}/{name}.build.log)', flush=True)
                results.append(row)
                continue
            if args.tests:
                row['unit_tests'] = unit_tests(tree, name, args, logs)
            row['strategies'] = {}
            if not args.no_explore:
                for s in strategies:
                    r = explore(tree, args, s, os.path.join(logs, f'{name}.{s or "default"}.log'),
                                scenario)
                    row['strategies'][s or 'default'] = r
                    print(f'{name} [{s or "default"}]: ' + ' | '.join(cell(r)) +
                          f'  ({r.get("wall", 0):.0f}s)', flush=True)
            if args.tests:
                print(f'{name} [unit tests]: {row["unit_tests"]}', flush=True)
            results.append(row)
            with open(results_path, 'a') as f:
                f.write(json.dumps(row) + '\n')
        finally:
            ok, out = patch(tree, p, reverse=True)
            if not ok:
                sys.exit(f'{name}: cannot undo the patch in {tree}: {out}')

    table = markdown_table(results, strategies, args.tests)
    print('\n' + table)
    if args.report:
        with open(args.report, 'w') as f:
            f.write(table)


def markdown_table(results, strategies, tests):
    lines = []
    head = ['mutant']
    for s in strategies:
        tag = s or 'default'
        head += [f'caught ({tag})', 'runs to first', 'failing runs', 'property', 'shrunk faults']
    if tests:
        head.append('unit tests')
    lines.append('| ' + ' | '.join(head) + ' |')
    lines.append('|' + '---|' * len(head))
    for row in results:
        cells = ['`' + row['mutant'] + '`']
        for s in strategies:
            r = row.get('strategies', {}).get(s or 'default')
            if r:
                caught, first, prop, shrunk = cell(r)
                failing = '' if r.get('failing_runs') is None else f"{r['failing_runs']}/{row['runs']}"
                cells += [caught, first, failing, prop, shrunk]
            else:
                cells += [row.get('error', ''), '', '', '', '']
        if tests:
            cells.append(row.get('unit_tests', ''))
        lines.append('| ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines) + '\n'


def summarize(work):
    """The table of every mutant in WORK/results.jsonl (the latest row of each), by name; each
    explore's result is read again from its log in WORK/logs/, so a fixed parser fixes the table."""
    rows = {}
    with open(os.path.join(work, 'results.jsonl')) as f:
        for line in f:
            row = json.loads(line)
            rows[row['mutant']] = row
    for name, row in rows.items():
        for s, r in row.get('strategies', {}).items():
            log = os.path.join(work, 'logs', f'{name}.{s}.log')
            if r.get('crashed') or not os.path.isfile(log):
                continue
            out = open(log).read()
            if 'timed out' in str(r.get('error', '')) or 'refused' in str(r.get('error', '')):
                continue
            parsed = parse_explore(out, row.get('seed', 1))
            parsed['wall'] = r.get('wall')
            row['strategies'][s] = parsed
    results = [rows[k] for k in sorted(rows)]
    strategies = sorted({s for r in results for s in r.get('strategies', {})})
    tests = any('unit_tests' in r for r in results)
    print(markdown_table(results, [None if s == 'default' else s for s in strategies], tests))


if __name__ == '__main__':
    sys.exit(main())
