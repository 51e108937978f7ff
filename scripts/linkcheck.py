"""Check every external link of the built site and print the dead ones as a table.

    python scripts/linkcheck.py [SITE_DIR] [--timeout S] [--workers N]

`make linkcheck` builds the site, then runs this. It needs a network, so it is not part of the
tests (which never leave the machine); the tests run it against a local server instead.

A link is *dead* when the server answers with an error status (4xx/5xx; a HEAD that is refused
is retried as GET) and *unreachable* when no answer comes (DNS, refused connection, time-out).
If every link is unreachable there is no network: the script says so and exits 2 rather than
reporting the whole web as dead. Exit status: 0 all links answer, 1 some are dead or
unreachable, 2 no network or nothing to check.
"""

from __future__ import annotations

import argparse
import sys
import urllib.error
import urllib.request
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

USER_AGENT = "dlnotes-linkcheck/1 (+https://github.com/)"


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def external_links(site: Path) -> dict[str, set[str]]:
    """{url (without fragment): {pages that link to it}} for every http(s) link in the built site."""
    found: dict[str, set[str]] = defaultdict(set)
    for page in sorted(site.rglob("*.html")):
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8", errors="replace"))
        for href in parser.hrefs:
            if urlsplit(href).scheme in ("http", "https"):
                found[urldefrag(href)[0]].add(str(page.relative_to(site)))
    return dict(found)


def check(url: str, timeout: float) -> tuple[str, str]:
    """("ok" | "dead" | "unreachable", detail) for one URL."""
    for method in ("HEAD", "GET"):
        request = urllib.request.Request(url, method=method, headers={"User-Agent": USER_AGENT})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return "ok", str(response.status)
        except urllib.error.HTTPError as error:
            if method == "HEAD" and error.code in (403, 405, 429, 501):
                continue  # some servers refuse HEAD: ask again with GET
            return "dead", f"HTTP {error.code}"
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            reason = getattr(error, "reason", error)
            return "unreachable", type(reason).__name__ + (f": {reason}" if str(reason) else "")
    return "dead", "HEAD and GET refused"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", nargs="?", default="site", type=Path, help="the built site (default: site)")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per request (default: 10)")
    parser.add_argument("--workers", type=int, default=8, help="requests at a time (default: 8)")
    args = parser.parse_args(argv)
    if not args.site.is_dir():
        parser.error(f"site: {str(args.site)!r} is not a directory; build the site first (make build)")
    if args.timeout <= 0 or args.workers < 1:
        parser.error(f"--timeout must be > 0 and --workers >= 1, got {args.timeout} and {args.workers}")

    links = external_links(args.site)
    if not links:
        print(f"no external links found in {args.site}")
        return 2
    with ThreadPoolExecutor(args.workers) as pool:
        results = dict(zip(links, pool.map(lambda u: check(u, args.timeout), links)))

    bad = {url: r for url, r in results.items() if r[0] != "ok"}
    if len(bad) == len(results) and all(r[0] == "unreachable" for r in bad.values()):
        print(f"none of the {len(results)} external links could be reached: no network? Nothing reported.")
        return 2
    print(f"{len(results)} external links checked, {len(results) - len(bad)} answer, {len(bad)} do not.")
    if bad:
        print()
        print("| status | link | detail | linked from |")
        print("| --- | --- | --- | --- |")
        for url, (status, detail) in sorted(bad.items()):
            pages = ", ".join(sorted(links[url])[:3]) + (" …" if len(links[url]) > 3 else "")
            print(f"| {status} | {url} | {detail} | {pages} |")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
