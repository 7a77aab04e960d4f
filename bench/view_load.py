#!/usr/bin/env python3
"""Replay page size, load time and seek time in headless Chromium (results: RESULTS-view.md).

    bench/view_load.py build/tools/raftsim scenarios/split_brain.yaml [more.yaml ...] [--runs 5]

For each scenario: `raftsim run --html` writes the page; Chromium loads it --runs times (a fresh
tab each time) and reports the page's own measure of when it was ready (performance.now() at
the end of its start-up: parse, replay checkpoints, first render) and how long each stage of it
took (the page's own stamps, window.raftsimTimings; "parsed" runs from navigation to the end of
JSON.parse of the inlined data), then the mean time of 200 seeks to random events through the page's read-only API (window.raftsim.seek).
"""
import argparse
import os
import shutil
import statistics
import subprocess
import tempfile

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.support.ui import WebDriverWait

SEEKS = """
const n = window.raftsim.eventCount, t0 = performance.now();
let x = 12345;
for (let i = 0; i < 200; i++) { x = (x * 1103515245 + 12345) % 2147483648; window.raftsim.seek(x % (n + 1)); }
return (performance.now() - t0) / 200;
"""


def main():
    p = argparse.ArgumentParser()
    p.add_argument("raftsim")
    p.add_argument("scenarios", nargs="+")
    p.add_argument("--runs", type=int, default=5)
    args = p.parse_args()
    work = tempfile.mkdtemp(prefix="raftsim-view-bench-")
    o = Options()
    o.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for f in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--disable-background-networking", "--disable-component-update", "--disable-sync",
              "--no-first-run", "--window-size=1600,1100", f"--user-data-dir={work}/profile"):
        o.add_argument(f)
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"),
                              options=o)
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print("| scenario | events | page | ready (median of runs, min-max) | seek (mean of 200) |")
    print("|---|---|---|---|---|")
    breakdown = []
    try:
        for scenario in args.scenarios:
            name = os.path.splitext(os.path.basename(scenario))[0]
            page = os.path.join(work, name + ".html")
            subprocess.run([args.raftsim, "run", "-q", scenario, "--html", page], check=False,
                           capture_output=True)
            ready, stages = [], {}
            for _ in range(args.runs):
                driver.get("about:blank")
                driver.get("file://" + page)
                WebDriverWait(driver, 60).until(
                    lambda d: d.execute_script("return document.body.dataset.ready === 'true'"))
                ready.append(float(driver.execute_script("return document.body.dataset.loadMs")))
                # The page's own stamps: when each stage of its start-up ended.
                previous = 0.0
                for what, at in driver.execute_script("return window.raftsimTimings"):
                    stages.setdefault(what, []).append(at - previous)
                    previous = at
            events = driver.execute_script("return window.raftsim.eventCount")
            seek = driver.execute_script(SEEKS)
            size = os.path.getsize(page) / 1e6
            print(f"| {name} | {events} | {size:.2f} MB | {statistics.median(ready):.0f} ms "
                  f"({min(ready):.0f}-{max(ready):.0f}) | {seek:.1f} ms |")
            breakdown.append(f"{name}: " + ", ".join(
                f"{what} {statistics.median(ms):.0f}" for what, ms in stages.items()))
    finally:
        driver.quit()
        shutil.rmtree(work, ignore_errors=True)
    print(f"load average at end: {os.getloadavg()[0]:.1f}")
    print("start-up stages, ms each (median): " + "; ".join(breakdown))


if __name__ == "__main__":
    main()
