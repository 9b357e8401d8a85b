# sriov-status --watch; inlined into sriov-status (src/sriov-status.in) by make.
# shellcheck shell=sh

# ---------------------------------------------------------------------------
# --watch: dbus-monitor's text through the jq program of
# src/sriov-status-watch.jq, which keeps the devices it knows and says what
# each DeviceEvent changed.

# The daemon's signals: its events, objects coming and going, and property
# changes (the old values come from what the watch already knows).
WATCH_MATCHES="type='signal',sender='$BUS_NAME',path='$MANAGER_PATH',interface='$MANAGER_IFACE',member='DeviceEvent'
type='signal',sender='$BUS_NAME',path='$MANAGER_PATH',interface='org.freedesktop.DBus.ObjectManager'
type='signal',sender='$BUS_NAME',interface='org.freedesktop.DBus.Properties',member='PropertiesChanged',path_namespace='$MANAGER_PATH'"

watch_monitor_pid=
watch_jq_pid=
watch_cat_pid=

# The children are stopped on a signal; the watch ends successfully.
watch_stop() {
	kill $watch_monitor_pid $watch_jq_pid $watch_cat_pid 2>/dev/null
	wait 2>/dev/null
	exit "$1"
}

# dbus-monitor on the chosen bus, its output (errors included) into the FIFO.
# It asks the bus to make it a monitor (BecomeMonitor: root only on the
# system bus) and, when that is refused, adds the same rules as ordinary
# match rules, which any user may; for broadcast signals that is enough.
start_monitor() {
	_old_ifs=$IFS
	IFS='
'
	# shellcheck disable=SC2086
	if [ "$arg_address_set" = yes ]; then
		dbus-monitor --address "$arg_address" $WATCH_MATCHES \
			>"$tmpdir/events" 2>&1 &
	else
		dbus-monitor --system $WATCH_MATCHES >"$tmpdir/events" 2>&1 &
	fi
	watch_monitor_pid=$!
	IFS=$_old_ifs
}

# Reads dbus-monitor's first lines (fd 3) until it listens: on a bus, the
# NameAcquired it prints once its rules are in place; on the private socket
# (no bus: BecomeMonitor is unknown there), as soon as it is connected, as
# the daemon sends every signal to every peer.
wait_listening() {
	_last=
	while IFS= read -r _line <&3; do
		case $_line in
		*' member=NameAcquired') return 0 ;;
		*'Falling back to eavesdropping'*)
			case $_line in
			*AccessDenied*) ;;
			*) return 0 ;;
			esac
			;;
		' '*) ;;
		*) _last=$_line ;;
		esac
	done
	wait "$watch_monitor_pid" 2>/dev/null
	watch_monitor_pid=
	case $_last in
	'Failed to open connection'*|'Failed to register connection'*)
		bus_error_name=connect
		bus_error_message=${_last#*: }
		bus_fail "dbus-monitor"
		;;
	esac
	die "$EXIT_FAILURE" "dbus-monitor failed: ${_last:-it ended without a word}"
}

do_watch() {
	# Stopping is the normal end of a watch, whenever it comes.
	trap 'watch_stop 0' INT TERM
	trap 'watch_stop 129' HUP

	# The daemon must be there (and the devices known) before we listen.
	if [ "$arg_device_set" = yes ]; then
		find_device "$arg_device"
	else
		obj=
		bus_call "$tmpdir/ping.json" org.freedesktop.DBus.Peer Ping ||
			bus_fail "Ping"
	fi
	watch_obj=$obj
	resolve_filters

	case $arg_format in
	json) jq_args="-c"; jq_fmt=json ;;
	*) jq_args="-r"; jq_fmt=text ;;
	esac
	jq_prog="$JQ_LIB $JQ_WATCH"
	printf '{}' >"$tmpdir/empty.json"
	# Fail now, not at the first event, if this jq cannot run the program.
	printf '' | jq -R -n $jq_args --slurpfile snap "$tmpdir/empty.json" \
		--arg obj "" --argjson f '{}' --arg fmt "$jq_fmt" "$jq_prog" \
		>/dev/null 2>"$tmpdir/jq.err" ||
		die "$EXIT_FAILURE" "jq cannot run the watch program (jq 1.6 or later is needed): $(tail -n 1 "$tmpdir/jq.err")"

	mkfifo "$tmpdir/events" ||
		die "$EXIT_FAILURE" "cannot create a FIFO in $tmpdir"
	start_monitor
	exec 3<"$tmpdir/events"
	wait_listening

	# What is there now; anything later is in the stream.
	bus_call "$tmpdir/objects.json" org.freedesktop.DBus.ObjectManager \
		GetManagedObjects || bus_fail "GetManagedObjects"
	# jq writes into a FIFO that cat copies to our output: jq 1.6 does not
	# stop when a write fails with EPIPE (SIGPIPE ignored, as systemd does
	# for services), cat does, and then we stop the rest.
	mkfifo "$tmpdir/lines" ||
		die "$EXIT_FAILURE" "cannot create a FIFO in $tmpdir"
	jq -R -n --unbuffered $jq_args --slurpfile snap "$tmpdir/objects.json" \
		--arg obj "$watch_obj" --argjson f "$filters_json" \
		--arg fmt "$jq_fmt" "$jq_prog" <&3 >"$tmpdir/lines" &
	watch_jq_pid=$!
	exec 3<&-
	cat "$tmpdir/lines" 2>"$tmpdir/cat.err" &
	watch_cat_pid=$!

	# cat ends when jq does (end of its input, as dbus-monitor ended), or
	# when our standard output goes away, or on a signal.
	wait "$watch_cat_pid" 2>/dev/null
	cat_status=$?
	watch_cat_pid=
	if [ "$cat_status" -ne 0 ]; then
		# The reader is gone (SIGPIPE: 141, or EPIPE), or cat was
		# stopped by a signal, as we are being.
		kill "$watch_jq_pid" "$watch_monitor_pid" 2>/dev/null
		wait 2>/dev/null
		case $cat_status in
		129|130|141|143) exit 0 ;;
		esac
		grep -q 'Broken pipe' "$tmpdir/cat.err" && exit 0
		die "$EXIT_FAILURE" "cannot write the output: $(tail -n 1 "$tmpdir/cat.err")"
	fi
	wait "$watch_jq_pid" 2>/dev/null
	jq_status=$?
	watch_jq_pid=
	if [ "$jq_status" -ne 0 ]; then
		kill "$watch_monitor_pid" 2>/dev/null
		wait "$watch_monitor_pid" 2>/dev/null
		watch_monitor_pid=
		case $jq_status in
		129|130|143) exit 0 ;;
		esac
		die "$EXIT_FAILURE" "jq failed on the output of dbus-monitor"
	fi
	# jq read to the end: dbus-monitor has ended, the bus (or the
	# private socket) closed the connection.
	wait "$watch_monitor_pid" 2>/dev/null
	watch_monitor_pid=
	die "$EXIT_UNREACHABLE" "lost the connection to the bus"
}
