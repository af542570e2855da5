#!/usr/bin/env bash
# A throw-away container with a real systemd as PID 1, for end-to-end tests of the shipped units.
#
# Nothing on the host is written but DIR (given by the caller) and one cgroup, both removed by `stop`: the
# container's root is an overlay whose lower layer is the host's / and whose upper layer is a tmpfs, in a private
# mount namespace, with its own PID, UTS, IPC, network and cgroup namespaces. Needs root, cgroup2, overlayfs,
# util-linux (unshare, nsenter, pivot_root) and systemd. Never boots systemd on the host's real root.
#
#   systemd-container.sh check
#       Exit 0 when a container can be booted here; else print why not and exit 77.
#   systemd-container.sh boot DIR --bin BINDIR [--owner PID] [--timeout SECONDS]
#       Build the root (the orkestrond/orkctl binaries from BINDIR, the repository's units, sysusers.d,
#       tmpfiles.d and example configuration installed as the Debian package lays them out), boot systemd in it
#       and wait until startup is done. DIR must be an empty folder. With --owner, the container is torn down
#       when process PID ends (a test runner that was killed leaves nothing behind).
#   systemd-container.sh boot DIR --deb FILE [--owner PID] [--timeout SECONDS]
#       The same with nothing of Orkestron installed: the Debian package FILE is copied to /root/ in the
#       container for the test to install with dpkg, and /usr/sbin/policy-rc.d (which forbids package scripts
#       to start services on this image) is moved aside so the package's scripts behave as on a real machine.
#   systemd-container.sh exec DIR [--user USER] [--timeout SECONDS] [--] CMD...
#       Run CMD in the container (all its namespaces, its root), as root or as USER (runuser), with a clean
#       environment; stdin, stdout, stderr and the exit status are CMD's (124 when the timeout, 30 s by
#       default, killed it).
#   systemd-container.sh shell DIR
#       An interactive shell in the container, for debugging.
#   systemd-container.sh stop DIR [--timeout SECONDS]
#       Power the container off (SIGRTMIN+4 to its systemd), kill whatever is left in its cgroup, remove the
#       cgroup and the files boot wrote in DIR (leaving it empty). Idempotent; safe after a failed or partial
#       boot.
set -euo pipefail

SELF=$(readlink -f "${BASH_SOURCE[0]}")
REPO=$(cd "$(dirname "$SELF")/../.." && pwd)
NAME_PREFIX=orkestron-e2e
TARGET=orkestron-e2e.target

# Units that would start real services or touch the machine's kernel settings: masked in the container.
MASKED_UNITS=(
    postgresql.service postgresql@.service
    systemd-timesyncd.service
    getty.target getty@.service getty@tty1.service serial-getty@.service console-getty.service
    systemd-logind.service
    systemd-binfmt.service proc-sys-fs-binfmt_misc.automount proc-sys-fs-binfmt_misc.mount
    systemd-modules-load.service systemd-sysctl.service systemd-firstboot.service
    timers.target
    # The host kernel's debug and configuration interfaces: nothing of the test needs them in the container.
    sys-kernel-debug.mount sys-kernel-tracing.mount sys-kernel-config.mount sys-fs-fuse-connections.mount
    dev-hugepages.mount
    # Host maintenance that a throw-away root does not need (ldconfig rewrites /etc/ld.so.cache: slow, pointless).
    ldconfig.service
)

die() {
    echo "systemd-container: $*" >&2
    exit 1
}

log() {
    echo "systemd-container: $*" >&2
}

usage() {
    sed -n '2,/^set -euo/p' "$SELF" | sed -e '/^set -euo/d' -e 's/^# \{0,1\}//' >&2
    exit 2
}

# The first cgroup2 mount of the host: /sys/fs/cgroup (unified) or /sys/fs/cgroup/unified (hybrid).
cgroup2_root() {
    findmnt -n -l -t cgroup2 -o TARGET 2>/dev/null | head -n 1
}

