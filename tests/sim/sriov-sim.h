/* SPDX-License-Identifier: MIT */
/*
 * sriov-sim: a simulated SR-IOV host on a umockdev testbed.
 *
 * Lays out PFs, VFs, drivers, netdevs, IOMMU groups and VFIO nodes the way the
 * kernel does (see shared/reference/sysfs-and-events.md) and sends the
 * uevents of each real-world change in the kernel's order. Used by the
 * integration tests and by the README demo. The calling process must run
 * under umockdev-wrapper.
 *
 * Notes for users (umockdev 0.17, see sriov-sim.c):
 * - Each uevent carries ACTION, DEVPATH, SUBSYSTEM, SEQNUM and every line of
 *   the device's uevent file as it was when sent (DRIVER, PCI_SLOT_NAME,
 *   INTERFACE, IFINDEX, DEVNAME, DEVPATH_OLD on a move, ...), like the kernel's.
 * - umockdev aborts the sender when a listener's queue is full (10 datagrams),
 *   so before each uevent the simulator waits until every listener (every
 *   netlink uevent socket opened under the testbed, in any process) can take
 *   one more; it aborts with a clear error if one has not read for 10 s. A
 *   listener in the simulator's own thread must be read by another thread.
 * - User writes (sriov_numvfs, sriov_drivers_autoprobe, driver_override,
 *   sim_write_attribute) are made in place: inotify sees IN_MODIFY (twice
 *   when the length changes), never IN_IGNORED.
 * - Besides the PCI devices, bridges (on pcieport) are PCI devices too, and
 *   /dev/vfio holds the container node `vfio` and, while a VF is on
 *   vfio-pci, `devices/vfioN` besides the group nodes.
 */
#pragma once

#include <stdbool.h>
#include <umockdev.h>

typedef struct SriovSim SriovSim;

/* What a VF gets bound to when it is created or rebound. */
typedef enum {
        SIM_VF_NET,      /* the PF's VF net driver, with a netdev */
        SIM_VF_VFIO,     /* vfio-pci, with /dev/vfio/<group> */
        SIM_VF_UNBOUND,  /* no driver */
} SimVfBinding;

typedef struct {
        const char *address;     /* "0000:3b:00.0" */
        const char *bridge;      /* parent bridge, "0000:3a:00.0"; NULL: derive "DDDD:BB-1:00.0"-style default */
        unsigned vendor, device; /* 0x15b3, 0x101d */
        unsigned vf_device;      /* 0x101e */
        const char *pf_driver;   /* "mlx5_core"; NULL: unbound */
        const char *vf_driver;   /* net driver for VFs: "mlx5_core", "iavf", "ionic" */
        const char *netdev;      /* PF netdev name, NULL for none */
        const char *vf_netdev_prefix; /* VF netdev name = prefix + index, e.g. "enp59s0f0v" */
        unsigned total_vfs;
        unsigned vf_offset, vf_stride; /* VF address = PF routing id + offset + i*stride */
        int numa_node;
        int iommu_group;         /* PF's group; VFs get iommu_group + 1 + index; -1: no groups */
        const char *vendor_db_name; /* udev ID_VENDOR_FROM_DATABASE, NULL for none */
        /* Issue 16: udev ID_MODEL_FROM_DATABASE of the PF and of its VFs
         * (NULL for none), and the PF's current_link_speed (NULL: no link
         * files) and current_link_width. */
        const char *model_db_name;
        const char *vf_model_db_name;
        const char *link_speed;
        unsigned link_width;
} SimPfSpec;

/* Create a simulator on a fresh testbed. Never returns NULL (aborts on failure). */
SriovSim *sim_new(void);
void sim_free(SriovSim *sim);
/* How long a uevent waits for a listener (the daemon) that does not read
 * before the simulator gives up (10 s unless set; the harness scales it). */
void sim_set_listener_timeout(SriovSim *sim, unsigned ms);
/* A `speed` file (Mb/s) in every netdev made from now on (0, the default:
 * none, like a driver that does not report it). libvirt's node-device
 * driver drops a netdev without one (bench-libvirt, issue 14). */
void sim_set_netdev_speed(SriovSim *sim, unsigned mbps);
/* How long a driver's probe takes, in µs (0, the default: no time): each
 * bind of a scenario (a new VF's, a rebind's, a re-added PF's) waits this
 * long after the driver link is made and before the probe's children and
 * the `bind`, as the kernel's really_probe() runs a driver's probe
 * (bench-libvirt). */
void sim_set_probe_delay(SriovSim *sim, unsigned usec);
UMockdevTestbed *sim_testbed(SriovSim *sim);
/* The testbed root, for UMOCKDEV_DIR. Owned by the simulator. */
const char *sim_root(SriovSim *sim);

/* Silent construction (no uevents): for building a host before the daemon starts. */
void sim_add_pf(SriovSim *sim, const SimPfSpec *spec);
/* A PCI device that is not SR-IOV capable (e.g. a plain NIC or a GPU). */
void sim_add_plain_device(SriovSim *sim, const char *address, unsigned vendor,
                          unsigned device, const char *driver);
/* A plain unbound PCI device in IOMMU group `iommu_group` (shared with a PF
 * or VF of the simulator, or -1); `announce`: with its `add` uevent (hot
 * plug), else silently. */
void sim_add_grouped_device(SriovSim *sim, const char *address, unsigned vendor, unsigned device,
                            int iommu_group, bool announce);
