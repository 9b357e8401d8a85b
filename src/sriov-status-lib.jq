# sriov-status: the jq definitions shared by the table, the detail view,
# JSON and --watch. Inlined into the script at build time (so it must not
# contain a single quote).
#
# Input shapes: busctl --json=short replies, where every property is
# {"type": T, "data": V}.

def dev_ifaces: ["org.sriov.Monitor1.Device",
                 "org.sriov.Monitor1.PhysicalFunction",
                 "org.sriov.Monitor1.VirtualFunction"];
def known_keys: ["PciAddress", "Role", "VendorId", "DeviceId", "VendorName",
                 "Driver", "Mode", "NetDevices", "NumaNode", "IommuGroup",
                 "TotalVFs", "NumVFs", "VirtualFunctions", "DriversAutoprobe",
                 "PhysicalFunction", "VFIndex", "VfioDevice"];
def unwrap: with_entries(.value |= .data);
# known keys first, in the documented order, then any others
def canon: . as $o
  | ([known_keys[] | select(. as $k | $o | has($k)) | {(.): $o[.]}] | add // {})
    + $o;

# The PCI address an object path names (the contract: pci_DDDD_BB_SS_F).
def path_address:
  if type == "string" then
    (capture("/pci_(?<d>[0-9a-f]{4})_(?<b>[0-9a-f]{2})_(?<s>[0-9a-f]{2})_(?<f>[0-7])$")
     | "\(.d):\(.b):\(.s).\(.f)") // .
  else . end;

def hex4: if type == "number" then
    . as $n
    | [($n / 4096 | floor) % 16, ($n / 256 | floor) % 16,
       ($n / 16 | floor) % 16, $n % 16]
    | map("0123456789abcdef"[.:. + 1]) | join("")
  else tostring end;
def hexid: if type == "number" then "0x" + hex4 else . end;

# One device, flat: {"Object": PATH} + the properties of the device
# interfaces ($ifs: interface -> property -> {"type", "data"}).
def device($p; $ifs): {Object: $p}
  + ([dev_ifaces[] as $i | ($ifs[$i] // {}) | unwrap] | add // {} | canon);
def objects: .data[0] // {};
def devices: objects | to_entries
  | map(select(.value["org.sriov.Monitor1.Device"] != null)
        | device(.key; .value));

# The JSON form of a device: the D-Bus values, ids in hex, and the PCI
# addresses of the PF and the VFs next to their object paths.
def json_device:
  .VendorId |= hexid | .DeviceId |= hexid
  | if has("PhysicalFunction") then
      .PhysicalFunctionAddress = (.PhysicalFunction | path_address)
    else . end
  | if has("VirtualFunctions") then
      .VirtualFunctionAddresses = (.VirtualFunctions | map(path_address))
    else . end;

# The filters of --pf (an object path), --driver, --mode, --role; null: any.
def keep($f):
  ($f.role == null or .Role == $f.role)
  and ($f.mode == null or .Mode == $f.mode)
  and ($f.driver == null or .Driver == $f.driver)
  and ($f.pf == null or .Object == $f.pf or .PhysicalFunction == $f.pf);

# table order: PFs by PCI address, each followed by its VFs by VF index;
# VFs whose PF is not listed come last, by PCI address
def ordered:
  . as $all
  | ($all | map(select(.Role != "vf")) | sort_by(.PciAddress)) as $pfs
  | ($all | map(select(.Role == "vf"))) as $vfs
  | [$pfs[] as $pf
     | $pf,
       ($vfs | map(select(.PhysicalFunction == $pf.Object))
             | sort_by(.VFIndex, .PciAddress) | .[])]
    + ($vfs | map(select(.PhysicalFunction as $x
                         | any($pfs[]; .Object == $x) | not))
            | sort_by(.PciAddress));

def dash: if . == null or . == "" or . == [] then "-" else . end;
def pad($w): . + (" " * ($w - length));
# a table cell: blanks squeezed, so that columns split at two spaces
def cell: tostring | gsub("[[:space:]]+"; " ") | ltrimstr(" ") | rtrimstr(" ")
  | if . == "" then "-" else . end;

# The fields of the table (-o/--output).
def all_fields: ["address", "role", "id", "vendor", "vendor-id", "device-id",
                 "driver", "mode", "netdevs", "vfs", "pf", "vf-index",
                 "numa", "iommu", "vfio"];
def field($name):
  if $name == "address" then .PciAddress | dash
  elif $name == "role" then .Role | dash
  elif $name == "id" then "\(.VendorId | hex4):\(.DeviceId | hex4)"
  elif $name == "vendor" then
    (if (.VendorName // "") != "" then .VendorName else .VendorId | hexid end)
  elif $name == "vendor-id" then .VendorId | hexid
  elif $name == "device-id" then .DeviceId | hexid
  elif $name == "driver" then .Driver | dash
  elif $name == "mode" then .Mode | dash
  elif $name == "netdevs" then .NetDevices // [] | join(",") | dash
  elif $name == "vfs" then
    (if .Role == "vf" then
       (if .VFIndex == null then "-" else "vf\(.VFIndex)" end)
     else "\(.NumVFs // 0)/\(.TotalVFs // 0)" end)
  elif $name == "pf" then .PhysicalFunction | path_address | dash
  elif $name == "vf-index" then .VFIndex | dash
  elif $name == "numa" then
    (if .NumaNode == null or .NumaNode < 0 then "-" else .NumaNode end)
  elif $name == "iommu" then
    (if .IommuGroup == null or .IommuGroup < 0 then "-" else .IommuGroup end)
  elif $name == "vfio" then .VfioDevice | dash
  else error("unknown field \($name)") end
  | cell;

# The table: a legend (unless $legend is false), then one line per device;
# columns separated by at least two spaces, left aligned, widths from the
# longest value. VF rows are indented when $indent.
def table($fields; $legend; $indent):
  ($fields | map(ascii_upcase)) as $header
  | map(. as $d | (.Role == "vf") as $vf
        | [$fields[] as $f | $d | field($f)]
        | if $vf and $indent then .[0] |= "  " + . else . end) as $rows
  | ((if $legend then [$header] else [] end) + $rows) as $all
  | [range(0; $header | length) as $c | $all | map(.[$c] | length) | max]
    as $w
  | ($all[]
     | [range(0; length) as $c
        | if $c == (length - 1) then .[$c] else .[$c] | pad($w[$c]) end]
     | join("  ")),
    (if ($rows | length) == 0 and $legend then "No SR-IOV devices."
     else empty end);

# The detail view of one device: "Name: value" lines, addresses for the PF
# and the VFs, ids in hex.
def detail_value($k):
  if ($k == "VendorId" or $k == "DeviceId") then hexid
  elif ($k == "PhysicalFunction") then path_address | dash
  elif ($k == "VirtualFunctions") then
    (if length == 0 then "-" else map(path_address) | join(",") end)
  elif ($k == "Vlans") then
    (if length == 0 then "-"
     else map("\(.[0])/\(.[1])/\(.[2] | hexid)") | join(",") end)
  elif type == "array" then (if length == 0 then "-"
                             else map(tostring) | join(",") end)
  elif type == "string" then dash
  elif type == "object" then tojson
  else tostring end;
def detail: to_entries[] | select(.key != "Object")
  | .key as $k | "\($k): \(.value | detail_value($k))";

# --status: the manager properties of a GetAll reply; Degraded spelled out
# for a human.
def manager_status($fmt):
  .data[0] // {} | unwrap
  | if $fmt == "json" then .
    else
      "Version: \(.Version // "?")",
      "Degraded: \(if .Degraded == true
                   then "yes - DEGRADED: an event source is down; the table may lag behind the host until it is back"
                   elif .Degraded == false then "no" else "?" end)",
      "LastRefresh: \(if (.LastRefresh // 0) > 0
                      then .LastRefresh / 1000000 | floor
                           | strflocaltime("%Y-%m-%d %H:%M:%S %Z")
                      else "never" end)",
      "EventsProcessed: \(.EventsProcessed // "?")",
      "PhysicalFunctions: \(.PhysicalFunctions // [] | length)",
      # Hazards (issue 17): a count, then one indented line each.
      (if has("Hazards") then
         "Hazards: \(.Hazards | if length == 0 then "none" else length end)",
         (.Hazards[] | "  \(.[0]) \(.[1]): \(.[2])")
       else empty end)
    end;