# The start time of PID (field 22 of /proc/PID/stat), to tell our process from a later one with the same id.
start_time() {
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    stat=${stat##*) }
    # shellcheck disable=SC2086
    set -- $stat
    echo "${20}"
}

alive() { # PID STARTTIME
    [ -n "${1:-}" ] && [ "$(start_time "$1" 2>/dev/null || true)" = "${2:-}" ]
}

state_get() { # DIR KEY
    sed -n "s/^$2=//p" "$1/state" 2>/dev/null | tail -n 1
}

state_set() { # DIR KEY VALUE
    echo "$2=$3" >>"$1/state"
}

# Closes every descriptor above 2 this shell inherited. The processes boot leaves running (unshare, systemd, the
# guardian) must not hold the caller's: Foundation's Process, for one, waits until all holders of a socket it
# passes to its child have closed it, so a caller's waitUntilExit() would last as long as the container.
close_inherited_fds() {
    local fd
    for fd in "/proc/$BASHPID/fd/"*; do
        fd=${fd##*/}
        case "$fd" in
        0 | 1 | 2 | 255) ;;
        *) eval "exec $fd>&-" 2>/dev/null || true ;;
        esac
    done
}

# ---------------------------------------------------------------------------------------------------------------
# check

cmd_check() {
    local reason=""
    if [ "$(id -u)" != 0 ]; then
        reason="not root (uid $(id -u)): booting systemd in namespaces needs root"
    elif [ "$(uname -s)" != Linux ]; then
        reason="not Linux"
    else
        local tool
        for tool in unshare nsenter pivot_root findmnt mount umount timeout runuser systemd-id128; do
            command -v "$tool" >/dev/null 2>&1 || { reason="$tool is missing (util-linux, coreutils, systemd)"; break; }
        done
        if [ -z "$reason" ] && [ ! -x /lib/systemd/systemd ]; then
            reason="/lib/systemd/systemd is missing (apt-get install systemd)"
        fi
        if [ -z "$reason" ] && ! grep -qw overlay /proc/filesystems; then
            modprobe overlay 2>/dev/null || true
            grep -qw overlay /proc/filesystems || reason="overlayfs is not available"
        fi
        local root
        root=$(cgroup2_root)
        if [ -z "$reason" ] && [ -z "$root" ]; then
            reason="no cgroup2 hierarchy is mounted"
        fi
        if [ -z "$reason" ]; then
            local probe="$root/$NAME_PREFIX-probe-$$"
            if mkdir "$probe" 2>/dev/null; then
                rmdir "$probe"
            else
                reason="cannot create a cgroup under $root (read-only or delegated elsewhere)"
            fi
        fi
        # The real thing in miniature: the namespaces, and an overlay on / with a tmpfs upper layer (refused, for
        # one, to a root that is root only in a user namespace). The tmpfs hides /tmp in the private mount
        # namespace only: nothing is written on the host.
        local error
        # shellcheck disable=SC2016 # expanded by the inner shell
        if [ -z "$reason" ] && ! error=$(timeout 20 unshare --mount --propagation private --uts --ipc --net --pid \
            --fork --cgroup -- sh -ec '
                mount -t tmpfs probe /tmp
                mkdir /tmp/upper /tmp/work /tmp/merged
                mount -t overlay -o lowerdir=/,upperdir=/tmp/upper,workdir=/tmp/work probe /tmp/merged
            ' 2>&1); then
            reason="namespaces or an overlay on / are not available here: ${error:-unshare failed}"
        fi
    fi
    if [ -n "$reason" ]; then
        echo "$reason"
        exit 77
    fi
}

# ---------------------------------------------------------------------------------------------------------------
# boot

cmd_boot() {
    local dir="" bin="" deb="" owner="" timeout=60
    while [ $# -gt 0 ]; do
        case "$1" in
        --bin) bin=$2; shift 2 ;;
        --deb) deb=$2; shift 2 ;;
        --owner) owner=$2; shift 2 ;;
        --timeout) timeout=$2; shift 2 ;;
        -*) die "boot: unknown option $1" ;;
        *) [ -z "$dir" ] || die "boot: one DIR only"; dir=$1; shift ;;
        esac
    done
    [ -n "$dir" ] || die "boot: DIR is missing"
    [ -n "$bin$deb" ] || die "boot: --bin BINDIR or --deb FILE is missing"
    [ -z "$bin" ] || [ -z "$deb" ] || die "boot: --bin and --deb exclude each other"
    [ -d "$dir" ] || die "boot: $dir is not a folder"
    [ -z "$(ls -A "$dir")" ] || die "boot: $dir is not empty"
    dir=$(cd "$dir" && pwd)
    local payload
    if [ -n "$bin" ]; then
        bin=$(cd "$bin" && pwd)
        local program
        for program in orkestrond orkctl; do
            [ -x "$bin/$program" ] || die "boot: $bin/$program is missing (swift build)"
        done
        payload="bin:$bin"
    else
        [ -f "$deb" ] || die "boot: $deb is missing (make deb)"
        payload="deb:$(cd "$(dirname "$deb")" && pwd)/$(basename "$deb")"
    fi
    local reason
    if ! reason=$(cmd_check); then
        die "boot: cannot boot a container here: $reason"
    fi

    local root cgroup
    root=$(cgroup2_root)
    cgroup="$root/$NAME_PREFIX-$(basename "$dir")-$$"
    mkdir "$cgroup" "$cgroup/payload" "$cgroup/supervisor"
    state_set "$dir" cgroup "$cgroup"
    : >"$dir/console"
    mkdir "$dir/layers"

    close_inherited_fds

    # From here on, a failure tears down whatever was started.
    trap 'log "boot failed; tearing down"; cmd_stop "$dir" >&2 || true' ERR

    # The subshell joins the payload cgroup, so the cgroup namespace unshare creates is rooted there; the child
    # unshare forks is PID 1 of the new PID namespace and becomes systemd (see cmd_inner).
    (
        echo "$BASHPID" >"$cgroup/payload/cgroup.procs"
        exec unshare --mount --propagation private --uts --ipc --net --pid --fork --cgroup \
            -- "$SELF" _inner "$dir" "$payload"
    ) </dev/null >>"$dir/boot.log" 2>&1 &
    local unshare_pid=$!
    state_set "$dir" unshare "$unshare_pid $(start_time "$unshare_pid" || echo gone)"

    # systemd's host PID: unshare's child, once it has exec'd systemd.
    local clock_end=$((SECONDS + timeout)) pid="" comm=""
    while [ $SECONDS -lt $clock_end ]; do
        pid=$(awk '{print $1}' "/proc/$unshare_pid/task/$unshare_pid/children" 2>/dev/null) || true
        if [ -n "$pid" ]; then
            comm=$(cat "/proc/$pid/comm" 2>/dev/null || true)
            [ "$comm" = systemd ] && break
        fi
        if ! kill -0 "$unshare_pid" 2>/dev/null; then
            log "the container's setup ended before systemd started:"
            sed 's/^/  | /' "$dir/boot.log" >&2
            false
        fi
        sleep 0.05
    done
    [ "$comm" = systemd ] || { log "systemd did not start within ${timeout}s"; sed 's/^/  | /' "$dir/boot.log" >&2; false; }
    # unshare itself waits outside: out of the payload, which is systemd's alone.
    echo "$unshare_pid" >"$cgroup/supervisor/cgroup.procs" 2>/dev/null || true
    local pid_start
    pid_start=$(start_time "$pid")
    state_set "$dir" pid "$pid $pid_start"

    if [ -n "$owner" ]; then
        # The guardian: when the owner ends without calling stop, stop runs anyway.
        local owner_start
        owner_start=$(start_time "$owner") || die "boot: --owner $owner is not running"
        # Not in the container's cgroup: stop kills everything there.
        setsid "$SELF" _guard "$dir" "$owner" "$owner_start" </dev/null >>"$dir/guardian.log" 2>&1 &
        local guardian=$!
        state_set "$dir" guardian "$guardian $(start_time "$guardian" || echo gone)"
    fi

    # Startup is done when is-system-running says running or degraded (a failed unit; the caller checks).
    local state=""
    while [ $SECONDS -lt $clock_end ]; do
        alive "$pid" "$pid_start" || { log "systemd ended during startup"; false; }
        state=$(timeout 10 nsenter -t "$pid" -a -- systemctl is-system-running --wait 2>/dev/null) || true
        case "$state" in
        running | degraded) break ;;
        esac
        sleep 0.1
    done
    case "$state" in
    running) ;;
    degraded)
        log "booted degraded; failed units:"
        timeout 10 nsenter -t "$pid" -a -- systemctl --no-legend --failed >&2 || true
        ;;
    *)
        log "startup did not finish within ${timeout}s (state: ${state:-no answer}); console:"
        tail -n 40 "$dir/console" | sed 's/^/  | /' >&2
        false
        ;;
    esac
    trap - ERR
    echo "$pid"
}