/* Hot-remove a plain device (unbind, `remove`), leaving its IOMMU group. */
void sim_remove_device(SriovSim *sim, const char *address);
/* Create VF index `index` of a PF silently, bound as given. */
void sim_add_vf(SriovSim *sim, const char *pf_address, unsigned index, SimVfBinding binding);

/* Scenarios: each sends the uevents of the real change in the kernel's order.
 * They act on the testbed immediately and return once every uevent is sent. */

/* echo N > sriov_numvfs on a PF with no VFs: per VF add, links, change, probe,
 * bind; one PF change at the end; sriov_numvfs written in place (IN_MODIFY). */
void sim_enable_vfs(SriovSim *sim, const char *pf_address, unsigned num_vfs,
                    SimVfBinding binding);
/* echo M > sriov_numvfs with M < current, including 0: per VF (highest
 * index first) links removed, net remove, unbind, remove. No PF event. */
void sim_disable_vfs(SriovSim *sim, const char *pf_address, unsigned remaining);
/* Unbind from the current driver (net remove, unbind) and, unless
 * SIM_VF_UNBOUND, bind as given (vfio add + bind, or net add + bind).
 * SIM_VF_NET re-creates the netdev under `new_netdev` (NULL: the original name). */
void sim_rebind_vf(SriovSim *sim, const char *vf_address, SimVfBinding binding,
                   const char *new_netdev);
/* Bind an unbound device to an arbitrary driver (no netdev, no vfio): Mode "other". */
void sim_bind_other(SriovSim *sim, const char *address, const char *driver);
/* Rename a netdev: udev "move" with DEVPATH_OLD. */
void sim_rename_netdev(SriovSim *sim, const char *old_name, const char *new_name);
/* switchdev (issue 16). The PF's netdev as a switch port: phys_switch_id and
 * phys_port_name ("p0" for an uplink), written in place, no uevent. */
void sim_set_switch_port(SriovSim *sim, const char *pf_address, const char *switch_id,
                         const char *port_name);
/* A representor netdev below the PF's device (as mlx5 and ice make them),
 * with its phys_switch_id and phys_port_name ("pf0vf3", "pf0vfr3",
 * "c1pf0vf3"): `add`. Removed: `remove`. Renamed by udev: `move`. */
void sim_add_representor(SriovSim *sim, const char *pf_address, const char *name,
                         const char *switch_id, const char *port_name);
void sim_remove_representor(SriovSim *sim, const char *pf_address, const char *name);
void sim_rename_representor(SriovSim *sim, const char *pf_address, const char *old_name,
                            const char *new_name);
/* Hot-remove a PF with all its VFs (VFs first, then the PF). */
void sim_remove_pf(SriovSim *sim, const char *pf_address);
/* Re-add a removed PF (add, bind) and re-create `num_vfs` VFs as in enable. */
void sim_readd_pf(SriovSim *sim, const char *pf_address, unsigned num_vfs, SimVfBinding binding);
/* A user's write of sriov_drivers_autoprobe: written in place, no uevent. */
void sim_write_autoprobe(SriovSim *sim, const char *pf_address, bool value);
/* Change any attribute in place with no uevent (behind the daemon's back). */
void sim_write_attribute(SriovSim *sim, const char *address, const char *name, const char *value);

/* Faults: uevents that the testbed does not bear out, as a confused or late
 * sender delivers them. Both wait for the listeners and count as sent. */
/* Another uevent for a present PCI device, built from the testbed like the
 * scenarios' (a repeat, or a `change` after sim_write_attribute()). */
void sim_send_uevent(SriovSim *sim, const char *address, const char *action);
/* A made-up uevent: ACTION, DEVPATH (below /sys, e.g. "/devices/pci0000:3a/...";
 * nothing needs to exist there), SUBSYSTEM, a SEQNUM, then `props` ("KEY=VALUE",
 * NULL-terminated, may be NULL), in libudev's monitor format. */
void sim_send_raw_uevent(SriovSim *sim, const char *action, const char *devpath,
                         const char *subsystem, const char *const *props);

/* Lookup helpers for assertions. */
/* Whether a PF of the simulator is present (not hot-removed). */
bool sim_pf_present(SriovSim *sim, const char *pf_address);
/* Number of VFs a PF has now (0 while removed). */
unsigned sim_num_vfs(SriovSim *sim, const char *pf_address);
/* The driver a PCI device is bound to, or NULL (unbound or absent). Owned by sim. */
const char *sim_driver(SriovSim *sim, const char *address);
/* The /sys path of a PCI device; for a PF or VF of the simulator also while it
 * is absent (where it was or would be). NULL if unknown. Owned by sim. */
const char *sim_syspath(SriovSim *sim, const char *address);
/* Address of VF `index` of a PF (computed from the spec's offset/stride). Owned by sim. */
const char *sim_vf_address(SriovSim *sim, const char *pf_address, unsigned index);
/* Current netdev name of a VF or PF, or NULL. Owned by sim. */
const char *sim_netdev(SriovSim *sim, const char *address);
/* Number of uevents sent so far. */
unsigned sim_uevents_sent(SriovSim *sim);

/* The demo / test host of issue 2: a ConnectX-6 Dx PF (0000:3b:00.0, 15b3:101d)
 * with 4 VFs (two on mlx5_core with netdevs, one on vfio-pci, one unbound),
 * a Pensando PF (1dd8:1002, ionic) with 2 VFs (1dd8:1003), an Intel E810 PF
 * (8086:1593, ice) with 2 iavf VFs (8086:1889), a Broadcom PF with
 * sriov_numvfs 0, and one plain non-SR-IOV NIC. */
void sim_build_demo_host(SriovSim *sim);
