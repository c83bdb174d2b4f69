#!/usr/bin/env bash
# Lighthouse 12 (frontend/package.json) with mobile emulation on the listing and a posting of a running site.
#   frontend/lighthouse.sh [BASE_URL] [LANGUAGE]     default: http://127.0.0.1:8000 en
# Prints each page's four category scores and its cumulative layout shift; the reports go to
# frontend/reports/. Fails when a score is below 95 or CLS above 0.05. Needs Chromium
# (CHROME_PATH, by default Debian's /usr/bin/chromium) and `npm ci --prefix frontend`.
set -euo pipefail
cd "$(dirname "$0")"
base="${1:-http://127.0.0.1:8000}"
language="${2:-en}"
export CHROME_PATH="${CHROME_PATH:-/usr/bin/chromium}"
mkdir -p reports

listing="$base/$language/"
posting="$base$(curl -fsS "$listing" | grep -o 'class="card__title"><a href="[^"?]*' | head -1 | sed 's/.*href="//')"

status=0
for page in listing posting; do
  url="${!page}"
  npx --no-install lighthouse "$url" --quiet --output=json --output-path="reports/$page.json" \
    --chrome-flags="--headless=new --no-sandbox --disable-gpu" --only-categories=performance,accessibility,best-practices,seo
  node -e '
    const report = require(process.argv[1]);
    const scores = Object.values(report.categories).map((c) => `${c.title} ${Math.round(c.score * 100)}`);
    const cls = report.audits["cumulative-layout-shift"].numericValue;
    console.log(`${process.argv[2]} (${report.finalDisplayedUrl}): ${scores.join(", ")}, CLS ${cls.toFixed(3)}`);
    const low = Object.values(report.categories).some((c) => c.score < 0.95);
    process.exit(low || cls > 0.05 ? 1 : 0);
  ' "$PWD/reports/$page.json" "$page" || status=1
done
exit $status
