#!/usr/bin/env bash
# Serves the todo page on $PORT (default 5100) in the background and waits until it answers.
set -euo pipefail
cd "$(dirname "$0")"
export PORT="${PORT:-5100}"
url="http://127.0.0.1:$PORT/"
if curl -fsS "$url" > /dev/null 2>&1; then echo "$url (already running)"; exit 0; fi
nohup node server.js "$PORT" > server.log 2>&1 &
for _ in $(seq 1 50); do
  if curl -fsS "$url" > /dev/null 2>&1; then echo "$url"; exit 0; fi
  sleep 0.1
done
echo "the page did not answer on port $PORT; see server.log" >&2
exit 1
