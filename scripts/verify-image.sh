#!/usr/bin/env bash
# Builds the Docker image with buildah and checks it for real (CI runs this, .ci/run):
#   1. the Dockerfile's base image: the registry's when it is here or can be pulled; otherwise an
#      equivalent assembled locally (debootstrap bookworm minbase + this machine's Node and npm +
#      a `node` user, uid 1000), imported under the same name and said so;
#   2. `buildah build` of the Dockerfile;
#   3. the server run from the image (its own user, command and environment) with a host folder as
#      /data: /healthz and /readyz answer 200 over HTTPS, the process is uid 1000, the image's
#      HEALTHCHECK passes, a signup works; SIGTERM stops it with exit 0; started again on the same
#      folder the account logs in, and the certificate, key and database are in that folder,
#      owner-only;
#   4. no development dependency in the image; its size and what takes the most room;
#   5. docker-compose.yml names what docs/deployment.md says (scripts/check-compose.mjs).
# Ends with `image: ok (size N MB)`, or `image: FAILED: why` and a non-zero exit.
#
# Needs root, buildah and (without the registry) debootstrap. There is no container runtime
# here (crun cannot set rlimits in this sandbox), so the server runs through
# `buildah run --isolation chroot` with the host's network: same files, user, environment and
# command as in the image, but no namespaces of its own.
#
# Variables: DECENTRA_VERIFY_DATABASE_URL (an empty PostgreSQL database: the image is also run on
# it), DECENTRA_VERIFY_IMAGE (the tag, localhost/decentra:verify), DEBIAN_MIRROR, KEEP_TMP=1 (keep
# the build log, server logs and volume under /tmp/decentra-verify-image.*).
#
# Cache: DECENTRA_IMAGE_CACHE (default ~/.cache/decentra-image) keeps the debootstrap tarball;
# buildah keeps the assembled base image and the build's layers and npm cache (--layers, RUN
# --mount=type=cache) in its own storage, so a second run rebuilds only what changed.
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE=${DECENTRA_VERIFY_IMAGE:-localhost/decentra:verify}
CACHE=${DECENTRA_IMAGE_CACHE:-$HOME/.cache/decentra-image}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
STARTED=$SECONDS

say() { printf '[image] %s\n' "$*"; }
fail() {
  printf '[image] FAILED: %s\n' "$*" >&2
  echo "image: FAILED: $*"
  exit 1
}
elapsed() { echo "$((SECONDS - STARTED))s"; }

# Everything this run makes is undone on the way out, whatever the way out.
CONTAINERS=()
SERVER_PIDS=()
TMP=$(mktemp -d /tmp/decentra-verify-image.XXXXXX)
cleanup() {
  local pid ctr
  for pid in "${SERVER_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${SERVER_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  for ctr in "${CONTAINERS[@]}"; do
    [ -n "$ctr" ] || continue
    buildah umount "$ctr" >/dev/null 2>&1 || true
    buildah rm "$ctr" >/dev/null 2>&1 || true
  done
  [ -n "${KEEP_TMP:-}" ] || rm -rf "$TMP"
}
trap cleanup EXIT

[ "$(id -u)" = 0 ] || fail "needs root (buildah's chroot isolation and debootstrap)"
command -v buildah >/dev/null || fail "buildah is not installed (apt-get install buildah)"
BASE=$(awk 'toupper($1) == "FROM" { print $2; exit }' Dockerfile)
[ -n "$BASE" ] || fail "no FROM line in Dockerfile"

# --- 1. the base image --------------------------------------------------------------------------
NODE_BIN=$(readlink -f "$(command -v node)")
NODE_VERSION=$(node --version)
NPM_CLI=$(readlink -f "$(command -v npm)")
NPM_DIR=${NPM_CLI%/bin/npm-cli.js}
NPM_VERSION=$(node -p "require('$NPM_DIR/package.json').version")
ARCH=$(dpkg --print-architecture)
BASE_KEY="debootstrap bookworm minbase $ARCH + node $NODE_VERSION + npm $NPM_VERSION"
BASE_LABEL=org.decentra.assembled-base

