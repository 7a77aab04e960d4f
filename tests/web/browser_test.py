#!/usr/bin/env python3
"""The replay page in a real browser (headless Chromium through WebDriver).

For every shipped scenario: `raftsim run --html` writes the page, Chromium loads it with no
console errors, and a screenshot is kept in OUT/screenshots. On split_brain, at three chosen
points the page shows each node's role, term and commit exactly as the trace says; on
figure8_bug the page opens at the event after which the checker found the violation, with the
nodes involved highlighted; on stale_read it opens where the failing key's operations have no
order left, with that key's operations listed.

Every wait is on a condition (the page's `data-ready`, the cursor's value), never a fixed sleep.
"""
import argparse
import concurrent.futures
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.support.ui import WebDriverWait

ARGS = None
ROLES = ["follower", "pre-candidate", "candidate", "leader"]


def chromium_paths():
    browser = shutil.which("chromium") or "/usr/bin/chromium"
    driver = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    for path, package in ((browser, "chromium"), (driver, "chromium-driver")):
        if not os.path.exists(path):
            sys.exit(f"browser_test: {path} not found: install the Debian package {package} "
                     "(scripts/test installs it)")
    return browser, driver


def start_browser(profile_dir):
    browser, driver = chromium_paths()
    options = Options()
    options.binary_location = browser
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--window-size=1600,1100",
                 f"--user-data-dir={profile_dir}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(driver), options=options)


def read_trace(path):
    """The trace's header, verdict and events. A violation's "event" numbers the recorded events,
    which the election timer lines are not among: it is turned into an index into `events`."""
    header, verdict, events, recorded = None, None, [], []
    with open(path) as f:
        for line in f:
            j = json.loads(line)
            if "raftsim_run" in j:
                header = j["raftsim_run"]
                verdict = header["verdict"]
            else:
                if j["kind"] != "timer":
                    recorded.append(len(events))
                events.append(j)
    for v in (verdict or {}).get("violations", []):
        if "event" in v:
            v["event"] = recorded[v["event"]]
    return header, verdict, events


def expected_timers(names, events, count):
    """What is left of each node's election timer (a fraction of its timeout, "" for none) after
    the first `count` events, at the last one's time, read off the trace's timer lines."""
    timers, down = ["" for _ in names], [False for _ in names]
    t = events[count - 1]["t_us"]
    for e in events[:count]:
        i = e.get("node", 0) - 1
        if e["kind"] == "timer":
            fires, timeout = e.get("a", 0), e.get("b", 0)
            timers[i] = (fires, timeout) if fires and timeout else ""
        elif e["kind"] == "down" and 0 <= i < len(names):
            timers[i] = ""
    return ["" if not x else f"{max(0.0, min(1.0, (x[0] - t) / x[1])):.3f}" for x in timers]


def expected_nodes(names, events, count):
    """Each node's role, term and commit after the first `count` events, read off the trace."""
    nodes = [{"name": n, "role": "follower", "term": 0, "commit": 0} for n in names]
    for e in events[:count]:
        kind, i = e["kind"], e.get("node", 0) - 1
        if kind in ("role", "term", "commit", "down", "up") and not 0 <= i < len(names):
            continue
        if kind == "role":
            nodes[i]["role"], nodes[i]["term"] = ROLES[e.get("a", 0)], e.get("b", 0)
        elif kind == "term":
            nodes[i]["term"] = e.get("b", 0)
        elif kind == "commit":
            nodes[i]["commit"] = e.get("a", 0)
        elif kind == "down":
            nodes[i]["role"] = "crashed"
        elif kind == "up":
            nodes[i]["role"] = "follower"
    return nodes


