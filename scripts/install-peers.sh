#!/usr/bin/env bash
# Installs the real peers the integration tests and benchmarks talk to, when they are missing:
# Debian's uWSGI (with the python3 plugin and the C routers), nginx, HAProxy, wrk, curl, openssl,
# testssl.sh, nghttp2-client (nghttp, h2load) and Chromium (the status page is tested in a real headless browser).
# Needs root (or sudo) the first time; a no-op once everything is there.
set -euo pipefail
need=()
command -v uwsgi >/dev/null 2>&1 || need+=(uwsgi-core)
[ -e /usr/lib/uwsgi/plugins/python3_plugin.so ] || need+=(uwsgi-plugin-python3)
command -v nginx >/dev/null 2>&1 || need+=(nginx-light)
command -v haproxy >/dev/null 2>&1 || need+=(haproxy)
command -v wrk >/dev/null 2>&1 || need+=(wrk)
command -v curl >/dev/null 2>&1 || need+=(curl)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v python3 >/dev/null 2>&1 || need+=(python3)
command -v testssl >/dev/null 2>&1 || need+=(testssl.sh)   # scripts/testssl.sh
/usr/bin/python3 -c 'import prometheus_client' >/dev/null 2>&1 || need+=(python3-prometheus-client)   # /metrics checked by its parser
command -v h2load >/dev/null 2>&1 || need+=(nghttp2-client)   # nghttp, h2load: HTTP/2 tests and benchmarks
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
echo "install-peers: installing ${need[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