base_label() {
  buildah inspect --type image --format "{{index .OCIv1.Config.Labels \"$BASE_LABEL\"}}" "$1" 2>/dev/null
}

assemble_base() {
  if [[ $BASE == node:* ]]; then
    local want=${BASE#node:}
    want=${want%%-*}
    [ "${want%%.*}" = "$(node -p 'process.versions.node.split(".")[0]')" ] ||
      fail "the Dockerfile's base is $BASE but this machine's node is $NODE_VERSION"
  fi
  command -v debootstrap >/dev/null || fail "debootstrap is not installed (apt-get install debootstrap)"
  local tarball="$CACHE/bookworm-minbase-$ARCH.tar"
  if [ ! -s "$tarball" ]; then
    say "debootstrap --variant=minbase bookworm (into $tarball)…"
    local rootfs="$TMP/rootfs"
    debootstrap --variant=minbase bookworm "$rootfs" "$MIRROR" >"$TMP/debootstrap.log" 2>&1 ||
      { tail -n 20 "$TMP/debootstrap.log" >&2; fail "debootstrap failed"; }
    # What debian:bookworm-slim leaves out: apt's lists and downloads, docs, man pages, locales.
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* \
      "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* \
      "$rootfs"/usr/share/locale/* "$rootfs"/var/log/*.log "$rootfs"/var/cache/debconf/*-old
    mkdir -p "$CACHE"
    tar -C "$rootfs" --numeric-owner -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
    rm -rf "$rootfs"
  else
    say "debootstrap rootfs from the cache ($tarball)"
  fi
  local ctr mnt
  ctr=$(buildah from scratch)
  CONTAINERS+=("$ctr")
  mnt=$(buildah mount "$ctr")
  tar -C "$mnt" --numeric-owner -xpf "$tarball"
  # As the official image lays them out: node and npm under /usr/local, a `node` user and group 1000.
  install -D -m 0755 "$NODE_BIN" "$mnt/usr/local/bin/node"
  mkdir -p "$mnt/usr/local/lib/node_modules"
  cp -a "$NPM_DIR" "$mnt/usr/local/lib/node_modules/npm"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$mnt/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$mnt/usr/local/bin/npx"
  chroot "$mnt" groupadd --gid 1000 node
  chroot "$mnt" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
  env -u NODE_EXTRA_CA_CERTS chroot "$mnt" /usr/local/bin/node -e 'process.exit(0)' || fail "node does not run in the assembled base"
  buildah umount "$ctr" >/dev/null
  buildah config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --env "NODE_VERSION=${NODE_VERSION#v}" --cmd node --label "$BASE_LABEL=$BASE_KEY" "$ctr"
  buildah commit --quiet --rm "$ctr" "localhost/$BASE" >/dev/null
  CONTAINERS=("${CONTAINERS[@]/$ctr/}")
}

if buildah inspect --type image "$BASE" >/dev/null 2>&1 && [ -z "$(base_label "$BASE")" ]; then
  say "base $BASE: the registry image, found in local storage"
elif [ "$(base_label "localhost/$BASE" || true)" = "$BASE_KEY" ]; then
  say "base $BASE assembled locally from $BASE_KEY (kept from an earlier run): not the registry image"
elif timeout 120 buildah pull --quiet "docker.io/library/$BASE" >/dev/null 2>"$TMP/pull.log"; then
  say "base $BASE: pulled from the registry"
else
  say "the registry is unreachable ($(tail -n 1 "$TMP/pull.log" | cut -c1-120))"
  assemble_base
  say "base $BASE assembled locally from $BASE_KEY: not the registry image"
fi
say "base ready ($(elapsed))"

# --- 2. the build -------------------------------------------------------------------------------
BUILD_OPTS=()
# A machine that reaches the npm registry through a TLS-inspecting proxy trusts its CA through
# NODE_EXTRA_CA_CERTS: npm in the build's RUN steps is given the same file (bind-mounted for those
# steps only, through npm's global config file: nothing of it is in the image).
if [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -s "$NODE_EXTRA_CA_CERTS" ]; then
  printf 'cafile=/run/decentra-build-ca.pem\n' >"$TMP/npmrc"
  BUILD_OPTS+=(-v "$NODE_EXTRA_CA_CERTS:/run/decentra-build-ca.pem:ro" -v "$TMP/npmrc:/usr/local/etc/npmrc:ro")
  say "npm in the build trusts this machine's NODE_EXTRA_CA_CERTS ($NODE_EXTRA_CA_CERTS; mounted, not copied)"
fi
say "buildah build -t $IMAGE . …"
# --format docker keeps HEALTHCHECK and STOPSIGNAL (OCI image configs have no health check).
if ! buildah build --isolation chroot --network host --format docker --layers --force-rm --pull=never \
  "${BUILD_OPTS[@]}" -t "$IMAGE" . >"$TMP/build.log" 2>&1; then
  tail -n 40 "$TMP/build.log" >&2
  fail "buildah build failed"
fi
say "built $IMAGE ($(elapsed))"
# Earlier runs' leftovers: with --layers every change of the sources leaves untagged images behind
# (~300 MB each). Those this build did not use are removed; its own stay as the next run's cache.
USED=$(grep -oE '^--> (Using cache )?[0-9a-f]{11,}' "$TMP/build.log" | awk '{ print $NF }')
for id in $(buildah images -q --no-trunc --filter dangling=true); do
  id=${id#sha256:}
  grep -q "^${id:0:11}" <<<"$USED" || buildah rmi "$id" >/dev/null 2>&1 || true
done

# --- 3. run it: the image's own user, command and environment, a host folder as /data ----------
config() { buildah inspect --type image --format "$1" "$IMAGE"; }
[ "$(config '{{.Docker.Config.User}}')" = node ] || fail "the image does not run as node (USER)"
[ "$(config '{{.Docker.Config.StopSignal}}')" = SIGTERM ] || fail "STOPSIGNAL is not SIGTERM"
# (Here-strings, not pipes: grep -q stops reading early, and pipefail would count the writer's SIGPIPE.)
grep -qx NODE_ENV=production <<<"$(config '{{range .Docker.Config.Env}}{{println .}}{{end}}')" || fail "NODE_ENV is not production"
grep -qx /data <<<"$(config '{{range $v, $_ := .Docker.Config.Volumes}}{{println $v}}{{end}}')" || fail "no /data volume"
mapfile -t CMD < <(config '{{range .Docker.Config.Cmd}}{{println .}}{{end}}' | sed '/^$/d')
mapfile -t HEALTH < <(config '{{range .Docker.Config.Healthcheck.Test}}{{println .}}{{end}}' | sed '/^$/d')
[ "${HEALTH[0]:-}" = CMD ] || fail "no exec-form HEALTHCHECK in the image (got: ${HEALTH[*]:-none})"
[ "${#CMD[@]}" -gt 0 ] || fail "the image has no CMD"

RUN_CTR=$(buildah from --pull=never --name "decentra-verify-$$" "$IMAGE")
CONTAINERS+=("$RUN_CTR")
# buildah run gives an image's VOLUME a fresh folder of its own, mounted over any -v on the same
# path; docker run -v HOST:/data replaces it. So this container (not the image) drops the volume
# and the host folder is bound there instead.
buildah config --volume /data- "$RUN_CTR"
DATA="$TMP/data"
mkdir -m 0700 "$DATA"
chown 1000:1000 "$DATA"
PORT=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
KEY=$(openssl rand -hex 32)
URL="https://127.0.0.1:$PORT"
run_in_image() {
  buildah run --isolation chroot --network host -v "$DATA:/data" \
    --env "PORT=$PORT" --env "DECENTRA_ENCRYPTION_KEY=$KEY" "$RUN_CTR" -- "$@"
}

SERVER=
start_server() {
  local log="$TMP/server-$1.log" pid
  run_in_image "${CMD[@]}" >"$log" 2>&1 &
  SERVER=$!
  SERVER_PIDS+=("$SERVER")
  for _ in $(seq 1 120); do
    if curl -ksf -o /dev/null "$URL/healthz"; then break; fi
    kill -0 "$SERVER" 2>/dev/null || { tail -n 30 "$log" >&2; fail "the server exited during start ($1)"; }
    sleep 0.5
  done
  curl -ksf -o /dev/null "$URL/healthz" || { tail -n 30 "$log" >&2; fail "/healthz did not answer 200 ($1)"; }
  # The server's own process: the image's command, chrooted into this container's files.
  SERVER_NODE=
  for pid in $(pgrep -f 'apps/server/dist/main.js'); do
    [ "$(readlink "/proc/$pid/root")" != / ] &&
      grep -qx "PORT=$PORT" <(tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null) && SERVER_NODE=$pid
  done
  [ -n "$SERVER_NODE" ] || fail "cannot find the server's process ($1)"
  SERVER_PIDS+=("$SERVER_NODE")
}
stop_server() {
  kill -TERM "$SERVER_NODE"
  local rc=0
  wait "$SERVER" || rc=$?
  SERVER_PIDS=()
  [ "$rc" = 0 ] || { tail -n 30 "$TMP/server-$1.log" >&2; fail "the server exited $rc on SIGTERM, not 0 ($1)"; }
}
api() { # METHOD PATH JSON: the answer's status in $STATUS, its body in $BODY
  STATUS=$(curl -ks -o "$TMP/body" -w '%{http_code}' -X "$1" -H 'Content-Type: application/json' \
    --data "$3" "$URL$2")
  BODY=$(cat "$TMP/body")
}

start_server first
say "server up from the image on port $PORT ($(elapsed))"
uid=$(awk '/^Uid:/ { print $2 }' "/proc/$SERVER_NODE/status")
[ "$uid" = 1000 ] || fail "the server runs as uid $uid, not 1000"
say "its process $SERVER_NODE runs as uid $uid ($(run_in_image id -un))"
ready=$(curl -ks -o /dev/null -w '%{http_code}' "$URL/readyz")
[ "$ready" = 200 ] || fail "/readyz answered $ready"
run_in_image "${HEALTH[@]:1}" || fail "the image's HEALTHCHECK (${HEALTH[*]:1}) failed"
say "/healthz 200, /readyz 200, HEALTHCHECK passes"
# What the server finds beside its bundle: the web app (not the "not built" page), swagger-ui's files.
page=$(curl -ksf "$URL/channels/x") || fail "the web app's deep link did not answer 200"
! grep -q 'has not been built' <<<"$page" || fail "the image serves the \"web app not built\" page"
curl -ksf -o /dev/null "$URL/api/docs/static/swagger-ui.css" || fail "swagger-ui's files are not served"
say "the web app and swagger-ui's files are served"
PASSWORD="verify-$(openssl rand -hex 8)"
api POST /api/auth/signup "{\"username\":\"imagecheck\",\"password\":\"$PASSWORD\"}"
[ "$STATUS" = 201 ] || fail "signup answered $STATUS: $BODY"
user_id=$(node -p 'JSON.parse(process.argv[1]).user.id' "$BODY")
say "signup 201 (user $user_id)"
stop_server first
say "SIGTERM: exit 0"

start_server second
api POST /api/auth/login "{\"username\":\"imagecheck\",\"password\":\"$PASSWORD\"}"
[ "$STATUS" = 200 ] || fail "login after the restart answered $STATUS: $BODY"
[ "$(node -p 'JSON.parse(process.argv[1]).user.id' "$BODY")" = "$user_id" ] || fail "login found another user"
stop_server second
say "restarted on the same volume: the account logs in"
for f in tls/cert.pem tls/key.pem; do
  [ -f "$DATA/$f" ] || fail "$f is not in the volume"
  [ "$(stat -c '%u %a' "$DATA/$f")" = "1000 600" ] || fail "$f is $(stat -c '%U %a' "$DATA/$f"), not node's 600"
done
[ -d "$DATA/pgdata" ] || fail "the database (pgdata/) is not in the volume"
[ "$(stat -c '%u %a' "$DATA")" = "1000 700" ] || fail "the volume is $(stat -c '%u %a' "$DATA"), not node's 700"
loose=$(find "$DATA" \( -perm /022 -o ! -uid 1000 \) -print -quit)
[ -z "$loose" ] || fail "$loose in the volume is not node's, or others can write it"
# Inside the 0700 folder nobody else can reach them, but the server means every file to be 0600.
readable=$(cd "$DATA" && find . -perm /044 -printf '%P ')
[ -z "$readable" ] || say "note: readable by group/others inside the 0700 volume: $readable"
say "certificate, key and database in the volume, all node's, the folder and the key owner-only ($(elapsed))"

# The image on PostgreSQL, as docker-compose.yml runs it, when there is one to use (CI makes an
# empty database for it): a fresh volume, the schema migrated, a signup, a clean stop.
if [ -n "${DECENTRA_VERIFY_DATABASE_URL:-}" ]; then
  rm -rf "$DATA" && mkdir -m 0700 "$DATA" && chown 1000:1000 "$DATA"
  run_in_image() {
    buildah run --isolation chroot --network host -v "$DATA:/data" --env "PORT=$PORT" \
      --env "DECENTRA_ENCRYPTION_KEY=$KEY" --env "DATABASE_URL=$DECENTRA_VERIFY_DATABASE_URL" "$RUN_CTR" -- "$@"
  }
  start_server postgres
  ready=$(curl -ks -o /dev/null -w '%{http_code}' "$URL/readyz")
  [ "$ready" = 200 ] || fail "/readyz answered $ready on PostgreSQL"
  api POST /api/auth/signup "{\"username\":\"imagecheck\",\"password\":\"$PASSWORD\"}"
  [ "$STATUS" = 201 ] || fail "signup on PostgreSQL answered $STATUS: $BODY"
  stop_server postgres
  [ ! -e "$DATA/pgdata" ] || fail "the embedded database was made although DATABASE_URL is set"
  say "on PostgreSQL (DECENTRA_VERIFY_DATABASE_URL): /readyz 200, signup 201, SIGTERM exit 0 ($(elapsed))"
else
  say "not run on PostgreSQL (DECENTRA_VERIFY_DATABASE_URL is not set)"
fi

# --- 4. what the image holds --------------------------------------------------------------------
MNT=$(buildah mount "$RUN_CTR")
for dev in vitest typescript @biomejs/biome vite playwright-core esbuild tsx knip dependency-cruiser \
  drizzle-kit @vitejs/plugin-react happy-dom; do
  [ ! -e "$MNT/app/node_modules/$dev" ] || fail "the image holds $dev (not a runtime dependency)"
done
for need in node_modules/@electric-sql/pglite node_modules/@node-rs/argon2 \
  node_modules/@fastify/swagger-ui/static apps/web/dist/index.html apps/server/dist/main.js \
  apps/server/src/storage/migrations package.json; do
  [ -e "$MNT/app/$need" ] || fail "the image lacks /app/$need"
done
[ -z "$(find "$MNT/app" -uid 1000 -print -quit)" ] || fail "files under /app belong to node"
say "no development dependency in /app/node_modules"
SIZE=$(buildah images --format "{{.Size}}" "$IMAGE")
SIZE=${SIZE%%$'\n'*}
BYTES=$(du -sxb "$MNT" | cut -f1)
MB=$(((BYTES + 500000) / 1000000))
say "image size $SIZE ($MB MB of files); the largest parts:"
du -sxm "$MNT"/usr/local/bin/node "$MNT"/usr/local/lib/node_modules/npm "$MNT"/app/node_modules \
  "$MNT"/app/apps/web/dist "$MNT"/app/apps/server/dist "$MNT"/usr/lib "$MNT"/usr/share "$MNT"/var \
  2>/dev/null | sort -rn | sed "s#$MNT##; s#^#[image]   #; s#\t# MB  #"
# Scoped packages first: du counts a folder once, for the first argument that holds it.
(cd "$MNT/app/node_modules" && du -sm -- @*/* $(ls | grep -v '^@') 2>/dev/null | sort -rn | sed -n 1,6p) |
  sed 's#^#[image]   node_modules: #; s#\t# MB  #'
buildah umount "$RUN_CTR" >/dev/null

# --- 5. docker-compose.yml ----------------------------------------------------------------------
node scripts/check-compose.mjs || fail "docker-compose.yml does not say what it should"

say "done in $(elapsed)"
echo "image: ok (size $SIZE)"