# Runs in the new namespaces as their PID 1: lays out the root, then becomes systemd.
cmd_inner() {
    local dir=$1 payload=$2
    local layers="$dir/layers"
    local new="$layers/merged"
    mount -t tmpfs -o mode=0755 "$NAME_PREFIX-layers" "$layers"
    mkdir "$layers/upper" "$layers/work" "$new"
    mount -t overlay -o "lowerdir=/,upperdir=$layers/upper,workdir=$layers/work" "$NAME_PREFIX-root" "$new"

    # API file systems: this namespace's /proc (its /proc/sys read-only), a read-only /sys, cgroup2 rooted at
    # the payload cgroup, fresh /run and /tmp.
    mount -t proc -o nosuid,nodev,noexec proc "$new/proc"
    mount --bind "$new/proc/sys" "$new/proc/sys"
    mount -o remount,bind,ro,nosuid,nodev,noexec "$new/proc/sys"
    mount -t sysfs -o ro,nosuid,nodev,noexec sysfs "$new/sys"
    mount -t cgroup2 -o nosuid,nodev,noexec cgroup2 "$new/sys/fs/cgroup"
    mount -t tmpfs -o mode=0755,nosuid,nodev run "$new/run"
    mount -t tmpfs -o mode=1777,nosuid,nodev tmp "$new/tmp"

    # A private /dev: the harmless nodes bound from the host, a new devpts instance, shm, and a console that is
    # the file DIR/console.
    mount -t tmpfs -o mode=0755,nosuid,size=4m dev "$new/dev"
    local node
    for node in null zero full random urandom tty; do
        touch "$new/dev/$node"
        mount --bind "/dev/$node" "$new/dev/$node"
    done
    mkdir -m 0755 "$new/dev/pts"
    mount -t devpts -o newinstance,ptmxmode=0666,mode=0620,gid=5,nosuid,noexec devpts "$new/dev/pts"
    ln -s pts/ptmx "$new/dev/ptmx"
    mkdir -m 1777 "$new/dev/shm"
    mount -t tmpfs -o mode=1777,nosuid,nodev shm "$new/dev/shm"
    ln -s /proc/self/fd "$new/dev/fd"
    ln -s /proc/self/fd/0 "$new/dev/stdin"
    ln -s /proc/self/fd/1 "$new/dev/stdout"
    ln -s /proc/self/fd/2 "$new/dev/stderr"
    touch "$new/dev/console"
    mount --bind "$dir/console" "$new/dev/console"

    # The system's identity.
    systemd-id128 new >"$new/etc/machine-id"
    echo "$NAME_PREFIX" >"$new/etc/hostname"

    local unit
    mkdir -p "$new/etc/systemd/system"
    for unit in "${MASKED_UNITS[@]}"; do
        ln -sfn /dev/null "$new/etc/systemd/system/$unit"
    done
    cat >"$new/etc/systemd/system/$TARGET" <<'EOF'
[Unit]
Description=Orkestron end-to-end test system (basic.target, no services of the host)
Requires=basic.target
After=basic.target
AllowIsolate=yes
EOF

    case "$payload" in
    bin:*)
        # The package, laid out as SPEC §7 says; units installed but not enabled (the test starts what it tests).
        local bin=${payload#bin:}
        install -D -m 0755 "$bin/orkestrond" "$new/usr/sbin/orkestrond"
        install -D -m 0755 "$bin/orkctl" "$new/usr/bin/orkctl"
        install -D -m 0644 "$REPO/systemd/orkestrond.service" "$new/lib/systemd/system/orkestrond.service"
        install -D -m 0644 "$REPO/systemd/orkestrond.socket" "$new/lib/systemd/system/orkestrond.socket"
        install -D -m 0644 "$REPO/packaging/orkestron.sysusers" "$new/usr/lib/sysusers.d/orkestron.conf"
        install -D -m 0644 "$REPO/packaging/orkestron.tmpfiles" "$new/usr/lib/tmpfiles.d/orkestron.conf"
        install -D -m 0644 "$REPO/config/orkestron.toml" "$new/etc/orkestron/orkestron.toml"
        ;;
    deb:*)
        # The package file, for the test to install; policy-rc.d would stop its scripts from starting services.
        local deb=${payload#deb:}
        install -D -m 0644 "$deb" "$new/root/$(basename "$deb")"
        if [ -e "$new/usr/sbin/policy-rc.d" ]; then
            mv "$new/usr/sbin/policy-rc.d" "$new/usr/sbin/policy-rc.d.disabled-by-orkestron-e2e"
        fi
        ;;
    esac

    cd "$new"
    mkdir -p .oldroot
    pivot_root . .oldroot
    cd /
    umount -l /.oldroot
    rmdir /.oldroot
    # Belt and braces: systemd only ever starts as PID 1 of its own namespace, on the throw-away overlay (on the
    # real root its tmpfiles service would clean the machine's /tmp, among other things).
    if [ "$$" != 1 ] || [ "$(findmnt -n -o FSTYPE /)" != overlay ] || [ "$(findmnt -n -o SOURCE /)" != "$NAME_PREFIX-root" ]; then
        echo "systemd-container: refusing to start systemd: not PID 1 on the container's overlay" >&2
        exit 1
    fi
    exec env -i container="$NAME_PREFIX" PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
        /lib/systemd/systemd --system --unit="$TARGET" --show-status=yes
}