class ReplayPage(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="raftsim-web-")
        cls.shots = os.path.join(ARGS.out, "screenshots")
        os.makedirs(cls.shots, exist_ok=True)
        cls.pages = {}
        started = time.monotonic()
        # The browser starts while the runs write their pages, one run per core at a time.
        with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            browser = pool.submit(start_browser, os.path.join(cls.work, "profile"))
            runs = [pool.submit(cls.write_page, scenario)
                    for scenario in sorted(glob.glob(os.path.join(ARGS.scenarios, "*.yaml")))]
            for run in runs:
                name, page, trace = run.result()
                cls.pages[name] = (page, trace)
            cls.driver = browser.result()
        print(f"pages written, browser started: {time.monotonic() - started:.1f}s", file=sys.stderr)

    @classmethod
    def write_page(cls, scenario):
        name = os.path.splitext(os.path.basename(scenario))[0]
        page = os.path.join(cls.work, name + ".html")
        trace = os.path.join(cls.work, name + ".jsonl")
        run = subprocess.run([ARGS.raftsim, "run", "--quiet", scenario, "--html", page,
                              "--trace", trace], capture_output=True, text=True)
        if run.returncode != 0:
            raise AssertionError(f"raftsim run {name} exited {run.returncode}:\n"
                                 f"{run.stdout}{run.stderr}")
        return name, page, trace

    @classmethod
    def tearDownClass(cls):
        cls.driver.quit()
        shutil.rmtree(cls.work, ignore_errors=True)

    def load(self, name, anchor=""):
        page, trace = self.pages[name]
        if anchor:
            self.driver.get("about:blank")  # a new anchor on the same page would not reload it
        self.driver.get("file://" + page + anchor)
        WebDriverWait(self.driver, 30).until(
            lambda d: d.execute_script("return document.body.dataset.ready === 'true'"))
        return read_trace(trace)

    def console_errors(self):
        return [entry for entry in self.driver.get_log("browser") if entry["level"] == "SEVERE"]

    def test_every_shipped_scenario_loads_without_console_errors(self):
        self.assertGreater(len(self.pages), 10)
        for name in sorted(self.pages):
            with self.subTest(scenario=name):
                header, _, events = self.load(name)
                self.assertEqual(self.console_errors(), [])
                self.assertEqual(self.driver.execute_script("return window.raftsim.eventCount"),
                                 len(events))
                nodes = self.driver.execute_script("return window.raftsim.nodes()")
                self.assertEqual([n["name"] for n in nodes], header["nodes"])
                # A run without a violation opens at its start: the screenshot shows its middle.
                self.driver.execute_script(
                    "if (window.raftsim.violationCount === null) "
                    "window.raftsim.seek(Math.floor(window.raftsim.eventCount / 2))")
                self.assertEqual(self.console_errors(), [])
                self.driver.save_screenshot(os.path.join(self.shots, name + ".png"))

    def test_the_page_shows_what_the_trace_says_at_three_points(self):
        header, _, events = self.load("split_brain")
        # Before the partition, during it, and after the heal (split_brain: 3s..12s).
        times = [2_500_000, 8_000_000, 15_000_000]
        for t in times:
            count = sum(1 for e in events if e["t_us"] <= t)
            with self.subTest(t_us=t):
                landed = self.driver.execute_script("return window.raftsim.seek(arguments[0])",
                                                    count)
                self.assertEqual(landed, count)
                shown = self.driver.execute_script("return window.raftsim.nodes()")
                self.assertEqual(shown, expected_nodes(header["nodes"], events, count))
                timers = self.driver.execute_script(
                    "return [...document.querySelectorAll('#ring g.node')]"
                    ".map(g => g.dataset.timer)")
                want = expected_timers(header["nodes"], events, count)
                self.assertEqual([x == "" for x in timers], [x == "" for x in want])
                for got, exp in zip(timers, want):
                    if exp:
                        self.assertAlmostEqual(float(got), float(exp), delta=0.0015)
                self.assertTrue(any(timers))  # followers' timers are on the trace
        roles = {n["role"] for n in expected_nodes(header["nodes"], events, count)}
        self.assertIn("leader", roles)  # the chosen points do show a cluster that elected
        self.assertEqual(self.console_errors(), [])

    def test_a_safety_violation_opens_at_its_event(self):
        header, verdict, events = self.load("figure8_bug")
        violation = verdict["violations"][0]
        want = violation["event"] + 1  # the state after the event the checker ran after
        self.assertEqual(self.driver.execute_script("return window.raftsim.count()"), want)
        self.assertEqual(events[violation["event"]]["t_us"], violation["t_us"])
        highlighted = self.driver.execute_script(
            "return [...document.querySelectorAll('#ring g.node.involved')]"
            ".map(g => g.dataset.node)")
        self.assertEqual(sorted(highlighted),
                         sorted(header["nodes"][i - 1] for i in violation["nodes"]))
        report = self.driver.find_element("id", "verdict").text
        self.assertIn(violation["property"], report)

    def test_a_linearizability_failure_opens_where_no_order_is_left(self):
        # stale_read breaks read_confirmed at its first read, so the page opens there; the
        # address's #linearizability asks for the point where the reads' cost shows.
        _, verdict, events = self.load("stale_read")
        first = verdict["violations"][0]
        self.assertEqual(first["property"], "read_confirmed")
        self.assertEqual(self.driver.execute_script("return window.raftsim.count()"),
                         first["event"] + 1)
        _, verdict, events = self.load("stale_read", "#linearizability")
        lin = verdict["linearizability"]
        self.assertEqual(lin["verdict"], "not linearizable")
        stuck_us = lin["stuck"]["complete"]  # history times are the trace's microseconds
        want = sum(1 for e in events if e["t_us"] <= stuck_us)
        self.assertGreater(want, 0)
        self.assertEqual(self.driver.execute_script("return window.raftsim.count()"), want)
        self.assertEqual(self.driver.execute_script("return window.raftsim.time()"),
                         events[want - 1]["t_us"])
        stuck_rows = self.driver.find_elements("css selector", "#verdict .ops tr.stuck")
        self.assertEqual(len(stuck_rows), 1)
        self.assertIn(f"c{lin['stuck']['client']}", stuck_rows[0].text)

    def test_a_real_mode_run_shows_what_its_runner_observed(self):
        # The first 4s of `raftsim run --real scenarios/split_brain.yaml --trace`, with its last
        # line: roles, terms and commits from status polls, faults, client operations.
        trace = os.path.join(os.path.dirname(os.path.abspath(__file__)), "real_split_brain.jsonl")
        page = os.path.join(self.work, "real_split_brain.html")
        view = subprocess.run([ARGS.raftsim, "view", trace, "-o", page, "--quiet"],
                              capture_output=True, text=True)
        self.assertEqual(view.returncode, 0, view.stderr)
        self.pages["real_split_brain"] = (page, trace)
        header, _, events = self.load("real_split_brain")
        self.assertEqual(header["mode"], "real")
        self.assertIn("real-mode run", self.driver.find_element("id", "notice").text)
        count = sum(1 for e in events if e["t_us"] <= 3_500_000)  # the majority has elected
        self.assertEqual(self.driver.execute_script("return window.raftsim.seek(arguments[0])",
                                                    count), count)
        shown = self.driver.execute_script("return window.raftsim.nodes()")
        self.assertEqual(shown, expected_nodes(header["nodes"], events, count))
        self.assertIn("leader", {n["role"] for n in shown})
        # What real mode cannot know is not drawn: no messages, no election timers.
        self.assertEqual(self.driver.execute_script(
            "return document.querySelectorAll('#ring .msg, #ring .timer').length"), 0)
        self.assertEqual(self.console_errors(), [])
        self.driver.save_screenshot(os.path.join(self.shots, "real_split_brain.png"))


def main():
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("--raftsim", required=True)
    parser.add_argument("--scenarios", required=True)
    parser.add_argument("--out", required=True, help="where the screenshots go")
    ARGS, rest = parser.parse_known_args()
    started = time.monotonic()
    result = unittest.main(argv=[sys.argv[0]] + rest, exit=False, verbosity=2).result
    print(f"browser tests: {time.monotonic() - started:.1f}s")
    sys.exit(0 if result.wasSuccessful() else 1)


if __name__ == "__main__":
    main()
