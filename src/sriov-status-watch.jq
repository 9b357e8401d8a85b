# sriov-status --watch: reads the text of dbus-monitor (jq -R -n), keeps the
# devices it knows (from GetManagedObjects at start, $snap, then from
# InterfacesAdded, PropertiesChanged and InterfacesRemoved), and turns each
# DeviceEvent into one line saying what changed. Inlined into the script at
# build time after the shared definitions (so no single quote here).
#
# Arguments: $snap (--slurpfile: the GetManagedObjects reply), $obj (one
# device object or ""), $f (the filters, JSON), $fmt ("text" or "json").

# --- dbus-monitor text to messages -----------------------------------------
# A message starts with a header line at column 0; its arguments follow, one
# value a line, indented; containers open with "array [", "dict entry(",
# "struct {" and close with "]", ")", "}". Only the signals below are kept,
# and a message is complete when its last top-level argument is read.

def arity: {"DeviceEvent": 5, "PropertiesChanged": 3,
            "InterfacesAdded": 2, "InterfacesRemoved": 2}[.];

def header:
  [capture("^signal time=[^ ]* sender=(?<sender>[^ ]*) -> destination=.* serial=[^ ]* path=(?<path>[^;]*); interface=(?<iface>[^;]*); member=(?<member>[^ ]*)$")][0];