# Polls once a second while the owner lives and the container is up; stops the container when the owner is gone.
cmd_guard() {
    local dir=$1 owner=$2 owner_start=$3
    while [ -e "$dir/state" ] && alive "$owner" "$owner_start"; do sleep 1; done
    if [ -e "$dir/state" ]; then
        log "guard: process $owner ended without stopping the container in $dir; stopping it"
        cmd_stop "$dir"
    fi
}

# ---------------------------------------------------------------------------------------------------------------
# exec, shell

container_pid() { # DIR
    [ -f "$1/state" ] || die "no container in $1 (boot it first)"
    local pid start
    read -r pid start <<<"$(state_get "$1" pid)"
    [ -n "$pid" ] || die "the container in $1 did not finish booting"
    alive "$pid" "$start" || die "the container in $1 is not running (its systemd, PID $pid, ended)"
    echo "$pid"
}

cmd_exec() {
    local dir="" user="" timeout=30
    [ $# -gt 0 ] || die "exec: DIR is missing"
    dir=$1
    shift
    while [ $# -gt 0 ]; do
        case "$1" in
        --user) user=$2; shift 2 ;;
        --timeout) timeout=$2; shift 2 ;;
        --) shift; break ;;
        *) break ;;
        esac
    done
    [ $# -gt 0 ] || die "exec: no command"
    local pid
    pid=$(container_pid "$dir")
    local as=()
    [ -z "$user" ] || as=(runuser -u "$user" --)
    local status=0
    timeout --signal=KILL "$timeout" nsenter -t "$pid" -a -- \
        env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 TERM=dumb NO_COLOR=1 SYSTEMD_PAGER=cat \
        SYSTEMD_COLORS=0 "${as[@]}" "$@" || status=$?
    if [ "$status" = 124 ]; then
        log "exec: timed out after ${timeout}s: $*"
    fi
    return "$status"
}

