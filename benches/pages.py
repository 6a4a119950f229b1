"""Every page a signed-in bureau user can reach, timed: a crawl over the site's own links from the
dashboard, the targets and the reports, each page asked for once as found (cold: the first ask
after the server started, for its scope and year) and once more (warm). Prints the slowest and a
summary. Standard library only; for benches/figures.sh.

    python3 benches/pages.py http://127.0.0.1:18091 COOKIE [max pages, default 400]
"""

import re
import sys
import time
import urllib.request
from collections import deque
from urllib.parse import urljoin, urlparse

base, cookie = sys.argv[1], sys.argv[2]
limit = int(sys.argv[3]) if len(sys.argv) > 3 else 600
# Pages that change something or give files are not crawled.
SKIP = re.compile(r"^/(logout|lang/|static/|evidence/|reports/evaluation|export|templates|api/)")


def get(path):
    req = urllib.request.Request(base + path, headers={"Cookie": cookie})
    t = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            body = r.read()
            status = r.status
    except urllib.error.HTTPError as e:
        body, status = e.read(), e.code
    return (time.perf_counter() - t) * 1000, status, body


seen, queue, timings = set(), deque(["/targets", "/dashboard", "/reports", "/"]), []
while queue and len(timings) < limit:
    path = queue.popleft()
    if path in seen:
        continue
    seen.add(path)
    cold, status, body = get(path)
    warm, _, _ = get(path)
    timings.append((cold, warm, status, len(body), path))
    for href in re.findall(rb'href="([^"#]+)"', body):
        u = urlparse(urljoin(base + path, href.decode("utf-8", "replace").replace("&amp;", "&")))
        if u.netloc != urlparse(base).netloc:
            continue
        p = u.path + ("?" + u.query if u.query else "")
        if not SKIP.match(u.path) and p not in seen:
            queue.append(p)

timings.sort(reverse=True)
print(f"{len(timings)} pages; slowest cold:")
for cold, warm, status, size, path in timings[:12]:
    print(f"  {cold:8.0f} ms cold {warm:7.0f} ms warm  {status}  {size / 1024:7.0f} KiB  {path}")
colds = sorted(t[0] for t in timings)
warms = sorted(t[1] for t in timings)
print(
    f"cold: median {colds[len(colds) // 2]:.0f} ms, max {colds[-1]:.0f} ms; "
    f"warm: median {warms[len(warms) // 2]:.0f} ms, max {warms[-1]:.0f} ms; "
    f"over 1 s: {sum(1 for c in colds if c > 1000)}; over 200 ms cold: {sum(1 for c in colds if c > 200)}; "
    f"errors: {sum(1 for t in timings if t[2] >= 500)}"
)