def token:
  sub("^ +"; "") | sub("^variant +"; "")
  | if . == "]" or . == ")" or . == "}" then {close: true}
    elif startswith("array [") or startswith("dict entry(")
         or startswith("struct {") then {open: true}
    elif startswith("string \"") then {v: (.[8:] | rtrimstr("\""))}
    elif startswith("object path \"") then {v: (.[13:] | rtrimstr("\""))}
    elif startswith("signature \"") then {v: (.[11:] | rtrimstr("\""))}
    elif test("^(u?int(16|32|64)|byte|double) ") then
      {v: (sub("^[a-z0-9]+ "; "") | tonumber? // null)}
    elif . == "boolean true" then {v: true}
    elif . == "boolean false" then {v: false}
    else {v: null} end;

def push($v): .stack[(.stack | length) - 1] += [$v];

# One line; sets .msg (complete message or null).
def parse($line):
  .msg = null
  | if ($line | test("^[^ ]")) then
      ($line | header) as $h
      | .cur = (if $h != null and ($h.member | arity) != null
                then $h + {n: ($h.member | arity)} else null end)
      | .stack = [[]]
    elif .cur == null then .
    else ($line | token) as $t
      | if $t.open then .stack += [[]]
        elif $t.close then
          (if (.stack | length) > 1 then
             .stack[-1] as $top | .stack |= .[:-1] | push($top)
           else . end)
        else push($t.v) end
      | if (.stack | length) == 1 and (.stack[0] | length) == .cur.n then
          .msg = .cur + {args: .stack[0]} | .cur = null | .stack = [[]]
        else . end
    end;

# a{sv} as dbus-monitor gives it ([[key, value], ...]) to an object
def dict: map({(.[0]): .[1]}) | add // {};

# --- the devices known, and what changed ----------------------------------

def pf_keys: ["NumVFs", "TotalVFs", "DriversAutoprobe"];
# Network facts (issue 15): what "link" and "config" events are about.
def link_keys: ["HwAddress", "OperState", "Carrier", "Mtu", "Speed"];
def config_keys: ["AdminMac", "Vlans", "SpoofCheck", "Trust", "LinkState",
                  "MinTxRate", "MaxTxRate", "QueryRss"];

def props_changed($m):
  if .devs[$m.path] == null then .
  else
    (if .pend[$m.path] == null or .pend[$m.path].used
     then .pend[$m.path] = {used: false, props: {}} else . end)
    | reduce ($m.args[1] | dict | to_entries[]) as $e (.;
        (if .pend[$m.path].props[$e.key] == null
         then .pend[$m.path].props[$e.key] = {Old: .devs[$m.path][$e.key]}
         else . end)
        | .pend[$m.path].props[$e.key].New = $e.value
        | .devs[$m.path][$e.key] = $e.value)
  end;

def added($m):
  .devs[$m.args[0]] =
    device($m.args[0];
           $m.args[1] | dict | map_values(dict | map_values({data: .})))
  | .pend[$m.args[0]] = null;

# The line of a DeviceEvent, from the state before and after it.
def event($m):
  ($m.args[3]) as $o
  | (.devs[$o] // {Object: $o, PciAddress: ($o | path_address)}) as $d
  | (.pend[$o].props // {}) as $p
  | ($d + ($p | map_values(.Old))) as $before
  | {Timestamp: $m.args[4], Type: $m.args[0], Action: $m.args[1],
     Device: $m.args[2], Object: $o, PciAddress: $d.PciAddress,
     Role: $d.Role, Old: null, New: null, Changes: $p}
  | if .Type == "driver" then
      .Old = ($p.Driver.Old // null) | .New = $d.Driver
    elif .Type == "interface" and .Action == "modified" then
      ((($p.NetDevices.Old // []) - ($d.NetDevices // [])) as $gone
       | .Old = (if ($gone | length) == 1 then $gone[0] else null end)
       | .New = .Device)
    elif .Type == "sriov" then
      .Old = ($p.NumVFs.Old // null) | .New = $d.NumVFs
      | .Changes = ($p | with_entries(select(.key as $k
                                              | pf_keys | index([$k]))))
    elif .Type == "link" then
      .Changes = ($p | with_entries(select(.key as $k | link_keys | index([$k]))))
    elif .Type == "config" then
      .Changes = ($p | with_entries(select(.key as $k | config_keys | index([$k]))))
    else . end
  | {line: ., keep: (($obj == "" or $o == $obj)
                     and (($d | keep($f)) or ($before | keep($f)))),
     dev: $d};

# --- text ------------------------------------------------------------------

def val: if . == null then "?" elif . == "" or . == [] then "(none)"
  elif type == "array" then map(if type == "array" then map(tostring) | join("/")
                                else tostring end) | join(",")
  elif . == true then "on" elif . == false then "off" else tostring end;
# "old -> new"; only the new value when they are equal (a change made
# while the watch was starting, already in the snapshot)
def change: if .Old == .New then .New | val
  else "\(.Old | val) -> \(.New | val)" end;
def pci_detail($d):
  if $d.Role == "vf" then
    "vf \($d.VFIndex | val) of \($d.PhysicalFunction | path_address | val), "
    + "\($d.VendorId | hex4):\($d.DeviceId | hex4), \($d.Driver | val)"
  elif $d.Role == "pf" then
    "pf, \($d.VendorId | hex4):\($d.DeviceId | hex4), \($d.Driver | val), "
    + "\($d.NumVFs | val)/\($d.TotalVFs | val) VFs"
  else "" end;
def text($d):
  (.Timestamp / 1000000 | floor) as $s
  | ((.Timestamp / 1000 | floor) - $s * 1000) as $ms
  | (if .Type == "interface" then
       [(if .Action == "modified" and .Old != null
         then "\(.Old) -> \(.Device)" else .Device end),
        "on \(.PciAddress // "?")"]
     elif .Type == "driver" then [.Device, change]
     elif .Type == "sriov" then
       [.Device, (.Changes | to_entries
                  | map("\(.key | ascii_downcase
                           | sub("driversautoprobe"; "autoprobe")) "
                        + (.value | change))
                  | join(", "))]
     elif .Type == "link" or .Type == "config" then
       [.Device, (.Changes | to_entries
                  | map("\(.key | ascii_downcase) " + (.value | change))
                  | join(", ")),
        (if .Type == "link" then "on \(.PciAddress // "?")" else "" end)]
     elif .Type == "pci" then [.Device, pci_detail($d)]
     elif .Type == "owner" and .Action == "created" then
       [.Device, "pid \($d.OwnerPid | val) \($d.OwnerName | val)"]
     else [.Device] end) as $rest
  | "\($s | strflocaltime("%Y-%m-%d %H:%M:%S")).\($ms + 1000 | tostring | .[1:])"
    + "  \(.Type | cell | pad(9))  \(.Action | cell | pad(8))  "
    + ($rest | map(select(. != "")) | join("  "));

# --- the stream --------------------------------------------------------------

def start: {devs: ($snap[0] // {} | devices | map({(.Object): .}) | add // {}),
            pend: {}, cur: null, stack: [[]], msg: null};

foreach (inputs) as $line (start;
  parse($line)
  | .out = null
  | .msg as $m
  | if $m == null then .
    elif $m.member == "PropertiesChanged" then props_changed($m)
    elif $m.member == "InterfacesAdded" then added($m)
    elif $m.member == "InterfacesRemoved" then .
    elif $m.member == "DeviceEvent" and ($m.args[0] | type) == "string" then
      event($m) as $e
      | (if $e.keep then .out = $e else . end)
      | .pend[$m.args[3]].used = true
      | if $m.args[0] == "pci" and $m.args[1] == "deleted" then
          .devs |= del(.[$m.args[3]]) | .pend |= del(.[$m.args[3]])
        else . end
    else . end;
  .out // empty
  | . as $e
  | if $fmt == "json" then $e.line else $e.line | text($e.dev) end)