cmd_shell() {
    local pid
    pid=$(container_pid "${1:?shell: DIR is missing}")
    exec nsenter -t "$pid" -a -- env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 TERM="${TERM:-dumb}" \
        HOME=/root bash -l
}

# ---------------------------------------------------------------------------------------------------------------
# stop

cmd_stop() {
    local dir="" timeout=30
    while [ $# -gt 0 ]; do
        case "$1" in
        --timeout) timeout=$2; shift 2 ;;
        -*) die "stop: unknown option $1" ;;
        *) dir=$1; shift ;;
        esac
    done
    [ -n "$dir" ] || die "stop: DIR is missing"
    [ -f "$dir/state" ] || return 0
    local cgroup pid start guardian guardian_start unshare unshare_start
    cgroup=$(state_get "$dir" cgroup)
    read -r pid start <<<"$(state_get "$dir" pid)"
    read -r guardian guardian_start <<<"$(state_get "$dir" guardian)"
    read -r unshare unshare_start <<<"$(state_get "$dir" unshare)"
    local clock_end=$((SECONDS + timeout))

    # The guardian (a session of its own: it and its sleep), unless it is the one running this stop. SIGKILL: a
    # caller such as Foundation's Process may have passed down a signal mask that blocks SIGTERM.
    if [ -n "$guardian" ] && [ "$guardian" != "$PPID" ] && [ "$guardian" != "$$" ] && alive "$guardian" "$guardian_start"; then
        kill -KILL -- "-$guardian" 2>/dev/null || kill -KILL "$guardian" 2>/dev/null || true
    fi

    # A clean poweroff first: systemd stops its units and exits, which ends the PID namespace.
    if alive "$pid" "$start"; then
        kill -s RTMIN+4 "$pid" 2>/dev/null || true
        while alive "$pid" "$start" && [ $SECONDS -lt $((clock_end - 5)) ]; do sleep 0.1; done
        if alive "$pid" "$start"; then
            log "stop: systemd (PID $pid) did not power off in time; killing the container"
            kill -KILL "$pid" 2>/dev/null || true
        fi
    fi

    # Whatever is left in the cgroup (a boot that failed before systemd, nsenter'd strays): killed.
    if [ -n "$cgroup" ] && [ -d "$cgroup" ]; then
        # Never this shell itself (should it have been started from inside): out to the hierarchy's root first.
        local own
        own=$(sed -n 's/^0:://p' /proc/$BASHPID/cgroup)
        case "$(cgroup2_root)$own" in
        "$cgroup" | "$cgroup"/*) echo "$BASHPID" >"$(cgroup2_root)/cgroup.procs" ;;
        esac
        if [ -e "$cgroup/cgroup.kill" ]; then
            echo 1 >"$cgroup/cgroup.kill" 2>/dev/null || true
        else
            local procs
            procs=$(find "$cgroup" -name cgroup.procs -exec cat {} + 2>/dev/null) || true
            # shellcheck disable=SC2086 # a list of PIDs
            [ -z "$procs" ] || kill -KILL $procs 2>/dev/null || true
        fi
        while grep -q '^populated 1' "$cgroup/cgroup.events" 2>/dev/null && [ $SECONDS -lt $clock_end ]; do
            sleep 0.05
        done
        # Children before parents; systemd may have left its slices and scopes.
        find "$cgroup" -depth -type d -exec rmdir {} + 2>/dev/null || true
        if [ -d "$cgroup" ]; then
            log "stop: could not remove the cgroup $cgroup:"
            find "$cgroup" -name cgroup.procs -exec grep -H . {} + >&2 2>/dev/null || true
            return 1
        fi
    fi
    if [ -n "$unshare" ] && alive "$unshare" "$unshare_start"; then
        kill -KILL "$unshare" 2>/dev/null || true
    fi
    rm -rf "$dir/layers" "$dir/boot.log" "$dir/console" "$dir/guardian.log" "$dir/state"
    return 0
}

# ---------------------------------------------------------------------------------------------------------------

[ $# -gt 0 ] || usage
command=$1
shift
case "$command" in
check) cmd_check "$@" ;;
boot) cmd_boot "$@" ;;
_inner) cmd_inner "$@" ;;
_guard) cmd_guard "$@" ;;
exec) cmd_exec "$@" ;;
shell) cmd_shell "$@" ;;
stop) cmd_stop "$@" ;;
-h | --help | help) usage ;;
*) die "unknown command $command (check, boot, exec, shell, stop)" ;;
esac
