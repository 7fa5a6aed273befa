#!/bin/sh
# enable-fluent-forward.sh -i=<host> -p=<port> [-t=<tag>] [-c=<config dir>]
#
# Have dpu-telemetry push its data to a Fluent forward server (Fluent Bit,
# Fluentd): writes <config dir>/fluent_bit_configs/forward.exp with
# enable=1 and the destination, keeping its other settings. The older form
# "enable-fluent-forward.sh <host> <port>" works too. The config dir
# defaults to $DTS_CONFIG_DIR, else <run dir>/telemetry/config as
# dpu-telemetry picks it. A running
# dpu-telemetry applies it on SIGHUP (its pid is in <root>/dpu-telemetry.pid,
# sent here when found).
set -eu
host="" port="" tag="" dir=${DTS_CONFIG_DIR:-}
for a in "$@"; do
	case "$a" in
	-i=*) host=${a#-i=} ;;
	-p=*) port=${a#-p=} ;;
	-t=*) tag=${a#-t=} ;;
	-c=*) dir=${a#-c=} ;;
	-h | --help)
		sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	-*)
		echo "enable-fluent-forward.sh: unknown option '$a'" >&2
		exit 2
		;;
	*)
		if [ -z "$host" ]; then host=$a; elif [ -z "$port" ]; then port=$a; else
			echo "enable-fluent-forward.sh: too many arguments" >&2
			exit 2
		fi
		;;
	esac
done
if [ -z "$host" ] || [ -z "$port" ]; then
	echo "usage: enable-fluent-forward.sh -i=<host> -p=<port> [-t=<tag>] [-c=<config dir>]" >&2
	exit 2
fi
case "$port" in
'' | *[!0-9]*)
	echo "enable-fluent-forward.sh: -p=$port: a port number 1..65535" >&2
	exit 2
	;;
esac
if [ "$port" -lt 1 ] || [ "$port" -gt 65535 ]; then
	echo "enable-fluent-forward.sh: -p=$port: a port number 1..65535" >&2
	exit 2
fi
if [ -z "$dir" ]; then
	# dpu-telemetry's default run directory (src/common/daemon.c).
	if [ -n "${DPU_RUN_DIR:-}" ]; then
		base=$DPU_RUN_DIR
	elif [ "$(id -u)" -eq 0 ]; then
		base=/run/dpu-services
	elif [ -n "${XDG_RUNTIME_DIR:-}" ]; then
		base=$XDG_RUNTIME_DIR/dpu-services
	else
		base=/tmp/dpu-services-$(id -u)
	fi
	dir=$base/telemetry/config
fi
mkdir -p "$dir/fluent_bit_configs"
file=$dir/fluent_bit_configs/forward.exp
tmp=$file.tmp.$$
{
	echo "# Fluent forward destination of dpu-telemetry (written by enable-fluent-forward.sh)"
	echo "name=forward"
	echo "enable=1"
	echo "host=$host"
	echo "port=$port"
	if [ -n "$tag" ]; then
		echo "tag=$tag"
	fi
	if [ -f "$file" ]; then
		# Keep what else the file set.
		grep -v -e '^#' -e '^name=' -e '^enable=' -e '^host=' -e '^port=' "$file" |
			{ if [ -n "$tag" ]; then grep -v '^tag='; else cat; fi; } || true
	fi
} >"$tmp"
mv "$tmp" "$file"
echo "enable-fluent-forward.sh: $file: forwarding to $host:$port"
pidfile=$(dirname "$dir")/dpu-telemetry.pid
if [ -f "$pidfile" ] && kill -HUP "$(cat "$pidfile")" 2>/dev/null; then
	echo "enable-fluent-forward.sh: dpu-telemetry (pid $(cat "$pidfile")) rereads it"
fi
